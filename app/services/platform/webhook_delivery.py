"""Sending one webhook delivery: the body signed with HMAC-SHA256 over ``timestamp.body``,
POSTed without following redirects; any 2xx is delivered; otherwise retried with
exponential backoff (30 s doubling, at most 4 h apart) for 24 hours, each attempt's answer
kept in the delivery log.

The endpoint's URL is read and its name looked up once per attempt
(:mod:`app.services.platform.webhook_urls`), and the request goes to exactly the address that
was checked: a urllib3 connection pool bound to that IP, with the name in the Host header and,
for https, as the TLS SNI and the name the certificate must carry (urllib3's
``server_hostname`` / ``assert_hostname``, verified against certifi's CA bundle).

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

import certifi
from flask import current_app
from urllib3 import HTTPConnectionPool, HTTPSConnectionPool, Timeout
from urllib3.exceptions import HTTPError

from app import pii
from app.extensions import db
from app.models import WebhookDelivery
from app.models.base import utcnow
from app.services.platform import jobs, webhook_urls

log = logging.getLogger(__name__)
RETRY_FOR = timedelta(hours=24)
TIMEOUT_SECONDS = 10
CONNECT_SECONDS = 5
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


def ca_bundle() -> str:
    """The CA certificates an https endpoint's certificate must chain to (certifi's, as
    ``requests`` uses)."""
    return certifi.where()


def _post(target: webhook_urls.Target, address: str, body: bytes,
          headers: dict) -> tuple[int | None, str | None, int]:
    """POST ``body`` to ``target`` at ``address`` (its checked IP); no redirects, no retries,
    no proxies from the environment."""
    started = time.monotonic()
    common = {"timeout": Timeout(connect=CONNECT_SECONDS, read=TIMEOUT_SECONDS),
              "retries": False, "maxsize": 1}
    if target.scheme == "https":
        pool = HTTPSConnectionPool(address, target.port, cert_reqs="CERT_REQUIRED",
                                   ca_certs=ca_bundle(), server_hostname=target.host,
                                   assert_hostname=target.host, **common)
    else:
        pool = HTTPConnectionPool(address, target.port, **common)
    try:
        with pool:
            resp = pool.urlopen("POST", target.request_uri, body=body,
                                headers={**headers, "Host": target.host_header},
                                redirect=False, retries=False, assert_same_host=False,
                                preload_content=False)
            code, error = resp.status, None
            resp.close()
    except (HTTPError, OSError) as exc:
        code, error = None, type(exc).__name__
    return code, error, round((time.monotonic() - started) * 1000)


def _checked(url: str) -> tuple[webhook_urls.Target | None, str | None, object]:
    """The endpoint's URL read as at registration and its name looked up, once:
    (target, address to connect to, problem)."""
    config = current_app.config
    target, problem = webhook_urls.parse(url, production=bool(config.get("PRODUCTION")))
    if target is None:
        return None, None, problem
    address, problem = webhook_urls.resolve(
        target, allow_private=bool(config.get("WEBHOOK_ALLOW_PRIVATE")))
    return target, address, problem


def deliver(payload: dict) -> None:
    """The ``webhook`` job: one attempt of a pending delivery (idempotent once finished)."""
    delivery = db.session.get(WebhookDelivery, payload["delivery_id"])
    if delivery is None or delivery.status != "pending":
        return
    target = delivery.endpoint
    now = utcnow()
    # again at sending: the name may point elsewhere now; it is looked up once, here
    url, address, problem = _checked(target.url) if target.active else (None, None, None)
    if url is None or address is None:
        code, error, ms = None, "endpoint disabled" if not target.active else str(problem), 0
    else:
        body = delivery.body.encode()
        timestamp = int(time.time())
        code, error, ms = _post(url, address, body, {
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
    elif target.active and (problem is None or problem == webhook_urls.UNRESOLVED) and \
            now + retry_delay(delivery.attempts) <= delivery.created_at + RETRY_FOR:
        # a bad or private address is final; a name that does not resolve may come back
        jobs.enqueue("webhook", {"delivery_id": delivery.id},
                     run_after=now + retry_delay(delivery.attempts), after_request=False)
    else:
        delivery.status = "failed"
    db.session.commit()
    if delivery.status != "delivered":
        log.info("webhook delivery %s attempt %s: %s", delivery.id, delivery.attempts,
                 code or error)
