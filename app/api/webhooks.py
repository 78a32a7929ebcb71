"""Employer API: webhook endpoints (register, list, disable), their delivery log and replay;
and the staff register (职工名册) as JSON, XLSX or PDF."""

from flask import g, request

from app.api.blueprint import employer_bp as bp
from app.api.schemas import ErrorOut
from app.api.spec import API_KEY, operation
from app.api.webhook_schemas import (
    DeliveriesOut,
    DeliveryOut,
    RegisterFileQuery,
    RegisterOut,
    RegisterQuery,
    WebhookCreatedOut,
    WebhookIn,
    WebhookOut,
    WebhooksOut,
)
from app.domain import typed
from app.domain.expiry import today_in_beijing
from app.domain.typed import Msg
from app.errors import ValidationFailed
from app.models import WebhookDelivery, WebhookEndpoint
from app.services.filing import staff_register
from app.services.platform import webhooks
from app.surface import download

TAGS = ["webhooks"]
WID = "/webhooks/<int(min=1, max=2147483647):endpoint_id>"
KNOWN = {401: (ErrorOut, "缺少或无效的 API 密钥"), 404: (ErrorOut, "Webhook 不存在")}


def _endpoint(e: WebhookEndpoint) -> dict:
    return {"id": e.id, "url": webhooks.shown_url(e.url), "events": list(e.events), "active": e.active,
            "created_at": e.created_at.isoformat()}


def _delivery(d: WebhookDelivery) -> dict:
    return {"id": d.id, "event": d.event, "event_id": d.event_id, "status": d.status,
            "attempts": d.attempts, "response_code": d.response_code, "log": d.log or [],
            "replay_of": d.replay_of, "created_at": d.created_at.isoformat(),
            "delivered_at": d.delivered_at.isoformat() if d.delivered_at else None}


@bp.get("/webhooks")
@operation(security=API_KEY, tags=TAGS, answers={200: WebhooksOut, 401: KNOWN[401]})
def list_webhooks():
    """Webhook 地址列表"""
    return {"items": [_endpoint(e) for e in webhooks.endpoints(g.principal)]}


@bp.post("/webhooks")
@operation(json=WebhookIn, security=API_KEY, tags=TAGS, answers={
    201: (WebhookCreatedOut, "已登记；签名密钥仅此一次返回"), 401: KNOWN[401]})
def create_webhook():
    """登记 Webhook 地址

    Events: contract.sent, .signed, .filed, .declined, .voided, .expired, .terminated,
    .certificate_issued; document.sent, .signed, .filed, .expired; batch.completed.
    Each delivery is a JSON POST with
    ``X-LaborSign-Signature: t=<unix time>,v1=<hex HMAC-SHA256(secret, "<t>." + body)>``;
    any 2xx answer is delivered, otherwise it is retried with exponential backoff for 24 h.
    """
    body = request.context.json
    endpoint, secret = webhooks.register(g.principal, body.url, body.events)
    return {**_endpoint(endpoint), "secret": secret}, 201


@bp.post(f"{WID}/disable")
@operation(security=API_KEY, tags=TAGS, answers={200: (WebhookOut, "已停用"), **KNOWN})
def disable_webhook(endpoint_id: int):
    """停用 Webhook 地址（投递记录保留）"""
    return _endpoint(webhooks.disable(g.principal, endpoint_id))


@bp.get(f"{WID}/deliveries")
@operation(security=API_KEY, tags=TAGS, answers={200: DeliveriesOut, **KNOWN})
def list_deliveries(endpoint_id: int):
    """投递记录（最新在前，含每次尝试的响应码）"""
    return {"items": [_delivery(d) for d in webhooks.deliveries(g.principal, endpoint_id)]}


@bp.post(f"{WID}/deliveries/<int(min=1, max=2147483647):delivery_id>/replay")
@operation(security=API_KEY, tags=TAGS, answers={202: (DeliveryOut, "已重新投递（事件 ID 不变）"),
                                                 **KNOWN})
def replay_delivery(endpoint_id: int, delivery_id: int):
    """重新投递"""
    return _delivery(webhooks.replay(g.principal, endpoint_id, delivery_id)), 202


def _register_day(as_of: str):
    day, problem = typed.iso_date(as_of) if as_of else (today_in_beijing(), None)
    if problem:
        raise ValidationFailed("名册日期有误", fields={"as_of": Msg(problem, label=Msg("名册日期"))})
    return day


@bp.get("/register")
@operation(query=RegisterQuery, security=API_KEY, tags=["register"], answers={
    200: (RegisterOut, "职工名册"), 401: KNOWN[401]})
def get_register():
    """职工名册（劳动合同法实施条例第八条）

    The workers in service on ``as_of`` (default today, Beijing time) from the employer's
    signed contracts, with the regulation's fields; ID numbers and phones masked.
    """
    day = _register_day(request.context.query.as_of)
    rows = staff_register.table(staff_register.entries(g.principal, day))
    return {"as_of": day.isoformat(), "headers": rows[0], "rows": rows[1:]}


@bp.get("/register/file")
@operation(query=RegisterFileQuery, security=API_KEY, tags=["register"],
           answers={200: (None, "职工名册 XLSX 或 PDF（中文字体内嵌）"), 401: KNOWN[401]},
           binary={200: tuple(staff_register.FILE_TYPES.values())})
def get_register_file():
    """职工名册文件（XLSX 或 PDF）"""
    query = request.context.query
    return download(*staff_register.register_file(g.principal, _register_day(query.as_of),
                                                  query.format))
