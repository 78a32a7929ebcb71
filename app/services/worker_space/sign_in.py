"""Signing in to one's own space: name + ID number + a phone one of one's signed contracts
carries, then a code texted to that phone; the session that follows is short and sees the
signed documents carrying that phone (every phone is typed by an employer: a phone one
employer gave proves nothing about another employer's contracts).

Nothing tells a stranger whether a person exists: every well-formed form gets the same
answer and a code step of its own (a :class:`PortalLogin` row), and the code is texted only
when name, ID number and phone belong to one signed contract. The ID number and phone are
read from the form body only (never a URL) and never logged.
"""

from __future__ import annotations

import hmac
import logging
import secrets
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.exc import SQLAlchemyError

from app import pii
from app.domain.ids import id_number_error, normalize_id_number, phone_error
from app.domain.typed import Msg
from app.errors import Gone, TooManyRequests, Unauthorized, ValidationFailed
from app.extensions import db
from app.models import Contract, PortalLogin, Worker
from app.models.base import utcnow
from app.services.messaging import outbox
from app.services.platform import ratelimit, scope
from app.services.platform.principal import Principal, of_person

log = logging.getLogger(__name__)
SMS_CODE = "【智慧星用工】您登录“我的劳动合同”的验证码为%(code)s，%(minutes)s分钟内有效，请勿告知他人。"
LOGIN_LIMITED = "登录尝试过于频繁（%(limit)s），请 %(seconds)s 秒后再试"
CODE_GONE = "验证码已失效，请重新获取"
CODE_LOCKED = "验证码错误次数过多，请重新获取验证码"
RESEND_WAIT = "验证码已发送，请稍后再试"
SIGN_IN_FIRST = "请先登录（姓名、身份证号码和短信验证码）"
TOUCH_EVERY = timedelta(seconds=60)


def _fields(name: object, id_number: object, phone: object) -> tuple[str, str, str]:
    """The typed name, ID number and phone, normalised.

    :raises ValidationFailed: naming each missing or malformed field (the format only: it
        says nothing about whether such a person exists).
    """
    fields: dict[str, str] = {}
    texts = {k: v.strip() if isinstance(v, str) else "" for k, v in
             (("name", name), ("id_number", id_number), ("phone", phone))}
    if not texts["name"] or len(texts["name"]) > 50:
        fields["name"] = "请填写姓名" if not texts["name"] else "姓名不能超过50个字"
    number = normalize_id_number(texts["id_number"])
    if problem := (id_number_error(number) if number else "请填写身份证号码"):
        fields["id_number"] = problem
    phone_text = texts["phone"].replace(" ", "").replace("-", "")
    if problem := (phone_error(phone_text) if phone_text else "请填写手机号码"):
        fields["phone"] = problem
    if fields:
        raise ValidationFailed("请检查标出的字段", fields=fields)
    return texts["name"], number, phone_text


def _match(name: str, id_number: str, phone: str) -> Worker | None:
    """The person whose signed contract carries this name and phone, or None."""
    worker = db.session.scalar(select(Worker).where(Worker.id_hash == pii.keyed_hash(id_number)))
    if worker is None:
        return None
    signed = db.session.scalars(select(Contract).where(
        scope.signed_by(worker.id), Contract.worker_name == name))
    return worker if any(_carries(c, _phone_hash(phone)) for c in signed) else None


def _phone_hash(phone: str) -> str:
    return pii.keyed_hash(phone, "portal-phone")


def _carries(contract: Contract, phone_hash: str) -> bool:
    """Whether ``contract`` was given this phone (phones are encrypted per contract)."""
    return hmac.compare_digest(_phone_hash(pii.decrypt(contract.worker_phone_enc)), phone_hash)


def _documents(login: PortalLogin) -> frozenset[int]:
    """The signed documents of the session's person that carry the phone the code went to:
    every phone is typed by an employer, so one proves only the contracts given that number
    (another employer cannot open a worker's contracts by giving its own phone)."""
    if not login.phone_hash:
        return frozenset()
    signed = db.session.scalars(select(Contract).where(scope.signed_by(login.worker_id)))
    return frozenset(c.id for c in signed if _carries(c, login.phone_hash))


