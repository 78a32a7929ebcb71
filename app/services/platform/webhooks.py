"""Webhooks: an employer admin registers endpoints of the employer's own systems; each event
the endpoint subscribed to becomes a delivery, written in the transaction of what happened
(the audit record of it) and sent by a durable job (:mod:`app.services.platform.webhook_delivery`).

Events: ``contract.sent``, ``.signed``, ``.filed``, ``.declined``, ``.voided``, ``.expired``
(its signing link ran out unsigned), ``.terminated`` and ``.certificate_issued`` (a contract);
``document.sent``, ``.signed``, ``.filed`` and ``.expired`` (its amendments and terminations);
``batch.completed``. Bodies hold no personal data beyond what the employer's own contract
list shows: ids, numbers, statuses.
"""

from __future__ import annotations

import json
import re
import secrets
import uuid

from flask import current_app
from sqlalchemy import select

from app import pii
from app.domain.typed import Msg
from app.errors import Forbidden, NotFound, ValidationFailed
from app.extensions import db
from app.models import Batch, Contract, WebhookDelivery, WebhookEndpoint
from app.models.base import utcnow
from app.services.platform import jobs, webhook_urls
from app.services.platform.principal import Principal

EVENTS = {
    "contract.sent": "合同已盖章发送", "contract.signed": "劳动者已签署",
    "contract.filed": "合同已备案", "contract.declined": "劳动者拒签",
    "contract.voided": "合同已作废", "contract.expired": "签署链接已过期（劳动者未签署）",
    "contract.terminated": "劳动合同已解除（终止）",
    "contract.certificate_issued": "已出具解除（终止）证明",
    "document.sent": "变更、解除协议已发送", "document.signed": "变更、解除协议已签署",
    "document.filed": "变更、解除协议已备案", "document.expired": "变更、解除协议的签署链接已过期",
    "batch.completed": "批量任务已完成",
}
# audit action -> (event for a contract, event for a lifecycle document)
FROM_AUDIT = {
    "contract.sent": ("contract.sent", "document.sent"),
    "contract.amendment_sent": ("document.sent", "document.sent"),
    "contract.termination_sent": ("document.sent", "document.sent"),
    "contract.signed": ("contract.signed", "document.signed"),
    "contract.filed": ("contract.filed", "document.filed"),
    "contract.declined": ("contract.declined", "document.declined"),
    "contract.voided": ("contract.voided", "document.voided"),
    "contract.link_expired": ("contract.expired", "document.expired"),
    "contract.terminated": ("contract.terminated", "contract.terminated"),
    "contract.certificate_issued": ("contract.certificate_issued",) * 2,
}
DETAIL_KEYS = ("filing_number", "sha256", "document")  # no free text (a worker's reason)
MAX_ENDPOINTS = 10
INVALID = "Webhook 设置有误，请检查标出的字段"
NO_EVENTS = "请至少选择一个事件"
UNKNOWN_EVENT = "未知的事件：%(event)s"
TOO_MANY = "每个单位最多 %(limit)s 个 Webhook 地址"
NOT_FOUND = "Webhook 不存在"
NOT_ADMIN = "只有单位管理员或 API 密钥可以管理 Webhook"


def _org_id(p: Principal) -> int:
    if not (p.is_employer_admin or p.kind == "api_key") or p.organization_id is None:
        raise Forbidden(NOT_ADMIN, code="not_employer_admin")
    return p.organization_id


def check_url(url: object) -> tuple[str, Msg | None]:
    """The URL stripped, and what is wrong with it (None: fine), read as the delivery reads
    it (:mod:`app.services.platform.webhook_urls`). Private, loopback and link-local
    addresses are refused unless ``WEBHOOK_ALLOW_PRIVATE`` (tests, local demos; then the name
    is not looked up here); production wants https."""
    text = url.strip() if isinstance(url, str) else ""
    target, problem = webhook_urls.parse(text, production=bool(
        current_app.config.get("PRODUCTION")))
    allow_private = bool(current_app.config.get("WEBHOOK_ALLOW_PRIVATE"))
    if target is not None and not allow_private:
        _, problem = webhook_urls.resolve(target, allow_private=allow_private)
    return text, problem


def shown_url(url: str) -> str:
    """``url`` as shown to people and API clients: user info (accepted before it was
    refused) masked."""
    found = re.fullmatch(r"([^:/?#]+://)([^/?#]*@)(.*)", url, re.S)
    return f"{found[1]}***@{found[3]}" if found else url


