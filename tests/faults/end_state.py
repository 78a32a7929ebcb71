"""The end state every fault scenario must reach, checked from the database and the archive.

* every signed contract is filed exactly once: one Filing row per signed contract, the
  contract's status ``filed``, its ``file_contract`` job done, filing numbers unique;
* no half state: a contract is signed (or filed) exactly when it has the worker's signature
  event, a ``signed`` document version whose SHA-256 is that event's ``sha256_after`` and a
  ``contract.signed`` audit event;
* the archive holds exactly what the database refers to: under ``filings/`` the manifests
  and audit trails of the Filing rows, under ``contracts/`` the document versions; each with
  the recorded SHA-256, one version per key (no duplicates, no orphans, nothing missing);
* every contract's audit chain verifies;
* every answer that was not a success named its problem: a JSON body with ``error`` and
  ``message`` (no traceback, no empty 5xx, not the catch-all ``internal_error``).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

SIGNED = ("signed", "filed")


@dataclass
class EndState:
    """What was found; :attr:`problems` is empty when the end state holds."""

    signed: int = 0
    filed: int = 0
    objects: int = 0
    problems: list[str] = field(default_factory=list)
    #: unreferenced document versions under ``contracts/`` (when the check tolerates them)
    orphans: list[str] = field(default_factory=list)


def check(engine: Engine, store, *, document_orphans: bool = False) -> EndState:
    """Check the database on ``engine`` against the archive ``store`` (an archive.ObjectStore).

    :param document_orphans: list unreferenced objects under ``contracts/`` in
        :attr:`EndState.orphans` instead of :attr:`EndState.problems` (a document version is
        written before its row commits: a commit that fails leaves its object behind).
    """
    from app.models import AuditEvent, Contract, ContractDocument, Filing, Job, SignatureEvent
    from app.services.platform.audit import verify_chain

    state = EndState()
    with Session(engine) as s:
        contracts = list(s.scalars(select(Contract).where(Contract.document_kind == "contract")))
        filings = {f.contract_id: f for f in s.scalars(select(Filing))}
        jobs = list(s.scalars(select(Job).where(Job.kind == "file_contract")))
        docs = list(s.scalars(select(ContractDocument)))
        worker_sigs = Counter(s.scalars(select(SignatureEvent.contract_id)
                                        .where(SignatureEvent.party == "worker")))
        after = {e.contract_id: e.sha256_after for e in s.scalars(
            select(SignatureEvent).where(SignatureEvent.party == "worker"))}
        events = list(s.scalars(select(AuditEvent).order_by(AuditEvent.id)))
    problems = state.problems
    state.signed = sum(c.status in SIGNED for c in contracts)
    state.filed = len(filings)
    numbers = [f.number for f in filings.values()]
    if len(set(numbers)) != len(numbers):
        problems.append(f"filing numbers repeat: {sorted(numbers)}")
    signed_docs = Counter(d.contract_id for d in docs if d.kind == "signed")
    by_contract: dict[int | None, list] = {}
    for e in events:
        by_contract.setdefault(e.contract_id, []).append(e)
    job_of = Counter(j.payload.get("contract_id") for j in jobs)
    for c in contracts:
        signed = c.status in SIGNED
        actions = [e.action for e in by_contract.get(c.id, [])]
        if signed != bool(worker_sigs[c.id]) or worker_sigs[c.id] > 1:
            problems.append(f"contract {c.id} is {c.status} with {worker_sigs[c.id]} worker "
                            "signature event(s)")
        if signed and (signed_docs[c.id] != 1 or not any(
                d.contract_id == c.id and d.kind == "signed" and d.sha256 == after.get(c.id)
                for d in docs)):
            problems.append(f"contract {c.id} is {c.status} without its one signed version")
        if not signed and signed_docs[c.id]:
            problems.append(f"contract {c.id} is {c.status} but has a signed version")
        if signed != ("contract.signed" in actions):
            problems.append(f"contract {c.id} is {c.status}; its trail: {actions}")
        if signed and (c.id not in filings or c.status != "filed"
                       or actions.count("contract.filed") != 1):
            problems.append(f"contract {c.id} signed but not filed once ({c.status}, "
                            f"filing {filings.get(c.id) is not None}, trail {actions})")
        if signed and job_of[c.id] != 1:
            problems.append(f"contract {c.id} has {job_of[c.id]} filing jobs")
    for j in jobs:
        if j.status != "done":
            problems.append(f"filing job {j.id} is {j.status} ({j.last_error})")
    for cid, trail in by_contract.items():
        if not verify_chain(trail):
            problems.append(f"the audit chain of contract {cid} does not verify")
    expected = {d.key: d.sha256 for d in docs}
    expected.update({f.pdf_key: f.sha256 for f in filings.values()})
    expected.update({f.manifest_key: f.manifest_sha256 for f in filings.values()})
    recorded_audit = {f.audit_key for f in filings.values()}
    _check_archive(store, expected, recorded_audit, document_orphans, state)
    return state


def _check_archive(store, expected: dict[str, str], audit_keys: set[str],
                   document_orphans: bool, state: EndState) -> None:
    """Objects under ``contracts/`` and ``filings/`` against the keys the database names."""
    found = {}
    versions: Counter = Counter()
    for prefix in ("contracts/", "filings/"):
        found.update({o.key: o for o in store.list(prefix)})
        versions.update(v.key for v in store.list_versions(prefix) if not v.is_delete_marker)
    state.objects = len(found)
    for key, digest in expected.items():
        if key not in found:
            state.problems.append(f"archive object missing: {key}")
        elif found[key].sha256 != digest:
            state.problems.append(f"archive object {key} does not match its recorded SHA-256")
    for key in audit_keys - found.keys():
        state.problems.append(f"archived audit trail missing: {key}")
    for key in sorted(found.keys() - expected.keys() - audit_keys):
        if document_orphans and key.startswith("contracts/"):
            state.orphans.append(key)
        else:
            state.problems.append(f"orphan archive object (no database row refers to it): {key}")
    for key, n in versions.items():
        if n > 1:
            state.problems.append(f"archive key {key} holds {n} versions (written twice)")


def unclear_answers(answers: list[tuple[str, int, str, bytes]]) -> list[str]:
    """The answers among ``(what, status, content type, body)`` that failed without naming
    their problem: every 4xx/5xx must be JSON with ``error`` and ``message``, never a
    traceback, and never the catch-all ``internal_error`` (which names no problem). A request
    that got no answer at all (status 0) is for the test to judge."""
    import json

    bad = []
    for what, status, ctype, body in answers:
        if status < 400:
            continue
        text = body.decode("utf-8", "replace")
        try:
            parsed = json.loads(text) if "json" in ctype else None
        except ValueError:
            parsed = None
        if (not isinstance(parsed, dict) or not parsed.get("error") or not parsed.get("message")
                or "Traceback" in text or parsed["error"] == "internal_error"):
            bad.append(f"{what}: {status} {ctype} {text[:200]!r}")
    return bad
