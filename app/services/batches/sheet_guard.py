"""Bounds on an uploaded XLSX before it is parsed: a few megabytes of ZIP can inflate to a
gigabyte of sheet XML, and a spreadsheet library spends seconds of CPU on every million
cells it builds.

:func:`scan` looks at the archive first — the number of parts and every part's declared
size, alone and summed — then inflates every part once in chunks, counting the bytes it
actually gets (a declared size can lie), and counts each worksheet's rows and cells as they
stream by: its ``<dimension>`` first, then the ``<row>`` and ``<c>`` tags themselves. It stops
at the first limit passed with a message naming that limit, before any workbook is built.
On the way it keeps what a one-pass read of the values cannot tell: the merged ranges and
the formula cells without a computed value.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
import zlib
from dataclasses import dataclass, field

from app.domain.typed import Msg
from app.errors import ValidationFailed

MB = 1024 * 1024
CHUNK = MB
HEAD = 4096  # a part's first bytes, where its root element is
MAX_PARTS = 1000
MAX_TAG_BYTES = MB  # one cell's XML (Excel holds at most 32,767 characters in a cell)
ROW_MARGIN = 50  # blank rows, the header and the template's example row on top of the rows
CORRUPT = "无法读取该文件：不是有效的 XLSX 或 CSV 文件"
TOO_MANY_ROWS = "文件最多 %(limit)s 行，请分成几个文件上传"
TOO_MANY_CELLS = "文件最多 %(limit)s 个单元格，请删除多余的列或分成几个文件上传"
UNZIPPED_TOO_LARGE = "文件解压后超过 %(mb)s MB 的上限，请删除多余的工作表、图片和空白行，或分成几个文件上传"
TOO_MANY_PARTS = "文件内部的部件超过 %(limit)s 个，请另存为新的 XLSX 文件后上传"
CELL_TOO_LARGE = "文件中有单元格的内容超过 1 MB，请检查文件"
_WORKSHEET = re.compile(rb"<(?:([A-Za-z_][\w.-]*):)?worksheet[\s>]")


@dataclass(frozen=True)
class Limits:
    """What one file may hold: data rows, cells (of any sheet), bytes once inflated."""

    rows: int
    cells: int
    unzipped: int


@dataclass
class SheetScan:
    """What streaming one worksheet found."""

    rows: int = 0
    cells: int = 0
    merges: list[str] = field(default_factory=list)
    formulas_without_value: set[str] = field(default_factory=set)


def refuse(message: str, **params: object) -> ValidationFailed:
    """The refusal of a file (field ``file``)."""
    return ValidationFailed(message, fields={"file": Msg(message, **params)}, code="bad_file",
                            **params)


def scan(data: bytes, limits: Limits) -> dict[str, SheetScan]:
    """Every worksheet of the XLSX ``data`` by its part name, once every bound held.

    :raises ValidationFailed: not a ZIP, too many parts, more bytes (declared or inflated)
        than ``limits.unzipped``, a sheet with more rows than ``limits.rows`` (and the
        margin) or more cells than ``limits.cells`` (field ``file``).
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
            if len(parts) > MAX_PARTS:
                raise refuse(TOO_MANY_PARTS, limit=MAX_PARTS)
            if any(p.file_size > limits.unzipped for p in parts) or \
                    sum(p.file_size for p in parts) > limits.unzipped:
                raise refuse(UNZIPPED_TOO_LARGE, mb=limits.unzipped // MB)
            budget = [limits.unzipped]
            first = first_sheet(archive)  # the one sheet read; the others are bytes only
            return {name: found for name, found in (
                (p.filename, _part(archive, p, limits, budget,
                                   counted=first is None or p.filename == first))
                for p in parts if not p.is_dir()) if found is not None}
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, OSError,
            ValueError, RuntimeError):  # RuntimeError: an encrypted part
        raise refuse(CORRUPT) from None


