"""Roster upload and batch launch through HTTP: a 300-row roster with a dozen mistakes is
refused with every problem by row and column (nothing created), corrected, launched, watched
to the end, and every worker has a sealed contract of their own and an invitation; a row that
fails at launch is listed with its reason and retried.

The 300 rows run on PostgreSQL, the production engine; SQLite runs a 60-row twin with the same
mistakes, corrections and failure (the volume is what costs, not the paths)."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent, Batch, BatchRow, Contract, SignatureEvent
from tests.app.flows import api_create, api_send
from tests.app.roster_helpers import COLUMN, FIXED_TERM_HEADER, person, row, xlsx
from tests.conftest import csrf_token, login

ROWS = {"postgresql": 300, "sqlite": 60}


@pytest.fixture
def roster_size(app) -> int:
    """How many workers the roster holds on this backend."""
    return ROWS[app.db_backend]


def upload(client, data: bytes, name: str = "roster.xlsx", template: str = "fixed_term"):
    """Upload through the page's form."""
    page = client.get("/employer/batches").get_data(as_text=True)
    return client.post("/employer/batches", data={
        "csrf_token": csrf_token(page), "template": template,
        "roster": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def problems(html: str) -> dict[int, str]:
    """The problem table: row number -> the row's cells text."""
    import re

    found: dict[int, str] = {}
    for n, cells in re.findall(r'<tr data-row="(\d+)"[^>]*>(.*?)</tr>', html, re.S):
        found[int(n)] = found.get(int(n), "") + re.sub(r"<[^>]+>", " ", cells)
    return found


def _good_rows(count: int) -> list[list]:
    rows = [row(i) for i in range(count)]
    # how people type: trailing spaces, full-width digits, dates as text, compact dates
    rows[1][COLUMN["worker_name"]] = "  工人001 "
    rows[2][COLUMN["worker_phone"]] = "１３９０００００００２"
    rows[3][COLUMN["term_start"]] = "2026/12/1"
    rows[4][COLUMN["term_start"]] = "2026年12月1日"
    rows[5][COLUMN["term_start"]] = "20261201"
    rows[6][COLUMN["hours_system"]] = "standard"
    rows[7][COLUMN["monthly_wage"]] = "6,000"
    for r in rows[10:15]:  # the site's address merged over five rows: only the first holds it
        r[COLUMN["work_location"]] = None
    rows[10][COLUMN["work_location"]] = "长沙县星沙产业园三期工地"
    rows[20][COLUMN["term_start"]] = "2026-10-01"  # more than a month ago: a warning
    return rows


MISTAKES = {  # spreadsheet row (header = 1) -> (column, value, what the page must say)
    30: ("worker_id_number", "430121199001010290", "身份证号码"),
    31: ("worker_id_number", 430121199001010300, "数字"),
    32: ("worker_id_number", person(5)["worker_id_number"], "与第7行是同一个身份证号码"),
    33: ("worker_name", "", "请填写劳动者姓名"),
    34: ("worker_phone", "1390000003", "手机号码"),
    35: ("term_end", "2026-06-30", "合同终止日期"),
    36: ("monthly_wage", 1000, "最低工资"),
    37: ("probation_months", 6, "试用期"),
    38: ("hours_system", "加班制", "工时制度只能是"),
    39: ("term_start", "2026年13月1日", "合同开始日期"),
    40: ("work_location", "=B2", "公式"),
}
COLUMN_LETTER = {name: chr(ord("A") + i) for name, i in COLUMN.items()}


def test_three_hundred_workers_upload_correct_launch_progress_sealed_and_sent(
        client, world, outbox, roster_size):
    count = roster_size
    key = world["api_key"]
    draft = api_create(client, key, **person(41))  # row 43's person has an unsent draft
    login(client, "hr")
    rows = _good_rows(count)
    for row_no, (field, value, _) in MISTAKES.items():
        rows[row_no - 2][COLUMN[field]] = value
    resp = upload(client, xlsx(rows, merge="J12:J16"), "工地名册.xlsx")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422, html
    found = problems(html)
    assert "名册有12处问题" in html and "尚未创建任何合同" in html
    for row_no, (field, _, says) in MISTAKES.items():
        assert says in found[row_no], (row_no, found.get(row_no))
        header = FIXED_TERM_HEADER[COLUMN[field]].lstrip("*")  # the column by letter and header
        assert f"<td>{COLUMN_LETTER[field]}列（{header}）</td>" in html
    assert "尚未发送的合同草稿" in found[43] and draft["contract_no"] in found[43]
    assert set(found) == {*MISTAKES, 43}  # the good rows (typed as people type) pass
    assert db.session.scalar(select(func.count()).select_from(Batch)) == 0
    assert db.session.scalar(select(func.count()).select_from(Contract)) == 1
    db.session.rollback()

    # correction: the mistakes fixed, the old draft voided
    assert client.post(f"/api/v1/contracts/{draft['id']}/void", json={"reason": "重新批量发起"},
                       headers={"Authorization": f"Bearer {key}"}).status_code == 200
    rows = _good_rows(count)
    resp = upload(client, xlsx(rows, merge="J12:J16"), "工地名册.xlsx")
    assert resp.status_code == 302, problems(resp.get_data(as_text=True))
    batch_url = resp.headers["Location"]
    page = client.get(batch_url).get_data(as_text=True)
    assert f"共{count}人" in page and "LCL82.written_within_month" in page and "涉及第22行" in page

    # a contract sent meanwhile to row 51's person overlaps: that row must fail at launch
    clash = api_create(client, key, **person(49))
    api_send(client, key, clash["id"])

    launch = batch_url + "/launch"
    resp = client.post(launch, data={"csrf_token": csrf_token(page)})
    assert resp.status_code == 409 and "请先确认" in resp.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).where(BatchRow.status == "queued")) == 0
    db.session.rollback()
    resp = client.post(launch, data={"csrf_token": csrf_token(page),
                                     "ack": "LCL82.written_within_month"})
    assert resp.status_code == 302
    seen = _watch(client, batch_url + "/progress", count)
    assert any(0 < p["done"] < count - 1 for p in seen), "progress seen only at the ends"
    assert [p["percent"] for p in seen] == sorted(p["percent"] for p in seen)
    last = seen[-1]
    assert (last["status"], last["done"], last["failed"]) == ("done", count - 1, 1)
    assert last["failed_rows"][0]["row"] == 51
    assert "期限重叠的有效合同" in last["failed_rows"][0]["reason"]
    assert "4301" in last["failed_rows"][0]["id_masked"] and \
        person(49)["worker_id_number"] not in str(last)

    # the clash resolved, the failed row is retried
    assert client.post(f"/api/v1/contracts/{clash['id']}/void", json={"reason": "重复"},
                       headers={"Authorization": f"Bearer {key}"}).status_code == 200
    page = client.get(batch_url).get_data(as_text=True)
    assert "重试失败的行" in page
    assert client.post(batch_url + "/retry", data={"csrf_token": csrf_token(page)}).status_code \
        == 302
    last = _watch(client, batch_url + "/progress", count)[-1]
    assert (last["status"], last["done"], last["failed"]) == ("done", count, 0)

    batch = db.session.scalar(select(Batch))
    made = db.session.scalars(select(Contract).where(Contract.id.in_(
        select(BatchRow.contract_id).where(BatchRow.batch_id == batch.id)))).all()
    assert len(made) == count and {c.status for c in made} == {"sent"}
    serials = db.session.scalars(select(SignatureEvent.certificate_serial).where(
        SignatureEvent.contract_id.in_([c.id for c in made]))).all()
    assert len(set(serials)) == count  # each contract sealed under its own event certificate
    by_row = {r.row_no: r for r in batch.rows}
    assert all(r.data_enc is None for r in batch.rows)  # typed data dropped once made
    late = db.session.get(Contract, by_row[22].contract_id)
    assert "LCL82.written_within_month" in late.rule_results["acknowledged"]
    merged = db.session.get(Contract, by_row[14].contract_id)
    assert merged.terms["work_location"] == "长沙县星沙产业园三期工地"
    assert db.session.get(Contract, by_row[3].contract_id).worker_name == "工人001"
    assert db.session.get(Contract, by_row[4].contract_id).worker_phone_masked.endswith("0002")
    assert db.session.get(Contract, by_row[6].contract_id).terms["term_start"] == "2026-12-01"
    invited = {m["to"] for m in outbox.messages() if "邀请您签署劳动合同" in m["text"]}
    assert {person(i)["worker_phone"] for i in range(count)} <= invited
    trail = [e.action for e in db.session.scalars(select(AuditEvent).where(
        AuditEvent.contract_id.is_(None)).order_by(AuditEvent.id))]
    assert trail.count("batch.completed") == 2 and "batch.launched" in trail
    db.session.rollback()
    report = client.get(f"/api/v1/contracts/{made[0].id}/verification",
                        headers={"Authorization": f"Bearer {key}"}).get_json()
    assert report["ok"] is True and len(report["signatures"]) == 1, report
    page = client.get(batch_url).get_data(as_text=True)
    assert made[0].contract_no in page and "已盖章发送" in page


def _watch(client, url: str, count: int) -> list[dict]:
    """Poll the progress JSON as the page does, until the batch is done."""
    seen = []
    for _ in range(count):
        resp = client.get(url, headers={"Accept": "application/json"})
        assert resp.status_code == 200 and resp.headers["Cache-Control"] == "no-store"
        seen.append(resp.get_json())
        if seen[-1]["status"] == "done":
            return seen
    raise AssertionError(f"batch not done: {seen[-1]}")
