"""``flask archive evidence-zip|reverify``: the archive over the years, from the command line."""

from __future__ import annotations

ARCHIVE_COMMANDS: tuple = ()
