"""Place a page of another PDF under a page of the one being written, as it prints: the page
content as a form XObject, with the visible widget appearances (a seal, a drawn signature)
flattened onto it. Used by :mod:`signing.print_copy`; signatures do not survive, by design.
"""

from __future__ import annotations

from typing import Any

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.writer import BasePdfFileWriter

__all__ = ["place_page"]

_HIDDEN, _NO_VIEW = 1 << 1, 1 << 5



def place_page(writer: BasePdfFileWriter, reader: PdfFileReader, index: int) -> None:
    """Draw page ``index`` of ``reader`` under page ``index`` of ``writer`` (beneath what is
    there already), with the visible widget appearances (seal, drawn signature) flattened
    onto it.

    :param writer: the document being written; its page ``index`` exists, of the same size.
    :param reader: the source document.
    :param index: the page index in both.
    """
    xobjects = generic.DictionaryObject()
    name = generic.NameObject("/LSOriginal")
    xobjects[name] = writer.import_page_as_xobject(reader, index)
    ops = [b"q /LSOriginal Do Q"]
    page_ref, _res = reader.find_page_for_modification(index)
    for number, (ap, rect) in enumerate(_appearances(page_ref.get_object())):
        matrix = _fit_matrix(ap, rect)
        if matrix is None:
            continue
        key = f"/LSAppearance{number}"
        xobjects[generic.NameObject(key)] = writer.import_object(ap)
        cm = " ".join(f"{v:.4f}" for v in matrix)
        ops.append(f"q {cm} cm {key} Do Q".encode())
    stream = generic.StreamObject(stream_data=b"\n".join(ops) + b"\n")
    resources = generic.DictionaryObject({generic.NameObject("/XObject"): xobjects})
    writer.add_stream_to_page(index, writer.add_object(stream), resources=resources,
                              prepend=True)


def _appearances(page: generic.DictionaryObject) -> list[tuple[Any, list[float]]]:
    """The normal appearance streams and rectangles of the page's visible widgets."""
    found = []
    for ref in page.get("/Annots", []):
        annot = ref.get_object()
        if annot.get("/Subtype") != "/Widget" or int(annot.get("/F", 0)) & (_HIDDEN | _NO_VIEW):
            continue
        try:
            ap = annot["/AP"].raw_get("/N")
            rect = [float(v) for v in annot["/Rect"]]
        except (KeyError, TypeError, ValueError):
            continue
        if isinstance(ap.get_object(), generic.StreamObject):
            found.append((ap, rect))
    return found


def _fit_matrix(ap: Any, rect: list[float]) -> tuple[float, ...] | None:
    """The ``cm`` that maps the appearance's (transformed) bounding box onto ``rect``
    (PDF 32000-1, 12.5.5); ``None`` for a degenerate box."""
    stream = ap.get_object()
    try:
        bbox = [float(v) for v in stream["/BBox"]]
        a, b, c, d, e, f = (float(v) for v in stream.get("/Matrix", [1, 0, 0, 1, 0, 0]))
    except (KeyError, TypeError, ValueError):
        return None
    corners = [(x * a + y * c + e, x * b + y * d + f)
               for x in (bbox[0], bbox[2]) for y in (bbox[1], bbox[3])]
    xs, ys = [p[0] for p in corners], [p[1] for p in corners]
    box_w, box_h = max(xs) - min(xs), max(ys) - min(ys)
    x1, y1, x2, y2 = min(rect[0], rect[2]), min(rect[1], rect[3]), max(rect[0], rect[2]), \
        max(rect[1], rect[3])
    if box_w <= 0 or box_h <= 0:
        return None
    sx, sy = (x2 - x1) / box_w, (y2 - y1) / box_h
    return sx, 0.0, 0.0, sy, x1 - min(xs) * sx, y1 - min(ys) * sy
