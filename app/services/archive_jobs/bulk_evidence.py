"""The evidence packages of a search result as one ZIP (an ``evidence_zip`` archive job).

The ZIP holds one folder per filed contract, named by its filing number, with that contract's
evidence package (:func:`app.services.filing.evidence.evidence_package`: signed PDF, manifest,
trails, verification report, certificates, CRLs, ``SHA256SUMS``, ``README.txt``) unpacked in
it, so ``sha256sum -c SHA256SUMS`` runs in each folder; ``INDEX.csv`` lists the folders and
``SKIPPED.csv`` any contract whose archived files did not match its filing (none normally).

The ZIP is written to a temporary file as it grows (one package in memory at a time) and
stored in the archive under ``exports/<job>/<run>/part-NNNNN`` in parts of
``ARCHIVE_EXPORT_PART_BYTES``, retained ``ARCHIVE_EXPORT_DAYS`` days: a copy for download, not
an archive record. The download streams the parts back in order, each checked by the store.
"""

from __future__ import annotations

import csv
import hashlib
import io
import secrets
import tempfile
import zipfile
from collections.abc import Iterator
from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from app.errors import Gone, NotFound
from app.extensions import archive_ext, db
from app.models import Contract, Filing
from app.models.archive_job import ArchiveJob
from app.models.base import utcnow
from app.services.archive_jobs import selection
from app.services.archive_jobs.requests import search_params
from app.services.filing import evidence, verification
from app.services.platform.principal import Principal
from archive.store import normalize_retain_until

PREFIX = "exports"
EXPIRED = "证据包下载已过期，请重新生成"
NOT_READY = "证据包尚未生成完毕"
INDEX_HEADER = ("folder", "filing_number", "contract_no", "employer", "employer_uscc")


def _entry(name: str, stamp: tuple, deflate: bool = True) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=stamp)
    info.compress_type = zipfile.ZIP_DEFLATED if deflate else zipfile.ZIP_STORED
    info.create_system = 3
    info.external_attr = 0o644 << 16
    return info


def _add_package(out: zipfile.ZipFile, folder: str, package: bytes) -> None:
    """The files of one evidence package, unpacked under ``folder/`` (same names, times)."""
    with zipfile.ZipFile(io.BytesIO(package)) as inner:
        for info in inner.infolist():
            out.writestr(_entry(f"{folder}/{info.filename}", info.date_time,
                                deflate=not info.filename.endswith(".pdf")),
                         inner.read(info))


def _csv(header: tuple, rows: list[tuple]) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(header)
    writer.writerows(rows)
    return text.getvalue().encode("utf-8-sig")  # opens in Excel with its Chinese intact


def purge_exports() -> dict:
    """Delete what the evidence ZIPs left in the archive once it is of no use (commits): the
    parts of every ZIP whose download has expired, and everything under ``exports/<job>/`` of
    a job that failed for good (its attempts' parts). Objects still retained (or unreachable)
    are left for the next run; a job whose prefix is empty is marked purged and not looked at
    again. Run daily by the scheduler (``archive-exports-purge``) and by ``flask archive
    purge-exports``.

    :return: ``{"deleted": objects deleted, "jobs": jobs cleared, "left": objects left}``.
    """
    from sqlalchemy import and_, or_

    from archive import ArchiveError

    store, out = archive_ext.store(), {"deleted": 0, "jobs": 0, "left": 0}
    due = db.session.scalars(select(ArchiveJob).where(
        ArchiveJob.kind == "evidence_zip", ArchiveJob.purged_at.is_(None),
        or_(ArchiveJob.status == "failed",
            and_(ArchiveJob.status == "done", ArchiveJob.expires_at < utcnow())))
        .order_by(ArchiveJob.id)).all()
    for old in due:
        left = 0
        for obj in list(store.list(f"{PREFIX}/{old.id}/")):
            try:
                store.delete(obj.key)
                out["deleted"] += 1
            except ArchiveError:  # still retained (or gone meanwhile): try again next time
                left += 1
        out["left"] += left
        if not left:
            old.result_key, old.purged_at = None, utcnow()
            out["jobs"] += 1
    db.session.commit()
    return out


