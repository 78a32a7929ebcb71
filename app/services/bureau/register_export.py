"""The county employment register as JSON (for the page's API) and as an XLSX workbook.

Every text cell goes through the project's formula guard
(:func:`app.services.contracts.contract_export.safe_cell`): an employer's name typed as
``=HYPERLINK(...)`` stays text. Counts are numbers.
"""

from __future__ import annotations

import io

from flask_babel import gettext
from openpyxl import Workbook

from app.services.bureau.register import Register, employer_months
from app.services.bureau.unfiled import Unfiled
from app.services.contracts.contract_export import safe_cell

EMPLOYER_HEADERS = ("用人单位", "统一社会信用代码", "地区代码", "在职人数", "30天内到期合同",
                    "新入职（12个月）", "离职（12个月）")
MONTH_HEADERS = ("用人单位", "统一社会信用代码", "月份", "新入职", "离职")
UNFILED_HEADERS = ("用人单位（总包）", "统一社会信用代码", "地区代码", "项目", "无合同人数",
                   "无合同人月", "最早月份", "最近月份")
REGION_HEADERS = ("地区代码", "用人单位数", "在职人数", "新入职", "离职", "30天内到期合同")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def as_json(register: Register, unfiled: list[Unfiled]) -> dict:
    """The register as a JSON-ready dict (no personal data: counts per employer)."""
    c = register.criteria
    return {
        "day": c.day.isoformat(), "region": c.region or None, "months": register.months,
        "totals": register.totals() | {"unfiled_employers": len({u.organization_id
                                                                  for u in unfiled})},
        "regions": register.by_region(),
        "employers": [{"id": e.id, "name": e.name, "uscc": e.uscc, "region_code": e.region_code,
                       "in_service": e.in_service, "ending_within_30_days": e.ending,
                       "hires": e.hires, "leavers": e.leavers} for e in register.employers],
        "without_contract": [{"organization_id": u.organization_id, "employer": u.employer,
                              "uscc": u.uscc, "region_code": u.region_code,
                              "project": u.project, "workers": u.workers,
                              "worker_months": u.worker_months, "first_month": u.first_month,
                              "last_month": u.last_month} for u in unfiled],
    }


def _sheet(book: Workbook, title: str, headers: tuple[str, ...], rows: list[list]) -> None:
    sheet = book.create_sheet(gettext(title))
    sheet.append([gettext(h) for h in headers])
    for row in rows:
        sheet.append([v if isinstance(v, int) else safe_cell(v) for v in row])


def to_xlsx(register: Register, unfiled: list[Unfiled]) -> bytes:
    """Four sheets: employers, regions, employer-months (hires, leavers), without contract."""
    book = Workbook(write_only=True)
    _sheet(book, "用人单位", EMPLOYER_HEADERS, [
        [e.name, e.uscc, e.region_code, e.in_service, e.ending, sum(e.hires.values()),
         sum(e.leavers.values())] for e in register.employers])
    _sheet(book, "按地区", REGION_HEADERS, [
        [r["region_code"], r["employers"], r["in_service"], r["hires"], r["leavers"],
         r["ending"]] for r in register.by_region()])
    _sheet(book, "每月入职离职", MONTH_HEADERS, [
        [e.name, e.uscc, m, h, lv] for e, m, h, lv in employer_months(register)])
    _sheet(book, "无合同用工", UNFILED_HEADERS, [
        [u.employer, u.uscc, u.region_code, u.project, u.workers, u.worker_months,
         u.first_month, u.last_month] for u in unfiled])
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()
