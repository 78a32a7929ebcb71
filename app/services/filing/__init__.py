"""Filing and the archive's readers: the signed contract filed as the employment record
(网签即用工备案, exactly once, as a job), evidence packages, verification against the platform
root, auditors' scoped search, the staff register, the archive's integrity check and its
mirror to a second store (backups).

Its use cases (each one transaction; job handlers and event subscribers run in the
transaction of the job or event) are listed in ``__all__`` below; reads and helpers are
in its modules.
"""

from __future__ import annotations

from app.services.filing.archive_check import check_archive
from app.services.filing.archive_mirror import mirror_archive
from app.services.filing.evidence import evidence_package
from app.services.filing.filing import file_contract
from app.services.filing.print_copy import certified_copy
from app.services.filing.renewal import queue_renewals, renew_filing_timestamp
from app.services.filing.search import auditable_contract as open_for_audit

__all__ = [
    "file_contract",
    "evidence_package",
    "open_for_audit",
    "certified_copy",
    "check_archive",
    "mirror_archive",
    "queue_renewals",
    "renew_filing_timestamp",
]
