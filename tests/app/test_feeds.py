"""Real-time feeds through HTTP: attendance pushed by a site's system, pay-out results pushed by
a bank; keys scoped to a project or a bank; a record pushed twice stored once; a bad record
refuses the whole push; the pushed worker-months re-reconciled by a job."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, select

from app.domain.expiry import today_in_beijing
from app.domain.ids import id_with_check
from app.extensions import db
from app.models import AttendanceDay, FeedReceipt, PayRecord, WageFlag
from app.services import feeds
from app.services.projects import reconcile_sets
from tests.app.project_helpers import PROJECT, make_project
from tests.conftest import bearer

ID1, ID2 = (id_with_check(f"43012119800101{n:03d}") for n in (1, 2))
OTHER_ACCOUNT = "6217000099990000"


def _month(back: int) -> str:
    """The month ``back`` months before this one (3 and more: its pay window has closed)."""
    today = today_in_beijing()
    index = today.year * 12 + today.month - 1 - back
    return f"{index // 12}-{index % 12 + 1:02d}"


def _count(model) -> int:
    n = db.session.scalar(select(func.count()).select_from(model))
    db.session.rollback()
    return n


def _event(record_id: str, number: str, direction: str, when: str) -> dict:
    return {"recordId": record_id, "idCardType": "01", "idCardNumber": number,
            "direction": direction, "date": when}


def _payment(record_id: str, number: str, month: str, amount, *, status: str = "success",
             paying: str = PROJECT["wage_account"]) -> dict:
    return {"recordId": record_id, "idCardNumber": number, "payMonth": month,
            "actualAmount": amount, "payRollBankCardNumber": "6217000000000001",
            "payRollBankCardHolder": "工人一", "payRollBankName": "建设银行",
            "payBankCardNumber": paying, "balanceDate": f"{month}-28", "status": status}


def test_attendance_push_keys_duplicates_errors_and_the_pushed_month_reconciled(client, world):
    project = make_project()
    other = make_project(name="另一个项目")
    _, whole = feeds.create_key("工地闸机", "test", project_id=project.id)
    _, bank = feeds.create_key("建设银行代发", "test", bank_code="102")
    month, earlier = _month(3), _month(4)
    records = [_event("d1-1", ID1, "01", f"{month}-03 07:58:00"),
               _event("d1-2", ID1, "02", f"{month}-03 17:31:00"),
               {"recordId": "d1-3", "idCardNumber": ID2, "workDate": f"{month}-04",
                "workHours": 8}]
    url = "/api/v1/feeds/attendance"

    # no key, a wrong key, a bank's key, another project: refused, nothing stored
    assert client.post(url, json={"records": records}).status_code == 401
    assert client.post(url, json={"records": records},
                       headers=bearer("lfk_0000_wrong")).status_code == 401
    assert client.post(url, json={"records": records}, headers=bearer(bank)).status_code == 403
    resp = client.post(url, json={"projectId": other.id, "records": records},
                       headers=bearer(whole))
    assert resp.status_code == 404 and resp.get_json()["error"] == "project_not_found"
    # one bad record among good ones: 422 naming each by index and field, nothing stored
    bad = [*records, _event("d1-4", ID2, "03", f"{month}-04 07:00:00"),
           _event("d1-5", "430121198001010000", "01", f"{month}-32 07:00:00"), "x"]
    resp = client.post(url, json={"records": bad}, headers=bearer(whole))
    body = resp.get_json()
    assert resp.status_code == 422 and body["error"] == "feed_invalid"
    where = {(p["row"], p["field"]) for p in body["problems"]}
    assert where == {(4, "direction"), (5, "idCardNumber"), (5, "date"), (6, "")}
    assert _count(AttendanceDay) == 0 and _count(FeedReceipt) == 0
    assert "430121198001010000" not in resp.get_data(as_text=True)
    odd = [{"recordId": True, "idCardNumber": ["x"], "direction": {"a": 1}, "date": 1e30}]
    resp = client.post(url, json={"records": odd}, headers=bearer(whole))
    assert resp.status_code == 422 and {p["field"] for p in resp.get_json()["problems"]} == {
        "recordId", "idCardNumber", "direction", "date"}

    # an earlier month imported without a reconciliation: the push's job leaves it alone
    from app.services.projects import wage_import

    events, masked = {}, {}
    wage_import.add_event(events, masked, ID2, "in", datetime.fromisoformat(f"{earlier}-05 08:00"))
    wage_import.add_days(project.id, events, masked)
    db.session.commit()

    resp = client.post(url, json={"records": records}, headers=bearer(whole))
    body = resp.get_json()
    assert resp.status_code == 200, body
    assert (body["received"], body["new"], body["duplicates"]) == (3, 3, 0)
    assert ID1 not in resp.get_data(as_text=True) and ID2 not in resp.get_data(as_text=True)
    minutes = {d: m for d, m in db.session.execute(select(
        AttendanceDay.day, AttendanceDay.minutes).where(AttendanceDay.project_id == project.id))}
    assert minutes[date.fromisoformat(f"{month}-03")] == 573  # 07:58 to 17:31
    assert minutes[date.fromisoformat(f"{month}-04")] == 480
    flags = {(m, f) for m, f in db.session.execute(select(WageFlag.month, WageFlag.flag))}
    assert flags == {(month, "no_contract"), (month, "unpaid"), (month, "paid_ratio"),
                     (month, "unpaid_share")}  # the pushed month only, by the job
    db.session.rollback()

    # pushed again (one new event): the rest are duplicates, stored once
    again = [*records, _event("d1-6", ID1, "02", f"{month}-03 18:00:00")]
    body = client.post(url, json={"records": again}, headers=bearer(whole)).get_json()
    assert (body["new"], body["duplicates"]) == (1, 3)
    assert [r["result"] for r in body["records"]] == ["duplicate"] * 3 + ["new"]
    assert _count(AttendanceDay) == 3 and _count(FeedReceipt) == 4

    feeds.revoke_key(whole, "test")
    resp = client.post(url, json={"records": [_event("d1-7", ID1, "01", f"{month}-05 07:00:00")]},
                       headers=bearer(whole))
    assert resp.status_code == 401 and _count(FeedReceipt) == 4


def test_bank_pushes_pay_outs_to_its_own_projects_only(client, world):
    mine = make_project()
    theirs = make_project(name="他行项目", wage_bank_code="105", wage_account=OTHER_ACCOUNT)
    _, bank = feeds.create_key("建设银行代发", "test", bank_code="102")
    month = _month(3)
    url = "/api/v1/feeds/payments"
    records = [_payment("b-1", ID1, month, "5200.50"),
               _payment("b-2", ID2, month, 4800, status="failed")]

    # a pay-out from another bank's project account: refused by field, nothing stored
    resp = client.post(url, json={"records": [*records, _payment("b-3", ID2, month, 100,
                                                                  paying=OTHER_ACCOUNT)]},
                       headers=bearer(bank))
    assert resp.status_code == 422
    assert [(p["row"], p["field"]) for p in resp.get_json()["problems"]] == [
        (3, "payBankCardNumber")]
    assert OTHER_ACCOUNT not in resp.get_data(as_text=True)
    resp = client.post(url, json={"projectId": theirs.id, "records": records},
                       headers=bearer(bank))
    assert resp.status_code == 404 and _count(PayRecord) == 0

    _, site = feeds.create_key("项目财务系统", "test", project_id=mine.id)
    resp = client.post(url, json={"projectId": theirs.id, "records": records},
                       headers=bearer(site))
    assert resp.status_code == 404 and _count(PayRecord) == 0

    resp = client.post(url, json={"records": records}, headers=bearer(bank))
    body = resp.get_json()
    assert resp.status_code == 200 and body["projects"] == [mine.id] and body["new"] == 2
    stored = {r.record_id: (r.status, r.net, r.project_id) for r in
              db.session.scalars(select(PayRecord))}
    assert stored == {"b-1": ("paid", "5200.50", mine.id), "b-2": ("failed", "4800.00", mine.id)}
    paid = reconcile_sets.payments_of(mine)  # the failed pay-out is not a payment
    assert [len(v) for v in paid.values()] == [1]
    db.session.rollback()
    body = client.post(url, json={"records": records}, headers=bearer(bank)).get_json()
    assert (body["new"], body["duplicates"]) == (0, 2) and _count(PayRecord) == 2
    flags = {f for (f,) in db.session.execute(select(WageFlag.flag).where(
        WageFlag.resolved_at.is_(None)))}
    assert "paid_without_attendance" in flags  # worker 1 paid, no attendance: job ran
    db.session.rollback()


def test_feed_key_command_line(ctx, world):
    project = make_project()
    runner = ctx.test_cli_runner()
    out = runner.invoke(args=["feed-key", "create", "--project", str(project.id),
                              "--name", "闸机"])
    assert out.exit_code == 0, out.output
    whole = out.output.strip().splitlines()[-1]
    assert whole.startswith("lfk_")
    listed = runner.invoke(args=["feed-key", "list"]).output
    assert f"project {project.id}" in listed and whole not in listed and "live" in listed
    assert runner.invoke(args=["feed-key", "create", "--bank", "12", "--name", "x"]).exit_code == 1
    assert runner.invoke(args=["feed-key", "revoke", whole]).exit_code == 0
    assert "revoked" in runner.invoke(args=["feed-key", "list"]).output
