"""Delivery receipts pushed by the providers, and the delivery log as admins read it.

* Alibaba Cloud "SmsReport" HTTP batch push: a JSON array of ``{"biz_id", "success",
  "err_code", "report_time", ...}`` (https://help.aliyun.com/zh/sms/developer-reference/smsreport-2);
* Tencent Cloud "短信下发状态回调": a JSON array of ``{"sid", "report_status"
  ("SUCCESS"|"FAIL"), "errmsg", "user_receive_time", ...}``
  (https://cloud.tencent.com/document/product/382/52077).

Neither provider signs these pushes, so the callback URL carries a secret path component
(``SMS_CALLBACK_SECRET``), checked by the route. Receipts update the log by the provider's
message id; unknown ids are ignored.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import func, select

from app.errors import ValidationFailed
from app.extensions import db
from app.models import SmsDelivery
from app.models.base import utcnow

BAD_BODY = "回执格式不正确：应为 JSON 数组"
PROVIDERS = ("aliyun", "tencent")


@dataclass(frozen=True)
class Receipt:
    """One receipt: the provider's message id, whether the phone got it, the carrier code."""

    message_id: str
    delivered: bool
    code: str


def parse(provider: str, body: bytes) -> list[Receipt]:
    """The receipts of a push body. :raises ValidationFailed: not a JSON array of receipts."""
    try:
        items = json.loads(body or b"null")
    except ValueError:
        items = None
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise ValidationFailed(BAD_BODY, code="bad_receipt", fields={"body": BAD_BODY})
    receipts = []
    for item in items:
        if provider == "aliyun":
            message_id, ok, code = item.get("biz_id"), item.get("success") is True, item.get("err_code")
        else:
            message_id, ok = item.get("sid"), item.get("report_status") == "SUCCESS"
            code = item.get("errmsg")
        if isinstance(message_id, str) and message_id:
            receipts.append(Receipt(message_id, ok, code if isinstance(code, str) else ""))
    return receipts


def record_receipts(provider: str, body: bytes) -> int:
    """Apply a provider's pushed receipts to the delivery log; returns how many matched.

    :raises ValidationFailed: the body is not the provider's receipt format.
    """
    receipts = parse(provider, body)
    ids = {r.message_id for r in receipts}
    rows = {row.message_id: row for row in db.session.scalars(select(SmsDelivery).where(
        SmsDelivery.provider == provider, SmsDelivery.message_id.in_(ids)))} if ids else {}
    now, matched = utcnow(), 0
    for receipt in receipts:
        row = rows.get(receipt.message_id)
        if row is None:
            continue
        row.status = "delivered" if receipt.delivered else "failed"
        row.error_code = None if receipt.delivered else f"report:{receipt.code or 'unknown'}"[:120]
        row.reported_at, matched = now, matched + 1
    db.session.commit()
    return matched


def recent(limit: int = 200, status: str | None = None) -> list[SmsDelivery]:
    """The latest deliveries (newest first), optionally of one status."""
    query = select(SmsDelivery).order_by(SmsDelivery.id.desc()).limit(limit)
    if status:
        query = query.where(SmsDelivery.status == status)
    return list(db.session.scalars(query))


def status_counts() -> dict[str, int]:
    """How many deliveries are in each status."""
    rows = db.session.execute(select(SmsDelivery.status, func.count()).group_by(SmsDelivery.status))
    return {status: count for status, count in rows}
