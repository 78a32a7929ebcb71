"""Checking and anchoring the access log (:mod:`app.services.platform.access_log`).

:func:`verify` walks the chain in insertion order and names the first entry that was edited
(its hash no longer matches its fields), deleted (a gap in ``seq`` or a ``prev_hash`` that
links elsewhere) or moved (``seq`` out of order); then it checks the head row (which must
exist once there is anything to check) and every daily anchor: the RFC 3161 token verifies
against the platform CA, its imprint is that of the anchor's (seq, head hash, count, previous
anchor), and the chain still has that hash at that place.

Anchors form a chain of their own: each imprint covers the SHA-256 of the previous anchor's
token (:data:`GENESIS` for the first), so deleting or replacing an anchor in the middle breaks
the next one (its genuine token then no longer matches: "does not follow the anchor
before it"). Deleting the newest anchor is
not detectable from the anchors alone (the next day's anchor covers the chain again).

:func:`anchor` (the daily scheduled job ``access-anchor``) time-stamps the current head with
the platform TSA, through the signing library as document time-stamps are.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from sqlalchemy import func, select

from app.extensions import db
from app.models.access_log import AccessLogAnchor, AccessLogEntry, AccessLogHead
from app.services.platform import pki
from app.services.platform.access_log import GENESIS, digest

_BATCH = 2000


@dataclass
class ChainReport:
    """What :func:`verify` found: ``ok`` when nothing is broken; ``broken`` names the first
    broken entry (``seq`` / ``id``) and why; ``anchor_problems`` lists bad anchors."""

    entries: int = 0
    anchors: int = 0
    broken: str | None = None
    anchor_problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Nothing edited, deleted, reordered, and every anchor holds."""
        return self.broken is None and not self.anchor_problems


