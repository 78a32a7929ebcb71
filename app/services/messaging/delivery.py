"""The ``sms`` job: send one queued text through the primary provider, then the fallback.

* The delivery log row (``SmsDelivery``) is the message's record: a message counts once
  against the per-number and per-contract limits (not per provider attempt; only the kinds
  of :data:`kinds.LIMITED`: codes, reset links, reminders — never a notice with legal weight).
* A message handed to a provider (``sent_at`` / the provider's message id: a later receipt
  may still mark it failed) or finally refused (rejected number, limit, expired or
  superseded code, no template) is never sent again — a job run twice after a lost lease
  returns at once.
* A one-time code is not sent once it expired or a newer code exists (:mod:`.freshness`).
* A provider that is down, throttles our account, or refuses our template or credentials
  makes the fallback provider (``SMS_FALLBACK_BACKEND``) try. A rejected number is final;
  the per-number limit (carriers' anti-spam) is retried later, never dodged through the
  other provider.
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
from app.services.messaging import freshness, kinds
from app.services.messaging.outbox import phone_hash
from app.services.platform import jobs, ratelimit

log = logging.getLogger(__name__)
DONE = ("sent", "delivered")
#: the error codes (prefixes) of a message that is finally refused: never tried again
FINAL = ("rejected:", "limited:", freshness.EXPIRED, freshness.SUPERSEDED,
         f"template:{sms.NO_TEMPLATE}", "report:")
#: a provider's refusal after which no other provider is tried this time
STOP = ("rejected", "number_throttled")


class SmsNotSent(RuntimeError):
    """No provider took the message this time (the job is retried later)."""


def send_queued_sms(payload: dict) -> None:
    """The ``sms`` job: text ``payload["text_enc"]`` to ``payload["to_enc"]`` (a contract's
    worker or an account holder; both encrypted; registered in app.services.wiring).

    :raises SmsNotSent: every provider was down, throttling or refused the template (retried).
    """
    phone, text = pii.decrypt(payload["to_enc"]), pii.decrypt(payload["text_enc"])
    row = _row(payload, phone, text)
    if final(row):
        return
    if (why := freshness.stale(payload)) is not None:
        _give_up(row, why)
        return
    if not row.counted:
        limited = _over_limit(row) if kinds.limited(row.kind) else None
        if limited:  # counted in its own transaction, before our writes
            _give_up(row, limited)
            return
        row.counted = True
    row.attempts += 1
    db.session.add(row)
    db.session.commit()  # the count and the attempt stay, whatever the providers answer
    message = _message(payload, row, phone, text)
    errors: list[sms.SmsError] = []
    for gateway in _gateways():
        try:
            message_id = gateway.deliver(message)
        except sms.SmsError as exc:
            SMS_FAILED.labels(provider=gateway.name, reason=exc.reason).inc()
            log.warning("sms %s to %s: %s refused it (%s)", row.kind, row.phone_masked,
                        gateway.name, exc.code)
            row.provider = gateway.name
            errors.append(exc)
            if exc.reason in STOP:  # the number itself, or its own limit: not elsewhere
                break
            continue
        row.provider, row.message_id, row.sent_at = gateway.name, message_id, utcnow()
        _finish(row, "sent", None)
        SMS_SENT.labels(provider=gateway.name, kind=row.kind).inc()
        return
    error = errors[-1] if errors else None
    code = f"{error.reason}:{error.code}"[:120] if error else "no_gateway"
    no_template = bool(errors) and all(e.code == sms.NO_TEMPLATE for e in errors)
    last_try = payload.get(jobs.ATTEMPT_KEY, 1) >= current_app.config["JOBS_MAX_ATTEMPTS"]
    if (error is not None and error.reason == "rejected") or no_template or last_try:
        _finish(row, "failed", code)  # a missing template does not come back by retrying
        return
    _finish(row, "queued", code)
    raise SmsNotSent(f"sms {row.ref}: {code}")


def final(row: SmsDelivery) -> bool:
    """Whether the message was handed to a provider (whatever its receipt said later) or
    was finally refused: then it is never sent (again)."""
    if row.sent_at is not None or row.message_id:
        return True
    return row.status == "failed" and (row.error_code or "").startswith(FINAL)


def _give_up(row: SmsDelivery, code: str) -> None:
    """Log the message as failed with ``code`` without asking any provider."""
    _finish(row, "failed", code)
    SMS_FAILED.labels(provider="-", reason=code.split(":")[0]).inc()
    log.warning("sms %s to %s not sent: %s", row.kind, row.phone_masked, code)


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
