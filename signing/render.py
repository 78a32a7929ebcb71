"""Render a labor contract to an A4 PDF with the CJK TrueType font embedded.

The last page carries two empty signature form fields at fixed boxes
(:data:`EMPLOYER_BOX`, :data:`WORKER_BOX`). They are created in the first (and only)
revision, with field locks preparing the signing workflow:

* ``EmployerSeal`` locks every field except ``WorkerSignature`` once signed;
* ``WorkerSignature`` locks everything and sets DocMDP "no changes" once signed.

The output is deterministic: the same terms and font give the same bytes.
"""

from __future__ import annotations

import io
from typing import Any

from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfdoc import PDFArray, PDFDictionary, PDFName, PDFString
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
)

from . import markup
from .contract_text import PREAMBLE, ContractTerms, clause_label, clauses, party_rows
from .fonts import reportlab_font

__all__ = [
    "EMPLOYER_BOX",
    "EMPLOYER_FIELD",
    "SIGNATURE_PAGE",
    "WORKER_BOX",
    "WORKER_FIELD",
    "ContractTerms",
    "render_contract_pdf",
]

#: Name of the employer's seal field (certification signature).
EMPLOYER_FIELD = "EmployerSeal"
#: Name of the worker's signature field (approval signature that locks the document).
WORKER_FIELD = "WorkerSignature"
#: Field boxes ``(x1, y1, x2, y2)`` in PDF points on the last page (:data:`SIGNATURE_PAGE`).
EMPLOYER_BOX = (78, 92, 258, 272)
WORKER_BOX = (326, 152, 523, 272)
#: Page index of both fields: ``-1``, i.e. the last page.
SIGNATURE_PAGE = -1

_PAGE_W, _PAGE_H = A4
_MARGIN_X, _MARGIN_TOP, _MARGIN_BOTTOM = 72, 78, 60
_SIG_AREA_TOP = 300  # nothing but the signature block below this line on the last page


def _styles(font: str) -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName=font, fontSize=10.5, leading=18, wordWrap="CJK",
                          alignment=TA_JUSTIFY, firstLineIndent=21)
    return {
        "title": ParagraphStyle("title", parent=base, fontSize=20, leading=30,
                                alignment=TA_CENTER, firstLineIndent=0, spaceAfter=6),
        "cell": ParagraphStyle("cell", parent=base, firstLineIndent=0, leading=16),
        "heading": ParagraphStyle("heading", parent=base, fontSize=11.5, firstLineIndent=0,
                                  spaceBefore=8, spaceAfter=2),
        "body": base,
        "end": ParagraphStyle("end", parent=base, alignment=TA_CENTER, firstLineIndent=0,
                              spaceBefore=10),
    }


def _story(terms: ContractTerms, font: str) -> list[Any]:
    st = _styles(font)
    story: list[Any] = [Paragraph(markup.text(terms.title), st["title"])]
    rows = [[Paragraph(markup.text(f"{label}："), st["cell"]),
             Paragraph(markup.text(value), st["cell"])]
            for label, value in party_rows(terms)]
    table = Table(rows, colWidths=[150, _PAGE_W - 2 * _MARGIN_X - 150], hAlign="LEFT",
                  style=[("FONTNAME", (0, 0), (-1, -1), font), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                         ("TOPPADDING", (0, 0), (-1, -1), 1),
                         ("BOTTOMPADDING", (0, 0), (-1, -1), 1)])
    story += [table, Spacer(1, 6), Paragraph(markup.text(terms.preamble or PREAMBLE), st["body"])]
    body = terms.clause_texts if terms.clause_texts is not None else clauses(terms)
    for number, clause in enumerate(body, start=1):
        story.append(Paragraph(markup.text(f"{clause_label(number)}　{clause.heading}"),
                               st["heading"]))
        story += [Paragraph(markup.text(text), st["body"]) for text in clause.paragraphs if text]
    story.append(Paragraph("（以下无正文）", st["end"]))
    # the signature block needs the bottom of the last page free up to _SIG_AREA_TOP
    reserve = _SIG_AREA_TOP - _MARGIN_BOTTOM
    story += [CondPageBreak(reserve), _SignaturePageNote(st["end"]), Spacer(1, reserve - 1)]
    return story


