"""Filing deadlines per region: registration (用工登记) within N days of the contract's start,
deregistration (用工注销) within N days after the last working day.

Reading of "以内" (就业服务与就业管理规定 art. 62): the day N itself is on time. A contract
starting on 1 March, registered on 31 March (day 30), is on time; on 1 April (day 31) it is one
day late. A filing before the start is on time. Days are Beijing calendar days.

Settings: ``FILING_REGISTER_DAYS`` / ``FILING_DEREGISTER_DAYS`` (defaults 30 / 15) and the
overrides ``FILING_REGISTER_DAYS_BY_REGION`` / ``FILING_DEREGISTER_DAYS_BY_REGION``, e.g.
``"4301=30,430121=20"``: the longest region-code prefix matching the employer's region wins.
:func:`check_settings` refuses a malformed value when the app starts (naming the setting),
rather than failing every export and late list later.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app

_ENTRY = re.compile(r"\s*(\d{1,6})\s*=\s*(\d{1,4})\s*")
SETTINGS = {"registration": ("FILING_REGISTER_DAYS", "FILING_REGISTER_DAYS_BY_REGION"),
            "deregistration": ("FILING_DEREGISTER_DAYS", "FILING_DEREGISTER_DAYS_BY_REGION")}


@dataclass(frozen=True)
class Deadline:
    """When a filing was due and how many days late it was (0: on time)."""

    due_on: date
    days_late: int

    @property
    def late(self) -> bool:
        """Filed after the due day."""
        return self.days_late > 0


def parse_overrides(text: str) -> dict[str, int]:
    """``"4301=30,430121=20"`` -> ``{"4301": 30, "430121": 20}``.

    :raises ValueError: an entry is not ``<region digits>=<days>``.
    """
    out: dict[str, int] = {}
    for part in filter(None, (p.strip() for p in (text or "").split(","))):
        found = _ENTRY.fullmatch(part)
        if found is None:
            raise ValueError(f"bad region deadline entry {part!r} (want e.g. 4301=30)")
        out[found.group(1)] = int(found.group(2))
    return out


def check_settings(config: Mapping) -> None:
    """Check the deadline settings of ``config`` (called when the app starts).

    :raises ValueError: naming the setting that is not a whole number of days (0–9999) or
        not a list of ``<region digits>=<days>`` entries.
    """
    for default, overrides in SETTINGS.values():
        value = config.get(default)
        days = int(value) if isinstance(value, str) and value.strip().isdecimal() \
            and value.isascii() else value
        if isinstance(days, bool) or not isinstance(days, int) or not 0 <= days <= 9999:
            raise ValueError(f"{default} must be a whole number of days, got {value!r}")
        try:
            parse_overrides(config.get(overrides) or "")
        except (ValueError, AttributeError, TypeError) as exc:
            raise ValueError(f"{overrides} is malformed: {exc}") from None


def days_for(kind: str, region_code: str) -> int:
    """The deadline in days of ``kind`` (registration | deregistration) in ``region_code``."""
    default, overrides = SETTINGS[kind]
    table = parse_overrides(current_app.config.get(overrides, ""))
    matching = [p for p in table if region_code.startswith(p)]
    return table[max(matching, key=len)] if matching else int(current_app.config[default])


def deadline(kind: str, region_code: str, event_day: date, filed_day: date) -> Deadline:
    """The deadline of a filing of ``kind`` for an event (start, last working day) on
    ``event_day``, filed on ``filed_day``."""
    due = event_day + timedelta(days=days_for(kind, region_code))
    return Deadline(due, max((filed_day - due).days, 0))


_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def event_date(value: object) -> date | None:
    """The event day stored in the terms (``term_start``, ``last_working_day``) when it is a
    real ``YYYY-MM-DD`` date; anything else (``2026-02-30``, ``20261101``, year 0000, not a
    string) is no day: the filing then has no deadline — as the SQL of the late list says
    (:func:`.late_sql.event_as_date`)."""
    if not isinstance(value, str) or not _ISO_DAY.fullmatch(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None
