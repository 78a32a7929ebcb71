"""``flask archive renew-timestamps``: the archive time-stamp renewal (PAdES-LTA)."""

from __future__ import annotations

ARCHIVE_COMMANDS: tuple = ()
