"""Gauges read from the database at scrape time (one custom collector, no process state).

Every app process computes the same values from the shared database, so any process (or
several, de-duplicated by ``max``) can be scraped. A database failure during a scrape is a
gauge too (``laborsign_metrics_database_up 0``), never a failed scrape.
"""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import and_, func, select

from app.extensions import db
from app.models import Contract, Job, ScheduledRun
from app.models.base import utcnow


def _gauge(name: str, doc: str, label: str | None, rows) -> GaugeMetricFamily:
    family = GaugeMetricFamily(name, doc, labels=[label] if label else None)
    for key, value in rows:
        family.add_metric([key] if label else [], float(value))
    return family


class DatabaseCollector(Collector):
    """Job queue, scheduler and filing gauges from the current app's database."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        """The gauges (needs an app context: the scrape's request)."""
        try:
            families = list(self._families())
        except Exception:  # noqa: BLE001 - a scrape must not fail with the database
            db.session.rollback()
            families = []
        yield _gauge("laborsign_metrics_database_up",
                     "1 when the database answered this scrape's queries", None,
                     [((), 1 if families else 0)])
        yield from families

    def _families(self) -> Iterator[GaugeMetricFamily]:
        now, s = utcnow(), db.session
        by_status = s.execute(select(Job.kind, Job.status, func.count()).where(
            Job.status.in_(("queued", "running", "failed"))).group_by(Job.kind, Job.status)).all()
        for status, name, doc in (
                ("queued", "laborsign_jobs_queued", "Jobs waiting (due or later), by kind"),
                ("running", "laborsign_jobs_running", "Jobs leased by a worker, by kind"),
                ("failed", "laborsign_jobs_failed", "Jobs that gave up after every attempt")):
            yield _gauge(name, doc, "kind", [(k, n) for k, st, n in by_status if st == status])
        due = s.execute(select(Job.kind, func.min(Job.run_after)).where(
            Job.status == "queued", Job.run_after <= now).group_by(Job.kind)).all()
        yield _gauge("laborsign_jobs_oldest_due_age_seconds",
                     "Seconds the oldest due queued job has waited, by kind", "kind",
                     [(k, max((now - at).total_seconds(), 0)) for k, at in due])
        yield from self._scheduler(now)
        unfiled = s.execute(select(func.count(), func.min(Contract.signed_at)).where(
            Contract.status == "signed")).one()
        yield _gauge("laborsign_contracts_signed_unfiled",
                     "Signed contracts and documents not filed yet", None, [((), unfiled[0])])
        yield _gauge("laborsign_contracts_unfiled_oldest_age_seconds",
                     "Seconds since the oldest unfiled signed contract was signed", None,
                     [((), max((now - unfiled[1]).total_seconds(), 0) if unfiled[1] else 0)])

    @staticmethod
    def _scheduler(now) -> Iterator[GaugeMetricFamily]:
        s = db.session
        runs = s.execute(select(ScheduledRun.job, func.max(ScheduledRun.started_at),
                                func.count()).group_by(ScheduledRun.job)).all()
        yield _gauge("laborsign_scheduler_last_run_timestamp_seconds",
                     "Start of the latest run of each periodic job (Unix time)", "job",
                     [(job, at.timestamp()) for job, at, _ in runs])
        failed = s.execute(select(ScheduledRun.job, func.count()).where(
            ScheduledRun.outcome == "failed").group_by(ScheduledRun.job)).all()
        yield _gauge("laborsign_scheduler_failed_runs", "Recorded failed runs of each periodic job",
                     "job", failed)
        latest = select(ScheduledRun.job, func.max(ScheduledRun.started_at).label("at")
                        ).group_by(ScheduledRun.job).subquery()
        last = s.execute(select(ScheduledRun.job, ScheduledRun.outcome).join(latest, and_(
            ScheduledRun.job == latest.c.job, ScheduledRun.started_at == latest.c.at))).all()
        yield _gauge("laborsign_scheduler_last_run_failed",
                     "1 when the latest run of a periodic job failed", "job",
                     [(job, 1 if outcome == "failed" else 0) for job, outcome in last])
