"""The staff register (职工名册, Implementing Regulations of the Labor Contract Law art. 8),
generated from the employer's contracts in force on a chosen day.

A worker is on the register on day *d* when a labor contract of the employer was signed
(signed, filed, or since ended), starts on or before *d*, and neither ended (last working
day) nor expired before *d*. The fields are the regulation's: name, sex (read from the ID
number), ID number, address, contact, form of employment, start date and contract term;
ID number and phone are masked, as in every export of the platform.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext
from openpyxl import Workbook
from sqlalchemy import or_

from app import pii
from app.domain import labels
from app.errors import Forbidden
from app.extensions import db
from app.models import Contract, Organization
from app.services.contracts import queries
from app.services.platform import pki, scope
from app.services.platform.principal import Principal

HEADERS = ("姓名", "性别", "身份证号码（脱敏）", "住址", "联系方式（脱敏）", "用工形式", "用工起始时间",
           "劳动合同期限", "合同编号", "备案号")
FORMS = {"part_time": "非全日制用工"}
FULL_TIME = "全日制用工"
IN_SERVICE = ("signed", "filed", "terminated")


@dataclass(frozen=True)
class Entry:
    """One worker on the register."""

    contract: Contract
    sex: str
    filing_number: str | None


def _sex(contract: Contract) -> str:
    id_number = pii.decrypt(contract.worker.id_number_enc)
    return "男" if int(id_number[16]) % 2 else "女"


def term_text(contract: Contract) -> str:
    """The contract term as the register writes it, in the page's language: its dates, or
    what ends a term without an end date by the contract's kind (无固定期限 only for an
    open-ended contract: a part-time or construction contract is not one)."""
    t = contract.terms
    if t.get("term_end"):
        return f"{t['term_start']} — {t['term_end']}"
    return gettext(labels.open_end(contract.template, t), task=t.get("task_name", ""))


def entries(p: Principal, day: date) -> list[Entry]:
    """The employer's workers in service on ``day``, by worker name then contract number.

    :raises Forbidden: not an employer.
    """
    if not p.is_employer:
        raise Forbidden("只有用人单位可以查看职工名册", code="not_employer")
    iso = day.isoformat()
    term_end = Contract.terms["term_end"].as_string()
    query = scope.labor_contracts(p).where(
        Contract.status.in_(IN_SERVICE), Contract.terms["term_start"].as_string() <= iso,
        or_(Contract.ended_on.is_(None), Contract.ended_on >= day),
        or_(term_end.is_(None), term_end == "", term_end >= iso),
    ).order_by(Contract.worker_name, Contract.contract_no)
    found = list(db.session.scalars(query))
    filings = queries.filing_numbers([c.id for c in found])
    return [Entry(c, _sex(c), filings.get(c.id)) for c in found]


def table(items: list[Entry]) -> list[list[str]]:
    """Header and rows, in the page's language (values as recorded)."""
    rows = [[gettext(h) for h in HEADERS]]
    for e in items:
        c = e.contract
        rows.append([c.worker_name, gettext(e.sex), c.worker.id_masked,
                     c.terms.get("worker_address") or "", c.worker_phone_masked,
                     gettext(FORMS.get(c.template, FULL_TIME)), c.terms["term_start"],
                     term_text(c),
                     c.contract_no, e.filing_number or ""])
    return rows


def to_xlsx(rows: list[list[str]]) -> bytes:
    """The register as an XLSX workbook (text cells; formula-like text neutralised)."""
    from app.services.contracts.contract_export import safe_cell

    book = Workbook(write_only=True)
    sheet = book.create_sheet(gettext("职工名册"))
    for row in rows:
        sheet.append([safe_cell(v) for v in row])
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def to_pdf(rows: list[list[str]], employer: str, day: date) -> bytes:
    """The register as an A4 landscape PDF with the embedded CJK font."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    from signing import markup
    from signing.fonts import reportlab_font

    font = reportlab_font(pki.font())
    cell = ParagraphStyle("cell", fontName=font, fontSize=8, leading=10, wordWrap="CJK")
    title = ParagraphStyle("title", fontName=font, fontSize=14, leading=18)
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=landscape(A4), title="职工名册")
    # stored text is printed as text, never read as markup (an address with <img> or <br>)
    grid = Table([[Paragraph(markup.text(v), cell) for v in row] for row in rows], repeatRows=1)
    grid.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                              ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke)]))
    heading = gettext("%(employer)s 职工名册（%(day)s）", employer=employer, day=day.isoformat())
    doc.build([Paragraph(markup.text(heading), title), Spacer(1, 8), grid])
    return buf.getvalue()


#: file kind -> its content type
FILE_TYPES = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
              "pdf": "application/pdf"}


def register_file(p: Principal, day: date, kind: str) -> tuple[bytes, str, str]:
    """The register on ``day`` as a file: its bytes, content type and name
    (``register-<day>.<kind>``); the PDF carries the employer's name and the date in its title.

    :raises Forbidden: not an employer.
    :raises ValueError: ``kind`` is not in :data:`FILE_TYPES` (the surfaces check first).
    """
    if kind not in FILE_TYPES:
        raise ValueError(f"unknown register file kind {kind!r}")
    rows = table(entries(p, day))
    if kind == "xlsx":
        data = to_xlsx(rows)
    else:
        data = to_pdf(rows, db.session.get(Organization, p.organization_id).name, day)
    return data, FILE_TYPES[kind], f"register-{day}.{kind}"
