"""The nightly run (``flask wages reconcile``): every project's wages reconciled, new flags
kept and alerted. One project's failure is logged and does not stop the others."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from app.domain.expiry import today_in_beijing
from app.extensions import db
from app.models import Project
from app.services.projects import reconcile

log = logging.getLogger(__name__)


@dataclass
class EveryProject:
    """What a run did: new flags raised, and the projects whose reconciliation failed."""

    raised: int = 0
    failed: list[int] = field(default_factory=list)


def reconcile_every_project(today: date | None = None) -> EveryProject:
    """Reconcile every project as of ``today`` (Beijing; default: now), one transaction each.

    Safe to repeat: a flag of a worker-month is raised (and alerted) once.
    """
    today = today or today_in_beijing()
    done = EveryProject()
    for project_id in db.session.scalars(select(Project.id).order_by(Project.id)).all():
        try:
            done.raised += len(reconcile.run(db.session.get(Project, project_id), today))
        except Exception:  # noqa: BLE001 - the others are still reconciled
            db.session.rollback()
            done.failed.append(project_id)
            log.exception("reconciling project %s failed", project_id)
    return done
