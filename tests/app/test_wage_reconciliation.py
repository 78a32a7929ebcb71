"""Wage reconciliation through HTTP on a small, realistic site: attendance and payroll
imported (errors by row, nothing imported; the same file twice changes nothing), every
worker-month reconciled against its labor contract with its flags, the project-month
checks, the county's warning list with the ¥ at risk, and alerts texted once per flag."""

from __future__ import annotations

import io

from sqlalchemy import func, select

from app.domain.ids import id_with_check
from app.extensions import db
from app.models import AttendanceDay, Contract, PayRecord, WageFlag
from tests.app.project_helpers import PROJECT, make_project
from tests.app.test_templates_flow import PARTIES
from tests.conftest import bearer, csrf_token, login

PEOPLE = {n: (f"工人{n}", id_with_check(f"43012119800101{n:03d}")) for n in range(1, 6)}
ACCOUNT = PROJECT["wage_account"]


def _contract(client, world, n: int) -> None:
    name, number = PEOPLE[n]
    body = {**PARTIES, "template": "construction_simple", "worker_name": name,
            "worker_id_number": number, "worker_phone": f"1390000{n:04d}",
            "term_start": "2026-09-01", "project_name": PROJECT["name"], "team": "钢筋班",
            "hours_system": "standard", "wage_form": "daily", "wage_amount": "300",
            "pay_day": 15, "wage_account": "专户"}
    resp = client.post("/api/v1/contracts", json=body, headers=bearer(world["api_key"]))
    assert resp.status_code == 201, resp.get_json()
    db.session.get(Contract, resp.get_json()["id"]).status = "filed"  # signing tested elsewhere
    db.session.commit()


def _csv(header: list[str], rows: list[list]) -> bytes:
    lines = [",".join(header)] + [",".join(str(c) for c in r) for r in rows]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8-sig")


def _attendance(days: dict[int, int]) -> bytes:
    rows = []
    for n, count in days.items():
        for d in range(1, count + 1):
            rows.append([PEOPLE[n][1], "01", f"2026-10-{d:02d} 07:58:00"])
            rows.append([PEOPLE[n][1], "02", f"2026-10-{d:02d} 17:58:00"])
    return _csv(["身份证号码", "方向", "时间"], rows)


PAY_HEADER = ["身份证号码", "月份", "出勤天数", "应发金额", "实发金额", "收款账号", "收款银行",
              "收款户名", "付款账号", "发放日期"]


def _pay(n: int, net: str, paid_on: str, holder: str | None = None,
         paying: str = ACCOUNT) -> list:
    return [PEOPLE[n][1], "2026-10", 20, net, net, f"62170000000000{n:02d}", "建设银行",
            holder or PEOPLE[n][0], paying, paid_on]


def _import(client, project_id: int, kind: str, data: bytes):
    page = client.get(f"/projects/{project_id}").get_data(as_text=True)
    return client.post(f"/projects/{project_id}/import/{kind}", data={
        "csrf_token": csrf_token(page), "file": (io.BytesIO(data), f"{kind}.csv")},
        content_type="multipart/form-data")


