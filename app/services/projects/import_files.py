"""The files of a project's attendance and payroll imports: read once by the shared bounded
reader (:mod:`app.services.batches.roster_file`), their columns found by any of their
headers, their problems named by row and column, and what an import changed said plainly.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date, datetime

from app.domain.typed import Msg
from app.services.batches import roster_file
from app.services.batches.batch_check import Problem, RosterInvalid

MAX_ROWS = 200_000  # a month of clock events of a large site
MAX_CELLS = 650_000  # 200,000 clock events of three columns, a header and blank rows
MAX_BYTES = 20 * 1024 * 1024
MAX_UNZIPPED = 64 * 1024 * 1024
MISSING_COLUMN = "缺少“%(label)s”列"
ATTENDANCE_INVALID = "考勤文件有%(count)s处问题，请修改后重新上传（尚未导入任何考勤记录）"
PAYROLL_INVALID = "工资发放记录文件有%(count)s处问题，请修改后重新上传（尚未导入任何发放记录）"
NOTHING_CHANGED = "文件中的%(rows)s行都已导入过，没有任何变化"
ATTENDANCE_DONE = "已导入考勤%(rows)s行：新增%(new)s天，更新%(changed)s天，%(unchanged)s天没有变化"
PAYROLL_DONE = "已导入工资发放记录%(rows)s行：新增%(new)s条，%(unchanged)s条此前已导入，未重复计入"
#: a payroll line that matched a pay-out the bank had pushed completes it (应发, days, hours)
PAYROLL_COMPLETED = ("已导入工资发放记录%(rows)s行：新增%(new)s条，补全银行已推送的发放记录%(changed)s条，"
                     "%(unchanged)s条此前已导入，未重复计入")


class ImportInvalid(RosterInvalid):
    """An attendance or payroll file has problems; nothing was imported."""

    code = "import_invalid"

    def __init__(self, problems: list[Problem], message: str):
        super().__init__(problems, message)


def read(data: bytes) -> roster_file.Sheet:
    """The file's table, read once within the imports' bounds.
    :raises ValidationFailed: the file (field ``file``)."""
    return roster_file.read(data, max_rows=MAX_ROWS, max_bytes=MAX_BYTES, max_cells=MAX_CELLS,
                            max_unzipped=MAX_UNZIPPED)


def cell(value) -> str:
    """A cell as text: dates in ISO form, whole numbers without ``.0``, NFKC, trimmed."""
    if value is None or value is roster_file.FORMULA:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFKC", str(value)).strip()


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


@dataclass
class Columns:
    """Where each column is: field name to ``(letter, header as the file has it)``."""

    at: dict[str, tuple[str, str]]

    def problem(self, row: int, name: str, message: Msg) -> Problem:
        """A problem of column ``name`` in ``row``."""
        letter, header = self.at.get(name, ("", ""))
        return Problem(row, name, letter, message, header)


def rows(columns: dict, optional: set[str], sheet: roster_file.Sheet
         ) -> tuple[list[tuple[int, dict]], list[Problem], Columns]:
    """The rows as ``{field: text}`` by ``columns`` (field name to its accepted headers, the
    first the documented one), the missing required columns, and where the columns are."""
    keys = {alias.lower(): name for name, aliases in columns.items() for alias in aliases}
    found = {i: keys[cell(h).lstrip("*").lower()] for i, h in enumerate(sheet.header)
             if cell(h).lstrip("*").lower() in keys}
    at = Columns({name: (_letter(i), cell(sheet.header[i]).lstrip("*")) for i, name in
                  found.items()})
    problems = [Problem(sheet.header_row, "", "", Msg(MISSING_COLUMN, label=Msg(labels[0])))
                for name, labels in columns.items()
                if name not in found.values() and name not in optional]
    table = [(n, {name: cell(cells[i]) if i < len(cells) else "" for i, name in found.items()})
             for n, cells in sheet.rows]
    return table, problems, at


def summary(kind: str, done: dict) -> Msg:
    """What an import changed, for the person who uploaded it."""
    if not done["new"] and not done.get("changed"):
        return Msg(NOTHING_CHANGED, rows=done["rows"])
    if kind == "attendance":
        return Msg(ATTENDANCE_DONE, rows=done["rows"], new=done["new"], changed=done["changed"],
                   unchanged=done["unchanged"])
    if done.get("changed"):
        return Msg(PAYROLL_COMPLETED, rows=done["rows"], new=done["new"],
                   changed=done["changed"], unchanged=done["unchanged"])
    return Msg(PAYROLL_DONE, rows=done["rows"], new=done["new"], unchanged=done["unchanged"])
