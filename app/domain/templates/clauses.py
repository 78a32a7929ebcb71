"""Clause texts with named placeholders (``%(post)s``), filled from typed field values.

Dates print as ``2026年12月1日``, money as ``人民币6,500.00元（大写：…）`` (signing's
:func:`~signing.contract_text.rmb`), choices as their Chinese label. An optional clause whose
placeholders are all empty is left out; a clause with ``if_filled``/``if_empty`` (a field
name) is printed only when that field has a value / has none (e.g. the construction
contract's term: to the end date given, else until the work is done). English texts fill the
same way (ISO dates, ¥ amounts).
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from app.domain.templates.standard import DEFAULTS_EN
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
    if kind == "money":
        return f"CNY {Decimal(str(value)):,.2f}" if english else rmb(Decimal(str(value)))
    if kind == "choice":
        return spec["choices"].get(value, "") if not english else str(value).replace("_", " ")
    if kind == "yes_no":
        return ("yes" if value else "no") if english else ("是" if value else "否")
    if english and isinstance(value, str) and value.strip() in DEFAULTS_EN:
        return DEFAULTS_EN[value.strip()]  # a default clause text, in English
    return str(value)


def fill(version: dict, values: dict, *, english: bool = False) -> list[tuple[str, list[str]]]:
    """The clauses of a template version with ``values`` put in: ``[(heading, paragraphs)]``.

    :param version: ``{"fields": [...], "clauses": [...]}`` of one template version.
    :param values: clean typed values (from :func:`~app.domain.templates.fields.validate_fields`).
    :param english: the English texts (for reading; the signed PDF stays Chinese).
    """
    specs = {f["name"]: f for f in version["fields"]}
    shown = {name: _shown(spec, values.get(name), english) for name, spec in specs.items()}
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
