"""The filings export use case: the next page of records after a cursor, as one document.

Completeness without a time lag: each page first numbers the filings committed since the last
step (:func:`.sequence.number_pending`, its own short serialized transaction), then reads the
numbered ones after the cursor's number, in number order. Numbers are given only to committed,
visible filings and the numbering steps run one after the other, so number N+1 is never
visible before N: a filing that commits late (after a later one was already exported) gets a
number after everything sent so far and comes on a later page. A caller who always continues
from the returned cursor (the last number sent) gets every record exactly once, at once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date

from flask import current_app

from app.errors import ValidationFailed
from app.extensions import db
from app.services.exports import cursor as cursors
from app.services.exports import records, sequence
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
                   fmt: str = "json", region: str | None = None,
                   limit: int | None = None) -> ExportPage:
    """The filings ``p`` may export after ``cursor`` (or archived from ``since``, else all).

    :raises ValidationFailed: a forged or edited cursor, one issued to another actor or for
        another region or format, or one of the earlier format, of an export generation
        before a restore or past where the database now is — its filing no longer holds its
        number, or the counter is below it: a point-in-time recovery or a failover —
        (``cursor``), an unknown format
        (``format``), a region that is not 2–6 digits (``region``).
    """
    writer = exporter(fmt)
    if region is not None and not REGION.fullmatch(region):
        raise ValidationFailed("地区代码应为 2 到 6 位数字", fields={"region": "地区代码应为 2 到 6 位数字"})
    binding = cursors.Binding(p.actor, region, fmt, sequence.generation())
    if cursor:
        after = cursors.decode(cursor, binding)
        if sequence.rolled_back(after):  # a restore, point-in-time recovery or failover
            raise cursors.outdated()
    else:
        after = cursors.since(since) if since else cursors.Position(0)
    cap = current_app.config["FILING_EXPORT_PAGE"]
    page = max(1, min(limit or cap, cap))
    _, pending = sequence.number_pending()
    rows = records.read(p, after, region=region, limit=page)
    found = [r for _, r in rows]
    position = (replace(records.position_of(rows[-1][0], after), filing=rows[-1][0].id)
                if rows else after)
    record_access(p, count=len(found), criteria={"region": region, "format": fmt,
                                                 "after": after.seq, "floor": after.floor})
    db.session.commit()
    return ExportPage(found, writer.render(found), writer.media_type,
                      cursors.encode(position, binding), more=len(rows) == page or pending)


def record_access(p: Principal, *, count: int, criteria: dict) -> None:
    """Record the export in the access log (action ``export_filings``), in the same
    transaction. The access log records auditors' and platform admins' reads; a bureau key's
    reads are recorded by it only once it knows that kind of principal."""
    access_log.record(p, "export_filings", criteria=criteria, count=count)


def new_export_generation() -> int:
    """Start a new export generation and commit; return it (``flask filings new-generation``,
    run by ``deploy/backup/restore.sh``). Every cursor issued before then answers 422
    ``cursor_outdated``: after a restore the counter may be behind numbers the bureau systems
    already received, and a cursor past them would skip the filings numbered again."""
    value = sequence.new_generation()
    db.session.commit()
    return value