def register(p: Principal, url: object, events: object) -> tuple[WebhookEndpoint, str]:
    """Register an endpoint; returns it and its signing secret (shown this once).

    :raises ValidationFailed: a bad or private URL (``url``), no or unknown events
        (``events``), too many endpoints; nothing is written.
    """
    org_id = _org_id(p)
    text, problem = check_url(url)
    errors: dict[str, Msg] = {"url": problem} if problem else {}
    chosen = list(dict.fromkeys(events)) if isinstance(events, list | tuple) else []
    unknown = [e for e in chosen if not isinstance(e, str) or e not in EVENTS]
    if unknown:
        errors["events"] = Msg(UNKNOWN_EVENT, event=str(unknown[0])[:40])
    elif not chosen:
        errors["events"] = Msg(NO_EVENTS)
    count = len(endpoints(p))
    if count >= MAX_ENDPOINTS:
        errors["url"] = Msg(TOO_MANY, limit=MAX_ENDPOINTS)
    if errors:
        raise ValidationFailed(INVALID, fields=errors)
    secret = "whsec_" + secrets.token_urlsafe(32)
    endpoint = WebhookEndpoint(organization_id=org_id, url=text, events=chosen,
                               secret_enc=pii.encrypt(secret), active=True, created_by=p.actor)
    db.session.add(endpoint)
    db.session.commit()
    return endpoint, secret


def endpoints(p: Principal) -> list[WebhookEndpoint]:
    """The employer's endpoints, newest first."""
    org_id = _org_id(p)
    return list(db.session.scalars(select(WebhookEndpoint).where(
        WebhookEndpoint.organization_id == org_id).order_by(WebhookEndpoint.id.desc())))


def endpoint(p: Principal, endpoint_id: int) -> WebhookEndpoint:
    """One endpoint of ``p``'s employer. :raises NotFound: none, or another employer's."""
    org_id = _org_id(p)
    found = db.session.get(WebhookEndpoint, endpoint_id)
    if found is None or found.organization_id != org_id:
        raise NotFound(NOT_FOUND, code="webhook_not_found")
    return found


def disable(p: Principal, endpoint_id: int) -> WebhookEndpoint:
    """Stop sending to an endpoint (its log is kept; pending deliveries fail)."""
    found = endpoint(p, endpoint_id)
    found.active = False
    db.session.commit()
    return found


def deliveries(p: Principal, endpoint_id: int, limit: int = 100) -> list[WebhookDelivery]:
    """The endpoint's deliveries, newest first."""
    found = endpoint(p, endpoint_id)
    return list(db.session.scalars(select(WebhookDelivery).where(
        WebhookDelivery.endpoint_id == found.id).order_by(WebhookDelivery.id.desc()).limit(limit)))


def replay(p: Principal, endpoint_id: int, delivery_id: int) -> WebhookDelivery:
    """Send a delivery's body again, as a new delivery (same event id: the receiver can tell
    it has seen it). :raises NotFound: not a delivery of the employer's endpoint."""
    found = endpoint(p, endpoint_id)
    original = db.session.get(WebhookDelivery, delivery_id)
    if original is None or original.endpoint_id != found.id:
        raise NotFound(NOT_FOUND, code="webhook_not_found")
    again = _deliver(found, original.event, original.event_id, original.body,
                     replay_of=original.id)
    db.session.commit()
    return again


def _deliver(target: WebhookEndpoint, event: str, event_id: str, body: str,
             replay_of: int | None = None) -> WebhookDelivery:
    delivery = WebhookDelivery(endpoint_id=target.id, event=event, event_id=event_id, body=body,
                               status="pending", attempts=0, log=[], replay_of=replay_of)
    db.session.add(delivery)
    db.session.flush()
    jobs.enqueue("webhook", {"delivery_id": delivery.id})
    return delivery


def emit(organization_id: int, event: str, data: dict) -> int:
    """Queue ``event`` to every active endpoint of the employer subscribed to it (part of the
    caller's transaction); returns how many deliveries."""
    targets = [t for t in db.session.scalars(select(WebhookEndpoint).where(
        WebhookEndpoint.organization_id == organization_id, WebhookEndpoint.active.is_(True)))
        if event in (t.events or [])]
    if not targets:
        return 0
    event_id = str(uuid.uuid4())
    body = json.dumps({"id": event_id, "event": event, "created_at": utcnow().isoformat(),
                       "data": data}, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    for target in targets:
        _deliver(target, event, event_id, body)
    return len(targets)


def on_audit(contract_id: int | None, action: str, details: dict) -> None:
    """Subscriber of ``audit.recorded``: the webhook event of what was just recorded, if any."""
    if action not in FROM_AUDIT and action != "batch.completed":
        return
    if action == "batch.completed":
        batch = db.session.get(Batch, details.get("batch"))
        if batch is not None:
            emit(batch.organization_id, "batch.completed", {
                "batch_id": batch.id, "total": batch.total, "done": details.get("done"),
                "failed": details.get("failed")})
        return
    events = FROM_AUDIT.get(action)
    if events is None or contract_id is None:
        return
    contract = db.session.get(Contract, contract_id)
    if contract is None:
        return
    event = events[0] if contract.document_kind == "contract" else events[1]
    if event not in EVENTS:
        return
    data = {"contract_id": contract.id, "contract_no": contract.contract_no,
            "status": contract.status, "document_kind": contract.document_kind,
            "parent_id": contract.parent_id, "template": contract.template,
            **{k: details[k] for k in DETAIL_KEYS if k in details}}
    emit(contract.organization_id, event, data)
