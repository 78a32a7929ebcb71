"""The ``sms`` job: send one queued text through the primary provider, then the fallback.

* The delivery log row (``SmsDelivery``) is the message's record: a message counts once
  against the per-number and per-contract limits (not per provider attempt), and a message
  already taken by a provider is never sent again (a job run twice after a lost lease).
* A provider that is down, throttling, or refuses our template or credentials makes the
  fallback provider (``SMS_FALLBACK_BACKEND``) try; a rejected number is final.
* When no provider took it, the job fails and the job system retries it with backoff; the
  log shows ``queued`` with the last error code until the last attempt (then ``failed``).
"""

from __future__ import annotations

import hashlib
import json
import logging

from flask import current_app
from sqlalchemy import select

from app import pii, sms
from app.domain.ids import mask_phone
from app.extensions import db, sms_ext
from app.metrics import SMS_FAILED, SMS_SENT
from app.models import SmsDelivery
from app.models.base import utcnow
from app.services.messaging import kinds
from app.services.messaging.outbox import phone_hash
from app.services.platform import jobs, ratelimit

log = logging.getLogger(__name__)
DONE = ("sent", "delivered")
LIMITED = "limited:number", "limited:contract"


class SmsNotSent(RuntimeError):
    """No provider took the message this time (the job is retried later)."""


def send_queued_sms(payload: dict) -> None:
    """The ``sms`` job: text ``payload["text_enc"]`` to ``payload["to_enc"]`` (a contract's
    worker or an account holder; both encrypted; registered in app.services.wiring).

    :raises SmsNotSent: every provider was down, throttling or refused the template (retried).
    """
    phone, text = pii.decrypt(payload["to_enc"]), pii.decrypt(payload["text_enc"])
    row = _row(payload, phone, text)
    if row.status in DONE or (row.status == "failed" and row.error_code in LIMITED):
        return
    if not row.counted:
        limited = _over_limit(row)  # counted in its own transaction, before our writes
        if limited:
            _finish(row, "failed", limited)
            SMS_FAILED.labels(provider="-", reason="limited").inc()
            log.warning("sms %s to %s not sent: %s", row.kind, row.phone_masked, limited)
            return
        row.counted = True
    row.attempts += 1
    db.session.add(row)
    db.session.commit()  # the count and the attempt stay, whatever the providers answer
    message = _message(payload, row, phone, text)
    error: sms.SmsError | None = None
    for gateway in _gateways():
        try:
            message_id = gateway.deliver(message)
        except sms.SmsError as exc:
            SMS_FAILED.labels(provider=gateway.name, reason=exc.reason).inc()
            log.warning("sms %s to %s: %s refused it (%s)", row.kind, row.phone_masked,
                        gateway.name, exc.code)
            row.provider, error = gateway.name, exc
            if exc.reason == "rejected":  # the number itself: no other provider, no retry
                break
            continue
        row.provider, row.message_id, row.sent_at = gateway.name, message_id, utcnow()
        _finish(row, "sent", None)
        SMS_SENT.labels(provider=gateway.name, kind=row.kind).inc()
        return
    code = f"{error.reason}:{error.code}"[:120] if error else "no_gateway"
    final = (error is not None and error.reason == "rejected") or \
        payload.get(jobs.ATTEMPT_KEY, 1) >= current_app.config["JOBS_MAX_ATTEMPTS"]
    _finish(row, "failed" if final else "queued", code)
    if not final:
        raise SmsNotSent(f"sms {row.ref}: {code}")


def _row(payload: dict, phone: str, text: str) -> SmsDelivery:
    """The message's log row (made here for a job queued without one)."""
    ref = payload.get("ref") or hashlib.sha256(payload["text_enc"].encode()).hexdigest()[:40]
    row = db.session.scalar(select(SmsDelivery).where(SmsDelivery.ref == ref))
    if row is None:
        row = SmsDelivery(ref=ref, kind=payload.get("kind") or kinds.classify(text)[0],
                          contract_id=payload.get("contract_id"), phone_masked=mask_phone(phone),
                          phone_hash=phone_hash(phone), status="queued", attempts=0,
                          counted=False)
    return row


def _over_limit(row: SmsDelivery) -> str | None:
    """Count the message against ``SMS_NUMBER_LIMIT`` and ``SMS_CONTRACT_LIMIT`` (shared by
    every provider and process); the error code when one is exceeded."""
    cfg = current_app.config
    checks = [("limited:number", f"sms-number:{row.phone_hash[:40]}", cfg.get("SMS_NUMBER_LIMIT"))]
    if row.contract_id is not None:
        checks.append(("limited:contract", f"sms-contract:{row.contract_id}",
                       cfg.get("SMS_CONTRACT_LIMIT")))
    for code, key, setting in checks:
        limit = ratelimit.parse_limit(setting)
        if limit is not None and ratelimit.hit(key, limit)[0] > limit.count:
            return code
    return None


def _message(payload: dict, row: SmsDelivery, phone: str, text: str) -> sms.OutgoingSms:
    """What the gateways send: the text, and the kind's template parameters (from the
    ``Msg`` the job was queued with, else read back from the text)."""
    if payload.get("params_enc"):
        params = json.loads(pii.decrypt(payload["params_enc"]))
    else:
        params = kinds.classify(text)[1]
    return sms.OutgoingSms(to=phone, text=text, kind=row.kind, params=params, ref=row.ref,
                           order=kinds.names_of(row.kind))


def _gateways() -> list[sms.SmsGateway]:
    fallback = sms_ext.fallback()
    return [sms_ext.gateway(), *([fallback] if fallback is not None else [])]


def _finish(row: SmsDelivery, status: str, error_code: str | None) -> None:
    row.status, row.error_code = status, error_code
    db.session.add(row)
    db.session.commit()
