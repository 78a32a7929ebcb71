"""Clause texts with named placeholders (``%(post)s``), filled from typed field values.

Dates print as ``2026年12月1日``, money as ``人民币6,500.00元（大写：…）`` (signing's
:func:`~signing.contract_text.rmb`), choices as their Chinese label. An optional clause whose
placeholders are all empty is left out; a clause with ``if_filled``/``if_empty`` (a field
name) is printed only when that field has a value / has none (e.g. the construction
contract's term: to the end date given, else until the work is done). English texts fill the
same way (ISO dates, ¥ amounts).

Besides a version's own fields, a clause may name the fields the law adds to its kind
(:data:`~app.domain.rules.LAW_FIELD_SPECS`, e.g. the usual output of a piece rate): such a
field prints as a quantity, and only where it applies (its ``when``: the wage form it belongs
to); elsewhere it counts as empty.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from app.domain.rules import LAW_FIELD_SPECS
from app.domain.templates.standard import DEFAULTS_EN
from app.domain.typed import Msg
from signing.contract_text import cn_date, rmb

PLACEHOLDER = re.compile(r"%\((\w+)\)s")
STRAY_PERCENT = re.compile(r"%(?!\(\w+\)s)")


def placeholders(text: str) -> set[str]:
    """The field names a clause text refers to."""
    return set(PLACEHOLDER.findall(text))


def unknown_placeholders(text: str, known: set[str]) -> list[str]:
    """Placeholders in ``text`` that name no field of ``known`` (sorted), plus ``"%"`` when the
    text holds a ``%`` that is not a placeholder (it would break filling)."""
    unknown = sorted(placeholders(text) - known)
    if STRAY_PERCENT.search(PLACEHOLDER.sub("", text)):
        unknown.append("%")
    return unknown


def _shown(spec: dict, value: object, english: bool) -> str:
    if value in ("", None):
        return ""
    kind = spec["type"]
    if kind == "date":
        day = date.fromisoformat(str(value))
        return day.isoformat() if english else cn_date(day)
    if kind == "money" and spec.get("quantity"):
        return _quantity(Decimal(str(value)))
    if kind == "money":
        return f"CNY {Decimal(str(value)):,.2f}" if english else rmb(Decimal(str(value)))
    if kind == "choice":
        return spec["choices"].get(value, "") if not english else str(value).replace("_", " ")
    if kind == "yes_no":
        return ("yes" if value else "no") if english else ("是" if value else "否")
    if english and isinstance(value, str) and value.strip() in DEFAULTS_EN:
        return DEFAULTS_EN[value.strip()]  # a default clause text, in English
    return str(value)


def _quantity(amount: Decimal) -> str:
    """``350.00`` -> ``350``, ``99.50`` -> ``99.5`` (a count, not money)."""
    text = f"{amount:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _applies(spec: dict, values: dict) -> bool:
    """Whether a field with ``when`` (``{"wage_form": "piece_rate"}``) applies to ``values``."""
    return all(values.get(name) == wanted for name, wanted in spec.get("when", {}).items())


def fill(version: dict, values: dict, *, english: bool = False) -> list[tuple[str, list[str]]]:
    """The clauses of a template version with ``values`` put in: ``[(heading, paragraphs)]``.

    :param version: ``{"fields": [...], "clauses": [...]}`` of one template version.
    :param values: clean typed values (from :func:`~app.domain.templates.fields.validate_fields`).
    :param english: the English texts (for reading; the signed PDF stays Chinese).
    """
    specs = {**LAW_FIELD_SPECS, **{f["name"]: f for f in version["fields"]}}
    shown = {name: _shown(spec, values.get(name), english) if _applies(spec, values) else ""
             for name, spec in specs.items()}
    out = []
    for clause in version["clauses"]:
        heading = clause.get("heading_en") if english else clause["heading"]
        texts = clause.get("paragraphs_en") if english else clause["paragraphs"]
        if english and not texts:
            heading, texts = clause["heading"], clause["paragraphs"]
        if clause.get("if_filled") and not shown.get(clause["if_filled"]):
            continue
        if clause.get("if_empty") and shown.get(clause["if_empty"]):
            continue
        names = set().union(*(placeholders(t) for t in texts)) if texts else set()
        if not clause.get("required", True) and names and not any(shown.get(n) for n in names):
            continue
        paragraphs = [t % {n: shown.get(n, "") for n in placeholders(t)} for t in texts]
        out.append((heading or clause["heading"], [p for p in paragraphs if p.strip()]))
    return out


WHEN_FILLED = "（填写了%(label)s时）"
WHEN_EMPTY = "（未填写%(label)s时）"
WHEN_FILLED_FOR = "（%(field)s为%(choice)s且填写了%(label)s时）"
WHEN_EMPTY_FOR = "（未填写%(label)s或%(field)s不是%(choice)s时）"


def condition(clause: dict, fields: list[dict]) -> Msg | None:
    """When an alternative clause is printed, in words for the pages that list the clauses
    (``if_filled="term_end"`` -> （填写了合同终止日期时）); None for a clause always printed.

    :param fields: the version's field specs with the law's fields of its kind (labels).
    """
    name = clause.get("if_filled") or clause.get("if_empty")
    if not name:
        return None
    specs = {**LAW_FIELD_SPECS, **{f["name"]: f for f in fields}}
    spec = specs.get(name, {"label": name})
    label = Msg(spec["label"])
    when = next(iter(spec.get("when", {}).items()), None)
    filled = bool(clause.get("if_filled"))
    if when is None or when[0] not in specs:
        return Msg(WHEN_FILLED if filled else WHEN_EMPTY, label=label)
    other = specs[when[0]]
    return Msg(WHEN_FILLED_FOR if filled else WHEN_EMPTY_FOR, label=label,
               field=Msg(other["label"]), choice=Msg(other["choices"].get(when[1], when[1])))
