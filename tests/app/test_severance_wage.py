"""The month's wage severance is counted on, by contract kind and wage form (pure: no
database), art. 71 for part-time work, and the words for a term without an end date that the
worker's space and the overlapping-contract rule now take from app.domain.labels (issue 20)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest

from app.domain.rules import daily_minimum, evaluate
from app.domain.severance import (
    GROUNDS,
    NO_SEVERANCE,
    NO_SEVERANCE_PART_TIME,
    WageUnknown,
    contract_wage,
    grounds_for,
    severance,
    severance_due,
    why_none,
)
from app.domain.wages import Wage, monthly_equivalent
from app.extensions import db
from app.models import Contract
from app.services.worker_space.documents import term_words
from tests.app.test_rules_domain import facts, prior
from tests.app.test_templates_flow import KINDS, PARTIES
from tests.conftest import bearer

D = Decimal
AVG = D("8000.00")  # the cap is 3 × 8,000 = 24,000.00
START = date(2026, 12, 1)
ONE_YEAR = date(2027, 11, 30)  # exactly a year of service: one month's wage


def _construction(**wage) -> dict:
    return {"wage_form": "daily", "wage_amount": "300", **wage}


@pytest.mark.parametrize(("terms", "amount", "words"), [
    (_construction(), "6525.00", "劳动合同约定的日工资300.00元按每月21.75天折算的月工资6525.00元"),
    (_construction(wage_amount="300.30"), "6531.53", "月工资6531.53元"),  # 6531.525: half up
    (_construction(wage_form="piece_rate", wage_amount="30", usual_output="250.00"), "7500.00",
     "劳动合同约定的计件单价30.00元乘以正常工作时间月产量250折算的月工资7500.00元"),
    (_construction(wage_form="piece_rate", wage_amount="2.5", usual_output="99.5"), "248.75",
     "月产量99.5折算"),
    (_construction(wage_form="monthly", wage_amount="6000"), "6000.00",
     "劳动合同约定的月工资6000.00元"),
])
def test_a_construction_contracts_month_by_its_wage_form(terms, amount, words):
    wage = contract_wage("construction_simple", terms)
    assert wage.amount == D(amount) and wage.form == terms["wage_form"]
    assert words in wage.words


@pytest.mark.parametrize("kind", ["fixed_term", "open_ended", "project_based"])
def test_the_other_kinds_state_a_monthly_wage(kind):
    wage = contract_wage(kind, {"monthly_wage": "6000"})
    assert (wage.amount, wage.form, wage.words) == (D("6000.00"), "monthly",
                                                    "劳动合同约定的月工资6000.00元")


@pytest.mark.parametrize(("kind", "terms", "field"), [
    ("construction_simple", _construction(wage_form="piece_rate"), "usual_output"),
    ("construction_simple", _construction(wage_form="piece_rate", usual_output="0"),
     "usual_output"),
    ("construction_simple", _construction(wage_form="piece_rate", usual_output="many"),
     "usual_output"),
    ("construction_simple", _construction(wage_form="hourly"), "wage_form"),
    ("construction_simple", {"wage_amount": "300"}, "wage_form"),
    ("construction_simple", _construction(wage_amount=""), "wage_amount"),
    ("construction_simple", _construction(wage_amount=True), "wage_amount"),
    ("construction_simple", _construction(wage_amount="-1"), "wage_amount"),
    ("fixed_term", {}, "monthly_wage"),
    ("open_ended", {"monthly_wage": "NaN"}, "monthly_wage"),
    ("project_based", {"monthly_wage": "Infinity"}, "monthly_wage"),
    ("part_time", {"hourly_wage": "25"}, "hourly_wage"),  # an hour has no month
])
def test_a_wage_that_cannot_be_read_names_its_term(kind, terms, field):
    with pytest.raises(WageUnknown) as raised:
        contract_wage(kind, terms)
    assert raised.value.field == field


def test_a_daily_wage_at_the_daily_minimum_reaches_the_monthly_minimum_a_fen_less_does_not():
    """The conversion is the inverse of the minimum-wage rule's (÷ 21.75, rounded up)."""
    floor = daily_minimum(D("2000"))  # 91.96
    assert monthly_equivalent(Wage("daily", floor)) == D("2000.13")
    assert monthly_equivalent(Wage("daily", floor - D("0.01"))) == D("1999.91")


def test_hourly_pay_and_a_piece_rate_without_output_have_no_month():
    with pytest.raises(ValueError):
        monthly_equivalent(Wage("hourly", D("25")))
    with pytest.raises(ValueError):
        monthly_equivalent(Wage("piece_rate", D("30")))


