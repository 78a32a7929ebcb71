"""An employer admin's webhooks: endpoints (the secret shown once), the delivery log with
each attempt's response code, replay and disable. Thin: app.services.platform.webhooks."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from app.account.blueprint import bp
from app.account.routes import NO_STORE, _me
from app.auth.access import role_required
from app.services.platform import webhooks
from app.surface import NOTHING, Refusal, attempt

WID = "/webhooks/<int(min=1, max=2147483647):endpoint_id>"


def _page(refused: Refusal = NOTHING, new_secret: str | None = None, status: int = 200):
    return render_template("account/webhooks.html", endpoints=webhooks.endpoints(_me()),
                           events=webhooks.EVENTS, new_secret=new_secret,
                           shown_url=webhooks.shown_url, errors=refused.fields,
                           message=refused.message,
                           values=request.form if refused.fields else {},
                           chosen=request.form.getlist("events") if refused.fields else []), \
        refused.status if refused else status, NO_STORE


@bp.route("/webhooks", methods=["GET", "POST"])
@role_required("employer_admin")
def webhooks_page():
    """The endpoints; POST registers one (URL and events) and shows its secret once."""
    if request.method == "GET":
        return _page()
    _, secret = attempt(webhooks.register, _me(), request.form.get("url"),
                        request.form.getlist("events"), again=_page)
    return _page(new_secret=secret, status=201)


@bp.get(WID)
@role_required("employer_admin")
def webhook_log(endpoint_id: int):
    """The endpoint's deliveries: event, status, attempts, response codes, replay."""
    found = webhooks.endpoint(_me(), endpoint_id)
    return render_template("account/webhook_log.html", endpoint=found, events=webhooks.EVENTS,
                           shown_url=webhooks.shown_url,
                           deliveries=webhooks.deliveries(_me(), endpoint_id)), 200, NO_STORE


@bp.post(f"{WID}/deliveries/<int(min=1, max=2147483647):delivery_id>/replay")
@role_required("employer_admin")
def replay_delivery(endpoint_id: int, delivery_id: int):
    webhooks.replay(_me(), endpoint_id, delivery_id)
    flash(_("已重新发送（新的投递记录，事件 ID 不变）"), "success")
    return redirect(url_for("account.webhook_log", endpoint_id=endpoint_id))


@bp.post(f"{WID}/disable")
@role_required("employer_admin")
def disable_webhook(endpoint_id: int):
    webhooks.disable(_me(), endpoint_id)
    flash(_("已停用该 Webhook 地址"), "success")
    return redirect(url_for("account.webhooks_page"))
