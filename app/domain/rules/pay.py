"""Rules on the term's order and length and on daily and piece-rate pay, for every kind.

The fixed-term form checks its own dates while typing (:mod:`app.domain.terms`); the other
kinds' forms are generated from their template's field specs, which know types but not the
order of two dates: these rules judge every kind alike, on the clean terms.

The daily minimum is the monthly minimum ÷ 21.75 (劳社部发〔2008〕3号: the legal working
days of a month), rounded **up** to the cent: a daily wage complies when it is at least the
exact quotient, i.e. when 21.75 days of it reach the monthly minimum (¥2,000 ÷ 21.75 =
91.954…: ¥91.95 is too low, ¥91.96 complies). A piece rate complies when the usual output of
a month of normal working hours, paid at that rate, reaches the monthly minimum.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_CEILING, Decimal

from app.domain.rules.base import Facts, rule
from app.domain.terms import EARLIEST_START, MAX_TERM_YEARS, term_end_limit
from app.domain.wages import MONTH_DAYS  # legal working days per month (劳社部发〔2008〕3号)

CENT = Decimal("0.01")
LATEST_START = date(2100, 12, 31)


def _yuan(amount: Decimal) -> str:
    return str(amount.quantize(CENT))


def daily_minimum(monthly: Decimal) -> Decimal:
    """The lowest daily wage that complies with the monthly minimum ``monthly``: ÷ 21.75,
    rounded up to the cent."""
    return (monthly / MONTH_DAYS).quantize(CENT, rounding=ROUND_CEILING)


@rule("PLATFORM.term_order", "error", "劳动合同法第十七条（合同期限）",
      "合同终止日期（%(end)s）不能早于开始日期（%(start)s）", "term_end")
def term_order(f: Facts) -> dict | None:
    """An end date before the start date (a one-day term, start = end, is allowed)."""
    if f.start and f.end and f.end < f.start:
        return {"start": f.start.isoformat(), "end": f.end.isoformat()}
    return None


@rule("PLATFORM.term_start_range", "error", "平台规则：合同日期范围",
      "合同开始日期应在2000年到2100年之间", "term_start")
def term_start_range(f: Facts) -> dict | None:
    """A start date before 2000 or after 2100 (a typing slip, never a real term)."""
    return {} if f.start and not EARLIEST_START <= f.start <= LATEST_START else None


@rule("PLATFORM.term_length", "error", "平台规则：合同日期范围",
      "合同期限不能超过%(years)s年", "term_end")
def term_length(f: Facts) -> dict | None:
    """A term longer than :data:`~app.domain.terms.MAX_TERM_YEARS` years."""
    if f.start and f.end and f.start <= LATEST_START and f.end > term_end_limit(f.start):
        return {"years": MAX_TERM_YEARS}
    return None


@rule("LL48.minimum_wage_daily", "error", "劳动法第四十八条；劳动合同法实施条例第十四条",
      "日工资不得低于当地最低工资标准折算的日工资（月最低工资%(monthly)s元÷21.75天，"
      "即%(floor)s元）", "wage_amount")
def minimum_wage_daily(f: Facts) -> dict | None:
    """A daily rate under the monthly minimum ÷ 21.75 (rounded up to the cent)."""
    if f.daily_wage is None or not f.minimum_wage or not f.minimum_wage.monthly:
        return None
    floor = daily_minimum(f.minimum_wage.monthly)
    return {"monthly": _yuan(f.minimum_wage.monthly), "floor": _yuan(floor)} \
        if f.daily_wage < floor else None


@rule("LL48.piece_rate_output_missing", "error", "劳动法第四十八条；劳动合同法实施条例第十四条",
      "按工程量（计件）计发的，请填写正常工作时间内的月产量，以核对是否达到当地最低工资标准",
      "usual_output")
def piece_rate_output_missing(f: Facts) -> dict | None:
    """A piece rate without the usual monthly output (the minimum cannot be checked)."""
    piece = f.wage_form == "piece_rate" or f.piece_rate is not None
    return {} if piece and f.usual_output is None else None


@rule("LL48.minimum_wage_piece_rate", "error", "劳动法第四十八条；劳动合同法实施条例第十四条",
      "计件单价×正常工作时间月产量为%(amount)s元，不得低于当地最低工资标准（%(floor)s元）",
      "wage_amount")
def minimum_wage_piece_rate(f: Facts) -> dict | None:
    """A piece rate whose usual monthly output earns less than the monthly minimum."""
    if f.piece_rate is None or f.usual_output is None or not f.minimum_wage:
        return None
    floor, month = f.minimum_wage.monthly, f.piece_rate * f.usual_output
    return {"amount": _yuan(month), "floor": _yuan(floor)} if floor and month < floor else None
