"""Art. 46/47 severance at every boundary, on both sides."""

from datetime import date
from decimal import Decimal

import pytest

from app.domain.severance import GROUNDS, service_length, severance, severance_due

AVG = Decimal("8000.00")  # local average monthly wage; the cap is 24,000.00
WAGE = Decimal("6000.00")
START = date(2020, 3, 1)


@pytest.mark.parametrize(("last", "months"), [
    (date(2020, 3, 1), "0.5"),          # one day of service: less than six months
    (date(2020, 8, 30), "0.5"),         # six months minus a day
    (date(2020, 8, 31), "1"),           # exactly six months
    (date(2021, 2, 27), "1"),           # a year minus a day: still ≥ six months → 1
    (date(2021, 2, 28), "1"),           # exactly one year, no remainder
    (date(2021, 3, 1), "1.5"),          # one year and a day
    (date(2021, 8, 30), "1.5"),         # 1 year + 6 months − a day
    (date(2021, 8, 31), "2"),           # 1 year + 6 months
])
def test_months_of_wage_by_service(last, months):
    s = severance(START, last, WAGE, AVG)
    assert s.months == Decimal(months)
    assert s.amount == (WAGE * Decimal(months)).quantize(Decimal("0.01"))
    assert not s.capped


def test_service_is_inclusive_of_both_days():
    assert service_length(date(2026, 1, 1), date(2026, 12, 31)).text == "1年0个月0天"
    assert service_length(date(2026, 1, 1), date(2026, 12, 30)).text == "0年11个月30天"
    with pytest.raises(ValueError):
        service_length(date(2026, 1, 2), date(2026, 1, 1))


def test_cap_at_exactly_three_times_is_not_capped_a_fen_above_is():
    at_cap = severance(START, date(2021, 2, 28), Decimal("24000.00"), AVG)
    assert not at_cap.capped and at_cap.amount == Decimal("24000.00")
    above = severance(START, date(2021, 2, 28), Decimal("24000.01"), AVG)
    assert above.capped and above.wage_used == Decimal("24000.00")
    assert above.amount == Decimal("24000.00")


def test_twelve_year_cap_only_when_the_wage_is_capped():
    start = date(2010, 1, 1)
    thirteen = date(2022, 12, 31)  # exactly 13 years
    high = severance(start, thirteen, Decimal("30000"), AVG)
    assert high.months == 12 and high.amount == Decimal("288000.00")
    twelve = severance(start, date(2021, 12, 31), Decimal("30000"), AVG)
    assert twelve.months == 12
    normal = severance(start, thirteen, WAGE, AVG)
    assert normal.months == 13 and normal.amount == Decimal("78000.00")


@pytest.mark.parametrize(("ground", "kwargs", "due"), [
    ("art36", {"employer_proposed": True}, True),
    ("art36", {"employer_proposed": False}, False),
    ("art37", {}, False),
    ("art38", {}, True),
    ("art39", {}, False),
    ("art40", {}, True),
    ("art41", {}, True),
    ("art44_1", {}, True),
    ("art44_1", {"renewal_refused": True}, False),
    ("art44_2", {}, False),
    ("art44_4", {}, True),
    ("art44_5", {}, True),
])
def test_severance_due_by_ground(ground, kwargs, due):
    assert severance_due(ground, **kwargs) is due


def test_unknown_ground_and_bad_average():
    with pytest.raises(KeyError):
        severance_due("art99")
    with pytest.raises(ValueError):
        severance(START, START, WAGE, Decimal("0"))
    assert set(GROUNDS) >= {"art36", "art37", "art38", "art39", "art40", "art41", "art44_1"}


def test_retention_of_a_terminated_contract_counts_from_its_last_working_day():
    from types import SimpleNamespace

    from app.services.contracts.documents import retention_for

    ended = SimpleNamespace(ended_on=date(2029, 3, 1), terms={"term_end": "2030-11-30"})
    assert retention_for(ended).date() == date(2031, 3, 1)
    running = SimpleNamespace(ended_on=None, terms={"term_end": "2030-11-30"})
    assert retention_for(running).date() == date(2032, 11, 30)
