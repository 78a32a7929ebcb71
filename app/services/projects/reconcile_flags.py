"""The flags of a reconciliation, kept set-wise: the project's stored flags read as plain
rows, the ones no longer found resolved and the ones found again reopened by one UPDATE per
batch of ids, the new ones written by one multi-row INSERT (no ORM unit of work per row).
The same outcome as the row-by-row path it replaced (``tests/app/test_reconcile_equivalence.py``).
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import insert, select, update

from app.domain import wages
from app.extensions import db
from app.models import Project, WageFlag
from app.services.projects.reconcile_sets import Line, thresholds_by_month

BATCH = 5000  # ids per UPDATE
COLUMNS = ("project_id", "month", "id_hash", "id_masked", "organization_id", "flag", "params",
           "at_risk", "raised_at")


def project_flags(project: Project, items: list[Line], today: date,
                  t: wages.Thresholds | None = None) -> dict:
    """Per month whose pay window has closed (the end of the following month): the
    project-month flags (workers paid ÷ workers attending)."""
    closed: dict[str, bool] = {}
    attending: dict[str, int] = defaultdict(int)
    paid: dict[str, int] = defaultdict(int)
    for line in items:
        month = line.month
        if month not in closed:
            closed[month] = today > wages.next_month_end(month)
        if line.result.days and closed[month]:
            attending[month] += 1
            paid[month] += line.result.paid > 0
    return month_flags(project, attending, paid, today, t)


def month_flags(project: Project, attending: dict[str, int], paid: dict[str, int],
                today: date, t: wages.Thresholds | None = None) -> dict:
    """The project-month flags of the months whose pay window has closed, from the workers
    attending and paid in each."""
    threshold = thresholds_by_month(project, t)
    return {month: wages.project_month(n, paid.get(month, 0), threshold(month))
            for month, n in attending.items() if today > wages.next_month_end(month)}


def found(items: list[Line], months: dict) -> dict[tuple[str, str, str], tuple]:
    """Every flag found: (month, keyed hash or "" for the project, flag) → (line, params)."""
    current: dict[tuple[str, str, str], tuple[Line | None, dict]] = {}
    for line in items:
        for flag, params in line.result.flags.items():
            current[(line.month, line.id_hash, flag)] = (line, params)
    for month, flags in months.items():
        for flag, params in flags.items():
            current[(month, "", flag)] = (None, params)
    return current


def _set_resolved(ids: list[int], when: datetime | None) -> None:
    table = WageFlag.__table__
    for at in range(0, len(ids), BATCH):
        db.session.execute(update(table).where(table.c.id.in_(ids[at:at + BATCH]))
                           .values(resolved_at=when))


def keep(project: Project, current: dict[tuple[str, str, str], tuple], now: datetime,
         scope: set[tuple[str, str]] | None = None) -> list[WageFlag]:
    """Store the flags found (``current``, from :func:`found`) for the project: flags no
    longer found are marked resolved, one that comes back is reopened, new ones are inserted
    (not committed). ``scope``: only the (month, keyed hash or "") pairs reconciled, the
    project's other flags left as they are. Returns the new flags (not attached to the
    session)."""
    stored: set[tuple[str, str, str]] = set()
    resolve: list[int] = []
    reopen: list[int] = []
    within = [] if scope is None else [WageFlag.month.in_(sorted({m for m, _ in scope}))]
    for flag_id, month, id_hash, flag, open_ in db.session.execute(
            select(WageFlag.id, WageFlag.month, WageFlag.id_hash, WageFlag.flag,
                   WageFlag.resolved_at.is_(None)).where(WageFlag.project_id == project.id,
                                                         *within)):
        if scope is not None and (month, id_hash) not in scope:
            continue
        key = (month, id_hash, flag)
        stored.add(key)
        if key not in current and open_:
            resolve.append(flag_id)
        elif key in current and not open_:
            reopen.append(flag_id)
    _set_resolved(resolve, now)
    _set_resolved(reopen, None)
    rows = []
    for (month, id_hash, flag), (line, params) in current.items():
        if (month, id_hash, flag) in stored:
            continue
        rows.append((project.id, month, id_hash, line.id_masked if line else "",
                     line.organization_id if line else None, flag,
                     {k: str(v) for k, v in params.items()},
                     str(line.result.at_risk if line else Decimal(0)), now))
    _insert(rows)
    return [WageFlag(**dict(zip(COLUMNS, r, strict=True))) for r in rows]


def _insert(rows: list[tuple]) -> None:
    """New flags into ``wage_flags``: PostgreSQL by COPY (a county's first run raises tens of
    thousands), else one multi-row INSERT."""
    if not rows:
        return
    if db.session.get_bind().dialect.name != "postgresql":
        db.session.execute(insert(WageFlag.__table__),
                           [dict(zip(COLUMNS, r, strict=True)) for r in rows])
        return
    raw = db.session.connection().connection.driver_connection  # this transaction's
    params = COLUMNS.index("params")
    with raw.cursor() as cursor, cursor.copy(
            f"COPY wage_flags ({', '.join(COLUMNS)}) FROM STDIN") as copy:
        for r in rows:  # JSON as SQLAlchemy's JSON type writes it (json.dumps)
            copy.write_row(r[:params] + (json.dumps(r[params]),) + r[params + 1:])
