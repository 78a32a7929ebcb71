"""Reading a roster file (XLSX or CSV) into rows of cells as a person typed them.

The format is told by the content, never by the file name: an XLSX file is a ZIP archive, an
old binary Excel file (.xls) is refused with a hint, anything else must be UTF-8 (with or
without BOM) or GB18030 text — what Excel and WPS save as CSV on Chinese Windows. Formula
cells give their computed value (a formula without one is a problem of that cell); merged
cells give their value to every cell they cover; empty rows are skipped.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime

from app.domain.typed import Msg
from app.errors import ValidationFailed

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 2000
EMPTY_FILE = "上传的文件是空的"
TOO_LARGE = "文件过大：最大 %(mb)s MB"
TOO_MANY_ROWS = "文件最多 %(limit)s 行，请分成几个文件上传"
OLD_EXCEL = "不支持旧版 Excel（.xls）文件，请另存为 XLSX 或 CSV 后上传"
CORRUPT = "无法读取该文件：不是有效的 XLSX 或 CSV 文件"
NO_HEADER = "文件中没有表头行，请使用下载的名册模板"
FORMULA_WITHOUT_VALUE = "该单元格是公式且没有计算结果，请复制后“选择性粘贴为数值”"
FORMULA = object()  # a formula cell without a computed value


@dataclass
class Sheet:
    """The header row and the data rows: ``(row number, cells)``; a cell is ``None``, text,
    a number, a date or datetime, a bool, or :data:`FORMULA`."""

    header: list[str]
    rows: list[tuple[int, list]] = field(default_factory=list)
    header_row: int = 1


def _refuse(message: str, **params: object) -> ValidationFailed:
    return ValidationFailed(message, fields={"file": Msg(message, **params)}, code="bad_file",
                            **params)


def read(data: bytes, *, max_rows: int = MAX_ROWS, max_bytes: int = MAX_BYTES) -> Sheet:
    """The table in ``data`` (a roster: at most :data:`MAX_ROWS` rows; imports of attendance
    and payroll allow more). :raises ValidationFailed: empty, too large, not XLSX/CSV,
    corrupt, without a header row, or more than ``max_rows`` rows (field ``file``)."""
    if not data:
        raise _refuse(EMPTY_FILE)
    if len(data) > max_bytes:
        raise _refuse(TOO_LARGE, mb=max_bytes // (1024 * 1024))
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise _refuse(OLD_EXCEL)
    table = _xlsx(data, max_rows) if data.startswith(b"PK\x03\x04") else _csv(data, max_rows)
    return _sheet(table, max_rows)


def _sheet(table: list[tuple[int, list]], max_rows: int) -> Sheet:
    filled = [(n, cells) for n, cells in table if any(not _blank(c) for c in cells)]
    if not filled:
        raise _refuse(NO_HEADER)
    (header_no, header), rows = filled[0], filled[1:]
    if len(rows) > max_rows:
        raise _refuse(TOO_MANY_ROWS, limit=max_rows)
    names = ["" if c is None or c is FORMULA else str(c) if isinstance(c, str) else "" for c in
             header]
    return Sheet(header=names, rows=rows, header_row=header_no)


def _blank(cell) -> bool:
    return cell is None or (isinstance(cell, str) and cell.strip() == "")


def _csv(data: bytes, max_rows: int) -> list[tuple[int, list]]:
    if b"\x00" in data:
        raise _refuse(CORRUPT)
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise _refuse(CORRUPT)
    first = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first and "," not in first else ","
    try:
        return [(n, list(cells)) for n, cells in enumerate(
            csv.reader(io.StringIO(text), delimiter=delimiter), start=1)][:max_rows + 50]
    except csv.Error:
        raise _refuse(CORRUPT) from None


def _xlsx(data: bytes, max_rows: int) -> list[tuple[int, list]]:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), data_only=False)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError,
            TypeError, SyntaxError, IndexError):  # SyntaxError: XML ParseError
        raise _refuse(CORRUPT) from None
    if not book.worksheets:
        raise _refuse(CORRUPT)
    sheet = book.worksheets[0]
    if sheet.max_row > max_rows + 50:
        raise _refuse(TOO_MANY_ROWS, limit=max_rows)
    merged = {}
    for span in sheet.merged_cells.ranges:
        top = sheet.cell(span.min_row, span.min_col).value
        for r in range(span.min_row, span.max_row + 1):
            for c in range(span.min_col, span.max_col + 1):
                merged[(r, c)] = top
    cached = None
    table = []
    for cells in sheet.iter_rows():
        values = []
        for cell in cells:
            value = merged.get((cell.row, cell.column), cell.value)
            if cell.data_type == "f" or (isinstance(value, str) and value.startswith("=")):
                if cached is None:  # the values Excel computed, read only when needed
                    cached = openpyxl.load_workbook(io.BytesIO(data), data_only=True).worksheets[0]
                value = cached.cell(cell.row, cell.column).value
                value = FORMULA if value is None else value
            values.append(value)
        if cells:
            table.append((cells[0].row, values))
    return table


def is_date(value) -> bool:
    """A cell Excel stored as a date (or date and time)."""
    return isinstance(value, date | datetime)
