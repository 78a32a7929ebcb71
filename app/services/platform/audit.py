"""Append-only, hash-chained audit trail per contract."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent
from app.models.base import utcnow
from app.services.platform import events

GENESIS = "0" * 64


def _digest(prev: str, contract_id: int | None, actor: str, action: str, details: dict, at) -> str:
    body = json.dumps(
        [prev, contract_id, actor, action, details, at.isoformat()],
        sort_keys=True,
        ensure_ascii=False,
        default=str,
    )
    return hashlib.sha256(body.encode()).hexdigest()


def record(contract_id: int | None, actor: str, action: str, **details: Any) -> AuditEvent:
    """Append an event to the contract's chain (no commit: part of the caller's transaction)."""
    db.session.flush()
    prev = db.session.scalar(
        select(AuditEvent.hash)
        .where(AuditEvent.contract_id == contract_id)
        .order_by(AuditEvent.id.desc())
        .limit(1)
    )
    at = utcnow().replace(microsecond=0)
    prev = prev or GENESIS
    event = AuditEvent(
        contract_id=contract_id,
        actor=actor,
        action=action,
        details=details,
        at=at,
        prev_hash=prev,
        hash=_digest(prev, contract_id, actor, action, details, at),
    )
    db.session.add(event)
    # whoever reacts (the employer's webhooks) does so in the same transaction
    events.publish("audit.recorded", contract_id=contract_id, action=action, details=details)
    return event


def trail(contract_id: int) -> list[AuditEvent]:
    """The contract's events, oldest first."""
    return list(
        db.session.scalars(
            select(AuditEvent).where(AuditEvent.contract_id == contract_id).order_by(AuditEvent.id)
        )
    )


def verify_chain(events: list[AuditEvent]) -> bool:
    """True when every event's hash matches its content and links to the previous one."""
    prev = GENESIS
    for e in events:
        if e.prev_hash != prev or e.hash != _digest(
            prev, e.contract_id, e.actor, e.action, e.details, e.at
        ):
            return False
        prev = e.hash
    return True


def export(contract_id: int) -> list[dict]:
    """The trail as JSON-ready dicts (for the archive and evidence packages)."""
    return [
        {
            "at": e.at.isoformat(),
            "actor": e.actor,
            "action": e.action,
            "details": e.details,
            "prev_hash": e.prev_hash,
            "hash": e.hash,
        }
        for e in trail(contract_id)
    ]
