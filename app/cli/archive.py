"""``flask archive …``: the archive's bucket and its integrity (filled in by issue 21)."""

from __future__ import annotations

from flask.cli import AppGroup

group = AppGroup("archive", help="The archive: bucket set-up, integrity checks, backups.")
