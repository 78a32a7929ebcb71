"""Uploaded spreadsheets are bounded before they are parsed: a ZIP bomb, a sheet of too many
rows or cells, and a ZIP whose declared sizes lie are refused with a message naming the limit
before the workbook is built; a legitimate file still imports, and every file is read once."""

from __future__ import annotations

import io
import struct
import zipfile

import openpyxl
import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import AttendanceDay, Batch
from app.services.batches import roster_file
from tests.app.project_helpers import make_project
from tests.app.roster_helpers import FIXED_TERM_HEADER, row, xlsx
from tests.app.test_batches import upload
from tests.app.test_wage_reconciliation import PEOPLE, _import
from tests.conftest import login

MB = 1024 * 1024


@pytest.fixture
def workbook_loads(monkeypatch) -> list:
    """Every full parse of a workbook (openpyxl.load_workbook), counted."""
    calls: list = []
    real = openpyxl.load_workbook

    def counting(*args, **kwargs):
        calls.append(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(openpyxl, "load_workbook", counting)
    return calls


def _rebuilt(data: bytes, replace: dict[str, object]) -> bytes:
    """``data`` (an XLSX) with parts replaced: bytes, or a callable writing to the part."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = replace.get(info.filename, src.read(info.filename))
            if callable(content):
                with dst.open(info.filename, "w") as part:
                    content(part)
            else:
                dst.writestr(info.filename, content)
    return out.getvalue()


def _bomb(megabytes: int) -> bytes:
    """A valid roster whose sheet XML is padded with ``megabytes`` MB of blanks between its
    rows: a few hundred KB once deflated."""
    good = xlsx([row(1)])
    sheet = zipfile.ZipFile(io.BytesIO(good)).read("xl/worksheets/sheet1.xml")
    head, tail = sheet.split(b"</row>", 1)

    def write(part):
        part.write(head + b"</row>")
        blank = b" " * MB
        for _ in range(megabytes):
            part.write(blank)
        part.write(tail)

    return _rebuilt(good, {"xl/worksheets/sheet1.xml": write})


def _batches() -> int:
    n = db.session.scalar(select(func.count()).select_from(Batch))
    db.session.rollback()
    return n


def test_a_zip_bomb_roster_is_refused_by_its_inflated_size_before_any_parse(
        client, world, workbook_loads):
    bomb = _bomb(200)
    assert len(bomb) < roster_file.MAX_BYTES  # small enough to upload
    login(client, "hr")
    resp = upload(client, bomb, "bomb.xlsx")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422, html[-1500:]
    assert "文件解压后超过 20 MB 的上限" in html
    assert workbook_loads == [] and _batches() == 0
    client.set_cookie("lang", "en")
    html = upload(client, bomb, "bomb.xlsx").get_data(as_text=True)
    assert "more than 20 MB once unzipped" in html


def test_a_zip_whose_declared_sizes_lie_is_refused_without_a_parse(client, world, workbook_loads):
    """The central directory says 1 KB; the part inflates to 30 MB. The bytes actually
    inflated are counted (and the ZIP's own check fails at the declared size)."""
    bomb = bytearray(_bomb(30))
    at = bomb.find(b"PK\x01\x02")  # the central directory's entries
    while at >= 0:
        name_len = struct.unpack_from("<H", bomb, at + 28)[0]
        if bomb[at + 46:at + 46 + name_len] == b"xl/worksheets/sheet1.xml":
            struct.pack_into("<I", bomb, at + 24, 1024)  # uncompressed size
        at = bomb.find(b"PK\x01\x02", at + 4)
    login(client, "hr")
    resp = upload(client, bytes(bomb), "liar.xlsx")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422 and "不是有效的 XLSX 或 CSV" in html, html[-1500:]
    assert workbook_loads == [] and _batches() == 0


def test_too_many_rows_refused_by_the_dimension_and_by_the_count(client, world, workbook_loads):
    login(client, "hr")
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(FIXED_TERM_HEADER)
    for i in range(2060):
        sheet.append(row(i % 900))
    out = io.BytesIO()
    book.save(out)
    resp = upload(client, out.getvalue(), "many.xlsx")  # write-only: no <dimension>
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422 and "文件最多 2000 行，请分成几个文件上传" in html, html[-1500:]
    assert workbook_loads == []
    # three rows, but a <dimension> claiming 300,000: refused from the sheet's first bytes
    small = xlsx([row(1), row(2)])
    sheet_xml = zipfile.ZipFile(io.BytesIO(small)).read("xl/worksheets/sheet1.xml")
    lying = sheet_xml.replace(b'<dimension ref="A1:M3"', b'<dimension ref="A1:M300000"')
    assert lying != sheet_xml
    resp = upload(client, _rebuilt(small, {"xl/worksheets/sheet1.xml": lying}), "dim.xlsx")
    assert resp.status_code == 422 and "文件最多 2000 行" in resp.get_data(as_text=True)
    assert workbook_loads == [] and _batches() == 0


def test_too_many_cells_refused_in_xlsx_and_csv(client, world, workbook_loads):
    login(client, "hr")
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    for _ in range(30):
        sheet.append(["x"] * 4000)
    out = io.BytesIO()
    book.save(out)
    resp = upload(client, out.getvalue(), "wide.xlsx")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422 and "文件最多 100000 个单元格" in html, html[-1500:]
    assert workbook_loads == []
    wide = (",".join(FIXED_TERM_HEADER) + "\r\n" + "," * 100_000 + "\r\n").encode()
    resp = upload(client, wide, "wide.csv")
    assert resp.status_code == 422 and "文件最多 100000 个单元格" in resp.get_data(as_text=True)
    client.set_cookie("lang", "en")
    html = upload(client, wide, "wide.csv").get_data(as_text=True)
    assert "at most 100000 cells" in html
    assert _batches() == 0


def test_a_legitimate_roster_is_read_once_formula_and_merge_included(
        client, world, workbook_loads):
    rows = [row(i) for i in range(4)]
    rows[1][9] = "=B2"  # a formula without a computed value: a problem of that cell
    login(client, "hr")
    resp = upload(client, xlsx(rows), "formula.xlsx")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422 and "公式" in html and 'data-row="3"' in html
    assert len(workbook_loads) == 1  # not once more for the computed values
    rows[1][9] = None  # the site merged over two rows: the second gets the first's value
    workbook_loads.clear()
    resp = upload(client, xlsx(rows, merge="J2:J3"), "merged.xlsx")
    assert resp.status_code == 302, resp.get_data(as_text=True)[-1500:]
    assert len(workbook_loads) == 1 and _batches() == 1


def test_attendance_is_read_once_and_a_bomb_refused(client, world, workbook_loads, monkeypatch):
    project = make_project()
    login(client, "hr")
    reads = []
    real = roster_file.read
    monkeypatch.setattr(roster_file, "read", lambda *a, **k: reads.append(1) or real(*a, **k))
    book = openpyxl.Workbook()
    book.active.append(["身份证号码", "出勤日期", "工时"])
    for d in range(1, 11):
        book.active.append([PEOPLE[1][1], f"2026-10-{d:02d}", 8])
    out = io.BytesIO()
    book.save(out)
    resp = _import(client, project.id, "attendance", out.getvalue())
    assert resp.status_code == 302
    assert len(reads) == 1 and len(workbook_loads) == 1  # day rows: not parsed a second time
    assert db.session.scalar(select(func.count()).select_from(AttendanceDay)) == 10
    db.session.rollback()
    workbook_loads.clear()
    resp = _import(client, project.id, "attendance", _bomb(200))
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422 and "文件解压后超过 64 MB 的上限" in html, html[-1500:]
    assert workbook_loads == []


@pytest.mark.parametrize("chunk", [5, 64, 1 << 20])
@pytest.mark.parametrize("prefix", [b"", b"x:"])
def test_the_streaming_count_holds_across_chunk_boundaries(monkeypatch, chunk, prefix):
    """Rows, cells, merges and formulas without a value found the same whatever the chunk
    size, also in a sheet whose tags carry a namespace prefix (as .NET tools write them)."""
    from app.services.batches import sheet_guard

    rows = [row(i) for i in range(30)]
    rows[4][9], rows[7][3] = "=B2", "=SUM(L2:L3)"
    data = xlsx(rows, merge="J12:J16")
    if prefix:
        sheet = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
        sheet = sheet.replace(b"<", b"<x:").replace(b"<x:/", b"</x:").replace(
            b"<x:?", b"<?").replace(b'xmlns="', b'xmlns:x="')
        data = _rebuilt(data, {"xl/worksheets/sheet1.xml": sheet})
    monkeypatch.setattr(sheet_guard, "CHUNK", chunk)
    found = sheet_guard.scan(data, sheet_guard.Limits(rows=100, cells=1000, unzipped=MB))
    scan = found["xl/worksheets/sheet1.xml"]
    assert scan.rows == 31 and scan.cells == 31 * 13 - 4  # J13:J16 under the merge: none
    assert scan.merges == ["J12:J16"] and scan.formulas_without_value == {"J6", "D9"}
    with pytest.raises(sheet_guard.ValidationFailed) as refused:
        sheet_guard.scan(data, sheet_guard.Limits(rows=100, cells=31 * 13 - 5, unzipped=MB))
    assert refused.value.params == {"limit": 31 * 13 - 5}