_TAG = re.compile(rb"<([^<>]*)>")  # one tag's inside (linear: it never spans a "<")
_SHEET_TAG = re.compile(rb"(?:[A-Za-z_][\w.-]*:)?sheet\s")
_REL_TAG = re.compile(rb"(?:[A-Za-z_][\w.-]*:)?Relationship\s")
_SHEET_ID = re.compile(rb"\s[A-Za-z_][\w.-]*:id\s*=\s*[\"']([^\"']*)[\"']")
_REL_ATTR = re.compile(rb"\s(Id|Target|Type)\s*=\s*[\"']([^\"']*)[\"']")


def _tags(archive: zipfile.ZipFile, name: str, kind: re.Pattern) -> list[bytes]:
    """The insides of the tags of ``kind`` in a small part (none in a part over 1 MB)."""
    if archive.getinfo(name).file_size > MB:
        return []
    return [m.group(1) for m in _TAG.finditer(archive.read(name)) if kind.match(m.group(1))]


def first_sheet(archive: zipfile.ZipFile) -> str | None:
    """The part name of the workbook's first worksheet (the one read, as openpyxl resolves
    it), or None when ``xl/workbook.xml`` does not tell (then every worksheet is counted)."""
    names = set(archive.namelist())
    if not {"xl/workbook.xml", "xl/_rels/workbook.xml.rels"} <= names:
        return None
    targets = {}
    for tag in _tags(archive, "xl/_rels/workbook.xml.rels", _REL_TAG):
        attrs = {k.decode(): v.decode("utf-8", "replace") for k, v in _REL_ATTR.findall(tag)}
        if attrs.get("Type", "").endswith("/worksheet") and "Target" in attrs:
            target = attrs["Target"]
            targets[attrs.get("Id")] = target[1:] if target.startswith("/") else \
                posixpath.normpath(posixpath.join("xl", target))
    for tag in _tags(archive, "xl/workbook.xml", _SHEET_TAG):
        rel_id = _SHEET_ID.search(tag)
        if rel_id and (target := targets.get(rel_id.group(1).decode("utf-8", "replace"))):
            return target if target in names else None
    return None


