"""The completeness board of a project (month × category: present, late, missing, not yet
due) and the county's view across projects, sorted by risk.

A monthly document of month M is due on the project's pay day of month M+1 (the pay sheet,
the bank's proof, the attendance that the pay rests on); a once-only document within 30 days
of the start. Late: its first version came after the due day (Beijing dates).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta, timezone

from sqlalchemy import select

from app.domain.expiry import today_in_beijing
from app.extensions import db
from app.models import Project, ProjectDocument
from app.services.platform.principal import Principal
from app.services.projects import projects
from app.services.projects.project_archive import CATEGORIES, ONCE_DUE_DAYS

BEIJING = timezone(timedelta(hours=8))
GRADES = ("red", "orange", "yellow", "green")


def due_date(project: Project, period: str) -> date:
    """When the document of ``period`` (``YYYY-MM`` or ``once``) is due."""
    if period == "once":
        return project.start_date + timedelta(days=ONCE_DUE_DAYS)
    year, month = (int(x) for x in period.split("-"))
    year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return date(year, month, min(project.pay_day, calendar.monthrange(year, month)[1]))


def months(project: Project, today: date) -> list[str]:
    """The project's months from its start to this month (or to its completion)."""
    end = min(today, project.completed_on or today)
    out, year, month = [], project.start_date.year, project.start_date.month
    while (year, month) <= (end.year, end.month):
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


@dataclass(frozen=True)
class Board:
    """The grid: ``rows`` are ``(category, label, kind, {period: status})``."""

    months: list[str]
    rows: list[tuple[str, str, str, dict[str, str]]]
    missing: int
    late: int

    @property
    def grade(self) -> str:
        """red: 3+ missing; orange: any missing; yellow: only late; green: complete."""
        if self.missing >= 3:
            return "red"
        if self.missing:
            return "orange"
        return "yellow" if self.late else "green"


def _first_uploads(project_id: int) -> dict[tuple[str, str], date]:
    first: dict[tuple[str, str], date] = {}
    for category, period, at in db.session.execute(
            select(ProjectDocument.category, ProjectDocument.period, ProjectDocument.uploaded_at)
            .where(ProjectDocument.project_id == project_id).order_by(ProjectDocument.id)):
        first.setdefault((category, period), at.astimezone(BEIJING).date())
    return first


def board_of(project: Project, today: date) -> Board:
    """The board of ``project`` as of ``today`` (no access check: callers check)."""
    first = _first_uploads(project.id)
    periods = months(project, today)
    rows, missing, late = [], 0, 0
    for category, (label, kind) in CATEGORIES.items():
        cells = {}
        for period in (["once"] if kind == "once" else periods):
            due, got = due_date(project, period), first.get((category, period))
            status = ("present" if got <= due else "late") if got else (
                "missing" if today > due else "open")
            missing += status == "missing"
            late += status == "late"
            cells[period] = status
        rows.append((category, label, kind, cells))
    return Board(periods, rows, missing, late)


def board(p: Principal, project_id: int, today: date | None = None) -> Board:
    """The board of a project ``p`` may see. :raises NotFound: otherwise."""
    return board_of(projects.get(p, project_id), today or today_in_beijing())


def county(p: Principal, today: date | None = None) -> list[tuple[Project, Board]]:
    """Every project ``p`` may see with its board, the riskiest first (grade, then missing,
    then late documents)."""
    today = today or today_in_beijing()
    found = [(project, board_of(project, today)) for project in projects.visible(p)]
    return sorted(found, key=lambda pb: (GRADES.index(pb[1].grade), -pb[1].missing,
                                         -pb[1].late, pb[0].id))
