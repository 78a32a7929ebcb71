"""The rule engine's vocabulary: the facts a contract is checked on, rules and findings.

A :class:`Rule` is data (id, severity, article, message with named placeholders, the form
field it attaches to) plus a check: a pure function of :class:`Facts` that returns nothing
when the contract complies, or the message's parameters (one dict, or a list of dicts for
several findings; a ``"field"`` key in a dict overrides the rule's field).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Literal

from dateutil.relativedelta import relativedelta

from app.domain.typed import Msg

Severity = Literal["error", "warning"]
KINDS = ("fixed_term", "open_ended", "project_based", "part_time", "construction_simple")
# Contracts of the pair that bind or await the worker's signature (not draft, voided,
# declined or expired): they count for overlap and for the one probation per pair. A
# terminated contract counts up to its last working day (its end as the platform gives it).
ACTIVE_STATUSES = ("sent", "signed", "filed", "terminated")
# Contracts both parties signed: the platform's own record of employment (art. 14).
CONCLUDED_STATUSES = ("signed", "filed", "terminated")


@dataclass(frozen=True)
class PriorContract:
    """Another contract of the same employer–worker pair, as the database knows it."""

    contract_no: str
    kind: str
    status: str
    start: date
    end: date | None  # None: open-ended or project-based without a known end
    probation_months: int = 0


@dataclass(frozen=True)
class MinimumWage:
    """The minimum wage in force at the place of performance on the start date."""

    monthly: Decimal
    hourly: Decimal
    region_prefix: str = ""
    effective_from: date | None = None


@dataclass(frozen=True)
class PartTime:
    """The part-time facts (劳动合同法 arts. 68–72); hours may be averages with decimals."""

    hourly_wage: Decimal | None
    hours_per_day: Decimal | None
    hours_per_week: Decimal | None
    pay_cycle_days: int | None


@dataclass(frozen=True)
class Facts:
    """Everything the rules look at: the typed terms and what the database knows.

    :param clauses: art. 17 clause name -> the text given for it ("" when missing).
    :param prior: the pair's other contracts (any status; each rule picks what counts).
    """

    kind: str
    today: date
    start: date | None
    end: date | None = None
    worker_birth_date: date | None = None
    probation_months: int = 0
    monthly_wage: Decimal | None = None
    daily_wage: Decimal | None = None  # a daily rate (construction simple, 按日计发)
    wage_form: str | None = None  # construction simple: monthly | daily | piece_rate
    piece_rate: Decimal | None = None  # yuan per unit of output (按工程量（计件）计发)
    usual_output: Decimal | None = None  # units in a month of normal working hours
    probation_wage: Decimal | None = None
    part_time: PartTime | None = None
    clauses: Mapping[str, str] = field(default_factory=dict)
    non_compete_months: int = 0
    confidential_role: bool = False
    minimum_wage: MinimumWage | None = None
    prior: tuple[PriorContract, ...] = ()


Check = Callable[[Facts], "dict | list[dict] | None"]


@dataclass(frozen=True)
class Rule:
    """One rule of labor law: ``message`` and ``article`` are Chinese gettext msgids."""

    id: str
    severity: Severity
    article: str
    message: str
    field: str | None
    check: Check


@dataclass(frozen=True)
class Finding:
    """A rule the contract breaks (error) or should be looked at (warning)."""

    rule: Rule
    params: dict[str, Any]
    field: str | None

    @property
    def message(self) -> Msg:
        """The message with its parameters, translatable (:class:`Msg`)."""
        return Msg(self.rule.message, **self.params)

    @property
    def severity(self) -> Severity:
        """``error`` blocks sending; ``warning`` needs an acknowledgement."""
        return self.rule.severity


RULES: dict[str, Rule] = {}


def rule(rule_id: str, severity: Severity, article: str, message: str,
         field: str | None = None) -> Callable[[Check], Check]:
    """Register the decorated check under ``rule_id`` in :data:`RULES`."""
    def register(check: Check) -> Check:
        if rule_id in RULES:
            raise ValueError(f"duplicate rule id {rule_id}")
        RULES[rule_id] = Rule(rule_id, severity, article, message, field, check)
        return check
    return register


def evaluate(facts: Facts, rules: Iterable[Rule] | None = None) -> list[Finding]:
    """Every finding of ``rules`` (default: all registered) on ``facts``, errors first."""
    findings: list[Finding] = []
    for r in RULES.values() if rules is None else rules:
        result = r.check(facts)
        for params in [result] if isinstance(result, dict) else result or []:
            params = dict(params)
            findings.append(Finding(r, params, params.pop("field", r.field)))
    return sorted(findings, key=lambda f: f.severity != "error")


# ---- calendar arithmetic -------------------------------------------------------------

def term_at_least(start: date, end: date, months: int) -> bool:
    """True when the term from ``start`` to ``end``, both days included, lasts at least
    ``months`` months: the ``months`` months that end on ``end`` begin on or after
    ``start``.

    A month runs to the day before the same day of the next month (2026-12-01 →
    2027-02-28 is three months, 2026-10-01 → 2026-12-31 too); where a month has no such day
    it ends on its last day (2026-01-31 → 2026-04-30 is three months, 2028-02-29 →
    2029-02-28 one year).
    """
    if end == date.max:
        return True
    return (end + timedelta(days=1)) - relativedelta(months=months) >= start


def term_end(start: date, months: int) -> date:
    """The last day of the first ``months`` months from ``start`` (the earliest end date
    for which :func:`term_at_least` holds)."""
    end = start + relativedelta(months=months) - timedelta(days=1)
    while not term_at_least(start, end, months):
        end += timedelta(days=1)
    return end


def add_months(day: date, months: int) -> date:
    """``day`` plus ``months`` calendar months (the month's last day when it has no such day)."""
    return day + relativedelta(months=months)


def age_on(born: date, on: date) -> int:
    """Whole years of age on ``on``; someone born on Feb 29 turns a year older on Mar 1 in
    a common year (the birthday has not yet come on Feb 28)."""
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))
