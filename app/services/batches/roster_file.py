"""Reading a roster, attendance or payroll file (XLSX or CSV) into rows of cells as a person
typed them — the one bounded reader of uploaded tables: its size, an XLSX's inflated size and
every table's rows and cells are checked before the table is built, and the file is read once.

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

from app.services.batches import sheet_guard

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 2000
MAX_CELLS = 100_000  # 2,000 rows of up to 50 columns
MAX_UNZIPPED = 20 * 1024 * 1024
EMPTY_FILE = "上传的文件是空的"
TOO_LARGE = "文件过大：最大 %(mb)s MB"
TOO_MANY_ROWS = sheet_guard.TOO_MANY_ROWS
TOO_MANY_CELLS = sheet_guard.TOO_MANY_CELLS
OLD_EXCEL = "不支持旧版 Excel（.xls）文件，请另存为 XLSX 或 CSV 后上传"
CORRUPT = sheet_guard.CORRUPT
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


_refuse = sheet_guard.refuse


def read(data: bytes, *, max_rows: int = MAX_ROWS, max_bytes: int = MAX_BYTES,
         max_cells: int = MAX_CELLS, max_unzipped: int = MAX_UNZIPPED) -> Sheet:
    """The table in ``data``, read once (a roster: at most :data:`MAX_ROWS` rows; imports of
    attendance and payroll allow more). Every bound is checked before the table is built:
    the file's size, an XLSX's size once inflated and its rows and cells (see
    :mod:`~app.services.batches.sheet_guard`), a CSV's rows and cells as they are read.

    :raises ValidationFailed: empty, too large, not XLSX/CSV, corrupt, without a header row,
        more than ``max_rows`` rows or ``max_cells`` cells (field ``file``)."""
    if not data:
        raise _refuse(EMPTY_FILE)
    if len(data) > max_bytes:
        raise _refuse(TOO_LARGE, mb=max_bytes // (1024 * 1024))
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise _refuse(OLD_EXCEL)
    limits = sheet_guard.Limits(rows=max_rows, cells=max_cells, unzipped=max_unzipped)
    table = _xlsx(data, limits) if data.startswith(b"PK\x03\x04") else _csv(data, limits)
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


def _csv(data: bytes, limits: sheet_guard.Limits) -> list[tuple[int, list]]:
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
    table, cells = [], 0
    try:
        for n, row in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), start=1):
            cells += len(row)
            if n > limits.rows + sheet_guard.ROW_MARGIN:
                raise _refuse(TOO_MANY_ROWS, limit=limits.rows)
            if cells > limits.cells:
                raise _refuse(TOO_MANY_CELLS, limit=limits.cells)
            table.append((n, row))
    except csv.Error:
        raise _refuse(CORRUPT) from None
    return table


def _xlsx(data: bytes, limits: sheet_guard.Limits) -> list[tuple[int, list]]:
    """The first sheet's values in one streaming pass (formulas give the value Excel
    computed), once :func:`sheet_guard.scan` found the file within its bounds."""
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    scans = sheet_guard.scan(data, limits)
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError,
            TypeError, SyntaxError, IndexError):  # SyntaxError: XML ParseError
        raise _refuse(CORRUPT) from None
    try:
        if not book.worksheets:
            raise _refuse(CORRUPT)
        sheet = book.worksheets[0]
        sheet.reset_dimensions()  # a <dimension> may lie: read the rows that are there
        found = scans.get(getattr(sheet, "_worksheet_path", ""), sheet_guard.SheetScan())
        table, width = [], 0
        for n, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            width += len(values)
            if n > limits.rows + sheet_guard.ROW_MARGIN:  # also when the scan did not count it
                raise _refuse(TOO_MANY_ROWS, limit=limits.rows)
            if width > limits.cells:  # a lone cell far right pads its row to its column
                raise _refuse(TOO_MANY_CELLS, limit=limits.cells)
            table.append((n, list(values)))
    except (KeyError, OSError, ValueError, TypeError, SyntaxError, IndexError,
            zipfile.BadZipFile):
        raise _refuse(CORRUPT) from None
    finally:
        book.close()
    return _spread(table, found, limits.cells)


def _spread(table: list[tuple[int, list]], found: sheet_guard.SheetScan, limit: int
            ) -> list[tuple[int, list]]:
    """Mark the formulas without a computed value, then give each merged range's value
    (its top-left cell's) to every cell it covers, as a full read of the workbook would."""
    from openpyxl.utils.cell import coordinate_to_tuple, range_boundaries

    rows, budget = dict(table), limit

    def put(r: int, c: int, value) -> None:
        cells = rows.setdefault(r, [])
        cells.extend([None] * (c - len(cells)))
        cells[c - 1] = value

    for ref in found.formulas_without_value:
        put(*coordinate_to_tuple(ref), FORMULA)
    for ref in found.merges:
        try:
            min_col, min_row, max_col, max_row = range_boundaries(ref)
            budget -= (max_row - min_row + 1) * (max_col - min_col + 1)
        except (ValueError, TypeError):  # not a range of cells ("A:A" has no rows)
            raise _refuse(CORRUPT) from None
        if budget < 0:
            raise _refuse(TOO_MANY_CELLS, limit=limit)
        top = rows.get(min_row, [])
        value = top[min_col - 1] if len(top) >= min_col else None
        for r in range(min_row, max_row + 1):
            for c in range(min_col, max_col + 1):
                put(r, c, value)
    return sorted(rows.items())


def is_date(value) -> bool:
    """A cell Excel stored as a date (or date and time)."""
    return isinstance(value, date | datetime)
