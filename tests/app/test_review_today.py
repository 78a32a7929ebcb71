"""Review of the day's changes: what a user hits that the day's tests did not cover."""

from __future__ import annotations

import io
import zipfile

import openpyxl
from sqlalchemy import func, select

from app.extensions import db
from app.models import Batch
from tests.app.roster_helpers import FIXED_TERM_HEADER, row
from tests.app.test_batches import upload
from tests.conftest import login


def _workbook(rows: list[list], other: list[list], *, other_first_in_zip: bool) -> bytes:
    """A roster on the first sheet and another sheet (a staff list kept beside it);
    ``other_first_in_zip``: the other sheet is the ZIP's sheet1.xml and the roster sheet2.xml
    (the workbook lists the roster first, as after moving sheets in WPS)."""
    book = openpyxl.Workbook()
    roster, extra = book.active, book.create_sheet("全员名单")
    if other_first_in_zip:
        roster, extra = extra, roster
    roster.title = "名单"
    roster.append(FIXED_TERM_HEADER)
    for cells in rows:
        roster.append(cells)
    for cells in other:
        extra.append(cells)
    out = io.BytesIO()
    book.save(out)
    if not other_first_in_zip:
        return out.getvalue()
    moved = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as src, \
            zipfile.ZipFile(moved, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "xl/workbook.xml":  # the roster (rId2) listed first
                content = content.replace(b'r:id="rId1"', b'r:id="rIdX"').replace(
                    b'r:id="rId2"', b'r:id="rId1"').replace(b'r:id="rIdX"', b'r:id="rId2"')
            dst.writestr(info.filename, content)
    return moved.getvalue()


def test_a_big_second_sheet_does_not_refuse_the_roster_on_the_first(client, world):
    """Only the first sheet is read: another sheet of the workbook (3,000 names, 125,000
    cells) is bounded by the inflated size alone, never by the first sheet's rows and cells."""
    login(client, "hr")
    staff = [[f"人员{i}", str(i)] for i in range(3000)]
    for other_first in (False, True):
        data = _workbook([row(i) for i in range(3)], staff, other_first_in_zip=other_first)
        resp = upload(client, data, "two-sheets.xlsx")
        assert resp.status_code == 302, resp.get_data(as_text=True)[-1500:]
    wide = [list(range(250)) for _ in range(500)]
    resp = upload(client, _workbook([row(5)], wide, other_first_in_zip=False), "wide.xlsx")
    assert resp.status_code == 302, resp.get_data(as_text=True)[-1500:]
    assert db.session.scalar(select(func.count(Batch.id))) == 3


def test_the_first_sheet_is_still_bounded_when_it_is_not_sheet1(client, world):
    login(client, "hr")
    many = [row(i % 900) for i in range(2060)]
    resp = upload(client, _workbook(many, [["x"]], other_first_in_zip=True), "many.xlsx")
    assert resp.status_code == 422
    assert "文件最多 2000 行" in resp.get_data(as_text=True)
