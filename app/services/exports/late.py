"""Late filings for auditors and bureau keys: registrations and deregistrations filed after
their deadline (:mod:`.deadlines`), within the reader's scope, over a period of filing dates.

The deadlines are computed in SQL (:mod:`.late_sql`): the database selects, counts and pages
the late ones; only the page's filings are loaded and turned into records."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Select, func, select
from sqlalchemy.orm import joinedload

from app.domain import typed
from app.domain.beijing import BEIJING
from app.domain.expiry import today_in_beijing
from app.domain.typed import Msg
from app.errors import ValidationFailed
from app.extensions import db
from app.models import Contract, Filing
from app.services.exports import late_sql
from app.services.exports.records import FilingRecord, record_of, visible
from app.services.platform import access_log
from app.services.platform.principal import Principal

MAX_DAYS = 366  # the longest period one page looks at
PAGE_SIZE = 100
MAX_PAGE = 100_000
#: the dates a period may span (later ones overflow the day after the period's end)
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2999, 12, 31)
LABELS = {"from": "开始日期", "to": "结束日期", "page": "页码"}
PAGE_RANGE = "%(label)s应在1到%(limit)s之间"
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


@dataclass(frozen=True)
class LatePage:
    """One page of late filings: the period, the rows (record, document), the total count
    and the page number (from 1) with the last page."""

    start: date
    end: date
    rows: list[tuple[FilingRecord, Contract]]
    total: int
    page: int

    @property
    def pages(self) -> int:
        """The number of pages (at least 1)."""
        return max(1, -(-self.total // PAGE_SIZE))


def late_query(p: Principal, start: date, end: date) -> Select:
    """``SELECT id, count(*) OVER ()`` of the registrations and deregistrations ``p`` may see
    filed late between ``start`` and ``end`` (Beijing dates), oldest first; the deadlines are
    computed in the statement (:mod:`.late_sql`)."""
    lo = datetime.combine(start, time.min, BEIJING).astimezone(UTC)
    hi = datetime.combine(end + timedelta(days=1), time.min, BEIJING).astimezone(UTC)
    period = (select(Filing.id, Filing.archived_at, late_sql.event_day().label("event"),
                     late_sql.allowed().label("allowed"))
              .join(Filing.contract).join(Contract.organization)
              .where(visible(p), Contract.document_kind.in_(("contract", "termination")),
                     Contract.renewal_of_id.is_(None),
                     Filing.archived_at >= lo, Filing.archived_at < hi)
              # OFFSET 0 keeps PostgreSQL from inlining this: each row's terms (JSON text)
              # are then parsed once, not once per use of the event day (~30 % faster)
              .offset(0).subquery("period"))
    return (select(period.c.id, func.count().over())
            .where(late_sql.days_taken(period.c.archived_at, period.c.event) > period.c.allowed)
            .order_by(period.c.archived_at, period.c.id))


def late_filings(p: Principal, start: date, end: date, *, page: int = 1,
                 size: int | None = None) -> tuple[list[tuple[FilingRecord, Contract]], int]:
    """Page ``page`` of the late filings ``p`` may see between ``start`` and ``end``, oldest
    first, each with its document (masked ID for pages), and how many there are in all (the
    count rides along with the page: one scan of the period)."""
    query, size = late_query(p, start, end), size or PAGE_SIZE
    late_sql.plan_per_period()
    cut = db.session.execute(query.offset((page - 1) * size).limit(size)).all()
    ids = [fid for fid, _ in cut]
    if cut:
        total = cut[0][1]
    else:  # past the last page: count on its own
        total = db.session.scalar(select(func.count()).select_from(query.subquery())) \
            if page > 1 else 0
    found = db.session.scalars(
        select(Filing).where(Filing.id.in_(ids))
        .options(joinedload(Filing.contract).joinedload(Contract.organization),
                 joinedload(Filing.contract).joinedload(Contract.worker),
                 joinedload(Filing.contract).joinedload(Contract.parent))
        .order_by(Filing.archived_at, Filing.id)).unique().all() if ids else []
    return [(record_of(f), f.contract.parent or f.contract) for f in found], total


def _page_number(data) -> int:
    raw = data.get("page")
    number, problem = (1, None) if raw in (None, "") else typed.integer(raw)
    if problem or number is None or not 1 <= number <= MAX_PAGE:
        raise ValidationFailed("页码有误", fields={"page": Msg(
            problem or PAGE_RANGE, label=Msg(LABELS["page"]), limit=MAX_PAGE)})
    return number


def late_page(p: Principal, data, today: date | None = None) -> LatePage:
    """The late filings of the period in ``data`` (``from``, ``to``; ``page`` from 1) for
    ``p``, a page of :data:`PAGE_SIZE`, recorded in the access log as a search.

    :raises ValidationFailed: a bad period (see :func:`period`) or page number.
    """
    start, end = period(data, today or today_in_beijing())
    page = _page_number(data)
    rows, total = late_filings(p, start, end, page=page)
    access_log.record(p, "search", criteria={"view": "late_filings", "from": start.isoformat(),
                                             "to": end.isoformat(), "page": page}, count=total)
    db.session.commit()
    return LatePage(start, end, rows, total, page)