def build(job: ArchiveJob, p: Principal, progress) -> None:
    """Build and store the ZIP of ``job`` (the handler's work; commits as it goes)."""
    cap = current_app.config["ARCHIVE_ZIP_MAX_CONTRACTS"]
    pairs = db.session.execute(selection.search_filings(p, search_params(job))
                               .limit(cap + 1)).all()
    if len(pairs) > cap:
        raise ValueError(f"{len(pairs)} filed contracts, over ARCHIVE_ZIP_MAX_CONTRACTS")
    progress.start(len(pairs))
    stamp = utcnow().timetuple()[:6]
    index, skipped = [], []
    with tempfile.TemporaryFile(prefix="evidence-") as tmp:
        with zipfile.ZipFile(tmp, "w", allowZip64=True) as out:
            for contract_id, filing_id in pairs:
                contract, filing = db.session.get(Contract, contract_id), db.session.get(Filing, filing_id)
                number = filing.number
                row = (number, number, contract.contract_no, contract.organization.name,
                       contract.organization.uscc)
                try:
                    _, package = evidence.evidence_package(contract, filing, actor=p.actor)
                except verification.ArchiveMismatch as exc:
                    db.session.rollback()
                    skipped.append((*row[1:3], str(exc)))
                    progress.step(invalid=True)
                    continue
                _add_package(out, number, package)
                index.append(row)
                progress.step()
            out.writestr(_entry("INDEX.csv", stamp), _csv(INDEX_HEADER, index))
            if skipped:
                out.writestr(_entry("SKIPPED.csv", stamp),
                             _csv(("filing_number", "contract_no", "reason"), skipped))
        parts = _store(job, tmp, progress)
    job.summary = {"packages": len(index), "parts": parts, "skipped": [
        {"filing_number": s[0], "contract_no": s[1], "reason": s[2]} for s in skipped]}
    progress.save()


def _store(job: ArchiveJob, tmp, progress) -> list[dict]:
    """Store the finished ZIP (``tmp``) in parts, extending the job's lease after each (a
    large ZIP's upload may outlast one lease); the job gets its key, size and SHA-256.

    :return: the parts in order (key, size, SHA-256).
    """
    config = current_app.config
    store = archive_ext.store()
    until = normalize_retain_until(utcnow() + timedelta(days=config["ARCHIVE_EXPORT_DAYS"]))
    retain = until if store.supports_retention else None
    prefix = f"{PREFIX}/{job.id}/{secrets.token_hex(4)}"  # a new run never meets an old one
    digest, parts, size = hashlib.sha256(), [], 0
    tmp.seek(0)
    while chunk := tmp.read(max(1, config["ARCHIVE_EXPORT_PART_BYTES"])):
        digest.update(chunk)
        key = f"{prefix}/part-{len(parts):05d}"
        stored = store.put(key, chunk, content_type="application/octet-stream",
                           retain_until=retain, metadata={"archive-job": str(job.id)})
        parts.append({"key": key, "size": len(chunk), "sha256": stored.sha256})
        size += len(chunk)
        progress.keep()
    job.result_key, job.result_size, job.sha256 = prefix, size, digest.hexdigest()
    job.expires_at = until
    return parts


def zip_name(job: ArchiveJob) -> str:
    """The download's file name (ASCII)."""
    return f"evidence-{job.id}-{job.created_at.strftime('%Y%m%d')}.zip"


def zip_parts(job: ArchiveJob) -> Iterator[bytes]:
    """The stored ZIP of a finished ``evidence_zip`` job, part by part (each checked against
    its SHA-256 by the store).

    :raises NotFound: the job has not finished its ZIP.
    :raises Gone: its download has expired (the copy may be gone).
    """
    if job.kind != "evidence_zip" or job.status != "done":
        raise NotFound(NOT_READY, code="export_not_ready")
    if not job.result_key or (job.expires_at is not None and job.expires_at <= utcnow()):
        raise Gone(EXPIRED, code="export_expired")
    keys = [part["key"] for part in (job.summary or {}).get("parts", [])]
    store = archive_ext.store()

    def chunks() -> Iterator[bytes]:
        for key in keys:
            yield store.get(key)

    return chunks()