class _SignaturePageNote(Flowable):
    """Prints "本页无正文" when the signature block had to start a page of its own."""

    def __init__(self, style: ParagraphStyle) -> None:
        super().__init__()
        self._para = Paragraph("（本页无正文，为本合同签署页）", style)
        self._show = False

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self._show = avail_height >= _PAGE_H - _MARGIN_TOP - _MARGIN_BOTTOM - 13
        if not self._show:
            return avail_width, 0
        _w, h = self._para.wrap(avail_width, avail_height)
        return avail_width, h

    def draw(self) -> None:
        if self._show:
            self._para.drawOn(self.canv, 0, 0)


def _sig_field(canvas: Canvas, name: str, box: tuple[int, int, int, int],
               lock: dict[str, Any]) -> None:
    """Add an empty signature field (merged field + widget) on the current page."""
    doc = canvas._doc
    widget = PDFDictionary({
        "Type": PDFName("Annot"), "Subtype": PDFName("Widget"), "FT": PDFName("Sig"),
        "T": PDFString(name), "Rect": PDFArray(list(box)), "F": 4,
        "P": doc.thisPageRef(), "Lock": PDFDictionary({"Type": PDFName("SigFieldLock"), **lock}),
    })
    canvas._addAnnotation(widget, name=name)
    form = canvas.acroForm
    form.fields.append(form.getRef(widget))


def _signature_block(canvas: Canvas, terms: ContractTerms, font: str) -> None:
    canvas.setFont(font, 12)
    canvas.drawString(EMPLOYER_BOX[0], 282, "甲方（盖章）：")
    if terms.worker_signs:
        canvas.drawString(WORKER_BOX[0], 282, "乙方（签字）：")
    canvas.setFont(font, 9)
    canvas.drawString(EMPLOYER_BOX[0], EMPLOYER_BOX[1] - 14,
                      _fit(f"甲方：{terms.employer_name}", font, 9, 230))
    if not terms.worker_signs:  # the employer's statement alone: its seal locks everything
        _sig_field(canvas, EMPLOYER_FIELD, EMPLOYER_BOX, {"Action": PDFName("All")})
        return
    canvas.drawString(WORKER_BOX[0], WORKER_BOX[1] - 14,
                      _fit(f"乙方：{terms.worker_name}", font, 9, 197))
    _sig_field(canvas, EMPLOYER_FIELD, EMPLOYER_BOX, {
        "Action": PDFName("Exclude"), "Fields": PDFArray([PDFString(WORKER_FIELD)])})
    _sig_field(canvas, WORKER_FIELD, WORKER_BOX, {"Action": PDFName("All"), "P": 1})


def _fit(text: str, font: str, size: float, width: float) -> str:
    while len(text) > 1 and pdfmetrics.stringWidth(text, font, size) > width:
        text = text[:-2] + "…"
    return text


def _canvas_class(terms: ContractTerms, font: str) -> type[Canvas]:
    class ContractCanvas(Canvas):
        """Defers pages to print "第 x 页 共 y 页" and the signature block on the last page."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:  # noqa: N802 - reportlab API
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for index, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                self.setFont(font, 9)
                self.drawRightString(_PAGE_W - _MARGIN_X, _PAGE_H - 46,
                                     f"合同编号：{terms.contract_no}")
                self.drawCentredString(_PAGE_W / 2, 32, f"第 {index} 页 共 {total} 页")
                if index == total:
                    _signature_block(self, terms, font)
                Canvas.showPage(self)
            Canvas.save(self)

    return ContractCanvas


def render_contract_pdf(terms: ContractTerms, font_path: str) -> bytes:
    """Render the contract as PDF bytes (A4, embedded TrueType subset, two signature fields).

    :param terms: the contract terms.
    :param font_path: a single-face CJK ``.ttf`` (see :func:`signing.fonts.find_cjk_font`).
    :raises signing.errors.FontNotFound: the font cannot be loaded.
    """
    font = reportlab_font(font_path)
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out, pagesize=A4, leftMargin=_MARGIN_X, rightMargin=_MARGIN_X, topMargin=_MARGIN_TOP,
        bottomMargin=_MARGIN_BOTTOM, title=f"{terms.title} {terms.contract_no}",
        author=terms.employer_name, subject=terms.subject, creator="LaborSign",
        producer="LaborSign", keywords=terms.contract_no, invariant=1, lang="zh-CN",
        initialFontName=font, initialFontSize=10.5, initialLeading=18,
    )
    doc.build(_story(terms, font), canvasmaker=_canvas_class(terms, font))
    return out.getvalue()
