"""The wage rules over many worker-months at once: each distinct set of rule inputs is judged
once by :func:`app.domain.wages.check`, and every worker-month with the same inputs gets a
:class:`~app.domain.wages.Result` of its own built from that judgment (pure: no database).

A county's worker-months repeat themselves: a team on one daily rate attends the same days
and is paid the same amounts on the same date. What :func:`~app.domain.wages.check` reads of
a worker-month is reduced to what can change its outcome (:meth:`Judge.result`): the hours only
for hourly pay, the pay sheet's gross and the usual rate only without a contract, the year's
pay only as over or not over the yearly limit, the account holders only as matching the
contract's name or not. ``tests/app/test_reconcile_equivalence.py`` holds it to the
row-by-row results.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from app.domain import wages


@dataclass
class Judge:
    """The rules for one project's worker-months (``pay_day``, as of ``today``)."""

    pay_day: int
    today: date
    judged: dict[tuple, tuple] = field(default_factory=dict)  # key -> outcome
    kept: dict[int, wages.Thresholds] = field(default_factory=dict)  # alive while keyed by id

    def result(self, t: wages.Thresholds, *, month: str, days: int, minutes: int,
               wage: wages.Wage | None, worker_name: str | None, holders: tuple[str, ...],
               paid: Decimal, paid_on: date | None, dedicated: bool, paid_in_year: Decimal,
               minimum: Decimal | None, gross: Decimal | None, usual: Decimal | None,
               source: str | None) -> wages.Result:
        """The same result as :func:`wages.check` of this worker-month (hours: ``minutes`` ÷
        60; the other arguments are :class:`wages.WorkerMonth`'s) with thresholds ``t``,
        judged once per distinct set of what the rules read of it; the result and its flags
        are this worker-month's own."""
        if id(t) not in self.kept:  # thresholds by identity: hashing them each time is dear
            self.kept[id(t)] = t
        hourly = wage is not None and wage.form == "hourly"
        key = (month, days, wage, minutes if hourly else None,
               (gross, usual, source) if wage is None else None, paid, paid_on,
               bool(worker_name) and any(h and h != worker_name for h in holders),
               dedicated, paid_in_year > t.big_year, minimum, id(t))
        outcome = self.judged.get(key)
        if outcome is None:
            r = wages.check(wages.WorkerMonth(
                month=month, days=days, hours=Decimal(minutes) / 60, wage=wage,
                worker_name=worker_name, paid=paid, paid_on=paid_on, holders=holders,
                paying_accounts_dedicated=dedicated, paid_in_year=paid_in_year,
                minimum_monthly=minimum, gross=gross, usual_daily=usual, usual_source=source),
                pay_day=self.pay_day, today=self.today, t=t)
            outcome = self.judged[key] = (r.expected, r.days_late, r.flags, r.source)
        expected, late, flags, found = outcome
        return wages.Result(expected, paid, (paid - expected) if expected is not None else None,
                            late, days, dict(flags), found)

    @property
    def distinct(self) -> int:
        """How many distinct sets of inputs were judged."""
        return len(self.judged)
