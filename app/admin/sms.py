"""Platform admin view of the SMS delivery log, and the providers' delivery-receipt callbacks.

The callbacks (``POST /sms/receipts/<provider>/<secret>``) live on a blueprint of their own
at the site root, registered with the admin blueprint: Alibaba Cloud's SmsReport push and
Tencent Cloud's status callback are not signed by the providers, so the URL configured in
their consoles carries ``SMS_CALLBACK_SECRET`` as its last path component (a random secret of
the platform, not a signing token), compared in constant time; no secret set: 404.
"""

from __future__ import annotations

import hmac

from flask import Blueprint, abort, current_app, jsonify, render_template, request

from app.admin.blueprint import bp
from app.auth.access import role_required
from app.extensions import csrf
from app.models import SMS_STATUSES
from app.services import messaging
from app.services.messaging import receipts

receipts_bp = Blueprint("sms_receipts", __name__, url_prefix="/sms")
csrf.exempt(receipts_bp)  # providers post JSON; the secret path component authenticates
#: what each provider expects back when it got the receipts
ACK = {"aliyun": {"code": 0, "msg": "接收成功"}, "tencent": {"result": 0, "errmsg": "OK"}}


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
    if provider not in ACK or not expected:
        abort(404)
    if not hmac.compare_digest(secret.encode(), expected.encode()):
        abort(403)
    messaging.record_receipts(provider, request.get_data(cache=False))
    return jsonify(ACK[provider])
