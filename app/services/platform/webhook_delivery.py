"""Sending one webhook delivery: the body signed with HMAC-SHA256 over ``timestamp.body``,
POSTed without following redirects; any 2xx is delivered; otherwise retried with
exponential backoff (30 s doubling, at most 4 h apart) for 24 hours, each attempt's answer
kept in the delivery log.

The receiver verifies ``X-LaborSign-Signature: t=<unix time>,v1=<hex>`` by computing
``HMAC_SHA256(secret, "<t>." + raw body)`` and comparing in constant time, and refuses a
``t`` older than five minutes (replays).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
from datetime import timedelta

import requests

from app import pii
from app.extensions import db
from app.models import WebhookDelivery
from app.models.base import utcnow
from app.services.platform import jobs
from app.services.platform.webhooks import check_url

log = logging.getLogger(__name__)
RETRY_FOR = timedelta(hours=24)
TIMEOUT_SECONDS = 10
USER_AGENT = "LaborSign-Webhooks/1"


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The signature header's value for ``body`` sent at ``timestamp``."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={digest.hexdigest()}"


def verify(secret: str, header: str, body: bytes, *, now: int | None = None,
           tolerance: int = 300) -> bool:
    """What a receiver does (documentation and tests): the header fits the body and is fresh."""
    try:
        fields = dict(part.split("=", 1) for part in header.split(","))
        timestamp = int(fields["t"])
    except (KeyError, ValueError):
        return False
    if abs((now or int(time.time())) - timestamp) > tolerance:
        return False
    expected = signature(secret, timestamp, body).split("v1=", 1)[1]
    return hmac.compare_digest(expected, fields.get("v1", ""))


def retry_delay(attempts: int) -> timedelta:
    """Wait before attempt ``attempts + 1``: 30 s doubling, capped at four hours."""
    return timedelta(seconds=min(4 * 3600, 30 * 2 ** max(attempts - 1, 0)))


def _post(url: str, body: bytes, headers: dict) -> tuple[int | None, str | None, int]:
    started = time.monotonic()
    try:
        resp = requests.post(url, data=body, headers=headers, timeout=TIMEOUT_SECONDS,
                             allow_redirects=False)
        code, error = resp.status_code, None
        resp.close()
    except requests.RequestException as exc:
        code, error = None, type(exc).__name__
    return code, error, round((time.monotonic() - started) * 1000)


def deliver(payload: dict) -> None:
    """The ``webhook`` job: one attempt of a pending delivery (idempotent once finished)."""
    delivery = db.session.get(WebhookDelivery, payload["delivery_id"])
    if delivery is None or delivery.status != "pending":
        return
    target = delivery.endpoint
    now = utcnow()
    _, problem = check_url(target.url)  # again at sending: the name may point elsewhere now
    if not target.active or problem is not None:
        code, error, ms = None, "endpoint disabled" if not target.active else str(problem), 0
    else:
        body = delivery.body.encode()
        timestamp = int(time.time())
        code, error, ms = _post(target.url, body, {
            "Content-Type": "application/json; charset=utf-8", "User-Agent": USER_AGENT,
            "X-LaborSign-Event": delivery.event, "X-LaborSign-Delivery": str(delivery.id),
            "X-LaborSign-Event-Id": delivery.event_id,
            "X-LaborSign-Signature": signature(pii.decrypt(target.secret_enc), timestamp, body)})
    delivery.attempts += 1
    delivery.response_code = code
    delivery.log = [*(delivery.log or []), {"at": now.isoformat(), "code": code,
                                            "error": error, "ms": ms}]
    if code is not None and 200 <= code < 300:
        delivery.status, delivery.delivered_at = "delivered", now
    elif target.active and problem is None and \
            now + retry_delay(delivery.attempts) <= delivery.created_at + RETRY_FOR:
        jobs.enqueue("webhook", {"delivery_id": delivery.id},
                     run_after=now + retry_delay(delivery.attempts), after_request=False)
    else:
        delivery.status = "failed"
    db.session.commit()
    if delivery.status != "delivered":
        log.info("webhook delivery %s attempt %s: %s", delivery.id, delivery.attempts,
                 code or error)