def _may_text(worker: Worker) -> bool:
    """True while this person's codes stay within ``PORTAL_SMS_LIMIT`` (beyond: no SMS)."""
    limit = ratelimit.parse_limit(current_app.config["PORTAL_SMS_LIMIT"])
    if limit is None:
        return True
    count, _ = ratelimit.hit(ratelimit.client_key("portal-sms", worker.id_hash), limit)
    return count <= limit.count


def _cool_down(id_number: str, phone: str) -> None:
    """At most one code request per ID number and phone in each ``OTP_RESEND_SECONDS``
    window, counted atomically (two requests at once: one passes). Counted for every
    well-formed form, before anyone is looked up, so the answer says nothing about whether
    such a person exists.

    :raises TooManyRequests: a code was asked for this ID number and phone just now.
    """
    seconds = int(current_app.config["OTP_RESEND_SECONDS"] or 0)
    if seconds <= 0:
        return
    key = ratelimit.client_key("portal-code-resend", pii.keyed_hash(f"{id_number}|{phone}"))
    if ratelimit.hit(key, ratelimit.Limit(1, seconds))[0] > 1:
        raise TooManyRequests(RESEND_WAIT, code="otp_cooldown")


def request_code(name: object, id_number: object, phone: object, *, ip: str | None) -> str:
    """Check the sign-in form and, when it matches a signed contract, text a 6-digit code to
    the phone; returns the code step's token (the same kind of answer either way).

    :raises ValidationFailed: a field is missing or malformed.
    :raises RateLimited: too many sign-in forms from this address.
    :raises TooManyRequests: a code was asked for this ID number and phone within
        ``OTP_RESEND_SECONDS`` (whether or not they match anyone).
    """
    cfg = current_app.config
    ratelimit.enforce("portal-login", ip, cfg["PORTAL_LOGIN_RATE_LIMIT"], LOGIN_LIMITED)
    name, number, phone_text = _fields(name, id_number, phone)
    _cool_down(number, phone_text)
    worker = _match(name, number, phone_text)
    code, token, now = f"{secrets.randbelow(10**6):06d}", secrets.token_urlsafe(24), utcnow()
    # beyond the person's SMS limit the sign-in belongs to nobody (no code opens it): the
    # limit bounds the codes one can guess per person, not only the texts
    send = worker is not None and _may_text(worker)
    login = PortalLogin(
        worker_id=worker.id if send else None, pending_hash=pii.token_hash(token),
        phone_hash=_phone_hash(phone_text) if send else None,
        code_hash=pii.keyed_hash(code, "portal-otp"), sent_at=now,
        expires_at=now + timedelta(seconds=cfg["OTP_TTL_SECONDS"]))
    db.session.add(login)
    if send:
        db.session.flush()  # the sign-in's id names its one text
        # one job per code: retries and the fallback provider resend this code, never a new
        # one, and not once it expired or the person asked for a newer code
        outbox.queue_to_phone(phone_text, Msg(SMS_CODE, code=code,
                                              minutes=cfg["OTP_TTL_SECONDS"] // 60),
                              dedupe_key=f"sms:portal-code:{login.id}",
                              expires_at=login.expires_at, portal_login_id=login.id)
    db.session.commit()
    return token


def verify_code(pending: str | None, code: object, *, ip: str | None) -> str:
    """Check the texted code of the sign-in ``pending``; returns the new session's token.

    :raises Gone: no such sign-in, used or expired (ask for a new code).
    :raises ValidationFailed: wrong code (how many tries are left).
    :raises TooManyRequests: too many wrong codes for this sign-in, or entries from this address.
    """
    cfg, now = current_app.config, utcnow()
    ratelimit.enforce("portal-code", ip, cfg["PORTAL_CODE_RATE_LIMIT"], LOGIN_LIMITED)
    login = _pending(pending)
    if login is None or login.verified_at is not None or login.expires_at <= now:
        raise Gone(CODE_GONE, code="otp_expired")
    used = _count_try(login.id, cfg["OTP_MAX_ATTEMPTS"])
    if used is None:
        raise TooManyRequests(CODE_LOCKED, code="otp_locked")
    typed = code.strip() if isinstance(code, str) else ""
    right = hmac.compare_digest(pii.keyed_hash(typed[:12], "portal-otp"), login.code_hash)
    if not right or login.worker_id is None:
        left = cfg["OTP_MAX_ATTEMPTS"] - used
        if left <= 0:
            raise TooManyRequests(CODE_LOCKED, code="otp_locked")
        raise ValidationFailed("验证码不正确，还可尝试%(left)s次", code="otp_wrong",
                               fields={"code": "验证码不正确"}, left=left)
    session = secrets.token_urlsafe(32)
    opened = db.session.execute(
        update(PortalLogin).where(PortalLogin.id == login.id, PortalLogin.verified_at.is_(None))
        .values(verified_at=now, last_seen_at=now, session_hash=pii.token_hash(session))
        .execution_options(synchronize_session=False))
    db.session.commit()
    if opened.rowcount != 1:  # the same code entered twice at once: one session
        raise Gone(CODE_GONE, code="otp_expired")
    return session


def _count_try(login_id: int, most: int) -> int | None:
    """Count one try of the sign-in's code before it is checked, atomically (tries sent in
    parallel are all counted) and committed; the tries so far, or None when none is left."""
    used = db.session.execute(
        update(PortalLogin).where(PortalLogin.id == login_id, PortalLogin.attempts < most,
                                  PortalLogin.verified_at.is_(None))
        .values(attempts=PortalLogin.attempts + 1).returning(PortalLogin.attempts)
        .execution_options(synchronize_session=False)).scalar()
    db.session.commit()
    return used


def _pending(token: str | None) -> PortalLogin | None:
    if not token or not isinstance(token, str) or len(token) > 100:
        return None
    return db.session.scalar(select(PortalLogin).where(
        PortalLogin.pending_hash == pii.token_hash(token)))


def session_principal(token: str | None, now: datetime | None = None) -> Principal:
    """The person of a live portal session ``token`` (its use is recorded, at most once a
    minute).

    :raises Unauthorized: no session, ended, idle longer than ``PORTAL_IDLE_SECONDS`` or
        older than ``PORTAL_MAX_SECONDS``.
    """
    now, cfg = now or utcnow(), current_app.config
    login = None
    if token and isinstance(token, str) and len(token) <= 100:
        login = db.session.scalar(select(PortalLogin).where(
            PortalLogin.session_hash == pii.token_hash(token), PortalLogin.ended_at.is_(None)))
    if (login is None or login.worker_id is None
            or now - login.last_seen_at > timedelta(seconds=cfg["PORTAL_IDLE_SECONDS"])
            or now - login.verified_at > timedelta(seconds=cfg["PORTAL_MAX_SECONDS"])):
        raise Unauthorized(SIGN_IN_FIRST, code="portal_sign_in")
    if now - login.last_seen_at > TOUCH_EVERY:
        _touch(login.id, now)
    return of_person(login.worker_id, _documents(login))


def _touch(login_id: int, now: datetime) -> None:
    """Record use of a session, in its own short transaction (best effort)."""
    try:
        with db.engine.begin() as conn:
            conn.execute(update(PortalLogin).where(PortalLogin.id == login_id)
                         .values(last_seen_at=now))
    except SQLAlchemyError:  # pragma: no cover - a busy database only delays the record
        log.warning("could not record the use of portal session %s", login_id)


def sign_out(token: str | None) -> None:
    """End the portal session ``token`` (a copied cookie stops working too) and commit."""
    if token and isinstance(token, str) and len(token) <= 100:
        db.session.execute(update(PortalLogin).where(
            PortalLogin.session_hash == pii.token_hash(token), PortalLogin.ended_at.is_(None))
            .values(ended_at=utcnow()))
        db.session.commit()
