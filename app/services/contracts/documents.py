"""Contract documents in the archive store: every version's PDF (draft, sealed, signed and
later lifecycle documents) is an archive object; its ContractDocument row keeps kind,
version, key, size and SHA-256, never the bytes.

* Writes go to the store before the row is added (and so before any commit): a failed put
  raises ServiceUnavailable and adds nothing, so the use case fails cleanly.
* Reads check the bytes against the SHA-256 in the row; a mismatch or a missing object is
  an error (DocumentMismatch), never served.
* Every version except a draft is written with a retention date (when the store supports
  retention): sealed and signed documents are evidence; a voided draft may be deleted.
* One request reads a version from the store at most once (a few versions are remembered
  in ``flask.g``, checked against the row's SHA-256 when reused).
"""

from __future__ import annotations

import hashlib
import logging
from datetime import date, datetime

from flask import g, has_app_context

from app.domain.retention import keep_until
from app.errors import AppError, NotFound, ServiceUnavailable
from app.extensions import archive_ext, db
from app.models import Contract, ContractDocument
from app.models.base import utcnow

log = logging.getLogger(__name__)

UNRETAINED_KINDS = frozenset({"draft"})
CONTENT_TYPE = "application/pdf"
WRITE_FAILED = "档案库暂时无法访问，本次操作未生效，请稍后再试"
READ_FAILED = "档案库暂时无法访问，请稍后再试"
_CACHE_SIZE = 4


class DocumentMismatch(AppError):
    """The archived bytes of a document are missing or differ from its recorded SHA-256."""

    status, code = 500, "document_mismatch"


def _store():
    """The archive store (the one place this module obtains it)."""
    return archive_ext.store()


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def key_for(contract: Contract, version: int, kind: str, sha256: str) -> str:
    """``contracts/<employer USCC>/<contract no>/v<version>-<kind>-<sha256[:12]>.pdf``.

    The hash prefix makes two racing writers of one version (only one row can commit) use
    different keys, so the loser never replaces the winner's object.
    """
    org = contract.organization
    owner = org.uscc or f"org-{org.id}"
    return f"contracts/{owner}/{contract.contract_no}/v{version}-{kind}-{sha256[:12]}.pdf"


def _cache() -> dict[str, bytes]:
    return g.setdefault("contract_documents", {}) if has_app_context() else {}


def _remember(key: str, data: bytes) -> None:
    cache = _cache()
    cache.pop(key, None)
    cache[key] = data
    while len(cache) > _CACHE_SIZE:
        cache.pop(next(iter(cache)))


def retention_for(contract: Contract) -> datetime:
    """Until when the contract's documents and filing are kept (object lock): two years after
    its end — its last working day once terminated — and two years from now at least
    (:func:`app.domain.retention.keep_until`)."""
    try:
        end = contract.ended_on or date.fromisoformat(contract.terms.get("term_end") or "")
    except (TypeError, ValueError):
        end = None
    return keep_until(end, utcnow())


def _retention(contract: Contract, kind: str, store):
    if kind in UNRETAINED_KINDS or not getattr(store, "supports_retention", True):
        return None
    return retention_for(contract)


def _put(contract: Contract, key: str, pdf: bytes, kind: str, version: int) -> None:
    """Write ``pdf`` under ``key``; an identical retained object already there is fine.

    :raises ServiceUnavailable: the store cannot take it.
    """
    from archive import ArchiveError, ObjectLocked

    meta = {"contract-no": contract.contract_no, "kind": kind, "version": str(version)}
    try:
        store = _store()
        try:
            store.put(key, pdf, content_type=CONTENT_TYPE, metadata=meta,
                      retain_until=_retention(contract, kind, store))
        except ObjectLocked:  # a retry of this very write (same version, kind and hash)
            if store.stat(key).sha256 != _sha256(pdf):
                raise
    except ArchiveError as exc:
        log.warning("archive write of %s failed: %s: %s", key, type(exc).__name__, exc)
        raise ServiceUnavailable(WRITE_FAILED, code="archive_unavailable") from None


def add_version(contract: Contract, kind: str, pdf: bytes) -> ContractDocument:
    """Store ``pdf`` as the contract's next document version and add its row to the session
    (the caller commits; the object is in the store before that).

    :param kind: ``draft``, ``sealed``, ``signed`` or a later lifecycle kind.
    :raises ServiceUnavailable: the archive store cannot be written; nothing was added.
    """
    current = contract.current_document
    version = current.version + 1 if current else 1
    digest = _sha256(pdf)
    key = key_for(contract, version, kind, digest)
    _put(contract, key, pdf, kind, version)
    doc = ContractDocument(contract=contract, version=version, kind=kind, sha256=digest,
                           key=key, size=len(pdf))
    db.session.add(doc)
    _remember(key, pdf)
    return doc


def read(doc: ContractDocument) -> bytes:
    """The bytes of ``doc``, checked against its recorded SHA-256.

    :raises ServiceUnavailable: the archive store cannot be reached.
    :raises DocumentMismatch: the object is missing, fails the store's own check, or does
        not hash to the row's SHA-256.
    """
    from archive import ArchiveError, ArchiveUnavailable, ObjectNotFound

    cached = _cache().get(doc.key)
    if cached is not None and _sha256(cached) == doc.sha256:
        return cached
    where = {"contract_no": doc.contract.contract_no, "version": doc.version}
    try:
        data = _store().get(doc.key)
        reason = None if _sha256(data) == doc.sha256 else "sha256 differs from the row"
    except ArchiveUnavailable:
        raise ServiceUnavailable(READ_FAILED, code="archive_unavailable") from None
    except ObjectNotFound:
        log.error("contract document %s is missing from the archive", doc.key)
        raise DocumentMismatch("合同文件在档案库中缺失（合同 %(contract_no)s 第 %(version)s 版）",
                               **where) from None
    except ArchiveError as exc:  # e.g. IntegrityError: the store's own check failed
        reason = str(exc)
    if reason is not None:
        log.error("contract document %s failed its check: %s", doc.key, reason)
        raise DocumentMismatch(
            "合同文件与记录的 SHA-256 不一致，已拒绝提供（合同 %(contract_no)s 第 %(version)s 版）",
            **where)
    _remember(doc.key, data)
    return data


def current_pdf(contract: Contract) -> bytes:
    """The bytes of the contract's newest document version (read once, checked).

    :raises NotFound: the contract has no document yet.
    """
    doc = contract.current_document
    if doc is None:
        raise NotFound("合同文件不存在", code="document_not_found")
    return read(doc)


def stored(doc: ContractDocument):
    """``doc``'s archive object as the store would describe it (from its row, no request):
    what a filing or a manifest refers to."""
    from archive import StoredObject

    return StoredObject(key=doc.key, size=doc.size, sha256=doc.sha256, content_type=CONTENT_TYPE)
