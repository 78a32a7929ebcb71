"""Visible signature appearances: the red company seal and the drawn worker signature.

pyHanko's text stamps with a CJK font load and subset the font on every signature
(0.5-0.9 s). Here the picture is a pre-encoded image XObject (cached per picture) and the
Chinese signing-time line is a tiny vector PDF made by reportlab (embedded TrueType subset),
imported as a form XObject -- a few milliseconds per signature, and sharp at any zoom.
"""

from __future__ import annotations

import functools
import io
import math
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Literal

from PIL import Image, ImageDraw, ImageFont, ImageStat, UnidentifiedImageError
from pyhanko.pdf_utils import generic, layout
from pyhanko.pdf_utils.content import PdfContent, ResourceType
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.writer import BasePdfFileWriter
from pyhanko.stamp import BaseStamp, BaseStampStyle

from .errors import SigningError
from .fonts import reportlab_font

__all__ = ["SEAL_DIAMETER_PT", "BEIJING", "StampStyle", "seal_png", "signature_appearance",
           "signing_time_text"]

#: China Standard Time (no daylight saving), used for the printed signing time.
BEIJING = timezone(timedelta(hours=8), "CST")
#: Printed seal diameter: 42 mm.
SEAL_DIAMETER_PT = 42 / 25.4 * 72
_SEAL_RED = (218, 28, 28, 255)
_TEXT_SIZE = 7.5
_TEXT_HEIGHT = 12.0
_MAX_SIGNATURE_PX = 1200


def signing_time_text(signed_at: datetime) -> str:
    """``签署时间：2026年11月29日 11:05:03`` in Beijing time.

    :param signed_at: an aware datetime (naive values are taken as UTC).
    """
    if signed_at.tzinfo is None:
        signed_at = signed_at.replace(tzinfo=UTC)
    t = signed_at.astimezone(BEIJING)
    return f"签署时间：{t.year}年{t.month}月{t.day}日 {t:%H:%M:%S}"


