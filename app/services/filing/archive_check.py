"""The archive's integrity check (``flask archive check``, and weekly in the scheduler):
every object the database refers to is re-read from the store and re-hashed against the
SHA-256 the database recorded.

What the database refers to (kinds, as reported):

* ``contract_document`` — every version of every contract's PDF (``contract_documents``:
  key, sha256), lifecycle documents included; the filed PDF is one of them;
* ``filing_pdf`` — a filing's signed PDF (``filings.pdf_key``, ``filings.sha256``);
* ``filing_renewal`` — each archive time-stamp renewal of it (``filing_timestamps`` rows
  with ``seq`` > 0: key, sha256);
* ``filing_manifest`` — its manifest (``manifest_key``, ``manifest_sha256``);
* ``filing_audit_trail`` — its audit trail (``audit_key``): the database keeps no hash of
  it, the manifest does (its ``documents`` list), so it is checked against the manifest once
  the manifest itself passed (against the store's recorded hash otherwise);
* ``project_document`` — construction projects' archive documents (``project_documents``).

Evidence packages and certified print copies are built on request and never stored.

Objects are streamed (one piece in memory at a time) and each key is read once however
many rows refer to it. Objects in the store that no row refers to are listed as
*unreferenced* and older versions of a key (S3) are counted, neither being an error: the
platform leaves such objects legitimately — an upload whose transaction then failed, the
first audit trail of a retried filing, a version replaced on a locked key — and object lock
keeps them until their retention ends. Problems (exit 1 of the command, a failed scheduler
run) are only a referenced object *missing*, *changed* (its bytes hash to something else)
or *unreadable*.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

from sqlalchemy import select

from app.extensions import archive_ext, db
from app.models import ContractDocument, Filing, FilingTimestamp, ProjectDocument

#: at most this many unreferenced keys are named in a report (all are counted)
UNREFERENCED_LISTED = 200
_BATCH = 500  # rows fetched per round trip


@dataclass(frozen=True)
class Problem:
    """A referenced object that failed the check.

    :param key: the object key.
    :param kind: what refers to it (``contract_document``, ``filing_manifest`` …).
    :param issue: ``missing``, ``changed`` or ``unreadable``.
    :param expected: the SHA-256 recorded for it.
    :param actual: the SHA-256 of the stored bytes ("" when missing or unreadable).
    :param detail: why it was unreadable, or where the expected hash came from.
    """

    key: str
    kind: str
    issue: str
    expected: str
    actual: str = ""
    detail: str = ""

    def line(self) -> str:
        """One line for an operator: issue, kind, key, expected vs actual (short)."""
        text = f"{self.issue} {self.kind} {self.key}: expected {self.expected[:12] or '-'}"
        text += f", found {self.actual[:12]}" if self.actual else ""
        return text + (f" ({self.detail})" if self.detail else "")


@dataclass
class CheckReport:
    """The outcome of :func:`check_archive`."""

    checked: Counter[str] = field(default_factory=Counter)  # references checked, per kind
    objects: int = 0  # distinct objects read
    bytes: int = 0
    problems: list[Problem] = field(default_factory=list)
    unreferenced: int = 0
    unreferenced_keys: list[str] = field(default_factory=list)
    older_versions: int = 0

    @property
    def ok(self) -> bool:
        """No referenced object is missing, changed or unreadable."""
        return not self.problems

    def issues(self) -> Counter[str]:
        """Problems per issue (``missing``, ``changed``, ``unreadable``)."""
        return Counter(p.issue for p in self.problems)

    def summary(self) -> str:
        """One line of counts (the scheduler records it)."""
        kinds = ", ".join(f"{k} {n}" for k, n in sorted(self.checked.items())) or "none"
        issues = self.issues()
        return (f"{self.objects} object(s) checked ({kinds}); {issues['missing']} missing, "
                f"{issues['changed']} changed, {issues['unreadable']} unreadable; "
                f"{self.unreferenced} unreferenced, {self.older_versions} older version(s)")

    def as_dict(self) -> dict:
        """The report as JSON-ready data (``flask archive check --json``)."""
        return {"ok": self.ok, "objects": self.objects, "bytes": self.bytes,
                "checked": dict(sorted(self.checked.items())), "issues": dict(self.issues()),
                "problems": [vars(p) for p in self.problems],
                "unreferenced": self.unreferenced, "unreferenced_keys": self.unreferenced_keys,
                "older_versions": self.older_versions}


def _references() -> Iterator[tuple[str, str, str]]:
    """``(kind, key, sha256)`` of every object the database refers to with a hash."""
    queries = (
        ("contract_document", select(ContractDocument.key, ContractDocument.sha256)
         .order_by(ContractDocument.id)),
        ("filing_pdf", select(Filing.pdf_key, Filing.sha256).order_by(Filing.id)),
        ("filing_renewal", select(FilingTimestamp.key, FilingTimestamp.sha256)
         .where(FilingTimestamp.seq > 0).order_by(FilingTimestamp.id)),
        ("project_document", select(ProjectDocument.key, ProjectDocument.sha256)
         .order_by(ProjectDocument.id)),
    )
    for kind, query in queries:
        for key, sha in db.session.execute(query.execution_options(yield_per=_BATCH)):
            yield kind, key, sha


class _Checker:
    """Reads each key once, remembering its hash (keys only, never bytes)."""

    def __init__(self, store, report: CheckReport) -> None:
        self.store, self.report = store, report
        self.seen: dict[str, str | Problem] = {}  # key -> actual sha256, or the read problem

    def _hash(self, key: str, kind: str, expected: str) -> str | Problem:
        from archive import ArchiveUnavailable, ObjectNotFound
        from archive.errors import ArchiveError

        digest, size = hashlib.sha256(), 0
        try:
            for piece in self.store.iter_bytes(key):
                digest.update(piece)
                size += len(piece)
        except ObjectNotFound:
            return Problem(key, kind, "missing", expected)
        except ArchiveUnavailable:
            raise  # the whole check cannot be done: no half report
        except ArchiveError as exc:
            return Problem(key, kind, "unreadable", expected, detail=str(exc)[:200])
        self.report.objects += 1
        self.report.bytes += size
        return digest.hexdigest()

    def check(self, kind: str, key: str, expected: str, detail: str = "") -> bool:
        """Check ``key`` against ``expected``; record a problem; True when it passed."""
        self.report.checked[kind] += 1
        if key not in self.seen:
            self.seen[key] = self._hash(key, kind, expected)
        found = self.seen[key]
        if isinstance(found, Problem):
            self.report.problems.append(Problem(key, kind, found.issue, expected,
                                                detail=found.detail))
            return False
        if found != expected:
            self.report.problems.append(Problem(key, kind, "changed", expected, found, detail))
            return False
        return True

    def manifest_hashes(self, manifest_key: str) -> dict[str, str]:
        """The documents listed in a (checked) filing manifest: key -> sha256."""
        from archive import ArchiveError, ArchiveUnavailable, parse_manifest

        try:
            manifest = parse_manifest(self.store.get(manifest_key, verify=False))
        except ArchiveUnavailable:
            raise
        except (ArchiveError, ValueError):  # unreadable: the trail falls back on the store
            return {}
        return {d["key"]: d["sha256"] for d in manifest["documents"]}


def check_archive(store=None) -> CheckReport:
    """Re-hash every archived object against the database; see the module's docstring.

    :param store: the object store (default: the app's archive).
    :raises archive.ArchiveUnavailable: the store cannot be reached (nothing is reported).
    """
    store = store or archive_ext.store()
    report = CheckReport()
    checker = _Checker(store, report)
    for kind, key, sha in _references():
        checker.check(kind, key, sha)
    filings = select(Filing.manifest_key, Filing.manifest_sha256, Filing.audit_key).order_by(
        Filing.id).execution_options(yield_per=_BATCH)
    for manifest_key, manifest_sha256, audit_key in db.session.execute(filings):
        listed = {}
        if checker.check("filing_manifest", manifest_key, manifest_sha256):
            listed = checker.manifest_hashes(manifest_key)
        expected = listed.get(audit_key)
        if expected is None:  # no manifest to say: the store's own record of its hash
            expected, detail = _recorded(store, audit_key), "hash recorded by the store"
        else:
            detail = "hash listed in the manifest"
        checker.check("filing_audit_trail", audit_key, expected, detail)
    _unreferenced(store, set(checker.seen), report)
    return report


def _recorded(store, key: str) -> str:
    from archive import ObjectNotFound

    try:
        return store.stat(key).sha256
    except ObjectNotFound:
        return ""


def _unreferenced(store, referenced: set[str], report: CheckReport) -> None:
    for version in store.list_versions():
        if not version.is_latest:
            report.older_versions += 1
        elif not version.is_delete_marker and version.key not in referenced:
            report.unreferenced += 1
            if len(report.unreferenced_keys) < UNREFERENCED_LISTED:
                report.unreferenced_keys.append(version.key)
