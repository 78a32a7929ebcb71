"""Beijing time for everything a person reads: document numbers, dates and times on pages.

Storage stays in UTC; a date or time is turned into Beijing time (Asia/Shanghai, UTC+8, no
daylight saving) only where it is shown or printed. At 23:30 UTC on 6 December it is already
07:30 on 7 December in Beijing, and a contract made then is numbered HT20261207….
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

BEIJING = ZoneInfo("Asia/Shanghai")


def in_beijing(moment: datetime) -> datetime:
    """``moment`` in Beijing time (a naive datetime is taken as UTC, as the database keeps it)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(BEIJING)


def beijing_date(moment: datetime) -> date:
    """The Beijing calendar date of ``moment``."""
    return in_beijing(moment).date()


def document_number(prefix: str, seq: int, moment: datetime) -> str:
    """A document number: ``prefix``, the Beijing date of ``moment`` and a 6-digit sequence
    (``HT20261207000042``)."""
    return f"{prefix}{beijing_date(moment):%Y%m%d}{seq:06d}"