def _part(archive: zipfile.ZipFile, part: zipfile.ZipInfo, limits: Limits,
          budget: list[int], *, counted: bool = True) -> SheetScan | None:
    """Inflate one part, counting its bytes against the budget; a worksheet is counted
    (its rows and cells too when ``counted``: the sheet that is read)."""
    sheet = None
    seen = 0
    with archive.open(part) as stream:
        while chunk := stream.read(CHUNK if sheet else HEAD):
            seen += len(chunk)
            budget[0] -= len(chunk)
            if budget[0] < 0 or seen > limits.unzipped:
                raise refuse(UNZIPPED_TOO_LARGE, mb=limits.unzipped // MB)
            if sheet is None:  # its root element tells a worksheet
                root = _WORKSHEET.search(chunk) if counted else None
                sheet = _Sheet(root.group(1) or b"" if root else None, limits)
            sheet.feed(chunk)
    return sheet.close() if sheet is not None else None


class _Sheet:
    """Counts a worksheet's rows and cells from its XML as it streams (tags are cut only
    at a cell's start, so none is counted twice or missed)."""

    def __init__(self, prefix: bytes | None, limits: Limits):
        self.active = prefix is not None
        self.limits, self.found, self.carry, self.first = limits, SheetScan(), b"", True
        if not self.active:
            return
        p = re.escape(prefix + b":") if prefix else b""
        self.cell_start = b"<" + (prefix + b":" if prefix else b"") + b"c"
        self.row_start = b"<" + (prefix + b":" if prefix else b"") + b"row"
        self.cell_end = b"</" + (prefix + b":" if prefix else b"") + b"c>"
        self.row = re.compile(b"<" + p + rb"row[\s>/]")
        self.row_no = re.compile(b"<" + p + rb"row\s[^>]*?\br\s*=\s*[\"'](\d+)[\"']")
        self.cell = re.compile(b"<" + p + rb"c[\s>/]")
        self.dimension = re.compile(b"<" + p + rb"dimension\s[^>]*?\bref\s*=\s*[\"']"
                                    rb"[A-Za-z$]*\d*:?[A-Za-z$]*\$?(\d+)[\"']")
        self.merge = re.compile(b"<" + p + rb"mergeCell\s[^>]*?\bref\s*=\s*[\"']([^\"']+)")
        self.formula = re.compile(b"<" + p + rb"f[\s>/]")
        self.whole_cell = re.compile(b"<" + p + rb"c(?=[\s>/])([^>]*?)(?:/>|>(.*?)</" + p +
                                     rb"c\s*>)", re.S)
        self.ref = re.compile(rb"\br\s*=\s*[\"']([A-Za-z]{1,3}\d{1,7})[\"']")
        self.value = re.compile(b"<" + p + rb"v>\s*[^<\s]")

    def feed(self, chunk: bytes) -> None:
        if not self.active:
            return
        buf = self.carry + chunk
        if self.first:
            self.first = False
            found = self.dimension.search(buf)
            if found and int(found.group(1)) > self.limits.rows + ROW_MARGIN:
                raise refuse(TOO_MANY_ROWS, limit=self.limits.rows)
        cut = self._cut(buf)
        if cut <= 0:
            if len(buf) > MAX_TAG_BYTES + CHUNK:
                raise refuse(CELL_TOO_LARGE)
            self.carry = buf
            return
        self.carry = buf[cut:]
        self._count(buf[:cut])

    def _cut(self, buf: bytes) -> int:
        """Where to cut ``buf``: before its last cell's start (every cell before it is
        whole), after its only cell once that cell is whole, else before its last tag."""
        start = self._last_cell_start(buf)
        if start > 0:
            return start
        if start == 0:
            close = buf.find(b">")
            if close > 0 and buf[close - 1:close] == b"/":
                return close + 1
            end = buf.find(self.cell_end)
            return end + len(self.cell_end) if end >= 0 else 0
        return buf.rfind(b"<")

    def _last_cell_start(self, buf: bytes) -> int:
        end = len(buf)
        while (i := buf.rfind(self.cell_start, 0, end)) >= 0:
            after = buf[i + len(self.cell_start):i + len(self.cell_start) + 1]
            if after in (b"", b" ", b">", b"/", b"\t", b"\r", b"\n"):
                return i
            end = i
        return -1

    def _last_row_number(self, part: bytes) -> int:
        """The number (``r``) of the part's last row tag: rows come in order, so a row far
        down the sheet is seen without reading every row's number."""
        end = len(part)
        while (i := part.rfind(self.row_start, 0, end)) >= 0:
            found = self.row_no.match(part, i)
            if found:
                return int(found.group(1))
            end = i
        return 0

    def _count(self, part: bytes) -> None:
        found, limits = self.found, self.limits
        found.rows += len(self.row.findall(part))
        found.cells += len(self.cell.findall(part))
        highest = self._last_row_number(part)
        if found.rows > limits.rows + ROW_MARGIN or highest > limits.rows + ROW_MARGIN:
            raise refuse(TOO_MANY_ROWS, limit=limits.rows)
        if found.cells > limits.cells:
            raise refuse(TOO_MANY_CELLS, limit=limits.cells)
        if b"mergeCell" in part:
            found.merges += [m.decode("ascii", "replace") for m in self.merge.findall(part)]
            if len(found.merges) > limits.cells:
                raise refuse(TOO_MANY_CELLS, limit=limits.cells)
        if self.formula.search(part):
            for attrs, body in self.whole_cell.findall(part):
                if self.formula.search(body) and not self.value.search(body):
                    ref = self.ref.search(attrs)
                    if ref:
                        found.formulas_without_value.add(ref.group(1).decode().upper())

    def close(self) -> SheetScan | None:
        if not self.active:
            return None
        self._count(self.carry)
        self.carry = b""
        return self.found
