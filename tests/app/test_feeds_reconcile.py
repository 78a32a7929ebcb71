"""Re-reconciliation of the worker-months a push changed gives those worker-months (and the
same workers' later months of the year, and the months' project checks) exactly the flags
the nightly full run gives them, and leaves every other flag as it was."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select

from app import pii
from app.domain.ids import id_with_check
from app.extensions import db
from app.models import Job, Project, WageFlag
from app.services.feeds import rereconcile
from app.services.projects import projects, reconcile, wage_import
from tests.app.project_helpers import PROJECT, make_project

TODAY = date(2026, 12, 7)
A, B, C, D = (id_with_check(f"43012119800202{n:03d}") for n in range(1, 5))


def _days(project_id: int, number: str, month: str, count: int) -> None:
    events, masked = {}, {}
    for day in range(1, count + 1):
        for at, direction in (("07:30", "in"), ("17:30", "out")):
            wage_import.add_event(events, masked, number, direction,
                                  datetime.fromisoformat(f"{month}-{day:02d} {at}"))
    wage_import.add_days(project_id, events, masked)


def _pay(project_id: int, number: str, month: str, net: str, *, status: str = "paid",
         paying: str = PROJECT["wage_account"], paid_on: str | None = None) -> None:
    values = {"number": number, "month": month, "days": 0, "hours": Decimal(0),
              "gross": Decimal(net), "net": Decimal(net), "bank": "",
              "accounts": {"account": "6217000000000009", "paying_account": paying},
              "holder": "某某", "paid_on": date.fromisoformat(paid_on or f"{month}-28")}
    wage_import.add_payments([wage_import.pay_record(
        project_id, values, line=f"test|{number}|{month}|{net}|{status}", status=status)])


def _flags() -> dict[tuple[str, str, str], bool]:
    return {(m, h, f): r is None for m, h, f, r in db.session.execute(
        select(WageFlag.month, WageFlag.id_hash, WageFlag.flag, WageFlag.resolved_at))}


def test_partial_run_equals_the_full_run_for_the_touched_worker_months(ctx, world):
    project_id = make_project().id
    for number in (A, B, C):
        for month in ("2026-05", "2026-06", "2026-07", "2026-08"):
            _days(project_id, number, month, 20)
    _pay(project_id, A, "2026-05", "250000")
    _pay(project_id, B, "2026-06", "6000")
    _pay(project_id, C, "2026-05", "6000", paying="6222000011112222")
    db.session.commit()
    reconcile.run(db.session.get(Project, project_id), TODAY)
    before = _flags()

    # new data: A's June pay (over the month's limit; the year's total over its limit from
    # June on), B's July pay-out that failed, a new worker D in August; and C's data changed
    # too (C's August paid), not by a push: the partial run leaves C's flags alone
    _pay(project_id, A, "2026-06", "60000")
    _pay(project_id, B, "2026-07", "6000", status="failed")
    _days(project_id, D, "2026-08", 5)
    _pay(project_id, C, "2026-08", "6000")
    db.session.commit()
    hashed = {n: pii.keyed_hash(n) for n in (A, B, C, D)}
    pairs = {(hashed[A], "2026-06"), (hashed[B], "2026-07"), (hashed[D], "2026-08")}
    reconcile.run_pairs(db.session.get(Project, project_id), pairs, TODAY)
    db.session.commit()
    partial = _flags()
    reconcile.run(db.session.get(Project, project_id), TODAY)
    full = _flags()

    scope = {("2026-06", hashed[A]), ("2026-07", hashed[A]), ("2026-08", hashed[A]),
             ("2026-07", hashed[B]), ("2026-08", hashed[D]),
             ("2026-06", ""), ("2026-07", ""), ("2026-08", "")}

    def within(flags: dict) -> dict:
        return {k: v for k, v in flags.items() if (k[0], k[1]) in scope}

    assert within(partial) == within(full)
    assert {k[2] for k, open_ in within(partial).items() if open_ and k[1] == hashed[A]} >= {
        "big_month", "big_year"}
    assert partial[("2026-07", hashed[B], "unpaid")]  # the failed pay-out paid nothing
    assert partial[("2026-08", hashed[D], "no_contract")]
    outside = {k: v for k, v in partial.items() if (k[0], k[1]) not in scope}
    assert outside == {k: v for k, v in before.items() if (k[0], k[1]) not in scope}
    assert outside != {k: v for k, v in full.items() if (k[0], k[1]) not in scope}  # C's August


def test_one_waiting_job_per_project_takes_every_pending_month(ctx, world, monkeypatch):
    project_id = make_project().id
    _days(project_id, A, "2026-08", 3)
    projects.lock(project_id)
    rereconcile.note(project_id, {(pii.keyed_hash(A), "2026-08")})
    db.session.commit()
    projects.lock(project_id)
    rereconcile.note(project_id, {(pii.keyed_hash(A), "2026-08"), (pii.keyed_hash(B), "2026-08")})
    db.session.commit()
    waiting = db.session.scalars(select(Job).where(Job.kind == rereconcile.JOB)).all()
    assert len(waiting) == 1
    monkeypatch.setattr(rereconcile, "today_in_beijing", lambda: TODAY)
    rereconcile.reconcile_touched(waiting[0].payload)
    db.session.commit()
    assert {f for (_, _, f) in _flags()} >= {"no_contract", "unpaid"}
    assert db.session.scalar(select(Job.dedupe_key).where(Job.id == waiting[0].id)) is None
    projects.lock(project_id)
    rereconcile.note(project_id, {(pii.keyed_hash(A), "2026-08")})  # after the run: a new job
    db.session.commit()
    assert len(db.session.scalars(select(Job).where(Job.kind == rereconcile.JOB)).all()) == 2
