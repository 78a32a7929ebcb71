"""Late filings for auditors: registrations and deregistrations filed after their deadline
(:mod:`.deadlines`), within the auditor's scope, over a period of filing dates."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.domain import typed
from app.domain.beijing import BEIJING
from app.domain.expiry import today_in_beijing
from app.domain.typed import Msg
from app.errors import ValidationFailed
from app.extensions import db
from app.models import Contract, Filing
from app.services.exports.records import FilingRecord, record_of
from app.services.platform import access_log, scope
from app.services.platform.principal import Principal

MAX_DAYS = 366  # the longest period one page looks at
#: the dates a period may span (later ones overflow the day after the period's end)
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2999, 12, 31)
LABELS = {"from": "开始日期", "to": "结束日期"}
DAY_RANGE = "%(label)s应在1900-01-01至2999-12-31之间"


def _day(data, name: str, default: date) -> date:
    raw = data.get(name)
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return default
    day, problem = typed.iso_date(raw)
    if problem or not FIRST_DAY <= day <= LAST_DAY:
        raise ValidationFailed("日期有误，请检查标出的字段", fields={
            name: Msg(problem or DAY_RANGE, label=Msg(LABELS[name]))})
    return day


def period(data, today: date) -> tuple[date, date]:
    """The period (``from``, ``to``; default the last 90 days) asked for in ``data``.

    :raises ValidationFailed: a malformed date, or a period reversed or longer than a year.
    """
    start, end = _day(data, "from", today - timedelta(days=90)), _day(data, "to", today)
    if end < start or (end - start).days > MAX_DAYS:
        raise ValidationFailed("期间无效（最长一年）", fields={"to": "期间无效（最长一年）"})
    return start, end


def late_filings(p: Principal, start: date, end: date) -> list[tuple[FilingRecord, Contract]]:
    """Registrations and deregistrations ``p`` may see filed late between ``start`` and
    ``end`` (Beijing dates), oldest first; each with its document (masked ID for pages)."""
    lo = datetime.combine(start, time.min, BEIJING).astimezone(UTC)
    hi = datetime.combine(end + timedelta(days=1), time.min, BEIJING).astimezone(UTC)
    found = db.session.scalars(
        select(Filing).join(Filing.contract)
        .where(scope.organization_filter(p, Contract.organization_id),
               Contract.document_kind.in_(("contract", "termination")),
               Contract.renewal_of_id.is_(None),
               Filing.archived_at >= lo, Filing.archived_at < hi)
        .options(joinedload(Filing.contract).joinedload(Contract.organization),
                 joinedload(Filing.contract).joinedload(Contract.worker),
                 joinedload(Filing.contract).joinedload(Contract.parent))
        .order_by(Filing.archived_at, Filing.id)).unique().all()
    out = []
    for filing in found:
        record = record_of(filing)
        if record.late:
            out.append((record, filing.contract.parent or filing.contract))
    return out


def late_page(p: Principal, data, today: date | None = None):
    """The late filings of the period in ``data`` (``from``, ``to``) for ``p``'s page,
    recorded in the access log as a search; returns ``(start, end, rows)``.

    :raises ValidationFailed: a bad period (see :func:`period`).
    """
    start, end = period(data, today or today_in_beijing())
    rows = late_filings(p, start, end)
    access_log.record(p, "search", criteria={"view": "late_filings", "from": start.isoformat(),
                                             "to": end.isoformat()}, count=len(rows))
    db.session.commit()
    return start, end, rows
