"""Platform admin view of the SMS delivery log, and the providers' delivery-receipt callbacks.

The callbacks (``POST /sms/receipts/<provider>/<secret>``) live on a blueprint of their own
at the site root, registered with the admin blueprint: Alibaba Cloud's SmsReport push and
Tencent Cloud's status callback are not signed by the providers, so the URL configured in
their consoles carries ``SMS_CALLBACK_SECRET`` as its last path component (a random secret of
the platform, not a signing token), compared in constant time; no secret set or a wrong one:
404 (the same answer: nothing tells a prober that the path exists). A body larger than
:data:`RECEIPT_MAX_BYTES` is refused with 413 before anything reads it.

"""

from __future__ import annotations

import hmac
import logging

from flask import Blueprint, abort, current_app, jsonify, render_template, request
from werkzeug.exceptions import RequestEntityTooLarge

from app.admin.blueprint import bp
from app.auth.access import role_required
from app.errors import AppError
from app.extensions import csrf
from app.models import SMS_STATUSES
from app.services import messaging
from app.services.messaging import receipts

log = logging.getLogger(__name__)
receipts_bp = Blueprint("sms_receipts", __name__, url_prefix="/sms")
csrf.exempt(receipts_bp)  # providers post JSON; the secret path component authenticates
#: what each provider expects back when it got the receipts
ACK = {"aliyun": {"code": 0, "msg": "接收成功"}, "tencent": {"result": 0, "errmsg": "OK"}}
#: the largest receipt push taken (a provider batches at most a few hundred receipts)
RECEIPT_MAX_BYTES = 256 * 1024


class ReceiptTooLarge(AppError):
    """A receipt push larger than :data:`RECEIPT_MAX_BYTES`."""

    status, code = 413, "receipt_too_large"


@receipts_bp.url_value_preprocessor
def _limit_body(endpoint: str | None, values: dict | None) -> None:
    """Before any hook reads the body (the request guard parses JSON bodies)."""
    request.max_content_length = RECEIPT_MAX_BYTES


@receipts_bp.errorhandler(RequestEntityTooLarge)
def _too_large(exc: RequestEntityTooLarge):
    """413 as JSON (the caller is a provider's push service, not a browser)."""
    error = ReceiptTooLarge("回执内容过大：每次推送最多 %(kib)s KiB", kib=RECEIPT_MAX_BYTES // 1024)
    return jsonify(error.to_dict()), 413


@bp.get("/sms")
@role_required("platform_admin")
def sms_deliveries():
    """The latest text messages: kind, masked number, provider, status, error code."""
    status = request.args.get("status", "").strip()
    problem = None
    if status and status not in SMS_STATUSES:
        problem, status = status, ""  # shown as 未知的状态：… (the filter is dropped)
    return render_template("admin/sms.html", rows=receipts.recent(200, status or None),
                           counts=receipts.status_counts(), statuses=SMS_STATUSES,
                           status=status, problem=problem)


@receipts_bp.post("/receipts/<provider>/<secret>")
def receipt(provider: str, secret: str):
    """A provider's pushed delivery receipts (JSON array) update the delivery log."""
    expected = current_app.config.get("SMS_CALLBACK_SECRET") or ""
    if provider not in ACK or not expected or not hmac.compare_digest(secret.encode(),
                                                                      expected.encode()):
        abort(404)
    messaging.record_receipts(provider, request.get_data(cache=False))
    return jsonify(ACK[provider])
