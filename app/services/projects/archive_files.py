"""What an archive document really is: its kind told by its content, checked against the kind
its name declares.

A PDF must parse (pyHanko's reader: cross-reference table, catalog and at least one page), an
image must decode (Pillow), an XLSX must be a zip holding a workbook (and not inflate past a
bound), a CSV must be text. A file whose name says ``.pdf`` (``.png``, ``.jpg``/``.jpeg``,
``.xlsx``, ``.csv``) but whose content is something else, or is broken, is refused with a
message naming the file and the type it should be (PNG and JPEG stand in for each other:
either is an image) — so a 16-byte text file named ``fake.pdf`` is never filed as a contract.
"""

from __future__ import annotations

import io
import warnings
import zipfile

from app.domain.typed import Msg

#: the name's extension -> the kind it declares
DECLARED = {"pdf": "pdf", "png": "png", "jpg": "jpg", "jpeg": "jpg", "xlsx": "xlsx", "csv": "csv"}
#: kinds a name may declare for one another: an image is an image (a PNG photo saved as
#: ``.jpg`` is kept, as the PNG it is; a ``.jpg`` that decodes as no image is refused)
SAME_FAMILY = {"png": {"png", "jpg"}, "jpg": {"png", "jpg"}}
#: kind -> how a person calls it
LABELS = {"pdf": "PDF", "png": "PNG", "jpg": "JPEG", "xlsx": "XLSX", "csv": "CSV"}
WRONG_TYPE = "只能上传 PDF、图片（PNG、JPEG）、XLSX 或 CSV 文件（按文件内容判断，不看扩展名）"
CORRUPT = "文件已损坏，无法打开（%(kind)s）"
NOT_AS_NAMED = "文件“%(name)s”不是有效的 %(kind)s 文件：内容无法按 %(kind)s 打开，文件未保存"
INFLATED = "文件“%(name)s”解压后超过 %(mb)s MB，无法归档"
#: an XLSX (a zip) may inflate to at most this much, in at most this many parts
MAX_INFLATED = 200 * 1024 * 1024
MAX_PARTS = 10_000


def declared(filename: str) -> str | None:
    """The kind the file's name declares by its extension (``None``: no known extension)."""
    stem, dot, ext = (filename or "").strip().rpartition(".")
    return DECLARED.get(ext.lower()) if dot and stem else None


def _pdf_parses(data: bytes) -> bool:
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        return int(reader.root["/Pages"]["/Count"]) >= 1
    except Exception:  # any failure to read it: no usable PDF (pyHanko raises many kinds)
        return False


def _image_decodes(data: bytes, kind: str) -> bool:
    from PIL import Image

    wanted = {"png": "PNG", "jpg": "JPEG"}[kind]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as img:
                if img.format != wanted:
                    return False
                img.verify()
            with Image.open(io.BytesIO(data)) as img:
                img.load()  # decode the pixels: verify() alone reads only the structure
    except (Image.DecompressionBombError, Image.DecompressionBombWarning, OSError, SyntaxError,
            ValueError, EOFError):
        return False
    return True


def _xlsx(data: bytes) -> tuple[bool, bool]:
    """``(is a workbook, inflates too far)``."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            parts = z.infolist()
            if len(parts) > MAX_PARTS or sum(p.file_size for p in parts) > MAX_INFLATED:
                return False, True
            names = {p.filename for p in parts}
            ok = {"[Content_Types].xml", "xl/workbook.xml"} <= names and z.testzip() is None
            return ok, False
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
        return False, False


def content_kind(data: bytes) -> tuple[str | None, bool]:
    """``(kind the content looks like, whether it is sound)``; kind ``None``: none we keep.
    A zip that inflates past :data:`MAX_INFLATED` is reported as ``("inflated", False)``."""
    if data.startswith(b"%PDF-"):
        return "pdf", _pdf_parses(data)
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png", _image_decodes(data, "png")
    if data.startswith(b"\xff\xd8\xff"):
        return "jpg", _image_decodes(data, "jpg")
    if data.startswith(b"PK\x03\x04"):
        ok, inflated = _xlsx(data)
        return ("inflated", False) if inflated else ("xlsx", ok)
    if b"\x00" not in data:
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                data.decode(encoding)
                return "csv", True
            except UnicodeDecodeError:
                continue
    return None, False


def check(data: bytes, filename: str) -> tuple[str | None, Msg | None]:
    """The kind of a non-empty file of allowed size, or the problem with it, named.

    :param data: the file's bytes. :param filename: its name as uploaded (its extension,
        if a known one, is the type it declares and the content must be).
    """
    kind, sound = content_kind(data)
    name = (filename or "").strip()[:100]
    if kind == "inflated":
        return None, Msg(INFLATED, name=name, mb=MAX_INFLATED // (1024 * 1024))
    expected = declared(name)
    if expected is not None and (kind not in SAME_FAMILY.get(expected, {expected})
                                 or not sound):
        return None, Msg(NOT_AS_NAMED, name=name, kind=LABELS[expected])
    if kind is None:
        return None, Msg(WRONG_TYPE)
    if not sound:
        return None, Msg(CORRUPT, kind=LABELS[kind])
    return kind, None
