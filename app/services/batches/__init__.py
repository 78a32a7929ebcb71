"""Batches: a roster file (or API rows) checked row by row like single contracts, stored,
then launched as one durable job a row, watched and retried.

Its use cases (each one transaction; job handlers and event subscribers run in the
transaction of the job or event) are listed in ``__all__`` below; reads and helpers are
in its modules.
"""

from __future__ import annotations

from app.services.batches.batch_check import from_file as check_roster_file
from app.services.batches.batch_check import from_rows as check_roster_rows
from app.services.batches.batches import launch as launch_batch
from app.services.batches.batches import progress as batch_progress
from app.services.batches.batches import retry as retry_failed_rows
from app.services.batches.batches import run_row

__all__ = [
    "check_roster_file",
    "check_roster_rows",
    "launch_batch",
    "batch_progress",
    "retry_failed_rows",
    "run_row",
]
