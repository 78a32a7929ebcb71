"""The feeds' review findings: attendance of one worker-day from clock events and day rows
kept together; one pay-out never counted twice (a payroll file line and a bank's push, two
senders); imports and the nightly run under the project's lock; a bank's key finds projects
at its branches; a failed pay-out corrected to success; the key's last use noted."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from app import pii
from app.extensions import db
from app.models import AttendanceDay, FeedKey, Job, PayRecord, Project
from app.services import feeds
from app.services.projects import projects, reconcile, reconcile_sets, wage_import
from tests.app.project_helpers import PROJECT, make_project, principal
from tests.app.test_feeds import ID1, ID2, _count, _event, _month, _payment
from tests.conftest import bearer

PAYMENTS, ATTENDANCE = "/api/v1/feeds/payments", "/api/v1/feeds/attendance"
PAY_HEADER = ["身份证号码", "月份", "出勤天数", "应发金额", "实发金额", "收款账号", "收款银行",
              "收款户名", "付款账号", "发放日期"]


def _csv(header: list[str], rows: list[list]) -> bytes:
    return "\r\n".join(",".join(str(c) for c in r) for r in [header, *rows]).encode()


def _days(project_id: int) -> dict[tuple[str, date], tuple[list, int]]:
    found = {(d.id_hash, d.day): (d.events, d.minutes) for d in db.session.scalars(
        select(AttendanceDay).where(AttendanceDay.project_id == project_id))}
    db.session.rollback()
    return found


def _paid(project: Project) -> dict[str, str]:
    """Per month: the sum paid to ID1 as the reconciliation counts it."""
    found = {m: str(sum(r[1] for r in rows)) for (h, m), rows in
             reconcile_sets.payments_of(project).items() if h == pii.keyed_hash(ID1)}
    db.session.rollback()
    return found


def test_clock_events_and_day_rows_of_one_day_are_all_kept(client, world):
    project = make_project()
    _, key = feeds.create_key("闸机", "test", project_id=project.id)
    month = _month(1)
    body = client.post(ATTENDANCE, headers=bearer(key), json={"records": [
        _event("e1", ID1, "01", f"{month}-03 07:00:00"),
        _event("e2", ID1, "02", f"{month}-03 17:00:00"),
        {"recordId": "r1", "idCardNumber": ID1, "workDate": f"{month}-03", "workHours": 4},
        {"recordId": "r2", "idCardNumber": ID2, "workDate": f"{month}-03", "workHours": 9},
        {"recordId": "r3", "idCardNumber": ID2, "workDate": f"{month}-03", "workHours": 4}]}
    ).get_json()
    assert body["new"] == 5
    day = date.fromisoformat(f"{month}-03")
    days = _days(project.id)
    assert days[(pii.keyed_hash(ID1), day)][0] == ["07:00:00 in", "17:00:00 out", "day 4.00h"]
    assert days[(pii.keyed_hash(ID2), day)][1] == 9 * 60  # a day given different hours: the most
    body = client.post(ATTENDANCE, headers=bearer(key), json={"records": [
        _event("e3", ID1, "02", f"{month}-03 18:00:00")]}).get_json()
    assert body["new"] == 1 and len(_days(project.id)[(pii.keyed_hash(ID1), day)][0]) == 4

    # the file import of day rows: the most hours, whatever the order
    rows = [[ID1, f"{month}-05", 9], [ID1, f"{month}-05", 4]]
    done = wage_import.import_attendance(principal("hr"), project.id,
                                         _csv(["身份证号码", "出勤日期", "工时"], rows))
    assert done["new"] == 1
    assert _days(project.id)[(pii.keyed_hash(ID1), date.fromisoformat(f"{month}-05"))][1] == 540


def test_one_pay_out_from_a_file_and_two_senders_is_stored_once(client, world):
    project = make_project()
    _, bank = feeds.create_key("工行代发", "test", bank_code="102")
    _, site = feeds.create_key("财务系统", "test", project_id=project.id)
    month = _month(2)
    line = [ID1, month, 20, "6000", "5200.50", "6217000000000001", "建设银行", "工人一",
            PROJECT["wage_account"], f"{month}-28"]
    done = wage_import.import_payroll(principal("hr"), project.id, _csv(PAY_HEADER, [line]))
    assert done["new"] == 1
    pushed = _payment("b-1", ID1, month, "5200.5", status="成功")
    body = client.post(PAYMENTS, headers=bearer(bank), json={"records": [pushed]}).get_json()
    assert (body["new"], body["matched"], body["records"][0]["result"]) == (0, 1, "matched")
    body = client.post(PAYMENTS, headers=bearer(site), json={"records": [
        {**pushed, "recordId": "s-1"}]}).get_json()
    assert body["matched"] == 1
    assert _count(PayRecord) == 1 and _paid(project) == {month: "5200.50"}
    stored = db.session.scalars(select(PayRecord)).one()
    assert stored.gross == "6000.00" and stored.status == "paid"
    db.session.rollback()

    # the other way round: pushed first (no gross: unknown), then the payroll file
    other = _month(3)
    body = client.post(PAYMENTS, headers=bearer(bank), json={"records": [
        _payment("b-2", ID1, other, 4800, status="paid")]}).get_json()
    assert body["new"] == 1
    assert db.session.scalar(select(PayRecord.gross).where(PayRecord.month == other)) is None
    db.session.rollback()
    line = [ID1, other, 20, "5000", "4800", "6217000000000001", "建设银行", "工人一",
            PROJECT["wage_account"], f"{other}-28"]
    done = wage_import.import_payroll(principal("hr"), project.id, _csv(PAY_HEADER, [line]))
    assert (done["new"], done["changed"], done["unchanged"]) == (0, 1, 0)
    assert _count(PayRecord) == 2 and _paid(project)[other] == "4800.00"
    stored = db.session.scalars(select(PayRecord).where(PayRecord.month == other)).one()
    assert (stored.gross, stored.days) == ("5000.00", 20)  # the file's gross and days kept
    db.session.rollback()
    done = wage_import.import_payroll(principal("hr"), project.id, _csv(PAY_HEADER, [line]))
    assert (done["new"], done["changed"], done["unchanged"]) == (0, 0, 1)

    # a bank reporting a failure after it confirmed the pay-out: its own failed record, the
    # confirmed pay-out still paid
    body = client.post(PAYMENTS, headers=bearer(bank), json={"records": [
        {**pushed, "recordId": "b-3", "status": "失败"}]}).get_json()
    assert (body["new"], body["matched"]) == (1, 0)
    assert _paid(project)[month] == "5200.50" and _count(PayRecord) == 3


def test_a_failed_pay_out_corrected_to_success_under_its_record_id(client, world):
    project = make_project()
    _, bank = feeds.create_key("工行代发", "test", bank_code="102")
    month = _month(3)
    failed = _payment("x-1", ID1, month, 3000, status="fail")
    assert client.post(PAYMENTS, headers=bearer(bank), json={"records": [failed]}
                       ).get_json()["new"] == 1
    assert _paid(project) == {}
    body = client.post(PAYMENTS, headers=bearer(bank), json={"records": [
        {**failed, "status": "success"}]}).get_json()
    assert (body["updated"], body["records"][0]["result"]) == (1, "updated")
    assert _paid(project) == {month: "3000.00"} and _count(PayRecord) == 1
    jobs = db.session.scalar(select(Job.id).where(Job.kind == "feed_reconcile").order_by(
        Job.id.desc()))
    assert jobs is not None  # the worker-month queued for re-reconciliation
    db.session.rollback()
    # any other change under a known record id is refused, naming the record
    for changed in ({**failed, "status": "success", "actualAmount": 3100},
                    {**failed, "status": "failed"}):
        resp = client.post(PAYMENTS, headers=bearer(bank), json={"records": [
            _payment("x-2", ID2, month, 100), changed]})
        problems = resp.get_json()["problems"]
        assert resp.status_code == 422 and [(p["row"], p["field"]) for p in problems] == [
            (2, "recordId")] and "recordId" in problems[0]["message"]
        assert _count(PayRecord) == 1 and _paid(project) == {month: "3000.00"}
    body = client.post(PAYMENTS, headers=bearer(bank), json={"records": [
        {**failed, "status": "success"}]}).get_json()
    assert body["duplicates"] == 1


def test_a_bank_key_finds_projects_at_its_branches_and_notes_its_use(client, world, ctx):
    branch = make_project(wage_bank_code="102551000015")
    make_project(name="他行项目", wage_bank_code="105551000015", wage_account="6217000099990000")
    assert branch.wage_account_hash == pii.keyed_hash(PROJECT["wage_account"], "account")
    key, bank = feeds.create_key("工行代发", "test", bank_code="102")
    _, other_bank = feeds.create_key("建行代发", "test", bank_code="105")
    month = _month(2)
    resp = client.post(PAYMENTS, headers=bearer(bank), json={
        "projectId": branch.id, "records": [_payment("k-1", ID1, month, 100)]})
    assert resp.status_code == 200 and resp.get_json()["projects"] == [branch.id]
    resp = client.post(PAYMENTS, headers=bearer(other_bank), json={
        "projectId": branch.id, "records": [_payment("k-2", ID1, month, 100)]})
    assert resp.status_code == 404
    used = db.session.get(FeedKey, key.id).last_used_at
    assert used is not None
    db.session.rollback()
    client.post(PAYMENTS, headers=bearer(bank), json={"records": [
        _payment("k-3", ID1, month, 200)]})
    assert db.session.get(FeedKey, key.id).last_used_at == used  # at most once a minute
    listed = ctx.test_cli_runner().invoke(args=["feed-key", "list"]).output
    assert f"used {used:%Y-%m-%d %H:%M}" in listed and "never used" in listed


def test_imports_and_the_nightly_run_take_the_project_lock(ctx, world, monkeypatch):
    project = make_project()
    taken = []
    original = projects.lock
    monkeypatch.setattr(projects, "lock", lambda project_id: taken.append(project_id) or (
        original(project_id)))
    month = _month(2)
    wage_import.import_attendance(principal("hr"), project.id, _csv(
        ["身份证号码", "方向", "时间"], [[ID1, "01", f"{month}-03 07:00:00"]]))
    line = [ID1, month, 20, "6000", "5200", "6217000000000001", "建设银行", "工人一",
            PROJECT["wage_account"], f"{month}-28"]
    wage_import.import_payroll(principal("hr"), project.id, _csv(PAY_HEADER, [line]))
    reconcile.run(db.session.get(Project, project.id), date.today())
    assert taken == [project.id] * 3


def test_a_pay_out_without_gross_shows_a_dash_on_the_workers_pay_page(client, world, outbox):
    from tests.app.portal_helpers import pay, portal_sign_in, signed_with
    from tests.app.test_access_matrix import _project
    from tests.conftest import WORKER

    signed_with(client, outbox, world["api_key"])
    project_id, _ = _project(world["org"], "hr")
    pay(project_id, WORKER["id_number"], "2026-12", None, "5800.00", "2027-01-15")
    db.session.commit()
    portal_sign_in(client, outbox)
    html = client.get("/me/pay").get_data(as_text=True)
    assert "5800.00 元" in html and "<dd>—</dd>" in html and "<dd>0 元</dd>" not in html
