"""The worker's signing link and the text messages to a contract's worker: a new link for
each sending (only its hash is stored) and the SMS job that carries the texts, encrypted
(sent by :mod:`app.services.messaging`)."""

from __future__ import annotations

import secrets
from datetime import timedelta

from flask import current_app

from app import pii
from app.domain.typed import Msg
from app.extensions import db
from app.models import Contract, SigningLink
from app.models.base import utcnow
from app.services.messaging import outbox

SMS_INVITE = "【智慧星用工】%(employer)s邀请您签署劳动合同，请在%(days)s天内打开 %(url)s 查看并签署。"
SMS_INVITE_DOCUMENT = ("【智慧星用工】%(employer)s邀请您签署%(title)s，请在%(days)s天内打开 %(url)s "
                       "查看并签署。")


SMS_REMINDER = ("【智慧星用工】提醒：%(employer)s邀请您签署的%(title)s尚未签署，请在%(days)s天内打开 "
                "%(url)s 查看并签署；如不同意，可在页面上拒签。")
DEFAULT_TITLE = "劳动合同"


def issue_link(contract: Contract, *, reminder: bool = False, sms: bool = True) -> str:
    """Add a new signing link (valid SIGN_LINK_DAYS) and queue the SMS inviting the worker
    (``reminder``: the text reminds a worker who has not signed yet; ``sms=False``: no text,
    HR passes the link on itself).

    Part of the caller's transaction; returns the token (only its hash is stored).
    """
    token = secrets.token_urlsafe(24)
    days = current_app.config["SIGN_LINK_DAYS"]
    db.session.add(SigningLink(contract=contract, token_hash=pii.token_hash(token),
                               expires_at=utcnow() + timedelta(days=days)))
    url = f"{current_app.config['BASE_URL']}/s/{token}"
    if not sms:
        return token
    if reminder:
        queue_sms(contract, Msg(SMS_REMINDER, employer=contract.organization.name,
                                title=contract.terms.get("title") or DEFAULT_TITLE, days=days,
                                url=url))
        return token
    if contract.document_kind != "contract":  # an amendment or termination of a contract
        queue_sms(contract, Msg(SMS_INVITE_DOCUMENT, employer=contract.organization.name,
                                title=contract.terms.get("title", ""), days=days, url=url))
        return token
    queue_sms(contract, Msg(SMS_INVITE, employer=contract.organization.name, days=days, url=url))
    return token


def queue_sms(contract: Contract, text: str) -> None:
    """Queue a text message to the phone given on ``contract`` (encrypted in the job)."""
    outbox.queue(contract.worker_phone_enc, text, contract_id=contract.id)
