"""Opening a PDF given as bytes, with one clear error for anything that is not a readable PDF
(shared by the print copy and the archive time-stamp renewal)."""

from __future__ import annotations

import io

from pyhanko.pdf_utils.reader import PdfFileReader

from .errors import InvalidDocument

__all__ = ["open_pdf"]


def open_pdf(data: bytes, what: str = "the PDF") -> PdfFileReader:
    """A pyHanko reader over ``data``, its catalog read.

    :param data: the PDF file.
    :param what: how error messages name the document (e.g. ``"the original"``).
    :raises InvalidDocument: not a PDF (no ``%PDF-`` header in the first KiB) or unreadable.
    """
    if not isinstance(data, bytes | bytearray) or b"%PDF-" not in bytes(data[:1024]):
        raise InvalidDocument(f"{what} is not a PDF document")
    try:
        reader = PdfFileReader(io.BytesIO(bytes(data)), strict=False)
        reader.root  # noqa: B018 - forces the catalog to be parsed
    except Exception as exc:  # pyHanko raises many kinds on damaged input
        raise InvalidDocument(f"{what} PDF cannot be read: {exc}") from None
    return reader
