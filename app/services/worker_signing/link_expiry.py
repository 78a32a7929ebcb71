"""Signing links that ran out unsigned: each one is told once — in the contract's trail
(``contract.link_expired``) and to the employer's webhooks (``contract.expired``) — so HR
knows to renew it from the contract page. The contract stays ``sent`` (a renewed link can
still be signed). Found by the hourly ``flask contracts remind-unsigned`` run; the job's
unique dedupe key (one per link) makes several runs and hosts tell it once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import Contract, Job, SigningLink
from app.models.base import utcnow
from app.services.platform import audit, jobs

KEY = "link_expired:%d"


def report_expired(now: datetime | None = None) -> int:
    """Queue the telling of every newly expired link of a contract waiting for the worker
    that has no live link; returns how many were queued."""
    now = now or utcnow()
    live = select(SigningLink.contract_id).where(
        SigningLink.revoked_at.is_(None), SigningLink.used_at.is_(None),
        SigningLink.expires_at > now)
    found = db.session.execute(
        select(SigningLink.id, SigningLink.contract_id, SigningLink.expires_at)
        .join(Contract, Contract.id == SigningLink.contract_id)
        .where(Contract.status == "sent", SigningLink.revoked_at.is_(None),
               SigningLink.used_at.is_(None), SigningLink.expires_at <= now,
               SigningLink.contract_id.not_in(live)).order_by(SigningLink.id)).all()
    told = set(db.session.scalars(select(Job.dedupe_key).where(
        Job.dedupe_key.in_([KEY % link_id for link_id, _, _ in found]))))
    queued = 0
    for link_id, contract_id, expired_at in found:
        if KEY % link_id in told:
            continue
        try:
            with db.session.begin_nested():
                jobs.enqueue("link_expired", {"contract_id": contract_id, "link_id": link_id,
                                              "expired_at": expired_at.isoformat()},
                             dedupe_key=KEY % link_id, after_request=False)
            queued += 1
        except IntegrityError:  # another run queued it meanwhile
            continue
    db.session.commit()
    return queued


def tell_expired(payload: dict) -> None:
    """The ``link_expired`` job: the trail's event (and so the webhook), if still unsigned."""
    contract = db.session.get(Contract, payload["contract_id"])
    if contract is None or contract.status != "sent":
        return
    audit.record(contract.id, "system:reminders", "contract.link_expired",
                 link=payload["link_id"], expired_at=payload["expired_at"])
    db.session.commit()