@functools.lru_cache(maxsize=64)
def seal_png(org_name: str, font_path: str, *, size_px: int = 600) -> bytes:
    """Draw a round red company seal: ring, five-pointed star, name along the upper arc.

    Transparent background; meant to be printed ~42 mm wide. Cached per arguments.

    :param org_name: the organization name (any length; long names get narrower glyphs).
    :param font_path: a CJK TrueType font.
    :param size_px: output width and height in pixels.
    :raises SigningError: empty name.
    """
    name = org_name.strip()
    if not name:
        raise SigningError("the seal needs an organization name")
    scale = 2  # supersample, then downscale for smooth edges
    size = size_px * scale
    img = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    ring = size * 0.032
    draw.ellipse((2, 2, size - 3, size - 3), outline=_SEAL_RED, width=round(ring))
    center, star_r = size / 2, size * 0.19
    points = []
    for i in range(10):
        angle = -math.pi / 2 + i * math.pi / 5
        radius = star_r if i % 2 == 0 else star_r * 0.382
        points.append((center + radius * math.cos(angle), center + radius * math.sin(angle)))
    draw.polygon(points, fill=_SEAL_RED)
    count = len(name)
    span = min(250.0, 24.0 * count) if count > 1 else 0.0
    font_px = round(size * (0.135 if count <= 10 else 0.135 * (10 / count) ** 0.35))
    font = ImageFont.truetype(font_path, font_px)
    squeeze = 1.0 if count <= 8 else max(0.62, 8 / count + 0.1)
    radius = size / 2 - ring * 1.6 - font_px * 0.55
    for i, char in enumerate(name):
        angle = -90 - span / 2 + (span * i / (count - 1) if count > 1 else 0)
        tile = Image.new("RGBA", (font_px * 2, font_px * 2), (0, 0, 0, 0))
        ImageDraw.Draw(tile).text((font_px, font_px), char, font=font, fill=_SEAL_RED,
                                  anchor="mm", stroke_width=max(1, font_px // 70),
                                  stroke_fill=_SEAL_RED)
        if squeeze < 1.0:
            narrow = tile.resize((round(tile.width * squeeze), tile.height), Image.LANCZOS)
            tile = Image.new("RGBA", tile.size, (0, 0, 0, 0))
            tile.alpha_composite(narrow, ((tile.width - narrow.width) // 2, 0))
        tile = tile.rotate(-(angle + 90), resample=Image.BICUBIC)
        x = center + radius * math.cos(math.radians(angle))
        y = center + radius * math.sin(math.radians(angle))
        img.alpha_composite(tile, (round(x - font_px), round(y - font_px)))
    # monochrome: the alpha channel carries the shape; a uniform colour plane avoids dark
    # fringes from resampling and compresses to almost nothing
    alpha = img.getchannel("A").resize((size_px, size_px), Image.LANCZOS)
    img = Image.new("RGBA", (size_px, size_px), _SEAL_RED)
    img.putalpha(alpha)
    out = io.BytesIO()
    img.save(out, "PNG", optimize=False)
    return out.getvalue()


@dataclass(frozen=True)
class _ImageData:
    width: int
    height: int
    rgb: bytes  # Flate-encoded
    alpha: bytes | None  # Flate-encoded soft mask, or None


@functools.lru_cache(maxsize=32)
def _encode_image(png: bytes) -> _ImageData:
    """Decode once, Flate-encode colour and alpha planes (cached: seals repeat)."""
    try:
        img = Image.open(io.BytesIO(png))
        img.load()
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise SigningError(f"the signature/seal image is not a readable image: {exc}") from exc
    if max(img.size) > _MAX_SIGNATURE_PX:
        img.thumbnail((_MAX_SIGNATURE_PX, _MAX_SIGNATURE_PX), Image.LANCZOS)
    has_alpha = img.mode in ("RGBA", "LA", "PA") or "transparency" in img.info
    rgba = img.convert("RGBA")
    rgb_img = rgba.convert("RGB")
    alpha = None
    if has_alpha:
        mask = rgba.getchannel("A")
        alpha = zlib.compress(mask.tobytes(), 6)
        # the colour under fully transparent pixels is invisible: make it the mean ink colour
        # so the RGB plane is nearly uniform and compresses to almost nothing
        visible = mask.point(lambda a: 255 if a else 0)
        if visible.getbbox():
            mean = tuple(round(v) for v in ImageStat.Stat(rgb_img, visible).mean)
            filled = Image.new("RGB", rgb_img.size, mean)
            filled.paste(rgb_img, mask=visible)
            rgb_img = filled
    rgb = zlib.compress(rgb_img.tobytes(), 6)
    return _ImageData(rgba.width, rgba.height, rgb, alpha)


def _image_xobject(writer: BasePdfFileWriter, data: _ImageData) -> generic.IndirectObject:
    def stream(colour_space: str, encoded: bytes, **extra: generic.PdfObject) -> generic.StreamObject:
        d = {
            pdf_name("/Type"): pdf_name("/XObject"), pdf_name("/Subtype"): pdf_name("/Image"),
            pdf_name("/Width"): generic.NumberObject(data.width),
            pdf_name("/Height"): generic.NumberObject(data.height),
            pdf_name("/ColorSpace"): pdf_name(colour_space),
            pdf_name("/BitsPerComponent"): generic.NumberObject(8),
            pdf_name("/Filter"): pdf_name("/FlateDecode"),
        }
        d.update({pdf_name(k): v for k, v in extra.items()})
        return generic.StreamObject(d, encoded_data=encoded)

    extra: dict[str, generic.PdfObject] = {}
    if data.alpha is not None:
        extra["/SMask"] = writer.add_object(stream("/DeviceGray", data.alpha))
    return writer.add_object(stream("/DeviceRGB", data.rgb, **extra))


def _text_pdf(text: str, font_path: str, width: float) -> bytes:
    from reportlab.pdfgen.canvas import Canvas

    font = reportlab_font(font_path)
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=(width, _TEXT_HEIGHT), invariant=1, pageCompression=1,
                    initialFontName=font, initialFontSize=_TEXT_SIZE)
    canvas.setFillColorRGB(0.1, 0.1, 0.1)
    canvas.setFont(font, _TEXT_SIZE)
    canvas.drawCentredString(width / 2, 3, text)
    canvas.showPage()
    canvas.save()
    return out.getvalue()


class _StampContent(PdfContent):
    """Image (fitted into the box above the text line) plus the imported text line."""

    def __init__(self, style: StampStyle, box: layout.BoxConstraints) -> None:
        super().__init__(box=box)
        self.style = style

    def render(self) -> bytes:
        writer = self._ensure_writer
        style, width, height = self.style, self.box.width, self.box.height
        image = style.image
        avail_h = height - _TEXT_HEIGHT - 2
        max_w, max_h = (min(width, avail_h, SEAL_DIAMETER_PT),) * 2 if style.kind == "seal" \
            else (width, avail_h)
        ratio = min(max_w / image.width, max_h / image.height)
        img_w, img_h = image.width * ratio, image.height * ratio
        x, y = (width - img_w) / 2, _TEXT_HEIGHT + 2  # picture sits right above the time
        self.set_resource(ResourceType.XOBJECT, pdf_name("/Img"), _image_xobject(writer, image))
        text_ref = writer.import_page_as_xobject(PdfFileReader(io.BytesIO(style.text_pdf)))
        self.set_resource(ResourceType.XOBJECT, pdf_name("/Txt"), text_ref)
        text_w = float(text_ref.get_object()["/BBox"][2])
        return (b"q %.3f 0 0 %.3f %.3f %.3f cm /Img Do Q q 1 0 0 1 %.3f 0 cm /Txt Do Q"
                % (img_w, img_h, x, y, (width - text_w) / 2))


class _Stamp(BaseStamp):
    def _render_inner_content(self) -> list[bytes]:
        content = _StampContent(self.style, self.box)
        content.set_writer(self.writer)
        command = content.render()
        self.import_resources(content.resources)
        return [command]


@dataclass(frozen=True)
class StampStyle(BaseStampStyle):
    """A pyHanko stamp style showing a pre-rendered picture and signing-time line.

    Build it with :func:`signature_appearance`; pass it as ``stamp_style`` to ``PdfSigner``.
    """

    image: _ImageData | None = None
    text_pdf: bytes = b""
    kind: str = "signature"
    border_width: int = 0

    def create_stamp(self, writer: BasePdfFileWriter, box: layout.BoxConstraints,
                     text_params: dict) -> BaseStamp:
        """Create the stamp for one widget (pyHanko API)."""
        return _Stamp(writer=writer, style=self, box=box)


def signature_appearance(image_png: bytes, signed_at: datetime, font_path: str, *,
                         kind: Literal["seal", "signature"], width: float) -> StampStyle:
    """Compose a stamp: the seal (42 mm) or drawn signature, above the signing time.

    :param image_png: the seal (see :func:`seal_png`) or the drawn signature, PNG (any
        image format Pillow reads; transparency kept).
    :param signed_at: the signing time to print (shown in Beijing time).
    :param font_path: the CJK TrueType font for the time line.
    :param kind: ``"seal"`` (fixed 42 mm, square) or ``"signature"`` (fit to the box).
    :param width: width of the signature field in points (centres the time line).
    :raises SigningError: the image cannot be read.
    """
    return StampStyle(image=_encode_image(image_png), kind=kind,
                      text_pdf=_text_pdf(signing_time_text(signed_at), font_path, width))
