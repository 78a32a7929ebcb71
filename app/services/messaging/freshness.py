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
    challenge_id = payload.get("challenge_id")
    if isinstance(challenge_id, int):
        link = select(OtpChallenge.link_id).where(OtpChallenge.id == challenge_id)
        newer = select(OtpChallenge.id).where(OtpChallenge.link_id == link.scalar_subquery(),
                                              OtpChallenge.id > challenge_id).limit(1)
        if db.session.scalar(newer) is not None:
            return SUPERSEDED
    login_id = payload.get("portal_login_id")
    if isinstance(login_id, int):
        person = select(PortalLogin.worker_id).where(PortalLogin.id == login_id)
        newer = select(PortalLogin.id).where(PortalLogin.worker_id == person.scalar_subquery(),
                                             PortalLogin.id > login_id).limit(1)
        if db.session.scalar(newer) is not None:
            return SUPERSEDED
    return None
