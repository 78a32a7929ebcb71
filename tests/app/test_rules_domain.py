"""The rule engine on its own (no database): every rule on both sides of its limits."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from app.domain.rules import (
    CLAUSES,
    KINDS,
    RULES,
    Facts,
    MinimumWage,
    PartTime,
    PriorContract,
    age_on,
    daily_minimum,
    double_pay_period,
    evaluate,
    max_probation_months,
)

D = Decimal
HUNAN = MinimumWage(monthly=D("1800"), hourly=D("18"), region_prefix="43",
                    effective_from=date(2025, 9, 1))
FULL_CLAUSES = {name: "已填写" for name in CLAUSES}


def facts(**overrides) -> Facts:
    """A fixed-term contract that breaks no rule (two years from 2026-12-01)."""
    base = Facts(kind="fixed_term", today=date(2026, 12, 1), start=date(2026, 12, 1),
                 end=date(2028, 11, 30), worker_birth_date=date(1991, 1, 1), probation_months=2,
                 monthly_wage=D("6000"), probation_wage=D("4800"), clauses=FULL_CLAUSES,
                 minimum_wage=HUNAN)
    return replace(base, **overrides)


def ids(f: Facts) -> set[str]:
    return {finding.rule.id for finding in evaluate(f)}


def prior(start: date, end: date | None, *, status="filed", kind="fixed_term", probation=0,
          no="HT1") -> PriorContract:
    return PriorContract(contract_no=no, kind=kind, status=status, start=start, end=end,
                         probation_months=probation)


def test_a_compliant_contract_has_no_findings():
    assert evaluate(facts()) == []


@pytest.mark.parametrize("start, end, months", [
    # the cases: "以上" includes the number, "不满" excludes it
    ((2026, 12, 1), (2029, 11, 30), 6), ((2026, 12, 1), (2029, 11, 29), 2),
    ((2026, 12, 1), (2027, 11, 30), 2), ((2026, 12, 1), (2027, 11, 29), 1),
    ((2026, 12, 1), (2027, 2, 28), 1), ((2026, 12, 1), (2027, 2, 27), 0),
    # month-end starts: the period ends on the last day of the month without such a day
    ((2026, 1, 31), (2026, 4, 30), 1), ((2026, 1, 31), (2026, 4, 29), 0),
    ((2026, 1, 31), (2027, 1, 30), 2), ((2026, 1, 31), (2027, 1, 29), 1),
    ((2028, 2, 29), (2029, 2, 28), 2), ((2028, 2, 29), (2029, 2, 27), 1),
    ((2028, 2, 29), (2031, 2, 28), 6), ((2028, 2, 29), (2031, 2, 27), 2),
    ((2028, 2, 29), (2028, 5, 28), 1), ((2028, 2, 29), (2028, 5, 27), 0),
    ((2026, 10, 1), (2026, 12, 31), 1), ((2026, 10, 1), (2026, 12, 30), 0),
    ((2026, 11, 30), (2027, 2, 28), 1), ((2026, 11, 30), (2027, 2, 27), 0),
])
def test_probation_limit_by_inclusive_term(start, end, months):
    assert max_probation_months(date(*start), date(*end)) == months


def test_the_last_representable_day_does_not_overflow():
    assert max_probation_months(date(2026, 12, 1), date.max) == 6


def test_open_ended_allows_six_months():
    assert max_probation_months(date(2026, 12, 1), None) == 6
    assert ids(facts(kind="open_ended", end=None, probation_months=6)) == set()
    assert ids(facts(kind="open_ended", end=None, probation_months=7)) == {
        "LCL19.probation_by_term"}


@pytest.mark.parametrize("end, probation, found", [
    (date(2029, 11, 30), 6, set()), (date(2029, 11, 29), 6, {"LCL19.probation_by_term"}),
    (date(2029, 11, 29), 2, set()), (date(2027, 11, 29), 2, {"LCL19.probation_by_term"}),
    (date(2027, 2, 28), 1, set()), (date(2027, 2, 28), 2, {"LCL19.probation_by_term"}),
    (date(2027, 2, 27), 1, {"LCL19.no_probation_short_term"}), (date(2027, 2, 27), 0, set()),
])
def test_probation_by_term_both_sides(end, probation, found):
    assert ids(facts(end=end, probation_months=probation)) == found


def test_probation_limit_names_the_field_and_limit():
    [finding] = evaluate(facts(end=date(2027, 11, 29)))
    assert finding.field == "probation_months" and "最长1个月" in finding.message


@pytest.mark.parametrize("kind, rule_id", [("project_based", "LCL19.no_probation_project"),
                                           ("part_time", "LCL70.no_probation_part_time")])
def test_no_probation_for_project_and_part_time(kind, rule_id):
    part = PartTime(hourly_wage=D("20"), hours_per_day=D("4"), hours_per_week=D("20"),
                    pay_cycle_days=15) if kind == "part_time" else None
    base = facts(kind=kind, end=None, part_time=part, monthly_wage=None)
    assert ids(replace(base, probation_months=0)) == set()
    assert ids(replace(base, probation_months=1)) == {rule_id}


def test_simple_construction_contract_follows_its_term_or_its_task():
    assert ids(facts(kind="construction_simple", probation_months=2)) == set()
    assert ids(facts(kind="construction_simple", end=None, probation_months=1)) == {
        "LCL19.no_probation_project"}


@pytest.mark.parametrize("status, probation, found", [
    ("filed", 2, {"LCL19.probation_once"}), ("signed", 1, {"LCL19.probation_once"}),
    ("sent", 1, {"LCL19.probation_once"}), ("filed", 0, set()),
    ("voided", 2, set()), ("declined", 2, set()), ("expired", 2, set()), ("draft", 2, set()),
])
def test_probation_only_once_per_pair(status, probation, found):
    earlier = prior(date(2022, 12, 1), date(2024, 11, 30), status=status, probation=probation)
    assert ids(facts(prior=(earlier,))) == found
    assert ids(facts(prior=(earlier,), probation_months=0)) == set()


@pytest.mark.parametrize("pay, found", [
    (D("4800"), set()), (D("4799.99"), {"LCL20.probation_pay_ratio"}),
])
def test_probation_pay_at_least_80_percent(pay, found):
    assert ids(facts(probation_wage=pay)) == found


def test_probation_pay_defaults_to_the_wage():
    assert ids(facts(probation_wage=None)) == set()


@pytest.mark.parametrize("pay, found", [
    (D("1800"), set()), (D("1799.99"), {"LCL20.probation_pay_minimum"}),
])
def test_probation_pay_at_least_the_minimum_wage(pay, found):
    assert ids(facts(monthly_wage=D("2200"), probation_wage=pay)) == found


@pytest.mark.parametrize("wage, found", [
    (D("1800"), set()), (D("1799.99"), {"LL48.minimum_wage_monthly"}),
])
def test_monthly_wage_at_least_the_minimum(wage, found):
    assert ids(facts(monthly_wage=wage, probation_months=0)) == found


def test_no_minimum_wage_known_checks_nothing():
    assert ids(facts(monthly_wage=D("100"), probation_months=0, minimum_wage=None)) == set()


def part_time(**overrides) -> Facts:
    terms = {"hourly_wage": D("18"), "hours_per_day": D("4"), "hours_per_week": D("24"),
             "pay_cycle_days": 15, **overrides}
    return facts(kind="part_time", probation_months=0, monthly_wage=None,
                 part_time=PartTime(**terms))


@pytest.mark.parametrize("overrides, found", [
    ({}, set()),
    ({"hourly_wage": D("17.99")}, {"LCL72.minimum_wage_hourly"}),
    ({"hours_per_day": D("4.01")}, {"LCL68.part_time_daily_hours"}),
    ({"hours_per_week": D("24.5")}, {"LCL68.part_time_weekly_hours"}),
    ({"pay_cycle_days": 16}, {"LCL72.part_time_pay_cycle"}),
])
def test_part_time_limits(overrides, found):
    assert ids(part_time(**overrides)) == found


def test_part_time_limits_do_not_apply_to_full_time_work():
    assert ids(replace(part_time(hours_per_day=D("8")), kind="fixed_term",
                       monthly_wage=D("6000"))) == set()


@pytest.mark.parametrize("months, flagged, found", [
    (0, False, set()), (1, False, {"LCL24.non_compete_role"}), (24, True, set()),
    (25, True, {"LCL24.non_compete_length"}),
    (25, False, {"LCL24.non_compete_length", "LCL24.non_compete_role"}),
])
def test_non_compete_only_for_flagged_roles_and_two_years(months, flagged, found):
    assert ids(facts(non_compete_months=months, confidential_role=flagged)) == found


@pytest.mark.parametrize("born, start, found", [
    (date(2010, 12, 1), date(2026, 12, 1), set()),
    (date(2010, 12, 2), date(2026, 12, 1), {"LL15.minimum_age"}),
    (date(2008, 2, 29), date(2024, 2, 29), set()),
    (date(2008, 2, 29), date(2024, 2, 28), {"LL15.minimum_age"}),
])
def test_worker_at_least_16_on_the_start_date(born, start, found):
    f = facts(worker_birth_date=born, start=start, end=date(start.year + 2, 11, 30),
              today=start)
    assert ids(f) == found


def test_age_of_someone_born_on_february_29():
    assert age_on(date(2008, 2, 29), date(2025, 2, 28)) == 16
    assert age_on(date(2008, 2, 29), date(2025, 3, 1)) == 17


@pytest.mark.parametrize("start, today, warned", [
    (date(2026, 11, 1), date(2026, 12, 1), False), (date(2026, 11, 1), date(2026, 12, 2), True),
    (date(2026, 1, 31), date(2026, 3, 1), False), (date(2026, 1, 31), date(2026, 3, 2), True),
    (date(2026, 12, 1), date(2026, 12, 1), False),
    (date(2026, 10, 1), date(2026, 11, 1), False), (date(2026, 10, 1), date(2026, 11, 2), True),
])
def test_written_within_one_month_of_the_first_day_of_work(start, today, warned):
    found = ids(facts(start=start, end=date(2028, 11, 30), today=today, probation_months=0))
    assert ("LCL82.written_within_month" in found) is warned
    assert all(RULES[i].severity == "warning" for i in found)


def test_double_pay_exposure_is_stated_in_yuan():
    [finding] = evaluate(facts(start=date(2026, 11, 1), today=date(2026, 12, 2),
                               probation_months=0))
    assert finding.params["amount"] == "200.00"  # one day at a 30th of ¥6,000
    assert (finding.params["first"], finding.params["last"]) == ("2026-12-01", "2026-12-01")
    assert "200.00元" in finding.message and finding.field == "term_start"
    [finding] = evaluate(facts(start=date(2026, 9, 1), today=date(2026, 12, 1),
                               probation_months=0))
    assert finding.params["amount"] == "12000.00"  # 2026-10-01 .. 2026-11-30: two months


def test_double_pay_of_daily_and_piece_rates_and_none_for_part_time():
    from app.domain.rules import MinimumWage

    month = dict(start=date(2026, 9, 1), today=date(2026, 12, 1), probation_months=0,
                 monthly_wage=None)
    [finding] = evaluate(facts(**month, daily_wage=Decimal("300")))
    assert finding.params["amount"] == "13050.00"  # two months of 300 × 21.75 days
    floor = MinimumWage(monthly=Decimal("2200"), hourly=Decimal("22"), region_prefix="430121",
                        effective_from=date(2025, 9, 1))
    found = {f.rule.id: f for f in evaluate(facts(**month, minimum_wage=floor))}
    assert found["LCL82.written_within_month"].params["amount"] == "4400.00"  # piece rate
    part_time = ids(facts(**month, kind="part_time", end=None))
    assert "LCL82.written_within_month" not in part_time  # art. 69: may be agreed orally


def test_double_pay_stops_at_the_one_year_mark():
    assert double_pay_period(date(2025, 1, 1), date(2026, 12, 2)) == (date(2025, 2, 1),
                                                                      date(2025, 12, 30))
    found = evaluate(facts(start=date(2025, 1, 1), today=date(2026, 12, 2), probation_months=0))
    by_id = {f.rule.id: f for f in found}
    assert by_id["LCL82.written_within_month"].params["amount"] == "66000.00"  # 11 months
    assert "LCL14.deemed_open_ended" in by_id


@pytest.mark.parametrize("today, warned", [(date(2026, 12, 1), True), (date(2026, 11, 30), False)])
def test_a_year_without_a_written_contract_counts_as_open_ended(today, warned):
    found = ids(facts(start=date(2025, 12, 2), today=today, probation_months=0))
    assert ("LCL14.deemed_open_ended" in found) is warned


@pytest.mark.parametrize("first_start, warned", [
    (date(2016, 12, 1), True), (date(2016, 12, 2), False)])
def test_open_ended_suggested_after_ten_years(first_start, warned):
    ten = prior(first_start, date(2026, 11, 30))
    found = evaluate(facts(probation_months=0, prior=(ten,)))
    assert ({f.rule.id for f in found} == {"LCL14.open_ended_suggested"}) is warned
    if warned:
        assert "连续工作满十年" in found[0].message


@pytest.mark.parametrize("priors, warned", [
    ([(date(2022, 12, 1), date(2024, 11, 30)), (date(2024, 12, 1), date(2026, 11, 30))], True),
    ([(date(2024, 12, 1), date(2026, 11, 30))], False),
    # 31 days between two contracts still count as consecutive, 32 do not (CONSECUTIVE_GAP_DAYS)
    ([(date(2022, 12, 1), date(2024, 10, 30)), (date(2024, 12, 1), date(2026, 11, 30))], True),
    ([(date(2022, 12, 1), date(2024, 10, 29)), (date(2024, 12, 1), date(2026, 11, 30))], False),
])
def test_open_ended_suggested_after_two_consecutive_fixed_terms(priors, warned):
    earlier = tuple(prior(s, e, no=f"HT{i}") for i, (s, e) in enumerate(priors))
    found = ids(facts(probation_months=0, prior=earlier))
    assert (found == {"LCL14.open_ended_suggested"}) is warned


def test_only_concluded_contracts_count_for_article_14():
    earlier = (prior(date(2022, 12, 1), date(2024, 11, 30), status="voided"),
               prior(date(2024, 12, 1), date(2026, 11, 30)))
    assert ids(facts(probation_months=0, prior=earlier)) == set()
    assert ids(facts(kind="open_ended", end=None, probation_months=0, prior=(
        prior(date(2022, 12, 1), date(2024, 11, 30)),
        prior(date(2024, 12, 1), date(2026, 11, 30))))) == set()


@pytest.mark.parametrize("other, found", [
    (prior(date(2024, 12, 1), date(2026, 12, 1), status="sent"),
     {"PLATFORM.overlapping_contract"}),
    (prior(date(2024, 12, 1), date(2026, 11, 30), status="signed"), set()),
    (prior(date(2028, 11, 30), date(2030, 11, 30), status="filed"),
     {"PLATFORM.overlapping_contract"}),
    (prior(date(2028, 12, 1), date(2030, 11, 30), status="filed"), set()),
    (prior(date(2020, 1, 1), None, status="filed", kind="open_ended"),
     {"PLATFORM.overlapping_contract"}),
    (prior(date(2026, 12, 1), date(2028, 11, 30), status="voided"), set()),
    (prior(date(2026, 12, 1), date(2028, 11, 30), status="declined"), set()),
    (prior(date(2026, 12, 1), date(2028, 11, 30), status="expired"), set()),
    (prior(date(2026, 12, 1), date(2028, 11, 30), status="draft"), set()),
])
def test_overlapping_active_contract_is_an_error(other, found):
    assert ids(facts(probation_months=0, prior=(other,))) == found


def test_overlap_with_an_open_ended_contract_being_written():
    later = prior(date(2040, 1, 1), date(2041, 1, 1), status="sent")
    assert ids(facts(kind="open_ended", end=None, probation_months=0, prior=(later,))) == {
        "PLATFORM.overlapping_contract"}


def test_missing_mandatory_clauses_are_named_one_by_one():
    clauses = {**FULL_CLAUSES, "worker_address": "", "employer_legal_rep": "  "}
    found = evaluate(facts(clauses=clauses))
    assert [(f.rule.id, f.field) for f in found] == [
        ("LCL17.mandatory_clauses", None),  # the employer's profile, not a form field
        ("LCL17.mandatory_clauses", "worker_address")]
    assert "劳动者住址" in found[1].message


@pytest.mark.parametrize("kind", KINDS)
def test_every_known_kind_is_valid(kind):
    assert "LCL12.kind_valid" not in ids(facts(kind=kind, probation_months=0))


def test_an_unknown_kind_is_an_error():
    assert ids(facts(kind="temporary", probation_months=0)) == {"LCL12.kind_valid"}


def test_errors_come_before_warnings():
    found = evaluate(facts(start=date(2026, 10, 1), monthly_wage=D("1000"), probation_months=0))
    assert [f.severity for f in found] == ["error", "warning"]


def test_every_rule_is_described_and_tested_here():
    source = Path(__file__).read_text("utf-8")
    for rule in RULES.values():
        assert re.fullmatch(r"[A-Z0-9]+\.[a-z0-9_]+", rule.id), rule.id
        assert rule.severity in ("error", "warning") and rule.article and rule.message
        assert rule.id in source, f"{rule.id} has no test"


def test_every_rule_has_an_english_message_and_article():
    from babel.messages.pofile import read_po

    catalog = Path(__file__).resolve().parents[2] / "app/translations/en/LC_MESSAGES/messages.po"
    with catalog.open("rb") as fh:
        english = {m.id: m.string for m in read_po(fh) if m.id}
    for rule in RULES.values():
        assert english.get(rule.message) and english.get(rule.article), rule.id
        placeholders = set(re.findall(r"%\((\w+)\)s", rule.message))
        assert placeholders == set(re.findall(r"%\((\w+)\)s", english[rule.message])), rule.id


# ---- the construction contract: term order and bounds, daily and piece-rate minimum ---------

MIN_2000 = MinimumWage(monthly=D("2000"), hourly=D("20"), region_prefix="43")


def building(**overrides) -> Facts:
    """A construction contract (按日计发 ¥300, minimum ¥2,000 a month) that breaks no rule."""
    base = Facts(kind="construction_simple", today=date(2026, 12, 1), start=date(2026, 12, 20),
                 end=date(2027, 6, 30), worker_birth_date=date(1991, 1, 1),
                 clauses=FULL_CLAUSES, wage_form="daily", daily_wage=D("300"),
                 minimum_wage=MIN_2000)
    return replace(base, **overrides)


def test_a_compliant_construction_contract_has_no_findings_either():
    assert evaluate(building()) == []


@pytest.mark.parametrize("kind", ["construction_simple", "fixed_term", "open_ended",
                                  "project_based", "part_time"])
@pytest.mark.parametrize("end, found", [
    (date(2026, 12, 19), {"PLATFORM.term_order"}),  # the issue: ends before it starts
    (date(2026, 12, 10), {"PLATFORM.term_order"}),
    (date(2026, 12, 20), set()),  # one day's work: start = end
])
def test_the_term_order_is_checked_for_every_kind(kind, end, found):
    f = building(kind=kind, end=end, daily_wage=None, wage_form=None, monthly_wage=D("6000"))
    assert ids(f) & {"PLATFORM.term_order"} == found
    if found:
        finding = next(x for x in evaluate(f) if x.rule.id == "PLATFORM.term_order")
        assert finding.field == "term_end"
        assert str(finding.message) == (f"合同终止日期（{end.isoformat()}）不能早于开始日期（2026-12-20）")


@pytest.mark.parametrize("start, end, found", [
    (date(2026, 12, 20), date(2076, 12, 20), set()),  # fifty years to the day
    (date(2026, 12, 20), date(2076, 12, 21), {"PLATFORM.term_length"}),
    (date(2000, 1, 1), None, set()), (date(1999, 12, 31), None, {"PLATFORM.term_start_range"}),
    (date(2100, 12, 31), None, set()), (date(2101, 1, 1), None, {"PLATFORM.term_start_range"}),
])
def test_the_terms_bounds_hold_for_the_construction_kind(start, end, found):
    assert ids(building(start=start, end=end, today=start)) & {
        "PLATFORM.term_length", "PLATFORM.term_start_range"} == found


def test_the_daily_minimum_is_the_monthly_minimum_over_21_75_rounded_up():
    assert daily_minimum(D("2000")) == D("91.96")  # 91.954…: 91.95 × 21.75 < 2,000
    assert daily_minimum(D("2200")) == D("101.15")  # 101.149…
    assert daily_minimum(D("1740")) == D("80.00")  # exact


@pytest.mark.parametrize("wage, found", [
    (D("91.96"), set()), (D("91.95"), {"LL48.minimum_wage_daily"}),  # one cent each side
    (D("30"), {"LL48.minimum_wage_daily"}),  # the issue's ¥30 a day
])
def test_a_daily_wage_at_least_the_minimum_over_21_75(wage, found):
    f = building(daily_wage=wage)
    assert ids(f) == found
    if found:
        finding = evaluate(f)[0]
        assert finding.field == "wage_amount" and finding.severity == "error"
        assert "2000.00元÷21.75天，即91.96元" in str(finding.message)


def test_no_minimum_wage_known_leaves_the_daily_wage_unchecked():
    assert ids(building(daily_wage=D("30"), minimum_wage=None)) == set()


@pytest.mark.parametrize("rate, output, found", [
    (D("20"), D("100"), set()),  # ¥2,000.00: the minimum itself
    (D("20"), D("99.99"), {"LL48.minimum_wage_piece_rate"}),  # ¥1,999.80
    (D("19.99"), D("100"), {"LL48.minimum_wage_piece_rate"}),  # ¥1,999.00
    (D("0.01"), D("200000"), set()),
    (D("20"), None, {"LL48.piece_rate_output_missing"}),
])
def test_a_piece_rate_must_reach_the_minimum_at_the_usual_output(rate, output, found):
    f = building(wage_form="piece_rate", daily_wage=None, piece_rate=rate, usual_output=output)
    assert ids(f) == found
    fields = {x.rule.id: x.field for x in evaluate(f)}
    assert fields.get("LL48.minimum_wage_piece_rate", "wage_amount") == "wage_amount"
    assert fields.get("LL48.piece_rate_output_missing", "usual_output") == "usual_output"


def test_a_monthly_construction_wage_keeps_its_check():
    assert ids(building(wage_form="monthly", daily_wage=None, monthly_wage=D("1999.99"))) == {
        "LL48.minimum_wage_monthly"}
    assert ids(building(wage_form="monthly", daily_wage=None, monthly_wage=D("2000"))) == set()
