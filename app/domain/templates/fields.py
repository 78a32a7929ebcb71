"""Typed fields of a template, validated from their spec (pure data, no database).

A field spec is a dict: ``name``, ``type`` (text, date, money, integer, choice, yes_no,
id_number, phone), ``label`` (Chinese; a gettext msgid), ``required``, and per type
``limit``/``multiline``, ``minimum``/``maximum``, ``choices`` (value to Chinese label),
``default`` (used when left empty). Validation names the field, keeps what was typed in the
error case and never coerces with ``str()``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from app.domain import typed
from app.domain.ids import id_number_error, normalize_id_number, phone_error
from app.domain.typed import Msg

FIELD_TYPES = ("text", "date", "money", "integer", "choice", "yes_no", "id_number", "phone")
YES = (True, "1", "on", "true", "yes")
NO = (False, "0", "false", "no")
REQUIRED = "请填写%(label)s"
OUT_OF_RANGE = "%(label)s应为%(minimum)s到%(maximum)s之间的整数"
NOT_A_CHOICE = "%(label)s只能是：%(choices)s"
NOT_YES_NO = "%(label)s应为是或否"


def _one(spec: dict, value: Any) -> tuple[Any, str | None, dict]:
    """``(clean, problem msgid, extra params)`` for one non-empty value."""
    kind = spec["type"]
    if kind == "text":
        clean, problem = typed.text(value, limit=spec.get("limit", 40),
                                    multiline=spec.get("multiline", False))
        return clean, problem, {"limit": spec.get("limit", 40)}
    if kind == "date":
        day, problem = typed.iso_date(value)
        return (day.isoformat() if day else value), problem, {}
    if kind == "money":
        limit = Decimal(spec.get("maximum", "1000000"))
        amount, problem = typed.money(value, maximum=limit)
        return (str(amount) if amount is not None else value), problem, {"limit": limit}
    if kind == "integer":
        number, problem = typed.integer(value)
        low, high = spec.get("minimum", 0), spec.get("maximum", 999999)
        if problem is None and not low <= number <= high:
            problem = OUT_OF_RANGE
        return (number if number is not None else value), problem, {"minimum": low,
                                                                    "maximum": high}
    if kind == "choice":
        choices = spec["choices"]
        ok = isinstance(value, str) and value.strip() in choices
        return (value.strip() if ok else value), None if ok else NOT_A_CHOICE, {
            "choices": "、".join(choices.values())}
    if kind == "yes_no":
        return value in YES, None if value in YES or value in NO else NOT_YES_NO, {}
    text, problem = typed.text(value, limit=30)
    if problem is None:
        problem = (id_number_error(text) if kind == "id_number" else phone_error(text))
        if problem is None and kind == "id_number":
            text = normalize_id_number(text)
    return text, problem, {}


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def validate_fields(fields: list[dict], raw: dict[str, Any]) -> tuple[dict, dict[str, Msg]]:
    """Check ``raw`` (what a person typed) against the field specs of a template version.

    :param fields: the version's field specs, in form order.
    :param raw: field name to typed value (form strings or JSON values); unknown keys ignored.
    :returns: ``(clean, errors)``; ``errors`` maps a field name to a :class:`Msg` naming it;
        ``clean`` keeps what was typed for fields in error.
    """
    clean: dict[str, Any] = {}
    errors: dict[str, Msg] = {}
    for spec in fields:
        name, label = spec["name"], Msg(spec["label"])
        value = raw.get(name)
        if _empty(value) and spec.get("default") is not None:
            value = spec["default"]
        if _empty(value):
            clean[name] = False if spec["type"] == "yes_no" else ""
            if spec.get("required") and spec["type"] != "yes_no":
                errors[name] = Msg(REQUIRED, label=label)
            continue
        value, problem, params = _one(spec, value)
        clean[name] = value
        if problem:
            errors[name] = Msg(problem, label=label, **params)
    return clean, errors


def field_names(fields: list[dict]) -> set[str]:
    """The names of the fields (what clause placeholders may name)."""
    return {f["name"] for f in fields}
