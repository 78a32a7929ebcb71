"""The scheduler (``flask schedule run``): each job's due slot runs once, across schedulers;
every run is recorded, failures too, and shown to platform admins."""

from __future__ import annotations

import threading
from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import ScheduledRun
from app.models.base import utcnow
from app.services import lifecycle
from app.services.accounts import accounts
from app.services.platform import schedule
from tests.conftest import login


def _once(ctx, now: str):
    result = ctx.test_cli_runner().invoke(args=["schedule", "run", "--once", "--now", now])
    assert result.exit_code == 0, result.output
    return result.output


def _runs() -> set[tuple[str, str, str]]:
    return {(r.job, r.slot, r.outcome) for r in db.session.scalars(select(ScheduledRun))}


def test_once_runs_exactly_the_due_slots_and_a_second_run_nothing(ctx):
    out = _once(ctx, "2026-12-07T02:05+08:00")
    assert "remind-unsigned 2026-12-07T02:00+08:00: ok" in out
    assert _runs() == {("remind-unsigned", "2026-12-07T02:00+08:00", "ok"),
                       ("wages-reconcile", "2026-12-07T02:00+08:00", "ok"),
                       ("remind-expiring", "2026-12-06T08:00+08:00", "ok"),
                       ("access-anchor", "2026-12-07T01:00+08:00", "ok"),
                       ("archive-check", "2026-12-06T03:00+08:00", "ok"),  # Sunday 03:00
                       ("timestamp-renewal", "2026-12-06T04:00+08:00", "ok"),
                       ("archive-exports-purge", "2026-12-06T04:30+08:00", "ok")}
    # the same slots again (another run, or another host): nothing runs
    assert "ok" not in _once(ctx, "2026-12-07T02:59+08:00")
    assert len(_runs()) == 7
    # the next hour: only the hourly job; at 08:00 Beijing (00:00 UTC) the expiry notices too
    _once(ctx, "2026-12-06T19:00:00+00:00")  # 03:00 Beijing
    _once(ctx, "2026-12-07T00:00:00+00:00")  # 08:00 Beijing
    assert _runs() - {("wages-reconcile", "2026-12-07T02:00+08:00", "ok"),
                      ("remind-expiring", "2026-12-06T08:00+08:00", "ok"),
                      ("archive-check", "2026-12-06T03:00+08:00", "ok"),
                      ("access-anchor", "2026-12-07T01:00+08:00", "ok"),
                      ("timestamp-renewal", "2026-12-06T04:00+08:00", "ok"),
                      ("archive-exports-purge", "2026-12-06T04:30+08:00", "ok"),
                      ("remind-unsigned", "2026-12-07T02:00+08:00", "ok")} == {
        ("remind-unsigned", "2026-12-07T03:00+08:00", "ok"),
        ("remind-unsigned", "2026-12-07T08:00+08:00", "ok"),
        ("remind-expiring", "2026-12-07T08:00+08:00", "ok"),
        ("timestamp-renewal", "2026-12-07T04:00+08:00", "ok"),
        ("archive-exports-purge", "2026-12-07T04:30+08:00", "ok")}
    run = db.session.scalar(select(ScheduledRun).where(ScheduledRun.job == "remind-unsigned")
                            .limit(1))
    assert run.finished_at >= run.started_at and "worker(s) reminded" in run.summary


def test_the_nightly_job_calls_the_command_s_use_case_with_the_beijing_date(ctx, monkeypatch):
    """08:30 Beijing is 00:30 UTC: the expiry notices are judged as of the Beijing date."""
    seen = []

    def fake(today):
        seen.append(today)
        return _Run()

    monkeypatch.setattr(lifecycle, "remind_expiring", fake)
    _once(ctx, "2026-12-07T00:30:00+00:00")
    assert seen == [date(2026, 12, 7)]
    _once(ctx, "2026-12-07T23:59:00+00:00")  # 07:59 Beijing on the 8th: not yet due again
    assert seen == [date(2026, 12, 7)]


class _Run:
    contracts = hr_texts = 0
    employers: tuple = ()


def test_now_needs_an_offset(ctx):
    result = ctx.test_cli_runner().invoke(args=["schedule", "run", "--once",
                                                "--now", "2026-12-07T02:05"])
    assert result.exit_code != 0 and "--now" in result.output
    assert _runs() == set()


def _failing(slot):
    raise RuntimeError("SMS to 13800138000 failed for /s/secret-token-abc")


JOBS = (schedule.Periodic("bad", "hourly", time(0, 0), _failing),
        schedule.Periodic("good", "daily", time(2, 0), lambda slot: "fine"))
