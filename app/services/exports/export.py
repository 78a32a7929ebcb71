"""The filings export use case: the next page of records after a cursor, as one document.

Completeness: filings are read in ``(archived_at, id)`` order strictly after the cursor's
position, and only those archived at least ``FILING_EXPORT_LAG_SECONDS`` ago. A filing's
``archived_at`` is set in the filing transaction, seconds before it commits; a filing that
commits late (after a later one was already exported) is still ahead of every cursor handed
out, because no cursor ever passes a moment younger than the lag. Equal timestamps are ordered
by id. So a caller who always continues from the returned cursor gets every record once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app

from app.errors import ValidationFailed
from app.extensions import db
from app.models.base import utcnow
from app.services.exports import cursor as cursors
from app.services.exports import records
from app.services.exports.formats import exporter
from app.services.exports.records import FilingRecord
from app.services.platform import access_log
from app.services.platform.principal import Principal

REGION = re.compile(r"\d{2,6}")


@dataclass(frozen=True)
class ExportPage:
    """One page of the export: its records, the document, and the cursor to continue from."""

    records: list[FilingRecord]
    body: bytes
    media_type: str
    next_cursor: str
    more: bool


def export_filings(p: Principal, *, cursor: str | None = None, since: date | None = None,
                   fmt: str = "json", region: str | None = None, limit: int | None = None,
                   now: datetime | None = None) -> ExportPage:
    """The filings ``p`` may export after ``cursor`` (or from ``since``, else from the start).

    :raises ValidationFailed: a forged or edited cursor, or one issued to another actor or
        for another region or format (``cursor``), an unknown format
        (``format``), a region that is not 2–6 digits (``region``).
    """
    writer = exporter(fmt)
    if region is not None and not REGION.fullmatch(region):
        raise ValidationFailed("地区代码应为 2 到 6 位数字", fields={"region": "地区代码应为 2 到 6 位数字"})
    binding = cursors.Binding(p.actor, region, fmt)
    if cursor:
        after = cursors.decode(cursor, binding)
    else:
        after = cursors.since(since or date(2000, 1, 1))
    config = current_app.config
    page = max(1, min(limit or config["FILING_EXPORT_PAGE"], config["FILING_EXPORT_PAGE"]))
    rows = records.read(p, after, now=now or utcnow(),
                        lag=timedelta(seconds=config["FILING_EXPORT_LAG_SECONDS"]),
                        region=region, limit=page)
    found = [r for _, r in rows]
    position = records.position_of(rows[-1][0]) if rows else after
    record_access(p, count=len(found),
                  criteria={"region": region, "format": fmt, "from": after.archived_at.isoformat()})
    db.session.commit()
    return ExportPage(found, writer.render(found), writer.media_type,
                      cursors.encode(position, binding), more=len(rows) == page)


def record_access(p: Principal, *, count: int, criteria: dict) -> None:
    """Record the export in the access log (action ``export_filings``), in the same
    transaction. The access log records auditors' and platform admins' reads; a bureau key's
    reads are recorded by it only once it knows that kind of principal."""
    access_log.record(p, "export_filings", criteria=criteria, count=count)