def test_a_site_month_reconciled_flagged_listed_and_alerted(client, world, outbox):
    for n in (1, 2, 3, 5):  # worker 4 has no contract
        _contract(client, world, n)
    project = make_project()
    login(client, "hr")
    # attendance with mistakes: nothing imported, each named by row
    bad = _csv(["身份证号码", "方向", "时间"], [[PEOPLE[1][1], "01", "2026-10-01 07:58:00"],
                                         ["430121198001010000", "01", "2026-10-01 08:00"],
                                         [PEOPLE[2][1], "03", "2026-10-01 08:00:00"],
                                         [PEOPLE[2][1], "01", "2026/10/32 08:00:00"]])
    resp = _import(client, project.id, "attendance", bad)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422 and 'data-row="3"' in html and 'data-row="4"' in html
    assert 'data-row="5"' in html and 'data-row="2"' not in html
    assert db.session.scalar(select(func.count()).select_from(AttendanceDay)) == 0
    db.session.rollback()

    good = _attendance({1: 20, 2: 20, 3: 10, 4: 5})
    assert _import(client, project.id, "attendance", good).status_code == 302
    assert _import(client, project.id, "attendance", good).status_code == 302  # again: no change
    days = db.session.scalars(select(AttendanceDay)).all()
    assert len(days) == 55 and {d.minutes for d in days} == {600}
    assert all(len(d.events) == 2 for d in days)
    db.session.rollback()

    payroll = _csv(PAY_HEADER, [
        _pay(1, "6000", "2026-11-15"),  # 20 days × 300: in full, on the pay day
        _pay(2, "5000", "2026-11-20"),  # 1,000 short, five days late
        _pay(5, "3000", "2026-11-15", holder="李工头", paying="6222000011112222"),  # no days
    ])
    assert _import(client, project.id, "payroll", payroll).status_code == 302
    assert _import(client, project.id, "payroll", payroll).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(PayRecord)) == 3
    db.session.rollback()

    html = client.get(f"/projects/{project.id}/wages").get_data(as_text=True)
    flags = {}
    import re

    for masked, found in re.findall(r'data-worker="([^"]+)" data-flags="([^"]*)"', html):
        flags[masked] = set(found.split())
    by_n = {n: flags[PEOPLE[n][1][:4] + "*" * 10 + PEOPLE[n][1][-4:]] for n in PEOPLE}
    assert by_n[1] == set()
    assert by_n[2] == {"underpaid", "late"}
    assert by_n[3] == {"unpaid"}
    assert by_n[4] == {"no_contract", "unpaid"}
    assert by_n[5] == {"paid_without_attendance", "wrong_holder", "not_dedicated"}
    assert 'data-flag="paid_ratio"' in html and 'data-flag="unpaid_share"' in html
    assert 'data-grade="red"' in html
    # expected vs paid in October, in the chart: worker 4 (no contract) is owed 5 days at the
    # project's usual daily rate (300) all the same
    assert "16500.00 / 14000.00" in html
    assert re.search(r'id="flagged-over-time".*?data-month="2026-10">.*?<b>4</b>', html, re.S)
    assert PEOPLE[1][1] not in html and ACCOUNT not in html  # masked

    page = client.get(f"/projects/{project.id}/wages").get_data(as_text=True)
    texts = len(outbox.messages())
    assert client.post(f"/projects/{project.id}/wages/reconcile",
                       data={"csrf_token": csrf_token(page)}).status_code == 302
    raised = db.session.scalar(select(func.count()).select_from(WageFlag))
    assert raised == 10  # 8 worker flags + 2 project-month flags
    alerts = outbox.messages()[texts:]
    assert {m["to"] for m in alerts} == {PROJECT["officer_phone"], "13900139000"}  # officer, admin
    assert "新增10项工资风险" in alerts[0]["text"]
    client.post(f"/projects/{project.id}/wages/reconcile", data={"csrf_token": csrf_token(page)})
    assert len(outbox.messages()) == texts + 2  # once per flag: nothing new, no new text
    db.session.rollback()

    auditor = client.application.test_client()
    login(auditor, "auditor")
    html = auditor.get("/projects/warnings").get_data(as_text=True)
    assert f'data-project="{project.id}" data-grade="red"' in html
    # 1,000 short (worker 2) + 3,000 unpaid (worker 3) + 1,500 owed without a contract (worker 4)
    assert "涉及金额 ¥5500.00" in html
    assert world["org"].name in html
    other = client.application.test_client()
    login(other, "auditor2")
    assert f'data-project="{project.id}"' not in other.get("/projects/warnings").get_data(
        as_text=True)


def test_payroll_mistakes_are_listed_and_nothing_is_imported(client, world):
    project = make_project()
    login(client, "hr")
    rows = [_pay(1, "6000", "2026-11-15"), _pay(2, "6000", "2026-11-15")]
    rows[0][1] = "2026-13"
    rows[1][4] = "7000"  # net over gross
    rows[1][5] = "1234"
    resp = _import(client, project.id, "payroll", _csv(PAY_HEADER, rows))
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert "月份格式应为" in html and "实发金额不能大于应发金额" in html and "收款账号应为8到32位数字" in html
    assert db.session.scalar(select(func.count()).select_from(PayRecord)) == 0
    resp = _import(client, project.id, "payroll", _csv(["身份证号码", "月份"], [[PEOPLE[1][1],
                                                                          "2026-10"]]))
    assert resp.status_code == 422 and "缺少“实发金额”列" in resp.get_data(as_text=True)


def test_the_nightly_run_raises_each_flag_once(client, world, outbox):
    project = make_project()
    login(client, "hr")
    assert _import(client, project.id, "attendance", _attendance({4: 3})).status_code == 302
    runner = client.application.test_cli_runner()
    first = runner.invoke(args=["wages", "reconcile"])
    assert first.exit_code == 0 and "4 new flag(s); ran 2 job(s)" in first.output  # 2 texts
    again = runner.invoke(args=["wages", "reconcile"])
    assert "0 new flag(s)" in again.output and "job" not in again.output
    assert set(db.session.scalars(select(WageFlag.flag))) == {
        "no_contract", "unpaid", "paid_ratio", "unpaid_share"}  # the worker's two, the month's


