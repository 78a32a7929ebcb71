"""Re-reconciliation after a push: the worker-months a push changed are noted (``feed_pending``)
and one job per project (deduplicated: a queued job takes every month noted before it runs)
reconciles only those (:func:`app.services.projects.reconcile.run_pairs`), raising, resolving
and alerting their flags as the nightly run would.

A push and its project's job take the project's lock (:func:`app.services.projects.projects.lock`,
as the file imports and the nightly run do), so a push's months are either seen by a job that
has not started or queue a new one: none is left behind.
"""

from __future__ import annotations

from flask import current_app
from sqlalchemy import delete, select, update

from app.domain.expiry import today_in_beijing
from app.extensions import db
from app.models import FeedPending, Job
from app.services.platform import jobs
from app.services.projects import projects, reconcile

JOB = "feed_reconcile"
KEY = "feeds:reconcile:%s"


def note(project_id: int, pairs: set[tuple[str, str]]) -> None:
    """Note the changed (keyed hash, month) pairs and queue the project's job unless one is
    queued already (the caller holds the project's lock and commits)."""
    if not pairs:
        return
    known = {(h, m) for h, m in db.session.execute(select(FeedPending.id_hash, FeedPending.month)
             .where(FeedPending.project_id == project_id,
                    FeedPending.id_hash.in_(sorted({h for h, _ in pairs}))))}
    db.session.add_all(FeedPending(project_id=project_id, id_hash=h, month=m)
                       for h, m in sorted(pairs - known))
    queue(project_id)


def queue(project_id: int) -> None:
    """Queue the project's re-reconciliation unless a job is waiting already (a job that
    gave up no longer holds its place)."""
    key = KEY % project_id
    db.session.execute(update(Job).where(Job.dedupe_key == key, Job.status == "failed")
                       .values(dedupe_key=None))
    if db.session.scalar(select(Job.id).where(Job.dedupe_key == key)) is None:
        jobs.enqueue(JOB, {"project_id": project_id}, dedupe_key=key)


def reconcile_touched(payload: dict) -> None:
    """Job handler: reconcile the project's pending worker-months (at most
    ``FEED_RECONCILE_PEOPLE`` workers' per run; the rest queue the next run). Idempotent."""
    project_id = int(payload["project_id"])
    project = projects.lock(project_id)
    db.session.execute(update(Job).where(Job.dedupe_key == KEY % project_id)
                       .values(dedupe_key=None))  # from now on a push queues a next run
    if project is None:
        return
    limit = current_app.config["FEED_RECONCILE_PEOPLE"]
    taken: dict[str, list] = {}
    more = False
    for row_id, id_hash, month in db.session.execute(
            select(FeedPending.id, FeedPending.id_hash, FeedPending.month)
            .where(FeedPending.project_id == project_id).order_by(FeedPending.id)):
        if id_hash not in taken and len(taken) >= limit:
            more = True
            continue
        taken.setdefault(id_hash, []).append((row_id, month))
    if not taken:
        return
    pairs = {(h, m) for h, rows in taken.items() for _, m in rows}
    reconcile.run_pairs(project, pairs, today_in_beijing())
    ids = [row_id for rows in taken.values() for row_id, _ in rows]
    for at in range(0, len(ids), 5000):
        db.session.execute(delete(FeedPending).where(FeedPending.id.in_(ids[at:at + 5000])))
    if more:
        queue(project_id)
