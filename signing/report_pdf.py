"""Render a :class:`~signing.verify_model.Report` as a one-to-two page A4 PDF in Chinese.

The CJK TrueType font is embedded (as a subset) so the report reads the same on any machine,
years later; reportlab's non-embedded CID fonts are deliberately not used.
"""

from __future__ import annotations

import io
import threading
from datetime import UTC, datetime
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from .errors import FontNotFound
from .verify_model import Report, SignatureCheck, TimestampCheck
from .verify_words import Kind, words

__all__ = ["render_report_pdf"]

_lock = threading.Lock()
_fonts: dict[str, str] = {}  # font path -> registered reportlab font name
_GOOD, _BAD, _GRID = colors.HexColor("#1b7f3b"), colors.HexColor("#b3261e"), colors.HexColor(
    "#9e9e9e")
_LABEL_BG = colors.HexColor("#f1f3f4")


def _font(font_path: str) -> str:
    """Register the TrueType font at ``font_path`` once and return its reportlab name."""
    with _lock:
        name = _fonts.get(font_path)
        if name is None:
            name = "CJK" if not _fonts else f"CJK{len(_fonts)}"
            try:
                index = {"subfontIndex": 0} if font_path.lower().endswith(".ttc") else {}
                pdfmetrics.registerFont(TTFont(name, font_path, **index))
            except Exception as exc:  # reportlab raises several kinds for bad fonts
                raise FontNotFound(f"cannot load TrueType font {font_path}: {exc}") from exc
            _fonts[font_path] = name
        return name


def _t(moment: datetime | None) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC") if moment else "—"


def _yes(value: bool | None, yes: str = "是", no: str = "否") -> str:
    return "—" if value is None else (yes if value else no)


class _Styles:
    def __init__(self, font: str) -> None:
        self.font = font
        base = ParagraphStyle("base", fontName=font, bulletFontName=font, fontSize=8.5,
                              leading=11.5, wordWrap="CJK", alignment=TA_LEFT)
        self.body = base
        self.title = ParagraphStyle("title", parent=base, fontSize=16, leading=22)
        self.h2 = ParagraphStyle("h2", parent=base, fontSize=11, leading=15, spaceBefore=6,
                                 spaceAfter=3)
        self.good = ParagraphStyle("good", parent=base, fontSize=11, leading=15,
                                   textColor=_GOOD)
        self.bad = ParagraphStyle("bad", parent=base, fontSize=11, leading=15, textColor=_BAD)
        self.small = ParagraphStyle("small", parent=base, fontSize=7.5, leading=10,
                                    textColor=colors.HexColor("#555555"))

    def p(self, text: str, style: ParagraphStyle | None = None) -> Paragraph:
        return Paragraph(escape(text).replace("\n", "<br/>"), style or self.body)


def _table(styles: _Styles, rows: list[tuple[str, str]]) -> Table:
    data = [[styles.p(label), styles.p(value)] for label, value in rows]
    table = Table(data, colWidths=[38 * mm, 136 * mm])
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), styles.font),
        ("GRID", (0, 0), (-1, -1), 0.4, _GRID),
        ("BACKGROUND", (0, 0), (0, -1), _LABEL_BG),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
    ]))
    return table


def _both(kind: Kind, name: str | None) -> str:
    """A report value in Chinese, then English on the next line (never the raw name)."""
    zh, en = words(kind, name), words(kind, name, english=True)
    return zh if zh == en else f"{zh}\n{en}"


def _timestamp_text(sig: SignatureCheck) -> str:
    if sig.timestamp_time is None:
        return "无签名时间戳"
    if not sig.timestamp_trusted:
        note = "不可信"
    elif sig.intact:
        note = "可信"
    else:
        note = "签名时间戳本身有效，证明签名在此时已经存在；但签名覆盖的内容其后被改动"
    return f"{_t(sig.timestamp_time)}（{note}）"


def _trust_text(sig: SignatureCheck) -> str:
    if sig.trusted:
        return "是（链接到受信任根证书）"
    if not sig.trust_checked:
        return "未能判断（内容已被改动，且证书现已过期，无法按签署时间核验）"
    return "否"


