"""Termination grounds (Labor Contract Law arts. 36–44), when severance is due (art. 46) and
how much (art. 47). Pure functions, no database.

Service runs from the first day of work with this employer to the last working day, both
inclusive. Art. 47: each full year of service is one month's wage; a remainder of six months
or more counts as a year, less than six months as half a month. The monthly wage is the
worker's average wage of the last twelve months — the platform holds only the agreed wage, so
the caller passes the contract wage (the service layer says so on the document). When that
wage exceeds three times the local average monthly wage (a setting), the wage used is three
times that average and at most twelve years count.

The month's wage a contract states (:func:`contract_wage`): the monthly wage; for a
construction contract by its wage form, a daily wage × 21.75 (the legal working days of a
month, 劳社部发〔2008〕3号) or a piece rate × the usual output of a month of normal working
hours. Part-time work (非全日制, art. 71) may be ended by either side at any time and the
employer pays no severance, whatever the ground.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from dateutil.relativedelta import relativedelta

from app.domain.wages import Wage, monthly_equivalent

CAP_MULTIPLE = Decimal(3)
CAP_YEARS = 12
FEN = Decimal("0.01")
SERVICE_TEXT = "%(years)s年%(months)s个月%(days)s天"


@dataclass(frozen=True)
class Ground:
    """A legal ground for ending a labor contract."""

    code: str
    article: str
    text: str
    #: "terminate" (终止, art. 44) or "dissolve" (解除, arts. 36–41)
    mode: str


GROUNDS: dict[str, Ground] = {g.code: g for g in (
    Ground("art36", "劳动合同法第三十六条", "用人单位与劳动者协商一致解除劳动合同", "dissolve"),
    Ground("art37", "劳动合同法第三十七条", "劳动者提前通知解除劳动合同（辞职）", "dissolve"),
    Ground("art38", "劳动合同法第三十八条", "因用人单位过错，劳动者解除劳动合同", "dissolve"),
    Ground("art39", "劳动合同法第三十九条", "因劳动者过错，用人单位解除劳动合同", "dissolve"),
    Ground("art40", "劳动合同法第四十条", "无过失性辞退（提前三十日书面通知或额外支付一个月工资）",
           "dissolve"),
    Ground("art41", "劳动合同法第四十一条", "经济性裁员", "dissolve"),
    Ground("art44_1", "劳动合同法第四十四条第一项", "劳动合同期满", "terminate"),
    Ground("art44_2", "劳动合同法第四十四条第二项", "劳动者开始依法享受基本养老保险待遇", "terminate"),
    Ground("art44_3", "劳动合同法第四十四条第三项", "劳动者死亡，或者被人民法院宣告死亡或者宣告失踪",
           "terminate"),
    Ground("art44_4", "劳动合同法第四十四条第四项", "用人单位被依法宣告破产", "terminate"),
    Ground("art44_5", "劳动合同法第四十四条第五项",
           "用人单位被吊销营业执照、责令关闭、撤销或者用人单位决定提前解散", "terminate"),
    Ground("art71", "劳动合同法第七十一条", "非全日制用工，任何一方通知对方终止用工", "terminate"),
)}
PART_TIME = "part_time"  #: the contract kind of part-time work (非全日制用工)
#: grounds only part-time work has
PART_TIME_GROUNDS = frozenset({"art71"})
NO_SEVERANCE = "依据劳动合同法第四十六条，本情形甲方无须向乙方支付经济补偿。"
NO_SEVERANCE_PART_TIME = ("依据劳动合同法第七十一条，非全日制用工任何一方都可以随时通知对方终止用工；"
                          "终止用工，甲方不向乙方支付经济补偿。")


def grounds_for(kind: str) -> dict[str, Ground]:
    """The grounds a contract of ``kind`` may end on: art. 71 only for part-time work."""
    return {code: g for code, g in GROUNDS.items()
            if kind == PART_TIME or code not in PART_TIME_GROUNDS}


def severance_due(ground: str, *, employer_proposed: bool = False,
                  renewal_refused: bool = False, part_time: bool = False) -> bool:
    """Whether art. 46 makes severance due on ``ground``.

    :param employer_proposed: art. 36 — the employer proposed the agreement (46 item 2).
    :param renewal_refused: art. 44 item 1 — the worker refused a renewal on the same or
        better terms (then none is due, 46 item 5).
    :param part_time: part-time work (art. 71): never due.
    :raises KeyError: unknown ground.
    """
    GROUNDS[ground]
    if part_time or ground in PART_TIME_GROUNDS:
        return False
    if ground == "art36":
        return employer_proposed
    if ground == "art44_1":
        return not renewal_refused
    return ground in ("art38", "art40", "art41", "art44_4", "art44_5")


@dataclass(frozen=True)
class Service:
    """Length of service: full years and the remaining months and days."""

    years: int
    months: int
    days: int

    @property
    def text(self) -> str:
        """``3年2个月5天``."""
        return SERVICE_TEXT % {"years": self.years, "months": self.months, "days": self.days}


def service_length(first_day: date, last_day: date) -> Service:
    """Service from ``first_day`` to ``last_day`` inclusive (2026-01-01 → 2026-12-31 is one
    full year). :raises ValueError: ``last_day`` before ``first_day``."""
    if last_day < first_day:
        raise ValueError("last day before first day")
    delta = relativedelta(last_day + timedelta(days=1), first_day)
    return Service(delta.years, delta.months, delta.days)


@dataclass(frozen=True)
class Severance:
    """The art. 47 computation, every figure shown on the document."""

    service: Service
    months: Decimal  #: months of wage owed (e.g. 3.5)
    wage_used: Decimal  #: monthly wage the months are paid at (capped when above 3×)
    capped: bool
    amount: Decimal


def severance(first_day: date, last_day: date, monthly_wage: Decimal,
              local_average_wage: Decimal) -> Severance:
    """Art. 47 severance for service from ``first_day`` to ``last_day`` (inclusive).

    :param monthly_wage: the worker's monthly wage (average of the last 12 months).
    :param local_average_wage: the local average monthly wage of the previous year.
    :raises ValueError: dates in the wrong order, or a non-positive average wage.
    """
    if local_average_wage <= 0:
        raise ValueError("local average wage must be positive")
    service = service_length(first_day, last_day)
    remainder = service.months or service.days
    if service.months >= 6:
        months = Decimal(service.years + 1)
    elif remainder:
        months = Decimal(service.years) + Decimal("0.5")
    else:
        months = Decimal(service.years)
    cap = (local_average_wage * CAP_MULTIPLE).quantize(FEN, rounding=ROUND_HALF_UP)
    capped = monthly_wage > cap
    wage = cap if capped else monthly_wage
    if capped:
        months = min(months, Decimal(CAP_YEARS))
    amount = (wage * months).quantize(FEN, rounding=ROUND_HALF_UP)
    return Severance(service, months, wage, capped, amount)


def why_none(ground: str, *, part_time: bool = False) -> str:
    """Why no severance is due, in the agreement's words (art. 71 for part-time work, else
    art. 46)."""
    return NO_SEVERANCE_PART_TIME if part_time or ground in PART_TIME_GROUNDS else NO_SEVERANCE


# ---- the month's wage a contract states -----------------------------------------------

#: how the document words the art. 47 base, by wage form
BASIS_WORDS = {
    "monthly": "劳动合同约定的月工资%(wage)s元",
    "daily": "劳动合同约定的日工资%(rate)s元按每月21.75天折算的月工资%(wage)s元",
    "piece_rate": "劳动合同约定的计件单价%(rate)s元乘以正常工作时间月产量%(output)s折算的月工资%(wage)s元",
}
#: the term that states each wage form's figure (a construction contract's ``wage_amount``)
WAGE_FORMS = tuple(BASIS_WORDS)


class WageUnknown(ValueError):
    """The contract's terms state no month's wage: ``field`` names the term missing or bad."""

    def __init__(self, field: str) -> None:
        super().__init__(field)
        self.field = field


@dataclass(frozen=True)
class MonthlyWage:
    """The month's wage a contract states, and how it was reached."""

    amount: Decimal  #: the month's wage, to the fen
    form: str  #: monthly | daily | piece_rate
    rate: Decimal  #: the agreed figure: the monthly or daily wage, or the piece rate
    output: Decimal | None = None  #: a piece rate's usual output in a month

    @property
    def words(self) -> str:
        """How the document states the base (``…日工资300.00元按每月21.75天折算的月工资6525.00元``)."""
        count = f"{self.output:f}" if self.output is not None else ""
        count = count.rstrip("0").rstrip(".") if "." in count else count
        return BASIS_WORDS[self.form] % {"wage": self.amount, "rate": self.rate, "output": count}


