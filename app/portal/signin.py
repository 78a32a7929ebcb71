"""Signing in and out of the portal: the form, the texted code, the end of the session."""

from __future__ import annotations

from flask import current_app, redirect, render_template, request, session, url_for

from app.domain.ids import mask_phone
from app.portal import cookies
from app.portal.blueprint import bp
from app.services import worker_space
from app.surface import NOTHING, Refusal, attempt

SENT_TO = "portal_sent_to"  # the masked phone the code went to (the Flask session)


@bp.route("/login", methods=["GET", "POST"])
def sign_in():
    """Name, ID number and phone (in the body only); the same answer whoever they are."""
    if request.method == "GET":
        return _sign_in_page()
    form = request.form
    token = attempt(worker_space.request_code, form.get("name"), form.get("id_number"),
                    form.get("phone"), ip=request.remote_addr, again=_sign_in_page)
    session[SENT_TO] = mask_phone("".join(ch for ch in form.get("phone", "") if ch.isdigit()))
    response = redirect(url_for("portal.enter_code"))
    return cookies.put(response, cookies.PENDING, token,
                       max_age=current_app.config["OTP_TTL_SECONDS"])


def _sign_in_page(refused: Refusal = NOTHING):
    typed = {k: request.form.get(k, "") for k in ("name", "id_number", "phone")}
    return render_template("portal/sign_in.html", typed=typed, refused=refused), \
        refused.status if refused else 200, refused.headers


@bp.route("/code", methods=["GET", "POST"])
def enter_code():
    """The texted code; right, it opens a short session."""
    if request.method == "GET":
        return _code_page()
    token = attempt(worker_space.verify_code, request.cookies.get(cookies.PENDING),
                    request.form.get("code"), ip=request.remote_addr, again=_code_page)
    session.pop(SENT_TO, None)
    response = cookies.drop(redirect(url_for("portal.home")), cookies.PENDING)
    return cookies.put(response, cookies.SESSION, token)


def _code_page(refused: Refusal = NOTHING):
    return render_template("portal/code.html", sent_to=session.get(SENT_TO),
                           refused=refused), refused.status if refused else 200, refused.headers


@bp.route("/logout", methods=["POST"])
def sign_out():
    """End the portal session."""
    worker_space.sign_out(request.cookies.get(cookies.SESSION))
    return cookies.drop(redirect(url_for("portal.sign_in")), cookies.SESSION)
