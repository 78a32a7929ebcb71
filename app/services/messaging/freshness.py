"""Whether a queued one-time code is still worth sending.

A code is valid ``OTP_TTL_SECONDS`` (10 minutes) while its job may be retried for hours: after
an outage a stale code would arrive after a newer one, and typing it would count as a wrong
attempt. So a code's job carries its ``expires_at`` and the code it belongs to (the signing
link's ``OtpChallenge`` or the worker space's ``PortalLogin``), and is not sent once the code
has expired or a newer code exists for the same link / person.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from app.extensions import db
from app.models import OtpChallenge, PortalLogin
from app.models.base import utcnow

EXPIRED, SUPERSEDED = "expired", "superseded"


def stale(payload: dict, now: datetime | None = None) -> str | None:
    """``"expired"`` or ``"superseded"`` when the job's code must not be sent; None to send
    (also for every text that is not a code)."""
    now = now or utcnow()
    expires = payload.get("expires_at")
    if isinstance(expires, str) and datetime.fromisoformat(expires) <= now:
        return EXPIRED
    if _newer_exists(OtpChallenge, OtpChallenge.link_id, payload.get("challenge_id")) or \
            _newer_exists(PortalLogin, PortalLogin.worker_id, payload.get("portal_login_id")):
        return SUPERSEDED
    return None


def _newer_exists(model, group, row_id: object) -> bool:
    """Whether a later row of ``model`` shares ``group`` (the same signing link, the same
    person) with the row ``row_id``: a newer code was asked for. False without an id."""
    if not isinstance(row_id, int):
        return False
    same = select(group).where(model.id == row_id).scalar_subquery()
    newer = select(model.id).where(group == same, model.id > row_id).limit(1)
    return db.session.scalar(newer) is not None