def test_a_worker_sees_their_pay_after_the_identity_check(client, world, outbox):
    name, number = PEOPLE[1]
    body = {**PARTIES, "template": "construction_simple", "worker_name": name,
            "worker_id_number": number, "worker_phone": "13900000001", "term_start": "2026-09-01",
            "project_name": PROJECT["name"], "team": "钢筋班", "hours_system": "standard",
            "wage_form": "daily", "wage_amount": "300", "pay_day": 15, "wage_account": "专户"}
    created = client.post("/api/v1/contracts", json=body, headers=bearer(world["api_key"]))
    sent = client.post(f"/api/v1/contracts/{created.get_json()['id']}/send", json={
        "acknowledged_rules": ["LCL82.written_within_month"]}, headers=bearer(world["api_key"]))
    token = sent.get_json()["signing_url"].rsplit("/", 1)[1]
    db.session.get(Contract, created.get_json()["id"]).status = "filed"
    db.session.commit()
    project = make_project()
    login(client, "hr")
    _import(client, project.id, "attendance", _attendance({1: 20}))
    _import(client, project.id, "payroll", _csv(PAY_HEADER, [_pay(1, "5000", "2026-11-15")]))
    worker = client.application.test_client()
    assert worker.get(f"/api/v1/sign/{token}/pay").status_code == 401  # not without the check
    worker.post(f"/api/v1/sign/{token}/otp", json={"name": name, "id_number": number})
    code = outbox.last_code("13900000001")
    session = worker.post(f"/api/v1/sign/{token}/verify", json={"code": code}).get_json()
    pay = worker.get(f"/api/v1/sign/{token}/pay",
                     headers={"X-Signing-Session": session["session"]}).get_json()
    assert pay["months"] == [{"project": PROJECT["name"], "month": "2026-10", "days": 20,
                              "expected": "6000.00", "source": "contract", "paid": "5000.00",
                              "flags": ["underpaid"]}]
    page = worker.get(f"/s/{token}").get_data(as_text=True)
    assert 'id="pay"' in page and '"pay_line"' in page  # the phone page lists it


def october_of_one_worker(client, world, paid: str | None = None, paid_on: str = ""):
    """Worker 1 under contract on a new project, 20 eight-hour days in October imported as
    day rows (and paid ``paid`` on ``paid_on``); the contractor's HR logged in."""
    _contract(client, world, 1)
    project = make_project()
    login(client, "hr")
    days = _csv(["身份证号码", "出勤日期", "工时"],
                [[PEOPLE[1][1], f"2026-10-{d:02d}", "8"] for d in range(1, 21)])
    assert _import(client, project.id, "attendance", days).status_code == 302
    if paid is not None:
        _import(client, project.id, "payroll", _csv(PAY_HEADER, [_pay(1, paid, paid_on)]))
    return project


def test_day_rows_and_the_countys_own_thresholds(client, world):
    project = october_of_one_worker(client, world)
    days = _csv(["身份证号码", "出勤日期", "工时"],
                [[PEOPLE[1][1], f"2026-10-{d:02d}", "8"] for d in range(1, 21)])
    assert _import(client, project.id, "attendance", days).status_code == 302  # again: no change
    stored = db.session.scalars(select(AttendanceDay)).all()
    assert len(stored) == 20 and {d.minutes for d in stored} == {480}
    db.session.rollback()
    bad = _csv(["身份证号码", "出勤日期", "工时"], [[PEOPLE[1][1], "2026-10-32", "8"],
                                             [PEOPLE[1][1], "2026-10-02", "25"]])
    resp = _import(client, project.id, "attendance", bad)
    assert resp.status_code == 422 and 'data-row="2"' in resp.get_data(as_text=True)
    _import(client, project.id, "payroll", _csv(PAY_HEADER, [_pay(1, "5800", "2026-11-15")]))
    flags = client.get(f"/projects/{project.id}/wages").get_data(as_text=True)
    assert 'data-flags=""' in flags  # 200 short of 6000 is 3.3%: not over 5%
    client.application.config["WAGE_UNDERPAID_PERCENT"] = "2"  # a stricter county
    try:
        flags = client.get(f"/projects/{project.id}/wages").get_data(as_text=True)
        assert 'data-flags="underpaid"' in flags and "少2%以上" in flags
    finally:
        client.application.config["WAGE_UNDERPAID_PERCENT"] = "5"