def anchor_imprint(seq: int, head_hash: str, count: int, previous: str) -> bytes:
    """The SHA-256 the anchor's time-stamp covers: canonical JSON of (seq, head hash, count,
    ``previous``: the SHA-256 hex of the previous anchor's token, :data:`GENESIS` for the
    first)."""
    body = json.dumps({"count": count, "head_hash": head_hash, "previous": previous,
                       "seq": seq}, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(body.encode()).digest()


def token_hash(token_der: bytes) -> str:
    """The hash by which the next anchor names an anchor: SHA-256 (hex) of its token."""
    return hashlib.sha256(token_der).hexdigest()


def _stamped_imprint(token_der: bytes) -> bytes | None:
    """The message imprint the token says it stamped (``None``: unreadable)."""
    from asn1crypto import cms

    try:
        content = cms.ContentInfo.load(token_der)["content"]["encap_content_info"]["content"]
        return content.parsed["message_imprint"]["hashed_message"].native
    except Exception:  # noqa: BLE001 - an unreadable token is named by _token_problem
        return None


def _walk(report: ChainReport) -> dict[int, str]:
    """Check every entry; the hashes by seq (for the anchors) up to the first break."""
    hashes: dict[int, str] = {}
    prev, expected, last_id = GENESIS, 1, 0
    while True:
        rows = list(db.session.scalars(
            select(AccessLogEntry).where(AccessLogEntry.id > last_id)
            .order_by(AccessLogEntry.id).limit(_BATCH)))
        if not rows:
            return hashes
        for e in rows:
            report.entries += 1
            last_id = e.id
            if report.broken:
                continue
            where = f"entry #{e.seq} (id {e.id})"
            if e.seq < expected:
                report.broken = f"{where}: out of order, expected #{expected}"
            elif e.seq > expected:
                report.broken = (f"{where}: expected #{expected} here — entries "
                                 f"#{expected}..#{e.seq - 1} deleted or moved")
            elif e.prev_hash != prev:
                report.broken = f"{where}: previous hash does not match entry #{expected - 1}"
            elif e.hash != digest(e):
                report.broken = f"{where}: content changed (hash does not match)"
            else:
                hashes[e.seq] = e.hash
                prev, expected = e.hash, expected + 1


def _token_problem(token_der: bytes, imprint: bytes) -> str | None:
    from asn1crypto import cms
    from pyhanko.sign.validation.generic_cms import validate_tst_signed_data
    from pyhanko_certvalidator import ValidationContext

    from signing._async import run_sync

    try:
        signed = cms.ContentInfo.load(token_der)["content"]
        authority = pki.ca()
        context = ValidationContext(
            trust_roots=[authority.root_cert_asn1],
            other_certs=[authority.issuing_cert_asn1, pki.tsa().cert],
            allow_fetching=False, revocation_mode="soft-fail")
        status = run_sync(validate_tst_signed_data(signed, context, lambda alg: imprint))
    except Exception as exc:  # noqa: BLE001 - any unreadable token is a bad anchor, named
        return f"time-stamp token unreadable ({type(exc).__name__})"
    if not (status.get("intact") and status.get("valid")):
        return "time-stamp token does not verify (signature or imprint)"
    if status.get("trust_problem_indic") is not None or status.get("validation_path") is None:
        return "time-stamp token is not from the platform TSA"
    return None


def verify() -> ChainReport:
    """Check the whole access log and its anchors (read-only)."""
    report = ChainReport()
    hashes = _walk(report)
    head = db.session.get(AccessLogHead, 1)
    last = max(hashes) if hashes else 0
    anchors = list(db.session.scalars(select(AccessLogAnchor).order_by(AccessLogAnchor.id)))
    if not report.broken and head is None and (report.entries or anchors):
        report.broken = "head: the head row is missing (deleted)"
    elif not report.broken and head is not None and (head.seq, head.hash) != (
            last, hashes.get(last, GENESIS)):
        report.broken = (f"head: says #{head.seq} but the chain ends at #{last} "
                         "(entries deleted from the end, or the head edited)")
    previous = GENESIS
    for a in anchors:
        report.anchors += 1
        name = f"anchor {a.id} (#{a.seq}, {a.stamped_at:%Y-%m-%d %H:%M} UTC)"
        imprint = anchor_imprint(a.seq, a.head_hash, a.count, previous)
        problem = _token_problem(a.token, imprint)
        stamped = _stamped_imprint(a.token) if problem else None
        if stamped and stamped != imprint and _token_problem(a.token, stamped) is None:
            # a genuine token, stamped over something else
            problem = ("time-stamp token does not verify for this anchor: its seq, head hash "
                       "or count edited, or it does not follow the anchor before it (an "
                       "anchor deleted or replaced)")
        previous = token_hash(a.token)
        if problem is None and a.count != a.seq:
            problem = f"counts {a.count} entries at #{a.seq}"
        if problem is None and a.seq and hashes.get(a.seq) != a.head_hash:
            problem = ("the chain no longer has the anchored hash there"
                       if report.broken is None or a.seq in hashes
                       else "lies after the break: cannot be checked")
        if problem:
            report.anchor_problems.append(f"{name}: {problem}")
    return report


def _stamper():
    from flask import current_app
    from pyhanko.sign.timestamps import HTTPTimeStamper

    from signing import InProcessTimeStamper

    url = current_app.config.get("TSA_URL")
    return HTTPTimeStamper(url) if url else InProcessTimeStamper(pki.tsa())


def anchor() -> AccessLogAnchor:
    """Time-stamp the chain head now and store the token with the head hash and entry count
    (commits). Anchoring an unchanged head again is harmless (one more anchor)."""
    from signing._async import run_sync

    head = db.session.get(AccessLogHead, 1)
    seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS)
    count = db.session.scalar(select(func.count()).select_from(AccessLogEntry)
                              .where(AccessLogEntry.seq <= seq)) or 0
    last = db.session.scalar(select(AccessLogAnchor.token).order_by(AccessLogAnchor.id.desc())
                             .limit(1))
    previous = token_hash(last) if last is not None else GENESIS
    token = run_sync(_stamper().async_timestamp(
        anchor_imprint(seq, head_hash, count, previous), "sha256"))
    row = AccessLogAnchor(seq=seq, head_hash=head_hash, count=count, token=token.dump())
    db.session.add(row)
    db.session.commit()
    return row