def _figure(value: object, *, positive: bool = False) -> Decimal | None:
    """A stored decimal term (``"300.00"``), or None when absent or not a finite number
    (at least 0; above 0 when ``positive``)."""
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        return None
    try:
        figure = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    if not figure.is_finite() or figure < 0 or (positive and figure == 0):
        return None
    return figure.quantize(FEN, rounding=ROUND_HALF_UP)


def contract_wage(kind: str, terms: Mapping[str, object]) -> MonthlyWage:
    """The month's wage the terms of a contract of ``kind`` state: a construction contract's
    wage by its ``wage_form`` (``wage_amount`` a month, a day or a piece; a piece rate with its
    ``usual_output``), every other kind's ``monthly_wage``.

    :raises WageUnknown: the term that is missing or not a figure (a part-time contract's
        hourly wage has no month: ``hourly_wage``).
    """
    if kind == PART_TIME:
        raise WageUnknown("hourly_wage")
    if kind != "construction_simple":
        rate = _figure(terms.get("monthly_wage"))
        if rate is None:
            raise WageUnknown("monthly_wage")
        return MonthlyWage(rate, "monthly", rate)
    form = terms.get("wage_form")
    if form not in WAGE_FORMS:
        raise WageUnknown("wage_form")
    rate = _figure(terms.get("wage_amount"))
    if rate is None:
        raise WageUnknown("wage_amount")
    output = _figure(terms.get("usual_output"), positive=True) if form == "piece_rate" else None
    if form == "piece_rate" and output is None:
        raise WageUnknown("usual_output")
    return MonthlyWage(monthly_equivalent(Wage(str(form), rate), output), str(form), rate, output)
