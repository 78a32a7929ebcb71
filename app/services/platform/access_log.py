"""The access log (访问留痕): every read by an auditor or a platform admin — searches (criteria
masked, result count), contract views, PDF downloads, evidence and filings exports — appended
to one global hash chain that nobody can rewrite unnoticed.

Each entry's hash is SHA-256 over a canonical JSON (sorted keys, no spaces, UTF-8) of its
fields and the previous entry's hash. Appends take the chain's head row ``FOR UPDATE`` (on
PostgreSQL; SQLite has one writer), so many web processes append one after the other.
:mod:`app.services.platform.access_chain` verifies the chain and anchors its head daily.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import datetime
from typing import Any

from sqlalchemy import select

from app.extensions import db
from app.logging_redact import mask_personal
from app.models import Contract, Filing
from app.models.access_log import AccessLogEntry, AccessLogHead
from app.models.base import utcnow
from app.services.platform.principal import Principal

GENESIS = "0" * 64
#: the reads recorded (labels in app/domain/labels.py ACCESS_ACTIONS)
ACTIONS = ("search", "view", "download", "evidence", "export_filings", "register",
           "verify")
#: criteria keys whose values are personal data: kept only as a masked hint
_PERSONAL_KEYS = re.compile(r"id_?number|id_?no|idcard|phone|mobile|bank|account", re.I)
_TARGET = re.compile(r"^(contract|filing|organization):(.{1,100})$")
_SPACES = re.compile(r"\s+")


def mask_text(value: str) -> str:
    """``value`` with phone, ID and bank numbers masked, also when typed with spaces inside
    (``430121 19900101 1234``): the spaces are removed when that reveals a number to mask."""
    plain = mask_personal(value)
    compact = _SPACES.sub("", plain)
    masked = mask_personal(compact)
    return masked if masked != compact else plain


def _mask(key: str, value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _mask(str(k), v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_mask(key, v) for v in value]
    if isinstance(value, str):
        if _PERSONAL_KEYS.search(key) and value:
            return value[:3] + "*" * max(len(value) - 7, 1) + value[-4:] if len(value) > 7 \
                else "*" * len(value)
        return mask_text(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if value is None or isinstance(value, bool | int | float):
        return value
    return mask_personal(repr(value))


def mask_criteria(criteria: dict | None) -> dict | None:
    """``criteria`` as the log keeps them: empty values dropped, phone, ID and bank numbers
    masked (by key and wherever they appear in text), dates as ISO strings."""
    if not criteria:
        return None
    kept = {str(k): _mask(str(k), v) for k, v in criteria.items()
            if v not in (None, "", [], (), {})}
    return kept or None


def canonical(entry: AccessLogEntry) -> bytes:
    """The bytes an entry's hash covers: its fields and ``prev_hash`` as canonical JSON."""
    body = {
        "seq": entry.seq, "at": entry.at.isoformat(), "actor": entry.actor, "role": entry.role,
        "scope": entry.scope, "action": entry.action, "target": entry.target,
        "contract_id": entry.contract_id, "organization_id": entry.organization_id,
        "criteria": entry.criteria, "count": entry.count, "prev_hash": entry.prev_hash,
    }
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                      allow_nan=False).encode()


def digest(entry: AccessLogEntry) -> str:
    """The SHA-256 (hex) an entry must carry."""
    return hashlib.sha256(canonical(entry)).hexdigest()


#: the role of a bureau system's key (app.services.exports): its exports are recorded too
BUREAU_SYSTEM = "bureau_api"
#: the system's own reads that are recorded: the operator's ``flask filings export`` prints
#: full ID numbers, so it leaves an entry as a bureau key's export does
SYSTEM_ACTIONS = ("export_filings",)


def _scope_of(p: Principal) -> str | None:
    if p.is_auditor:
        parts = [f"region:{p.jurisdiction}"] if p.jurisdiction else []
        parts += [f"employer:{i}" for i in sorted(p.employer_ids)][:20]
        return ",".join(parts) or None
    if p.role == BUREAU_SYSTEM:  # a bureau system's key, scoped to a region
        return f"region:{p.jurisdiction}" if p.jurisdiction else None
    return "platform" if p.is_platform_admin else None


def _resolve(target: str | None) -> tuple[int | None, int | None]:
    """(contract id, organization id) a target names, for scoping and the worker's view."""
    m = _TARGET.match(target or "")
    if m is None:
        return None, None
    kind, ref = m.groups()
    if kind == "organization":
        return None, int(ref) if ref.isdigit() else None
    if kind == "contract":
        if not ref.isdigit():
            return None, None
        row = db.session.execute(select(Contract.id, Contract.organization_id)
                                 .where(Contract.id == int(ref))).first()
    else:
        row = db.session.execute(select(Contract.id, Contract.organization_id)
                                 .join(Filing, Filing.contract_id == Contract.id)
                                 .where(Filing.number == ref)).first()
    return (row[0], row[1]) if row else (None, None)


def _head() -> AccessLogHead:
    """The chain head, locked until the transaction ends (created on first use)."""
    head = db.session.scalar(select(AccessLogHead).where(AccessLogHead.id == 1)
                             .with_for_update())
    if head is None:
        # the migration inserts it; a lost race here fails the transaction, never the chain
        head = AccessLogHead(id=1, seq=0, hash=GENESIS)
        db.session.add(head)
        db.session.flush()
    return head


def record(p: Principal, action: str, *, target: str | None = None,
           criteria: dict | None = None, count: int | None = None) -> None:
    """Append one read by ``p`` to the access log (no commit: part of the caller's
    transaction, so a rolled-back read leaves no entry and a recorded one cannot be lost).

    Only auditors', platform admins' and bureau systems' (a bureau key's) reads are recorded,
    and the system's filings exports (``flask filings export``, actor ``system:cli``); for
    anyone else this does nothing.

    :param p: who read.
    :param action: what kind of read — one of :data:`ACTIONS` (``search``, ``view``,
        ``download``, ``evidence``, ``export_filings``, ``register``, ``verify``).
    :param target: what was read: ``"contract:<id>"``, ``"filing:<number>"`` or
        ``"organization:<id>"`` (``None`` for searches and exports over many).
    :param criteria: the search or export criteria as given (phone, ID and bank numbers are
        masked here; pass them as they are — never needed pre-masked).
    :param count: how many results or rows were returned.
    :raises ValueError: ``action`` is not one of :data:`ACTIONS`.
    """
    if action not in ACTIONS:
        raise ValueError(f"unknown access-log action {action!r}")
    if not (p.is_auditor or p.is_platform_admin or p.role == BUREAU_SYSTEM
            or (p.kind == "system" and action in SYSTEM_ACTIONS)):
        return
    contract_id, organization_id = _resolve(target)
    head = _head()
    entry = AccessLogEntry(
        seq=head.seq + 1, at=utcnow().replace(microsecond=0), actor=p.actor, role=p.role,
        scope=_scope_of(p), action=action, target=target, contract_id=contract_id,
        organization_id=organization_id, criteria=mask_criteria(criteria), count=count,
        prev_hash=head.hash)
    entry.hash = digest(entry)
    head.seq, head.hash = entry.seq, entry.hash
    db.session.add(entry)


def record_read(p: Principal, action: str, *, target: str | None = None,
                criteria: dict | None = None, count: int | None = None) -> None:
    """:func:`record` as a use case of its own: append and commit (for reads that write
    nothing else). A read whose entry cannot be written fails rather than go unrecorded."""
    record(p, action, target=target, criteria=criteria, count=count)
    db.session.commit()
