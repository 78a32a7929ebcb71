"""The employer's filtered contract list as a spreadsheet (XLSX with openpyxl, or CSV).

Personal data stays masked as on the page (ID number and phone); a cell that a spreadsheet
would run as a formula (``=``, ``+``, ``-``, ``@`` first) is written as text with a leading
apostrophe, since names and posts are typed by people.
"""

from __future__ import annotations

import csv
import io

from flask_babel import gettext
from openpyxl import Workbook

from app.models import Contract
from app.services.contracts import queries
from app.services.contracts.contract_list import BEIJING
from app.services.templates import template_text

HEADERS = ("合同编号", "合同类型", "劳动者", "身份证号码（脱敏）", "手机号码（脱敏）", "岗位", "项目",
           "合同开始日期", "合同终止日期", "状态", "备案号", "创建时间（北京时间）")
STATUS = {"draft": "草稿", "sent": "待劳动者签署", "signed": "已签署，备案中", "filed": "已备案",
          "declined": "已拒签", "voided": "已作废", "expired": "已过期", "terminated": "已解除（终止）"}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """The cell's text, with an apostrophe first where a spreadsheet would run it as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def rows(contracts: list[Contract]) -> list[list[str]]:
    """The header row (in the page's language) and one row per contract."""
    filings = queries.filing_numbers([c.id for c in contracts])
    out = [[gettext(h) for h in HEADERS]]
    for c in contracts:
        t = c.terms
        out.append([safe_cell(v) for v in (
            c.contract_no, gettext(template_text.TITLES.get(c.template, c.template)),
            c.worker_name, c.worker.id_masked, c.worker_phone_masked, t.get("post"),
            t.get("project_name"), t.get("term_start"), t.get("term_end"),
            gettext(STATUS.get(c.status, c.status)), filings.get(c.id),
            c.created_at.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S"))])
    return out


def to_csv(table: list[list[str]]) -> bytes:
    """CSV in UTF-8 with a byte-order mark (Excel opens it as UTF-8)."""
    buf = io.StringIO()
    csv.writer(buf).writerows(table)
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def to_xlsx(table: list[list[str]]) -> bytes:
    """An XLSX workbook with one sheet of the table (every cell text)."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(gettext("劳动合同"))
    for row in table:
        sheet.append(row)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()
