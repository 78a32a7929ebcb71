"""The roster's columns for a template version and a row's cells as the typed values a
contract form would get (the template file: :mod:`app.services.batches.roster_template`).

The columns are the template version's fields, headed by their Chinese labels (``*`` marks a
required one; the field's name is accepted as a header too). Cells are read as a person
means them: digits and letters typed full-width, spaces around, dates typed as text
(2026/12/1, 2026年12月1日, 20261201) or stored as Excel dates (or their serial numbers),
choices by their Chinese label, 是/否 for yes-or-no. An ID number stored as a number has lost
its last digits and is a problem of its cell.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timedelta
from decimal import Decimal

from app.domain.typed import Msg
from app.models import TemplateVersion
from app.services.batches.roster_file import FORMULA, FORMULA_WITHOUT_VALUE

EXAMPLE_PREFIX = "示例"  # a row whose first cell starts with it is the template's example
UNKNOWN_COLUMN = "未知的列“%(header)s”：请使用下载的名册模板"
MISSING_COLUMN = "缺少“%(label)s”列"
DUPLICATE_COLUMN = "“%(label)s”列出现了两次"
ID_AS_NUMBER = "身份证号码被存成了数字（末几位已丢失），请把该列设为文本格式后重新填写"
TEXT_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
SERIAL_DATE = re.compile(r"^[1-9]\d{4}$")  # 10000–99999: 1927-05-18 to 2173-10-14
EXCEL_EPOCH = date(1899, 12, 30)
YES_NO = {"是": "1", "否": "0", "y": "1", "n": "0", "Y": "1", "N": "0"}
def _key(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().strip("*").strip()


def _masked(text: str) -> str:
    """A header echoed back with long digit runs masked: a roster without its header row
    would otherwise echo the first worker's ID number and phone."""
    return re.sub(r"\d{6,}", lambda m: m[0][:3] + "*" * (len(m[0]) - 5) + m[0][-2:], text)


# The team (班组) on the batch's construction project, for templates without a team field.
TEAM_COLUMN = {"name": "project_team", "type": "text", "label": "班组", "required": False,
               "limit": 100}


def columns(version: TemplateVersion) -> list[dict]:
    """The roster's columns: the version's field specs in form order, then the optional team
    on the project (the construction simple template has its own)."""
    specs = list(version.fields)
    return specs if any(s["name"] == "team" for s in specs) else [*specs, TEAM_COLUMN]


def header_map(version: TemplateVersion, header: list[str]) -> tuple[dict[int, dict], list[Msg]]:
    """Which column index holds which field, and the header's problems."""
    by_key = {}
    for spec in columns(version):
        by_key[_key(spec["label"])] = spec
        by_key[spec["name"]] = spec
    found: dict[int, dict] = {}
    problems: list[Msg] = []
    seen: set[str] = set()
    for index, text in enumerate(header):
        if not text.strip():
            continue
        spec = by_key.get(_key(text))
        if spec is None:
            problems.append(Msg(UNKNOWN_COLUMN, header=_masked(text.strip()[:40])))
        elif spec["name"] in seen:
            problems.append(Msg(DUPLICATE_COLUMN, label=Msg(spec["label"])))
        else:
            seen.add(spec["name"])
            found[index] = spec
    for spec in columns(version):
        if spec.get("required") and spec.get("default") is None and spec["name"] not in seen \
                and spec["type"] != "yes_no":
            problems.append(Msg(MISSING_COLUMN, label=Msg(spec["label"])))
    return found, problems


def is_example(cells: list) -> bool:
    """The template's example row (left in by the user): not a worker."""
    first = next((c for c in cells if c not in (None, "")), None)
    return isinstance(first, str) and first.strip().startswith(EXAMPLE_PREFIX)


def typed_row(found: dict[int, dict], cells: list) -> tuple[dict, dict[str, Msg]]:
    """The row as form values (field name to text), and problems found in its cells."""
    raw: dict[str, str] = {}
    problems: dict[str, Msg] = {}
    for index, spec in found.items():
        cell = cells[index] if index < len(cells) else None
        value, problem = _cell(spec, cell)
        raw[spec["name"]] = value
        if problem:
            problems[spec["name"]] = Msg(problem)
    return raw, problems


def _number_text(value: int | float) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return format(Decimal(str(value)).normalize(), "f") if isinstance(value, float) else \
        f"{value:d}"


def _cell(spec: dict, cell) -> tuple[str, str | None]:
    kind = spec["type"]
    if cell is FORMULA:
        return "", FORMULA_WITHOUT_VALUE
    if cell is None:
        return "", None
    if isinstance(cell, bool):
        return ("1" if cell else "0"), None
    if isinstance(cell, datetime | date):
        day = cell.date() if isinstance(cell, datetime) else cell
        return day.isoformat(), None
    if isinstance(cell, int | float):
        if kind == "id_number":
            return "", ID_AS_NUMBER
        if kind == "date" and 1 <= cell < 2958466:  # an Excel serial day number
            return (EXCEL_EPOCH + timedelta(days=int(cell))).isoformat(), None
        return _number_text(cell), None
    text = str(cell).strip() if isinstance(cell, str) else ""
    if kind == "text":
        return text, None
    text = unicodedata.normalize("NFKC", text).strip()
    if kind == "date":
        return _date_text(text), None
    if kind == "choice":
        labels = {label: value for value, label in spec["choices"].items()}
        return labels.get(text, text), None
    if kind == "yes_no":
        return YES_NO.get(text, text), None
    if kind in ("id_number", "phone"):
        return text.replace(" ", "").upper(), None
    return text.replace(",", ""), None


def _date_text(text: str) -> str:
    """ISO date for the ways dates are typed; unchanged when it matches none (the field's
    check then names the problem)."""
    if SERIAL_DATE.match(text):  # an Excel date saved to CSV as its serial day number
        return (EXCEL_EPOCH + timedelta(days=int(text))).isoformat()
    match = TEXT_DATE.match(text) or COMPACT_DATE.match(text)
    if match is None:
        return text
    year, month, day = (int(g) for g in match.groups())
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return text
