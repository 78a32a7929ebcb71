"""Roster files as they arrive: the template round trip, CSV from Excel/WPS (GB18030, tabs),
Excel dates and their serial numbers, and files that cannot be a roster — each with a clear
message and nothing stored. Row jobs: exactly once, and a closed account fails its rows."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Batch, BatchRow, Contract, User
from app.services.batches import batch_check, batches, roster
from app.services.platform import jobs
from app.services.platform.principal import of_user
from app.services.templates import templates
from tests.app.roster_helpers import COLUMN, FIXED_TERM_HEADER, csv_bytes, person, row
from tests.app.test_batches import problems, upload
from tests.conftest import contract_payload, login


def _hr():
    return of_user(db.session.scalar(select(User).where(User.username == "hr")))


def _batches() -> int:
    n = db.session.scalar(select(func.count()).select_from(Batch))
    db.session.rollback()
    return n


def test_template_file_round_trip(client, world):
    login(client, "hr")
    resp = client.get("/employer/batches/template.xlsx?template=construction_simple")
    assert resp.status_code == 200 and resp.mimetype.endswith("spreadsheetml.sheet")
    book = openpyxl.load_workbook(io.BytesIO(resp.data))
    sheet, notes = book["名册"], book["填写说明"]
    header = [c.value for c in sheet[1]]
    assert header[:3] == ["*劳动者姓名", "*身份证号码", "*手机号码"] and "*工资形式" in header
    assert sheet.cell(2, 1).value.startswith("示例")
    lists = [v.formula1 for v in sheet.data_validations.dataValidation]
    assert '"按月计发,按日计发,按工程量（计件）计发"' in lists
    assert any("18位身份证号码" in str(r) for r in notes.iter_rows(values_only=True))
    # the template as downloaded holds only the example: nothing to launch, said plainly
    resp = upload(client, resp.data, "template.xlsx", template="construction_simple")
    assert resp.status_code == 422 and "名册中没有劳动者" in resp.get_data(as_text=True)
    # the example row filled in below it: one worker, by the construction template
    sheet.append(["工人一号", person(1)["worker_id_number"], "13900000001", "湖南省长沙县",
                  "2026-12-01", None, "星沙安置房一期", "钢筋班", "钢筋工", "长沙县", "标准工时制",
                  "按日计发", 300, 15, "长沙银行星沙支行 专户"])
    out = io.BytesIO()
    book.save(out)
    resp = upload(client, out.getvalue(), "template.xlsx", template="construction_simple")
    assert resp.status_code == 302, problems(resp.get_data(as_text=True))
    batch = db.session.scalar(select(Batch))
    assert batch.total == 1 and batch.rows[0].row_no == 3


def test_csv_from_wps_in_gb18030_with_tabs_and_excel_serial_dates(client, world):
    rows = [row(i) for i in range(3)]
    rows[0][COLUMN["term_start"]] = 46357  # 2026-12-01 as Excel's serial day number
    rows[1][COLUMN["worker_name"]] = "工人００１　"  # full-width digits and space kept as a name
    rows[2][COLUMN["pay_day"]] = "１５"
    for cells in rows:
        cells[COLUMN["term_start"]] = cells[COLUMN["term_start"]] if isinstance(
            cells[COLUMN["term_start"]], int) else "2026-12-01"
    batch = batch_check.from_file(_hr(), "fixed_term", "r.csv",
                                  csv_bytes(rows, encoding="gb18030", delimiter="\t"))
    assert batch.total == 3
    batches.launch(_hr(), batch.id)
    jobs.run_pending(limit=50)
    made = db.session.scalars(select(Contract).order_by(Contract.id)).all()
    assert [c.terms["term_start"] for c in made] == ["2026-12-01"] * 3
    assert made[1].worker_name == "工人００１" and made[2].terms["pay_day"] == 15


@pytest.mark.parametrize("data,says", [
    (b"", "上传的文件是空的"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "不支持旧版 Excel"),
    (b"PK\x03\x04" + b"\x00garbage" * 50, "不是有效的 XLSX 或 CSV"),
    (bytes(range(256)) * 4, "不是有效的 XLSX 或 CSV"),
    ("劳动者姓名,籍贯\r\n张三,湖南\r\n".encode(), "未知的列“籍贯”"),
    ("*劳动者姓名,*手机号码\r\n张三,13900000001\r\n".encode(), "缺少“身份证号码”列"),
    (b",,\r\n,,\r\n", "没有表头行"),
])
def test_files_that_are_no_roster_get_a_clear_message_and_nothing_is_stored(
        client, world, data, says):
    login(client, "hr")
    resp = upload(client, data, "名册.xlsx")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422 and says in html, html[-2000:]
    assert _batches() == 0


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_an_oversized_file_is_refused_unread(client, world):
    """(The test client spools the big request body to a temporary file it leaves open.)"""
    import gc

    login(client, "hr")
    resp = upload(client, b"x" * (5 * 1024 * 1024 + 1), "big.csv")
    assert resp.status_code == 422 and "文件过大：最大 5 MB" in resp.get_data(as_text=True)
    assert _batches() == 0
    del resp
    gc.collect()


def test_a_zip_that_is_no_workbook_and_too_many_rows(client, world):
    login(client, "hr")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("hello.txt", "not a workbook")
    resp = upload(client, buf.getvalue())
    assert resp.status_code == 422 and "不是有效的 XLSX 或 CSV" in resp.get_data(as_text=True)
    many = "\r\n".join([",".join(FIXED_TERM_HEADER)] + ["张三"] * 2001).encode()
    resp = upload(client, many, "many.csv")
    assert resp.status_code == 422 and "文件最多 2000 行" in resp.get_data(as_text=True)
    assert _batches() == 0


def test_no_file_chosen_keeps_the_template_choice(client, world):
    login(client, "hr")
    from tests.conftest import csrf_token

    version = templates.version_for(_hr(), "part_time")
    db.session.rollback()
    page = client.get("/employer/batches").get_data(as_text=True)
    resp = client.post("/employer/batches", data={"csrf_token": csrf_token(page),
                                                  "template": str(version.template_id)})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422 and "请选择名册文件" in html
    assert f'value="{version.template_id}" selected' in html


def test_a_row_job_runs_exactly_once_and_a_retry_after_a_crash_sends_the_same_draft(world):
    p = _hr()
    batch = batch_check.from_rows(p, "fixed_term", [contract_payload(**person(0))])
    batches.launch(p, batch.id)
    item = db.session.scalar(select(BatchRow))
    payload = {"row_id": item.id, jobs.ATTEMPT_KEY: 1}
    # a crash after the contract was made, before it was sealed: the draft is recorded
    from app.services.contracts import contracts

    original = contracts.send_contract

    def crash(*args, **kwargs):
        raise RuntimeError("worker killed")

    contracts.send_contract = crash
    try:
        with pytest.raises(RuntimeError):
            batches.run_row(payload)
    finally:
        contracts.send_contract = original
    db.session.rollback()
    item = db.session.scalar(select(BatchRow))
    assert item.status == "queued" and item.contract_id is not None
    batches.run_row({**payload, jobs.ATTEMPT_KEY: 2})
    batches.run_row({**payload, jobs.ATTEMPT_KEY: 3})  # a duplicate delivery: nothing more
    assert db.session.scalar(select(func.count()).select_from(Contract)) == 1
    assert db.session.scalar(select(Contract)).status == "sent"
    assert db.session.scalar(select(Batch)).status == "done"


def test_a_deactivated_launcher_fails_the_rows_with_the_reason(world):
    p = _hr()
    batch = batch_check.from_rows(p, "fixed_term", [contract_payload(**person(i))
                                                     for i in range(2)])
    batches.launch(p, batch.id)
    db.session.scalar(select(User).where(User.username == "hr")).active = False
    db.session.commit()
    jobs.run_pending(limit=10)
    found = batches.counts(db.session.get(Batch, batch.id))
    assert (found["failed"], found["done"], found["status"]) == (2, 0, "done")
    assert "账号已停用" in batches.rows_of(db.session.get(Batch, batch.id))[0]["reason"]
    assert db.session.scalar(select(func.count()).select_from(Contract)) == 0


def test_roster_header_accepts_field_names_and_refuses_a_column_twice(world):
    version = templates.version_for(_hr(), "fixed_term")
    found, problems_ = roster.header_map(version, ["worker_name", "劳动者姓名"])
    assert [str(m) for m in problems_][0] == "“劳动者姓名”列出现了两次"
    found, problems_ = roster.header_map(version, [" *身份证号码 "])
    assert found[0]["name"] == "worker_id_number"