AT = datetime.fromisoformat("2026-12-07T02:10+08:00")


def test_a_failing_job_is_recorded_with_its_masked_error_and_the_others_run(ctx):
    made = schedule.run_due(JOBS, AT)
    assert [(r.job, r.outcome) for r in made] == [("bad", "failed"), ("good", "ok")]
    bad = made[0]
    assert bad.error.startswith("RuntimeError: SMS to 138****")
    assert "13800138000" not in bad.error and "secret-token-abc" not in bad.error
    assert bad.finished_at is not None and made[1].summary == "fine"
    assert schedule.run_due(JOBS, AT) == []  # a failed slot is not retried within its slot


def test_a_long_error_is_truncated(ctx):
    jobs = (schedule.Periodic("long", "hourly", time(0, 0),
                              lambda slot: (_ for _ in ()).throw(ValueError("x" * 5000))),)
    assert len(schedule.run_due(jobs, AT)[0].error) == schedule.ERROR_LIMIT


def test_the_admin_page_shows_the_failure(ctx, client, world):
    schedule.run_due(JOBS, AT)
    accounts.add_user(username="root", password="pw-123456", role="platform_admin",
                      display_name="平台管理员")
    db.session.commit()
    assert login(client, "root").status_code == 302
    page = client.get("/admin/schedule").get_data(as_text=True)
    failures = page.split("最近的失败")[1].split("最近的运行")[0]
    assert "bad" in failures and "RuntimeError: SMS to 138****" in failures
    assert "good" not in failures and "13800138000" not in page
    assert "2026-12-07T02:00+08:00" in page and "fine" in page


@pytest.mark.parametrize("age, reclaimed", [(schedule.STALE - timedelta(minutes=1), False),
                                            (schedule.STALE + timedelta(minutes=1), True)])
def test_a_stale_claim_is_taken_over_and_a_live_one_is_not(ctx, age, reclaimed):
    db.session.add(ScheduledRun(job="good", slot="2026-12-07T02:00+08:00", claimed_by="dead:1",
                                started_at=utcnow() - age))
    db.session.commit()
    made = schedule.run_due(JOBS[1:], AT)
    run = db.session.scalar(select(ScheduledRun))
    assert [r.job for r in made] == (["good"] if reclaimed else [])
    assert (run.outcome, run.claimed_by != "dead:1") == (("ok", True) if reclaimed
                                                         else (None, False))


@pytest.mark.parametrize("age, reclaimed", [(timedelta(hours=23), False),
                                            (timedelta(hours=25), True)])
def test_the_long_archive_check_is_taken_over_only_after_a_day(ctx, age, reclaimed):
    """Re-reading every object may take hours: a live check is not run a second time."""
    from app.cli.schedule import SCHEDULE

    check = next(job for job in SCHEDULE if job.name == "archive-check")
    slot = schedule.slot_key(schedule.due_slot(check, AT))
    db.session.add(ScheduledRun(job="archive-check", slot=slot, claimed_by="busy:1",
                                started_at=utcnow() - age))
    db.session.commit()
    taken = schedule.claim("archive-check", slot, "other:2", stale_after=check.stale)
    assert (taken is not None) == reclaimed


