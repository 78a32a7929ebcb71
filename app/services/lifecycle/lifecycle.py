"""The contract's lifecycle besides signing: the employer voids it or resends the link, the
worker declines it. Each use case is one transaction; a race with the worker's signature has
exactly one winner (the contract's version column turns the loser's update into a conflict).
"""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from app.domain.typed import Msg
from app.errors import Conflict, Forbidden, ValidationFailed
from app.extensions import db
from app.models import Contract, SigningLink
from app.models.base import utcnow
from app.services.contracts import invites
from app.services.platform import audit, ratelimit, scope
from app.services.platform.principal import Principal
from app.services.worker_signing import worker_signing

REASON_MAX = 200
RESEND_SECONDS = 60
RESEND_MESSAGE = "签署链接刚刚重新发送过，每份合同每分钟最多重发一次，请 %(seconds)s 秒后再试"
STATE_CHANGED = "合同状态刚刚发生了变化（可能劳动者正在签署），请刷新页面后查看"


SIGNED_MESSAGE = "合同已签署生效，不能作废；如需结束劳动关系，请依法办理解除或终止手续"


def _lost_race(contract: Contract) -> Conflict:
    """After a rollback: the conflict to report, by what the contract has become meanwhile."""
    db.session.rollback()
    if contract.status in ("signed", "filed"):
        return Conflict(SIGNED_MESSAGE, code="already_signed")
    return Conflict(STATE_CHANGED, code="state_changed")


def _own(p: Principal, contract_id: int) -> Contract:
    """The employer's own contract. :raises Forbidden: ``p`` is not an employer."""
    if not p.is_employer:
        raise Forbidden("只有用人单位可以办理合同", code="not_employer")
    return scope.contract(p, contract_id)


def clean_reason(reason: object) -> str:
    """The stripped reason; 1–200 characters.

    :raises ValidationFailed: naming the field ``reason``.
    """
    text = reason.strip() if isinstance(reason, str) else ""
    if not text:
        raise ValidationFailed("请填写原因（1–200 字）", fields={"reason": "请填写原因"})
    if len(text) > REASON_MAX:
        raise ValidationFailed("请填写原因（1–200 字）", fields={"reason": "原因不能超过200字"})
    return text


def revoke_links(contract: Contract, now) -> int:
    """Withdraw every link of the contract that is not withdrawn yet; returns how many."""
    links = db.session.scalars(select(SigningLink).where(
        SigningLink.contract_id == contract.id, SigningLink.revoked_at.is_(None))).all()
    for link in links:
        link.revoked_at = now
    return len(links)


SMS_WITHDRAWN = ("【智慧星用工】%(employer)s已撤回劳动合同（编号%(contract_no)s）的签署邀请，"
                 "原签署链接已失效。如有疑问，请联系用人单位。")


def _withdrawn_text(contract: Contract) -> str:
    return Msg(SMS_WITHDRAWN, employer=contract.organization.name,
               contract_no=contract.contract_no)


def void_contract(p: Principal, contract_id: int, *, reason: object, ip: str | None = None,
                  user_agent: str | None = None) -> Contract:
    """Void (作废) a draft or sent contract: links withdrawn, the worker told by SMS if sent.

    :raises NotFound: not the employer's contract.
    :raises Conflict: the contract is signed (it can only be terminated), voided, declined,
        expired, or changed meanwhile. :raises ValidationFailed: missing or too long reason.
    """
    contract = _own(p, contract_id)
    if contract.status in ("signed", "filed"):
        raise Conflict(SIGNED_MESSAGE, code="already_signed")
    if contract.status not in ("draft", "sent"):
        raise Conflict("只有草稿或待签署的合同可以作废", code="not_voidable")
    text = clean_reason(reason)
    previous = contract.status
    try:
        revoked = revoke_links(contract, utcnow())
        contract.status = "voided"
        if previous == "sent":
            invites.queue_sms(contract, _withdrawn_text(contract))
        audit.record(contract.id, p.actor, "contract.voided", reason=text, previous_status=previous,
                     links_revoked=revoked, ip=ip, user_agent=(user_agent or "")[:200])
        db.session.commit()
    except (StaleDataError, IntegrityError):
        raise _lost_race(contract) from None
    return contract


def _resend_cooldown(contract: Contract) -> None:
    """At most one resend per RESEND_SECONDS: the newest of two or more links is a resend."""
    recent = db.session.scalars(select(SigningLink.created_at).where(
        SigningLink.contract_id == contract.id).order_by(SigningLink.id.desc()).limit(2)).all()
    if len(recent) == 2:
        wait = RESEND_SECONDS - (utcnow() - recent[0]).total_seconds()
        if wait > 0:
            raise ratelimit.RateLimited(RESEND_MESSAGE, int(wait + 0.999), seconds=int(wait + 0.999))


def resend_link(p: Principal, contract_id: int, *, sms: bool = True) -> tuple[Contract, str]:
    """Withdraw the worker's current link and text a new one (重新发送); ``sms=False``: no
    text — HR copies the new link and passes it on (the worker still proves name, ID number
    and the phone's one-time code before signing).

    :returns: the contract and the new link's token (shown to the caller once).
    :raises NotFound: not the employer's contract.
    :raises Conflict: the contract is not waiting for the worker, or changed meanwhile.
    :raises RateLimited: resent less than a minute ago (HTTP 429 with Retry-After).
    """
    contract = _own(p, contract_id)
    if contract.status != "sent":
        raise Conflict("只有待劳动者签署的合同可以重新发送签署链接", code="not_sent")
    _resend_cooldown(contract)
    ratelimit.enforce("contract-resend", str(contract.id), f"1/{RESEND_SECONDS}s", RESEND_MESSAGE)
    try:
        revoked = revoke_links(contract, utcnow())
        token = invites.issue_link(contract, sms=sms)
        flag_modified(contract, "status")  # bump the version: a racing signature loses
        audit.record(contract.id, p.actor, "contract.resent",
                     to=contract.worker_phone_masked if sms else None, by_sms=sms,
                     links_revoked=revoked, days=current_app.config["SIGN_LINK_DAYS"])
        db.session.commit()
    except (StaleDataError, IntegrityError):
        raise _lost_race(contract) from None
    return contract, token


def decline_contract(token: str, *, session: str, reason: object, ip: str | None,
                     user_agent: str | None) -> Contract:
    """The identity-verified worker declines (拒签) with a reason; the links are withdrawn.

    :raises Unauthorized: no live signing session. :raises Conflict: signed already.
    :raises Gone: link expired or withdrawn. :raises ValidationFailed: missing or long reason.
    """
    link = worker_signing.verified_link(token, session, for_signing=True)
    text = clean_reason(reason)
    contract = link.contract
    try:
        revoked = revoke_links(contract, utcnow())
        contract.status = "declined"
        audit.record(contract.id, f"worker:{contract.worker_id}", "contract.declined", reason=text,
                     links_revoked=revoked, ip=ip, user_agent=(user_agent or "")[:200])
        db.session.commit()
    except (StaleDataError, IntegrityError):
        db.session.rollback()
        worker_signing.open_link(token)  # voided or signed meanwhile: say which
        raise Conflict(STATE_CHANGED, code="state_changed") from None
    return contract
