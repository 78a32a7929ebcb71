"""Batch re-verification (a ``reverify`` archive job): every filing of an employer or a period,
within the asker's scope, checked as a single auditor's check would
(:func:`app.services.filing.verification.for_filing`): the archived PDF's SHA-256 against the
filing's, then every signature and time-stamp against the platform root and its CRLs.

The summary counts the valid and the invalid filings and lists each invalid one — its filing
number, contract, and why (``archive``: the archived file is missing or differs from what was
filed; ``signature``: the signatures no longer validate, with the report's bottom line;
``error``: the verifier itself failed on that file — one odd PDF does not stop the others).
An unreachable archive (or database) is no verdict: the job fails that attempt and is retried.
"""

from __future__ import annotations

import logging
from datetime import date

from flask import current_app
from sqlalchemy.exc import SQLAlchemyError

from app.domain.typed import Msg
from app.errors import ServiceUnavailable
from app.extensions import db
from app.models import Contract, Filing
from app.models.archive_job import ArchiveJob
from app.services.archive_jobs import selection
from app.services.filing import verification
from app.services.platform.access_log import mask_text
from app.services.platform.principal import Principal

log = logging.getLogger(__name__)
#: invalid filings listed in the summary (all are counted)
LISTED = 1000
VERIFIER_FAILED = "核验程序无法处理该文件（%(error)s）"


def check(filing: Filing) -> dict | None:
    """Why ``filing`` is not valid now (``kind``, ``reason`` in Chinese, ``reason_en`` when the
    verifier gave one), or None when it is."""
    try:
        report = verification.for_filing(filing)
    except verification.ArchiveMismatch as exc:
        return {"kind": "archive", "reason": str(exc)}
    except (ServiceUnavailable, SQLAlchemyError):
        raise  # an outage, not a verdict on this filing: the attempt fails and is retried
    except Exception as exc:  # noqa: BLE001 - one file the verifier chokes on: invalid, go on
        error = mask_text(f"{type(exc).__name__}: {exc}")[:200]
        log.warning("re-verification of filing %s failed: %s", filing.id, error)
        return {"kind": "error", "reason": str(Msg(VERIFIER_FAILED, error=error)),
                "reason_en": f"The verifier could not process this file ({error})"}
    if not report.ok:
        return {"kind": "signature", "reason": report.summary_zh, "reason_en": report.summary_en}
    return None


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def build(job: ArchiveJob, p: Principal, progress) -> None:
    """Re-verify the filings of ``job`` (the handler's work; commits as it goes)."""
    crit, cap = job.criteria, current_app.config["ARCHIVE_REVERIFY_MAX_FILINGS"]
    ids = list(db.session.scalars(selection.filings_to_verify(
        p, crit.get("organization_id"), _day(crit.get("since")), _day(crit.get("until")))
        .limit(cap + 1)))
    if len(ids) > cap:
        raise ValueError(f"{len(ids)} filings, over ARCHIVE_REVERIFY_MAX_FILINGS")
    progress.start(len(ids))
    problems = []
    for filing_id in ids:
        filing = db.session.get(Filing, filing_id)
        problem = check(filing)
        if problem and len(problems) < LISTED:
            contract = db.session.get(Contract, filing.contract_id)
            problems.append({"filing_number": filing.number, "contract_id": contract.id,
                             "contract_no": contract.contract_no, **problem})
        progress.step(invalid=problem is not None)
    job.summary = {"valid": progress.done - progress.invalid, "invalid": progress.invalid,
                   "problems": problems}
    progress.save()
