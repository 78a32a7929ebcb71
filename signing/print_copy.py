"""Certified print copy (打印件) of a signed contract: the original's pages and a certification
page with the statement that the copy matches the electronic original, the filing number, the
SHA-256 of the signed original and a QR code to the public verification page.

The original's pages are imported as form XObjects (with the seal and signature appearances
flattened onto them), so the copy prints exactly what was signed; the original's signatures
do not survive in a print copy, and the certification page says so: the electronic original
is the legal document. With ``stamped=True`` the certification page carries an empty
signature field :data:`SEAL_FIELD` at the employer's box, ready for
:meth:`signing.ContractSigner.seal_employer` (``final=True``) to seal the copy with the
employer's company seal.

The CJK TrueType font is embedded, as in the contract PDF; every value printed through a
Paragraph is escaped.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import urlencode
from xml.sax.saxutils import escape

from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.writer import copy_into_new_writer
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfdoc import PDFArray, PDFDictionary, PDFName, PDFString
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, Table, TableStyle

from .errors import InvalidDocument
from .flatten import place_page
from .fonts import reportlab_font
from .pdf_input import open_pdf
from .render import EMPLOYER_BOX, EMPLOYER_FIELD

__all__ = ["SEAL_FIELD", "STATEMENT_EN", "STATEMENT_ZH", "PrintCopyDetails",
           "render_print_copy", "verification_url"]

#: The empty signature field of a stamped copy (the employer's seal, as on the contract).
SEAL_FIELD = EMPLOYER_FIELD
STATEMENT_ZH = "本打印件与电子劳动合同原件内容一致。"
STATEMENT_EN = "This print copy matches the electronic original of the labor contract."
_BEIJING = timezone(timedelta(hours=8))
_PAGE_W, _PAGE_H = A4
_MARGIN = 20 * mm
_QR_SIZE = 42 * mm


@dataclass(frozen=True)
class PrintCopyDetails:
    """What the certification page prints besides the original's SHA-256 (computed here).

    :param filing_number: the filing number (备案号) of the signed contract.
    :param contract_no: the contract number.
    :param employer_name: the employer as named on the contract.
    :param worker_name: the worker as named on the contract.
    :param verify_page: the absolute URL of the public verification page (``…/verify``).
    :param printed_at: when the copy is made (aware; printed in Beijing time to the minute).
    :param stamped: leave a field for the employer's seal on the certification page.
    """

    filing_number: str
    contract_no: str
    employer_name: str
    worker_name: str
    verify_page: str
    printed_at: datetime
    stamped: bool = False


def verification_url(verify_page: str, *, filing_number: str, sha256: str) -> str:
    """The URL the QR code encodes: the verification page with the filing number and the
    original's SHA-256 as url-escaped query parameters.

    :param verify_page: absolute URL of the public verification page, e.g.
        ``https://ht.example.gov.cn/verify``.
    :param filing_number: the filing number.
    :param sha256: the original's SHA-256 (hex).
    """
    query = urlencode({"filing": filing_number, "sha256": sha256})
    return f"{verify_page}{'&' if '?' in verify_page else '?'}{query}"


def render_print_copy(original: bytes, details: PrintCopyDetails, font_path: str) -> bytes:
    """The certified print copy of ``original``: its pages, then the certification page.

    :param original: the signed original PDF (as archived).
    :param details: filing number, names, verification page, time, stamped or not.
    :param font_path: a single-face CJK ``.ttf`` (see :func:`signing.fonts.find_cjk_font`).
    :raises InvalidDocument: the original cannot be read as a PDF.
    :raises signing.errors.FontNotFound: the font cannot be loaded.
    """
    sha256 = hashlib.sha256(original).hexdigest()
    reader = _open(original)
    boxes = [_media_box(reader, index) for index in range(_page_count(reader))]
    url = verification_url(details.verify_page, filing_number=details.filing_number,
                           sha256=sha256)
    font = reportlab_font(font_path)
    skeleton = _skeleton(boxes, details, sha256, url, font)
    writer = copy_into_new_writer(PdfFileReader(io.BytesIO(skeleton), strict=False))
    for index in range(len(boxes)):
        place_page(writer, reader, index)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _open(original: bytes) -> PdfFileReader:
    reader = open_pdf(original, "the original")
    if reader.encrypted:
        raise InvalidDocument("the original PDF is encrypted")
    return reader


def _page_count(reader: PdfFileReader) -> int:
    try:
        count = int(reader.root["/Pages"]["/Count"])
    except Exception as exc:  # noqa: BLE001 - a damaged page tree
        raise InvalidDocument(f"the original PDF has no readable page tree: {exc}") from None
    if count < 1:
        raise InvalidDocument("the original PDF has no pages")
    return count


def _media_box(reader: PdfFileReader, index: int) -> tuple[float, float]:
    page_ref, _resources = reader.find_page_for_modification(index)
    page = page_ref.get_object()
    while "/MediaBox" not in page and "/Parent" in page:
        page = page["/Parent"]
    box = [float(v) for v in page.get("/MediaBox", [0, 0, _PAGE_W, _PAGE_H])]
    return box[2] - box[0], box[3] - box[1]


# -- the skeleton: one page per original page (with a footer) and the certification page -----


def _skeleton(boxes: list[tuple[float, float]], details: PrintCopyDetails, sha256: str,
              url: str, font: str) -> bytes:
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4, initialFontName=font, lang="zh-CN")
    canvas.setTitle(f"打印件 {details.contract_no}")
    canvas.setAuthor("LaborSign")
    canvas.setSubject(f"{details.filing_number} SHA-256 {sha256}")
    total = len(boxes) + 1
    for number, (width, height) in enumerate(boxes, start=1):
        canvas.setPageSize((width, height))
        canvas.setFont(font, 7)
        canvas.setFillColor(colors.HexColor("#555555"))
        canvas.drawCentredString(width / 2, 14, f"打印件 第 {number} 页 共 {total} 页 · 备案号 "
                                 f"{details.filing_number} · 核验信息见最后一页")
        canvas.showPage()
    canvas.setPageSize(A4)
    _certification_page(canvas, details, sha256, url, font, len(boxes))
    canvas.showPage()
    canvas.save()
    return out.getvalue()


def _styles(font: str) -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName=font, fontSize=10.5, leading=16, wordWrap="CJK")
    grey = colors.HexColor("#555555")
    return {"body": base,
            "title": ParagraphStyle("title", parent=base, fontSize=18, leading=26),
            "small": ParagraphStyle("small", parent=base, fontSize=8, leading=11,
                                    textColor=grey),
            "cell": ParagraphStyle("cell", parent=base, fontSize=9.5, leading=13)}


def _para(text: str, style: ParagraphStyle) -> Paragraph:
    """A paragraph of plain text (escaped: names and numbers are data, never markup)."""
    return Paragraph(escape(text), style)


def _pages(count: int) -> str:
    return "第 1 页" if count == 1 else f"第 1–{count} 页"


def _grouped(sha256: str) -> str:
    return " ".join(sha256[i:i + 16] for i in range(0, len(sha256), 16))


def _certification_page(canvas: Canvas, details: PrintCopyDetails, sha256: str, url: str,
                        font: str, original_pages: int) -> None:
    st = _styles(font)
    width = _PAGE_W - 2 * _MARGIN
    text_width = width - _QR_SIZE - 8 * mm
    y = _PAGE_H - _MARGIN
    y = _draw(canvas, _para("电子劳动合同打印件核验页", st["title"]), _MARGIN, y, width)
    y = _draw(canvas, _para("Certification page of a print copy of an electronic labor "
                            "contract", st["small"]), _MARGIN, y, width) - 4 * mm
    qr_top = y
    statement = (STATEMENT_ZH + "本打印件不含电子签名：具有法律效力的是电子原件。核验时请扫描右侧"
                 "二维码或访问下列网址，上传电子原件，确认其 SHA-256 与本页所列数值一致。")
    y = _draw(canvas, _para(statement, st["body"]), _MARGIN, y, text_width) - 2 * mm
    y = _draw(canvas, _para(STATEMENT_EN + " It carries no electronic signature: the electronic "
                            "original is the legal document. To verify, scan the QR code or open "
                            "the address below, upload the electronic original and check that "
                            "its SHA-256 is the one printed here.", st["small"]),
              _MARGIN, y, text_width)
    _qr(canvas, url, _PAGE_W - _MARGIN - _QR_SIZE, qr_top - _QR_SIZE)
    canvas.setFont(font, 8)
    canvas.drawCentredString(_PAGE_W - _MARGIN - _QR_SIZE / 2, qr_top - _QR_SIZE - 10,
                             "扫码核验 Scan to verify")
    y = min(y, qr_top - _QR_SIZE - 16) - 4 * mm
    printed = details.printed_at.astimezone(_BEIJING).strftime("%Y-%m-%d %H:%M")
    rows = [("备案号 Filing number", details.filing_number),
            ("合同编号 Contract number", details.contract_no),
            ("用人单位 Employer", details.employer_name),
            ("劳动者 Worker", details.worker_name),
            ("电子原件 SHA-256", _grouped(sha256)),
            ("打印时间 Printed", f"{printed}（北京时间 Beijing time）"),
            ("页数 Pages", f"共 {original_pages + 1} 页：{_pages(original_pages)}为电子原件的页面，"
                         f"第 {original_pages + 1} 页为本核验页"),
            ("核验网址 Verify at", url)]
    table = Table([[_para(k, st["cell"]), _para(v, st["cell"])] for k, v in rows],
                  colWidths=[42 * mm, width - 42 * mm])
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#9e9e9e")),
                               ("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f1f3f4"))]))
    y = _draw(canvas, table, _MARGIN, y, width) - 4 * mm
    if details.stamped:
        note = ("用人单位在本页加盖电子印章，确认本打印件与电子原件一致；印章为可验证的电子签名，"
                "可将本打印件的 PDF 上传至核验网址验证。The employer's electronic seal on this page "
                "confirms the copy; it is a verifiable signature on this PDF.")
    else:
        note = ("本打印件未加盖用人单位印章，劳动者可随时免费自行打印。This copy is not stamped by "
                "the employer; the worker may print it at any time, free of charge.")
    _draw(canvas, _para(note, st["small"]), _MARGIN, y, width)
    if details.stamped:
        canvas.setFont(font, 10.5)
        canvas.setFillColor(colors.black)
        canvas.drawString(EMPLOYER_BOX[0], EMPLOYER_BOX[3] + 10, "用人单位（盖章） Employer's seal：")
        _seal_field(canvas)


def _draw(canvas: Canvas, flowable: Any, x: float, top: float, width: float) -> float:
    """Draw ``flowable`` with its top at ``top``; returns the y below it."""
    _w, height = flowable.wrapOn(canvas, width, top)
    flowable.drawOn(canvas, x, top - height)
    return top - height


def _qr(canvas: Canvas, url: str, x: float, y: float) -> None:
    widget = QrCodeWidget(url, barLevel="M")
    left, bottom, right, top = widget.getBounds()
    drawing = Drawing(_QR_SIZE, _QR_SIZE,
                      transform=[_QR_SIZE / (right - left), 0, 0, _QR_SIZE / (top - bottom), 0, 0])
    drawing.add(widget)
    drawing.drawOn(canvas, x, y)


def _seal_field(canvas: Canvas) -> None:
    """An empty signature field (merged field + widget) for the employer's seal."""
    doc = canvas._doc
    widget = PDFDictionary({
        "Type": PDFName("Annot"), "Subtype": PDFName("Widget"), "FT": PDFName("Sig"),
        "T": PDFString(SEAL_FIELD), "Rect": PDFArray(list(EMPLOYER_BOX)), "F": 4,
        "P": doc.thisPageRef()})
    canvas._addAnnotation(widget, name=SEAL_FIELD)
    form = canvas.acroForm
    form.fields.append(form.getRef(widget))
