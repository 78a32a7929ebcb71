"""Rosters as an HR office types them in Excel, for the batch tests."""

from __future__ import annotations

import io
from datetime import date

import openpyxl

from app.domain.ids import id_with_check
from tests.conftest import contract_payload

FIXED_TERM_HEADER = ["*劳动者姓名", "*身份证号码", "*手机号码", "*劳动者住址", "*合同开始日期",
                     "*合同终止日期", "试用期", "试用期工资", "*工作岗位", "*工作地点", "*工时制度",
                     "*月工资", "*发薪日"]
FIELDS = ["worker_name", "worker_id_number", "worker_phone", "worker_address", "term_start",
          "term_end", "probation_months", "probation_wage", "post", "work_location",
          "hours_system", "monthly_wage", "pay_day"]
COLUMN = {name: index for index, name in enumerate(FIELDS)}


def person(i: int) -> dict:
    """Worker number ``i`` (distinct ID number and phone)."""
    return {"worker_name": f"工人{i:03d}", "worker_id_number": id_with_check(
        f"43012119900101{i:03d}"), "worker_phone": f"139{i:08d}"}


def row(i: int, **overrides) -> list:
    """A good row for worker ``i``, with cells as Excel holds them: a real date for the
    start, numbers for money and days, the hours system by its Chinese label."""
    terms = contract_payload(**person(i))
    terms.update(term_start=date(2026, 12, 1), monthly_wage=6000.0, pay_day=15,
                 probation_months=2, probation_wage=4800, hours_system="标准工时制")
    terms.update(overrides)
    return [terms[name] for name in FIELDS]


def xlsx(rows: list[list], header: list[str] = FIXED_TERM_HEADER, merge: str | None = None
         ) -> bytes:
    """An XLSX roster: the header, then ``rows`` from row 2; ``merge``: a range to merge."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(header)
    for cells in rows:
        sheet.append(cells)
    if merge:
        sheet.merge_cells(merge)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_bytes(rows: list[list], encoding: str = "utf-8-sig", delimiter: str = ",") -> bytes:
    """A CSV roster as Excel or WPS saves it."""
    lines = [delimiter.join(FIXED_TERM_HEADER)]
    lines += [delimiter.join("" if c is None else str(c) for c in cells) for cells in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)
