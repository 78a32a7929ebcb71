"""Terms the labor-law rules need that a template version may not ask for: their field specs
per kind, and their typing (pure: no database).

A piece rate (按工程量（计件）计发) can only be checked against the minimum wage with the
usual output of a month of normal working hours; the standard construction template's
version 1, and copies made from it, have no such field. The forms show these fields after
the wage (:func:`with_law_fields`) and the contract's terms keep what is typed
(:func:`typed_law_fields`); a version that has the field itself is left as it is.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from app.domain import typed
from app.domain.typed import Msg

#: typed here as a quantity (``quantity``: printed as a number, not as money); it applies only
#: to a piece rate (``when``: the contract prints it only with that wage form)
USUAL_OUTPUT = {"name": "usual_output", "type": "money", "label": "正常工作时间月产量（计件数量）",
                "required": False, "maximum": "1000000", "quantity": True,
                "when": {"wage_form": "piece_rate"}}
#: kind -> (field spec, the field it follows on the form)
LAW_FIELDS = {"construction_simple": [(USUAL_OUTPUT, "wage_amount")]}
#: name -> spec of every law field (what clause texts may name besides a version's fields)
LAW_FIELD_SPECS = {spec["name"]: spec for specs in LAW_FIELDS.values() for spec, _ in specs}
BAD_QUANTITY = "%(label)s应为大于0、最多两位小数的数量"
TOO_LARGE = "%(label)s不能超过%(limit)s"


def with_law_fields(kind: str, fields: list[dict]) -> list[dict]:
    """``fields`` with the law's fields of ``kind`` it lacks, each after the field it
    follows (at the end when that one is missing)."""
    out = list(fields)
    names = {f["name"] for f in fields}
    for spec, after in LAW_FIELDS.get(kind, []):
        if spec["name"] in names:
            continue
        at = next((i + 1 for i, f in enumerate(out) if f["name"] == after), len(out))
        out.insert(at, spec)
    return out


def quantity(value: object, *, maximum: Decimal) -> tuple[Decimal | None, str | None]:
    """A quantity above 0 with at most two decimals (``"350.5"``, or a JSON number); the
    problem's msgid (params ``label``, ``limit``) when it is not one."""
    amount, problem = typed.money(value, maximum=maximum)
    if problem == typed.MONEY_TOO_LARGE:
        return None, TOO_LARGE
    if problem or amount is None or amount <= 0:
        return None, BAD_QUANTITY
    return amount, None


def typed_law_fields(kind: str, fields: list[dict], raw: dict[str, Any],
                     errors: dict[str, Msg]) -> dict[str, str]:
    """The law's fields of ``kind`` that ``fields`` lacks, typed from ``raw``: clean values
    (decimal strings; "" when left empty), problems added to ``errors`` by field name."""
    names = {f["name"] for f in fields}
    clean: dict[str, str] = {}
    for spec, _ in LAW_FIELDS.get(kind, []):
        name = spec["name"]
        if name in names:
            continue
        value = raw.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            clean[name] = ""
            continue
        limit = Decimal(spec["maximum"])
        amount, problem = quantity(value, maximum=limit)
        if problem:
            errors[name] = Msg(problem, label=Msg(spec["label"]), limit=limit)
            clean[name] = value if isinstance(value, str) else ""
        else:
            clean[name] = str(amount)
    return clean
