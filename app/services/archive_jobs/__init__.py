"""The archive over the years: the evidence packages of a search result as one ZIP, and the
batch re-verification of an employer's or a period's filings, each as a job with progress.

Its use cases (each one transaction; the job handler commits its progress as it goes) are
listed in ``__all__``; the reads are in its modules (:mod:`.requests`: a job for its asker and
its progress; :mod:`.bulk_evidence`: the stored ZIP's parts). ``follow`` is the progress
poll, which with ``JOBS_INLINE`` also runs a job still queued; ``purge_exports`` deletes the
parts of expired and failed ZIPs (daily, scheduled).
"""

from __future__ import annotations

from app.services.archive_jobs.bulk_evidence import purge_exports
from app.services.archive_jobs.requests import request_evidence_zip, request_reverify
from app.services.archive_jobs.runner import follow, run_archive_job, run_now

__all__ = [
    "request_evidence_zip",
    "request_reverify",
    "follow",
    "run_archive_job",
    "run_now",
    "purge_exports",
]
