"""Rules on the employment around the contract: part-time limits, when it is written, the
pair's other contracts (art. 14 open-ended, overlap).

Each check returns ``None`` when the contract complies, else the message's parameters.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta

from app.domain import labels
from app.domain.rules.base import (
    ACTIVE_STATUSES,
    CONCLUDED_STATUSES,
    Facts,
    PriorContract,
    rule,
    term_at_least,
    term_end,
)
from app.domain.typed import Msg
from app.domain.wages import Wage, monthly_equivalent

PART_TIME_DAY_HOURS = Decimal("4")
PART_TIME_WEEK_HOURS = Decimal("24")
PART_TIME_PAY_CYCLE_DAYS = 15
OPEN_ENDED_YEARS = 10
# A platform choice, not the law: contracts whose gap is at most this many days are taken as
# consecutive (连续) when counting years of service and renewals for art. 14.
CONSECUTIVE_GAP_DAYS = 31
DAY = timedelta(days=1)


def _yuan(amount: Decimal) -> str:
    return str(amount.quantize(Decimal("0.01")))


@rule("LCL72.minimum_wage_hourly", "error", "劳动合同法第七十二条；劳动合同法实施条例第十四条",
      "小时工资不得低于当地小时最低工资标准（%(floor)s元）", "hourly_wage")
def minimum_wage_hourly(f: Facts) -> dict | None:
    """A part-time hourly wage under the local hourly minimum wage."""
    pt, floor = f.part_time, f.minimum_wage.hourly if f.minimum_wage else None
    if f.kind != "part_time" or not pt or pt.hourly_wage is None or not floor:
        return None
    return {"floor": _yuan(floor)} if pt.hourly_wage < floor else None


@rule("LCL68.part_time_daily_hours", "error", "劳动合同法第六十八条",
      "非全日制用工平均每日工作时间不得超过4小时（约定%(hours)s小时）", "hours_per_day")
def part_time_daily_hours(f: Facts) -> dict | None:
    """More than 4 hours a day on average."""
    hours = f.part_time.hours_per_day if f.kind == "part_time" and f.part_time else None
    return {"hours": hours} if hours is not None and hours > PART_TIME_DAY_HOURS else None


@rule("LCL68.part_time_weekly_hours", "error", "劳动合同法第六十八条",
      "非全日制用工每周工作时间累计不得超过24小时（约定%(hours)s小时）", "hours_per_week")
def part_time_weekly_hours(f: Facts) -> dict | None:
    """More than 24 hours a week."""
    hours = f.part_time.hours_per_week if f.kind == "part_time" and f.part_time else None
    return {"hours": hours} if hours is not None and hours > PART_TIME_WEEK_HOURS else None


@rule("LCL72.part_time_pay_cycle", "error", "劳动合同法第七十二条",
      "非全日制用工劳动报酬结算支付周期最长不得超过十五日（约定%(days)s日）", "pay_cycle_days")
def part_time_pay_cycle(f: Facts) -> dict | None:
    """Paid less often than every 15 days."""
    days = f.part_time.pay_cycle_days if f.kind == "part_time" and f.part_time else None
    return {"days": days} if days is not None and days > PART_TIME_PAY_CYCLE_DAYS else None


def double_pay_period(start: date, today: date) -> tuple[date, date] | None:
    """The days for which double pay is owed when the contract is written ``today`` for work
    that began on ``start`` (LCL art. 82, IR arts. 6–7): from the day after the first month
    to the day before signing, at most to the day before the first year is complete."""
    first = term_end(start, 1) + DAY
    last = min(today - DAY, term_end(start, 12) - DAY)
    return (first, last) if last >= first else None


def double_pay_exposure(wage: Decimal, start: date, today: date) -> tuple[Decimal, Decimal]:
    """(months, yuan) of double pay owed: whole months at ``wage``, other days at a 30th."""
    period = double_pay_period(start, today)
    if period is None:
        return Decimal("0"), Decimal("0")
    span = relativedelta(period[1] + DAY, period[0])
    months = Decimal(span.years * 12 + span.months) + Decimal(span.days) / 30
    return months.quantize(Decimal("0.1")), (wage * months).quantize(Decimal("0.01"))


def month_wage(f: Facts) -> Decimal:
    """The month's wage the double pay is counted on: the monthly wage; a daily rate × 21.75
    working days (劳社部发〔2008〕3号); a piece rate × the usual monthly output; otherwise the
    local monthly minimum wage, a floor — the pay sheets decide."""
    if f.monthly_wage is not None:
        return f.monthly_wage
    if f.daily_wage is not None:
        return monthly_equivalent(Wage("daily", f.daily_wage))
    if f.piece_rate is not None and f.usual_output is not None:
        return monthly_equivalent(Wage("piece_rate", f.piece_rate), f.usual_output)
    return f.minimum_wage.monthly if f.minimum_wage else Decimal("0")


@rule("LCL82.written_within_month", "warning", "劳动合同法第十条、第八十二条；劳动合同法实施条例第六条",
      "用工之日（%(start)s）起已超过一个月：未订立书面劳动合同的，应向劳动者每月支付二倍工资"
      "（劳动合同法第八十二条），%(first)s 至 %(last)s 的另一倍工资约%(amount)s元", "term_start")
def written_within_month(f: Facts) -> dict | None:
    """The start date lies further back than one month before today: the double-pay
    exposure (the extra wage for the days from the second month until yesterday). Not for
    part-time work, which may be agreed orally (art. 69)."""
    period = double_pay_period(f.start, f.today) if f.start and f.kind != "part_time" else None
    if period is None:
        return None
    _, amount = double_pay_exposure(month_wage(f), f.start, f.today)
    return {"start": f.start.isoformat(), "first": period[0].isoformat(),
            "last": period[1].isoformat(), "amount": str(amount)}


@rule("LCL14.deemed_open_ended", "warning", "劳动合同法第十四条；劳动合同法实施条例第七条",
      "用工已满一年（自%(start)s起）仍未订立书面劳动合同的，视为已订立无固定期限劳动合同（劳动合同法第十四条）",
      "term_start")
def deemed_open_ended(f: Facts) -> dict | None:
    """A year or more of work without a written contract."""
    if f.kind == "open_ended" or not f.start or f.today < term_end(f.start, 12):
        return None
    return {"start": f.start.isoformat()}


def consecutive_chain(prior: tuple[PriorContract, ...], start: date) -> list[PriorContract]:
    """The concluded contracts of the pair that run up to ``start`` without a gap of more
    than :data:`CONSECUTIVE_GAP_DAYS`, oldest first."""
    done = sorted((p for p in prior if p.status in CONCLUDED_STATUSES and p.start < start),
                  key=lambda p: p.start, reverse=True)
    chain: list[PriorContract] = []
    edge = start
    for p in done:
        if p.end is None or p.end + timedelta(days=CONSECUTIVE_GAP_DAYS + 1) >= edge:
            chain.append(p)
            edge = p.start
        else:
            break
    return chain[::-1]


@rule("LCL14.open_ended_suggested", "warning", "劳动合同法第十四条",
      "%(reason)s（按本平台记录）：劳动者提出或者同意续订、订立劳动合同的，除劳动者提出订立固定期限劳动合同外，"
      "应当订立无固定期限劳动合同（劳动合同法第十四条）", "term_end")
def open_ended_suggested(f: Facts) -> dict | None:
    """A fixed term after 10 years with the employer or after two consecutive fixed terms."""
    if f.kind != "fixed_term" or not f.start:
        return None
    chain = consecutive_chain(f.prior, f.start)
    if chain and term_at_least(chain[0].start, f.start - DAY, 12 * OPEN_ENDED_YEARS):
        return {"reason": Msg("劳动者在本单位已连续工作满十年")}
    if sum(p.kind == "fixed_term" for p in chain) >= 2:
        return {"reason": Msg("已与劳动者连续订立二次固定期限劳动合同")}
    return None


@rule("PLATFORM.overlapping_contract", "error", "平台规则：同一期间只有一份有效劳动合同",
      "该劳动者在本单位已有期限重叠的有效合同（%(contract_no)s，%(term)s），不能重复订立",
      "term_start")
def overlapping_contract(f: Facts) -> dict | None:
    """Another sent, signed or filed contract of the pair whose term overlaps this one; its
    term in words (one without an end date by what ends it: 无固定期限 only when open-ended)."""
    if not f.start:
        return None
    for p in f.prior:
        if p.status in ACTIVE_STATUSES and p.start <= (f.end or date.max) and (
                f.start <= (p.end or date.max)):
            start = p.start.isoformat()
            term = Msg("%(start)s 至 %(end)s", start=start, end=p.end.isoformat()) if p.end else \
                Msg("%(start)s 起，%(end)s", start=start, end=Msg(labels.open_end(p.kind, {})))
            return {"contract_no": p.contract_no, "term": term}
    return None