@pytest.mark.postgresql_only  # SQLite serialises writers: the race is PostgreSQL's
def test_two_schedulers_at_once_run_a_slot_once(ctx, monkeypatch):
    barrier, real, ran = threading.Barrier(2, timeout=20), schedule.claim, []

    def claim_together(job, slot, worker=None, **kw):
        barrier.wait()  # both schedulers found the slot due
        return real(job, slot, worker, **kw)

    monkeypatch.setattr(schedule, "claim", claim_together)
    jobs = (schedule.Periodic("once", "daily", time(2, 0), lambda slot: ran.append(1) or "ran"),)

    def scheduler() -> None:
        with ctx.app_context():
            schedule.run_due(jobs, AT)
            db.session.remove()

    threads = [threading.Thread(target=scheduler) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert ran == [1]
    assert db.session.scalar(select(func.count(ScheduledRun.id))) == 1


def test_the_scheduled_runs_table_comes_and_goes_with_its_unique_slot(blank_app):
    import sqlalchemy as sa
    from flask_migrate import downgrade, upgrade

    with blank_app.app_context():
        upgrade(revision="e9f1a3b5c7d2")
        insert = sa.text("INSERT INTO scheduled_runs (job, slot, claimed_by, started_at) "
                         "VALUES ('a', '2026-12-07T02:00+08:00', 'h:1', CURRENT_TIMESTAMP)")
        with db.engine.begin() as conn:
            conn.execute(insert)
        with pytest.raises(sa.exc.IntegrityError), db.engine.begin() as conn:
            conn.execute(insert)
        downgrade(revision="d8e2a4c6f0b1")
        with db.engine.connect() as conn:
            assert "scheduled_runs" not in sa.inspect(conn).get_table_names()
        upgrade()


WEEKLY = schedule.Periodic("weekly", "weekly", time(3, 0), lambda slot: "checked", weekday=6)


@pytest.mark.parametrize("now, slot", [
    ("2026-12-13T02:59+08:00", "2026-12-06T03:00+08:00"),  # Sunday, a minute early
    ("2026-12-13T03:00+08:00", "2026-12-13T03:00+08:00"),  # Sunday 03:00 sharp
    ("2026-12-12T19:00:00+00:00", "2026-12-13T03:00+08:00"),  # Saturday in UTC, Sunday here
    ("2026-12-12T18:59:00+00:00", "2026-12-06T03:00+08:00"),
    ("2026-12-19T23:59+08:00", "2026-12-13T03:00+08:00"),  # the whole week after
])
def test_a_weekly_slot_is_the_last_beijing_weekday_at_its_time(now, slot):
    assert schedule.slot_key(schedule.due_slot(WEEKLY, datetime.fromisoformat(now))) == slot


def test_the_next_weekly_slot_is_a_week_on_and_bad_periods_are_refused():
    assert schedule.next_due([WEEKLY], datetime.fromisoformat("2026-12-13T03:00+08:00")) \
        == datetime.fromisoformat("2026-12-20T03:00+08:00")
    with pytest.raises(ValueError, match="weekday"):
        schedule.Periodic("w", "weekly", time(3, 0), lambda slot: "")
    with pytest.raises(ValueError, match="weekday"):
        schedule.Periodic("d", "daily", time(3, 0), lambda slot: "", weekday=1)
    with pytest.raises(ValueError, match="period"):
        schedule.Periodic("m", "monthly", time(3, 0), lambda slot: "")


def test_a_weekly_slot_runs_once_in_its_week(ctx):
    sunday = datetime.fromisoformat("2026-12-13T03:05+08:00")
    assert [r.slot for r in schedule.run_due([WEEKLY], sunday)] == ["2026-12-13T03:00+08:00"]
    assert schedule.run_due([WEEKLY], sunday + timedelta(days=6, hours=23)) == []
    assert [r.slot for r in schedule.run_due([WEEKLY], sunday + timedelta(days=7))] == [
        "2026-12-20T03:00+08:00"]


def _runs_counted(job: str, outcome: str) -> float:
    from prometheus_client import REGISTRY

    return REGISTRY.get_sample_value("laborsign_scheduler_runs_total",
                                     {"job": job, "outcome": outcome}) or 0.0


def test_every_run_is_counted_in_the_metrics(ctx):
    before = _runs_counted("bad", "failed"), _runs_counted("good", "ok")
    schedule.run_due(JOBS, AT)
    assert (_runs_counted("bad", "failed"), _runs_counted("good", "ok")) == (
        before[0] + 1, before[1] + 1)


def test_the_weekly_archive_check_fails_its_run_on_a_changed_object(ctx, client, world):
    """The check's counts are the run's summary; a changed object fails the run, which the
    admin page lists among the failures with the object's key."""
    from app.extensions import archive_ext
    from app.models import ContractDocument
    from tests.app.flows import api_create

    api_create(client, world["api_key"])  # its draft PDF is archived
    doc = db.session.scalar(select(ContractDocument))
    failed_before = _runs_counted("archive-check", "failed")
    _once(ctx, "2026-12-13T03:00+08:00")
    run = db.session.scalar(select(ScheduledRun).where(ScheduledRun.job == "archive-check"))
    assert run.outcome == "ok" and "1 object(s) checked (contract_document 1)" in run.summary
    store = archive_ext.store()
    path = store.root / "objects" / "/".join(s + ".d" for s in doc.key.split("/")[:-1]) \
        / (doc.key.rsplit("/", 1)[1] + ".o")
    path.write_bytes(b"%PDF-1.7 not the contract")
    out = _once(ctx, "2026-12-20T03:00+08:00")
    assert "archive-check 2026-12-20T03:00+08:00: failed" in out
    run = db.session.scalar(select(ScheduledRun).where(
        ScheduledRun.job == "archive-check", ScheduledRun.slot == "2026-12-20T03:00+08:00"))
    assert run.outcome == "failed" and "1 changed" in run.summary
    assert f"changed contract_document {doc.key}" in run.error
    assert _runs_counted("archive-check", "failed") == failed_before + 1