def _signature_rows(sig: SignatureCheck) -> list[tuple[str, str]]:
    revoked = "未吊销"
    if sig.revoked:
        revoked = f"已吊销：{_t(sig.revocation_time)}，原因 {sig.revocation_reason or '未说明'}"
    chain = " → ".join(f"{c.common_name}（{c.serial}）" for c in sig.chain) or "—"
    changes = _both("level", sig.modification_level)
    if sig.modifications_permitted is not None:
        changes += f"\n{_yes(sig.modifications_permitted, '允许', '不允许')}"
    rows = [
        ("结论", "通过" if sig.ok else "未通过"),
        ("签署人", sig.signer_cn or "—"),
        ("单位", sig.organization or "—"),
        ("证书序列号", sig.serial or "—"),
        ("签发机构", sig.issuer or "—"),
        ("证书链", chain),
        ("声明的签署时间", _t(sig.signing_time)),
        ("时间戳时间", _timestamp_text(sig)),
        ("内容完整", _yes(sig.intact, "是（哈希值一致）", "否（签署后内容被改动）")),
        ("签名有效", _yes(sig.valid)),
        ("证书可信", _trust_text(sig)),
        ("吊销状态", revoked),
        ("签名覆盖范围", _both("coverage", sig.coverage)),
        ("签署后的修改", changes),
        ("认证签名", f"是，DocMDP：{_both('docmdp', sig.docmdp)}" if sig.certification
         else "否（批准签名）"),
        ("验证时间点", _t(sig.validated_at)
         + ("（长期验证：以时间戳证明的签署时间为准）" if sig.long_term else "")),
        ("问题", "；".join(sig.problems) or "无"),
    ]
    if not sig.ok and sig.holds:
        rows.append(("仍然成立", "；".join(sig.holds)))
    return rows


def _timestamp_rows(ts: TimestampCheck) -> list[tuple[str, str]]:
    rows = [
        ("结论", "通过" if ts.ok else "未通过"),
        ("时间", _t(ts.time)),
        ("时间戳机构", ts.tsa or "—"),
        ("所覆盖的内容完整", _yes(ts.intact, "是", "否（其后内容被改动）")),
        ("时间戳本身", "有效，时间戳机构可信" if ts.valid and ts.trusted else "无效或不可信"),
        ("问题", "；".join(ts.problems) or "无"),
    ]
    if not ts.ok and ts.holds:
        rows.append(("仍然成立", "；".join(ts.holds)))
    return rows


def render_report_pdf(report: Report, font_path: str) -> bytes:
    """Render ``report`` as an A4 PDF in Chinese with the CJK font embedded.

    :param report: the verification report.
    :param font_path: a TrueType font with CJK glyphs (``.ttf``, or ``.ttc``: face 0 is used),
        e.g. from :func:`signing.fonts.find_cjk_font`.
    :raises FontNotFound: the font cannot be loaded.
    """
    font = _font(font_path)
    styles = _Styles(font)
    story: list = [
        styles.p("电子签名验证报告", styles.title),
        styles.p("Electronic signature verification report", styles.small),
        Spacer(1, 4 * mm),
        styles.p(report.summary_zh, styles.good if report.ok else styles.bad),
        styles.p(report.summary_en, styles.small),
        Spacer(1, 3 * mm),
        _table(styles, [
            ("验证结论", "通过" if report.ok else "未通过"),
            ("文件 SHA-256", report.sha256),
            ("验证时间", _t(report.checked_at)),
            ("签名 / 文档时间戳", f"{len(report.signatures)} 个 / {len(report.timestamps)} 个"),
        ]),
    ]
    for index, sig in enumerate(report.signatures, 1):
        story += [styles.p(f"签名 {index}：{sig.field}", styles.h2),
                  _table(styles, _signature_rows(sig))]
    for index, ts in enumerate(report.timestamps, 1):
        story += [styles.p(f"文档时间戳 {index}：{ts.field}", styles.h2),
                  _table(styles, _timestamp_rows(ts))]
    story += [Spacer(1, 4 * mm), styles.p(
        "说明：本报告依据 PDF 中的数字签名（PAdES）、签名时间戳与文档时间戳，使用平台根证书作为"
        "唯一信任锚，并核对证书吊销列表（CRL）得出。文件的 SHA-256 可用于确认所验证的文件与"
        "所持文件一致。", styles.small)]
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm,
                            topMargin=15 * mm, bottomMargin=15 * mm,
                            title="电子签名验证报告", author="LaborSign", subject=report.sha256,
                            # else the canvas' initial font pulls in a non-embedded Helvetica
                            initialFontName=font)
    doc.build(story)
    return buf.getvalue()
