"""``flask security report``: a checklist of the running configuration (issue 21)."""

from __future__ import annotations

from flask.cli import AppGroup

group = AppGroup("security", help="Checks of the running configuration.")