def test_the_three_times_cap_on_a_converted_daily_wage_both_sides():
    below = contract_wage("construction_simple", _construction(wage_amount="1103.44"))
    above = contract_wage("construction_simple", _construction(wage_amount="1103.45"))
    assert (below.amount, above.amount) == (D("23999.82"), D("24000.04"))
    kept = severance(START, ONE_YEAR, below.amount, AVG)
    capped = severance(START, ONE_YEAR, above.amount, AVG)
    assert not kept.capped and kept.amount == D("23999.82")
    assert capped.capped and capped.wage_used == D("24000.00") and capped.amount == D("24000.00")


@pytest.mark.parametrize("ground", list(GROUNDS))
def test_part_time_work_never_owes_severance(ground):
    assert severance_due(ground, employer_proposed=True, part_time=True) is False
    assert why_none(ground, part_time=True) == NO_SEVERANCE_PART_TIME
    assert "第七十一条" in NO_SEVERANCE_PART_TIME and "不向乙方支付经济补偿" in NO_SEVERANCE_PART_TIME


def test_art_71_is_a_ground_of_part_time_work_only():
    assert "art71" in grounds_for("part_time")
    for kind in ("fixed_term", "open_ended", "project_based", "construction_simple"):
        assert "art71" not in grounds_for(kind)
        assert set(grounds_for(kind)) == set(GROUNDS) - {"art71"}
    assert severance_due("art71") is False and why_none("art71") == NO_SEVERANCE_PART_TIME
    assert severance_due("art40") is True and why_none("art37") == NO_SEVERANCE


# ---- a term without an end date, in words ---------------------------------------------

#: kind -> the term of a contract without an end date from 2026-12-01, as the worker reads it
TERMS = {
    "open_ended": "2026-12-01 起，无固定期限",
    "part_time": "2026-12-01 起，非全日制（无需约定终止日期）",
    "construction_simple": "2026-12-01 起，至本人承担的工程完工时",
    "project_based": "2026-12-01 起，至“三期主体结构钢筋绑扎”完成时",
}


@pytest.mark.parametrize("kind", list(TERMS))
def test_the_workers_space_names_a_term_without_end_by_its_kind(kind):
    terms = {**PARTIES, **KINDS[kind][0]}
    words = term_words(SimpleNamespace(document_kind="contract", template=kind, terms=terms))
    assert words == TERMS[kind]
    assert ("无固定期限" in words) is (kind == "open_ended")
    dated = term_words(SimpleNamespace(document_kind="contract", template=kind,
                                       terms={**terms, "term_end": "2027-10-31"}))
    assert dated == "2026-12-01 至 2027-10-31"


@pytest.mark.parametrize(("kind", "words"), [
    ("open_ended", "2020-01-01 起，无固定期限"),
    ("part_time", "2020-01-01 起，非全日制（无需约定终止日期）"),
    ("construction_simple", "2020-01-01 起，至本人承担的工程完工时"),
    ("project_based", "2020-01-01 起，至工作任务完成时"),
])
def test_the_overlap_rule_names_an_earlier_term_without_end_by_its_kind(kind, words):
    earlier = prior(date(2020, 1, 1), None, kind=kind, no="HT9")
    found = evaluate(replace(facts(probation_months=0), prior=(earlier,)))
    assert [f.rule.id for f in found] == ["PLATFORM.overlapping_contract"]
    message = str(found[0].message)
    assert message == f"该劳动者在本单位已有期限重叠的有效合同（HT9，{words}），不能重复订立"
    assert ("无固定期限" in message) is (kind == "open_ended")


def test_the_overlap_rule_keeps_the_dates_of_a_dated_term():
    earlier = prior(date(2026, 1, 1), date(2027, 12, 31), no="HT9")
    found = evaluate(replace(facts(probation_months=0), prior=(earlier,)))
    assert "（HT9，2026-01-01 至 2027-12-31）" in str(found[0].message)


def test_the_overlap_with_a_construction_contract_over_http_in_both_languages(client, world):
    body = {**PARTIES, **KINDS["construction_simple"][0], "template": "construction_simple"}
    key = bearer(world["api_key"])
    created = client.post("/api/v1/contracts", json=body, headers=key)
    assert created.status_code == 201, created.get_json()
    contract = db.session.get(Contract, created.get_json()["id"])
    contract.status = "filed"  # in force (signing is tested elsewhere)
    db.session.commit()
    again = {**body, "term_start": "2027-01-01"}
    resp = client.post("/api/v1/contracts", json=again, headers=key)
    assert resp.status_code == 422, resp.get_json()
    message = resp.get_json()["fields"]["term_start"]
    assert "2026-12-01 起，至本人承担的工程完工时" in message and "无固定期限" not in message
    english = client.post("/api/v1/contracts", json=again,
                          headers={**key, "Accept-Language": "en"}).get_json()
    assert "from 2026-12-01, until the worker's part of the project is done" in \
        english["fields"]["term_start"]
