"""A worker with attendance but no signed contract is still owed pay for the days worked:
the pay sheet's gross (工资表应发) where there is one, else the team's usual daily rate on the
project (班组日工资估算; the project's, 项目日工资估算, when the team is unknown) × days. The
figure counts in the ¥ at risk on the wage page and the county's list, and says where it
came from."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest

from app.domain import wages
from app.domain.ids import id_with_check
from app.extensions import db
from app.models import Contract, WageFlag
from tests.app.project_helpers import PROJECT, make_project
from tests.app.test_templates_flow import PARTIES
from tests.app.test_wage_reconciliation import (
    ACCOUNT,
    PAY_HEADER,
    PEOPLE,
    _attendance,
    _csv,
    _import,
)
from tests.conftest import bearer, csrf_token, login

D = Decimal
SIXTH = ("工人6", id_with_check("43012119800101006"))


# ---- the arithmetic -------------------------------------------------------------------------

def month(**kw) -> wages.WorkerMonth:
    base = {"month": "2026-10", "days": 10, "hours": D(80), "wage": None, "worker_name": None,
            "paid": D(0), "paid_on": None}
    return wages.WorkerMonth(**{**base, **kw})


@pytest.mark.parametrize("kw, expected, source", [
    ({"gross": D("2500"), "usual_daily": D("300"), "usual_source": "team_estimate"},
     D("2500.00"), "payroll_gross"),  # the pay sheet first
    ({"usual_daily": D("320"), "usual_source": "team_estimate"}, D("3200.00"), "team_estimate"),
    ({"gross": D(0), "usual_daily": D("340"), "usual_source": "project_estimate"},
     D("3400.00"), "project_estimate"),
    ({}, None, None),  # nothing to go on: no figure, the flag only
    ({"days": 0, "gross": D("2500")}, None, None),  # no attendance: nothing owed for days
])
def test_owed_pay_without_a_contract_and_its_source(kw, expected, source):
    r = wages.check(month(**kw), pay_day=15, today=date(2026, 12, 7))
    assert (r.expected, r.source) == (expected, source)
    assert r.at_risk == (expected or D(0))
    if r.days:
        assert "no_contract" in r.flags


def test_a_contracts_figure_says_so_and_paid_in_full_is_not_at_risk():
    r = wages.check(month(wage=wages.Wage("daily", D("300")), worker_name="工人1", paid=D(3000),
                          paid_on=date(2026, 11, 15)), pay_day=15, today=date(2026, 12, 7))
    assert (r.expected, r.source, r.at_risk) == (D("3000.00"), "contract", D(0))


def test_the_usual_daily_rate_is_the_median_of_the_daily_rates():
    assert wages.daily_rate(wages.Wage("monthly", D("8700"))) == D("400.00")  # ÷ 21.75
    assert wages.daily_rate(wages.Wage("piece_rate", D("20"))) is None
    assert wages.usual_daily([D(300), D(340)]) == D("320.00")
    assert wages.usual_daily([D(300), D(340), D(400)]) == D("340.00")
    assert wages.usual_daily([]) is None


# ---- through the pages ------------------------------------------------------------------------

def _contract(client, world, person: tuple[str, str], team: str, wage_form: str, amount: str,
              status: str = "filed") -> None:
    name, number = person
    body = {**PARTIES, "template": "construction_simple", "worker_name": name,
            "worker_id_number": number, "worker_phone": "13900000009",
            "term_start": "2026-09-01", "project_name": PROJECT["name"], "team": team,
            "hours_system": "standard", "wage_form": wage_form, "wage_amount": amount,
            "pay_day": 15, "wage_account": "专户"}
    resp = client.post("/api/v1/contracts", json=body, headers=bearer(world["api_key"]))
    assert resp.status_code == 201, resp.get_json()
    db.session.get(Contract, resp.get_json()["id"]).status = status
    db.session.commit()


def test_workers_without_a_contract_count_in_the_amount_at_risk(client, world, outbox):
    _contract(client, world, PEOPLE[1], "钢筋班", "daily", "300")
    _contract(client, world, PEOPLE[2], "钢筋班", "daily", "340")  # team median: 320
    _contract(client, world, PEOPLE[3], "木工班", "monthly", "8700")  # 400 a day
    _contract(client, world, PEOPLE[4], "钢筋班", "daily", "500", status="draft")  # never signed
    project = make_project()  # the project's median: 340
    login(client, "hr")
    assert _import(client, project.id, "attendance", _attendance({4: 10, 5: 10})).status_code == 302
    sixth = _csv(["身份证号码", "方向", "时间"], [
        [SIXTH[1], way, f"2026-10-{d:02d} {at}"] for d in range(1, 11)
        for way, at in (("01", "07:58:00"), ("02", "17:58:00"))])
    assert _import(client, project.id, "attendance", sixth).status_code == 302
    payroll = _csv(PAY_HEADER, [[PEOPLE[5][1], "2026-10", 10, "2500", "2000",
                                 "6217000000000005", "建设银行", PEOPLE[5][0], ACCOUNT,
                                 "2026-11-15"]])
    assert _import(client, project.id, "payroll", payroll).status_code == 302

    html = client.get(f"/projects/{project.id}/wages").get_data(as_text=True)
    rows = {m: (exp, src) for m, exp, src in re.findall(
        r'data-worker="([^"]+)".*?<td>\d+</td>\s*<td>([^<]*)</td><td class="source" '
        r'data-source="([^"]*)">', html, re.S)}

    def masked(number: str) -> str:
        return number[:4] + "*" * 10 + number[-4:]

    assert rows[masked(PEOPLE[4][1])] == ("3200.00", "team_estimate")  # 10 × 320
    assert rows[masked(PEOPLE[5][1])] == ("2500.00", "payroll_gross")  # 应发 2,500, 实发 2,000
    assert rows[masked(SIXTH[1])] == ("3400.00", "project_estimate")  # 10 × 340
    for label in ("班组日工资估算", "工资表应发", "项目日工资估算"):
        assert label in html
    assert 'data-at-risk="7100.00"' in html  # 3,200 + 500 + 3,400

    page = client.get(f"/projects/{project.id}/wages").get_data(as_text=True)
    client.post(f"/projects/{project.id}/wages/reconcile", data={"csrf_token": csrf_token(page)})
    kept = {(f.id_masked, f.flag): f.at_risk for f in db.session.query(WageFlag)}
    assert kept[(masked(PEOPLE[4][1]), "no_contract")] == "3200.00"
    assert kept[(masked(SIXTH[1]), "no_contract")] == "3400.00"
    db.session.rollback()
    auditor = client.application.test_client()
    login(auditor, "auditor")
    html = auditor.get("/projects/warnings").get_data(as_text=True)
    assert "涉及金额 ¥7100.00" in html  # each worker-month once, though it has two flags
