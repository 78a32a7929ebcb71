"""Queueing a text message: a durable ``sms`` job (number and text encrypted in its payload)
and its row in the delivery log, both in the caller's transaction."""

from __future__ import annotations

import json
import secrets
from datetime import datetime

from app import pii
from app.domain.ids import mask_phone
from app.extensions import db
from app.models import Job, SmsDelivery
from app.services.messaging import kinds
from app.services.platform import jobs

SMS_JOB = "sms"  # the one text-message job (handled by messaging.delivery.send_queued_sms)


def phone_hash(phone: str) -> str:
    """The keyed hash of a number in the delivery log and the send limits."""
    return pii.keyed_hash(phone, "sms-phone")


def queue(phone_enc: str, text: str, *, contract_id: int | None = None,
          dedupe_key: str | None = None, expires_at: datetime | None = None,
          challenge_id: int | None = None, portal_login_id: int | None = None) -> Job:
    """Queue ``text`` (a ``Msg`` or a formatted template) to the encrypted number ``phone_enc``
    in the caller's transaction.

    :param dedupe_key: at most one such job ever (a one-time code: retries and the fallback
        provider resend this very text, never a new code).
    :param expires_at: not sent from then on (a one-time code past its validity): the log
        shows ``failed`` / ``expired`` and the job ends.
    :param challenge_id: the signing link's code (``OtpChallenge``) this text carries; not
        sent once the link has a newer code (``superseded``).
    :param portal_login_id: the same for a sign-in code of the worker's space (``PortalLogin``):
        not sent once the person asked for a newer one.
    """
    kind, params, _ = kinds.classify(text)
    ref = secrets.token_hex(16)
    payload = {"to_enc": phone_enc, "text_enc": pii.encrypt(text), "ref": ref, "kind": kind,
               "params_enc": pii.encrypt(json.dumps(params, ensure_ascii=False))}
    extra = {"contract_id": contract_id, "challenge_id": challenge_id,
             "portal_login_id": portal_login_id,
             "expires_at": expires_at.isoformat() if expires_at is not None else None}
    payload.update({key: value for key, value in extra.items() if value is not None})
    phone = pii.decrypt(phone_enc)
    db.session.add(SmsDelivery(ref=ref, kind=kind, contract_id=contract_id,
                               phone_masked=mask_phone(phone), phone_hash=phone_hash(phone)))
    return jobs.enqueue(SMS_JOB, payload, dedupe_key=dedupe_key)


def queue_to_phone(phone: str, text: str, **kwargs: object) -> Job:
    """:func:`queue` to a plain number (encrypted here)."""
    return queue(pii.encrypt(phone), text, **kwargs)
