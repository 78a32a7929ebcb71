"""The worker's use cases: open the link, prove identity by SMS code, draw and sign."""

from __future__ import annotations

import base64
import binascii
import hmac
import io
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from PIL import Image, ImageChops, UnidentifiedImageError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.exc import StaleDataError

from app import pii
from app.domain.beijing import in_beijing
from app.domain.typed import Msg
from app.errors import Conflict, Gone, NotFound, TooManyRequests, Unauthorized, ValidationFailed
from app.extensions import db
from app.metrics import SIGNING_SECONDS
from app.models import Contract, OtpChallenge, SignatureEvent, SigningLink
from app.models.base import utcnow
from app.services.contracts import documents
from app.services.messaging import outbox
from app.services.platform import audit, counters, jobs, pki, ratelimit

MAX_SIGNATURE_BYTES = 512 * 1024
SMS_CODE = "【智慧星用工】您的合同签署验证码为%(code)s，%(minutes)s分钟内有效，请勿告知他人。"
OTP_LOCKED = "验证码错误次数过多，此签署链接已锁定，请联系用人单位重新发送"


@dataclass(frozen=True)
class SignedOutcome:
    """What the worker sees after signing."""

    contract_id: int
    contract_no: str
    status: str
    filing_number: str


def open_link(token: str, *, for_signing: bool = True) -> SigningLink:
    """Find the live link for ``token``.

    :raises NotFound: unknown token. :raises Gone: expired or withdrawn link.
    :raises Conflict: the contract was already signed through it (when ``for_signing``).
    """
    # one query for the link, its contract and the contract's worker (all used right after)
    link = db.session.scalar(
        select(SigningLink).where(SigningLink.token_hash == pii.token_hash(token or ""))
        .options(joinedload(SigningLink.contract).joinedload(Contract.worker))
    )
    if link is None:
        raise NotFound("签署链接无效，请核对短信中的链接", code="link_not_found")
    _check_link(link, for_signing=for_signing)
    return link


def _check_link(link: SigningLink, *, for_signing: bool) -> None:
    if link.contract.status == "declined":
        raise Gone("您已拒绝签署此合同", code="contract_declined")
    if link.revoked_at is not None or link.contract.status == "voided":
        raise Gone("该签署链接已被撤回", code="link_revoked")
    if for_signing and (link.used_at is not None or link.contract.status != "sent"):
        raise Conflict("该合同已签署，无需重复签署", code="already_signed")
    if for_signing and link.expires_at <= utcnow():
        raise Gone("签署链接已过期，请联系用人单位重新发送", code="link_expired")


def open_for_identity(token: str) -> SigningLink:
    """The link for an identity check: to sign it, or — once signed — to fetch one's own copy
    (the worker may view and download the signed contract at any time, free of charge)."""
    link = open_link(token, for_signing=False)
    if link.contract.status not in ("signed", "filed"):
        _check_link(link, for_signing=True)
    return link


def request_otp(token: str, name: str, id_number: str) -> dict:
    """Check name + ID number against the contract and text a one-time code to the worker."""
    link = open_for_identity(token)
    ratelimit.enforce("sign-identity", str(link.id), current_app.config["SIGN_IDENTITY_LIMIT"],
                      "身份核验尝试次数过多（%(limit)s），请 %(seconds)s 秒后再试")
    if link.otp_failures >= current_app.config["OTP_MAX_ATTEMPTS"]:
        raise TooManyRequests(OTP_LOCKED, code="otp_locked")
    contract = link.contract
    name, id_number = _identity_fields(name, id_number)
    same_id = hmac.compare_digest(pii.keyed_hash(id_number.upper()), contract.worker.id_hash)
    same_name = hmac.compare_digest(name.encode(), contract.worker_name.encode())
    if not (same_name and same_id):
        raise ValidationFailed("姓名或身份证号码与合同不符", code="identity_mismatch",
                               fields={"id_number": "姓名或身份证号码与合同登记的不一致"})
    # one code request per link at a time: two at once would both pass the cooldown below
    # (PostgreSQL: the link's row is locked until the commit; SQLite has no row locks)
    db.session.execute(select(SigningLink.id).where(SigningLink.id == link.id).with_for_update())
    cfg, now = current_app.config, utcnow()
    last = db.session.scalar(select(OtpChallenge).where(OtpChallenge.link_id == link.id)
                             .order_by(OtpChallenge.id.desc()).limit(1))
    if last and (now - last.sent_at).total_seconds() < cfg["OTP_RESEND_SECONDS"]:
        raise TooManyRequests("验证码已发送，请稍后再试", code="otp_cooldown")
    code = f"{secrets.randbelow(10**6):06d}"
    challenge = OtpChallenge(link_id=link.id, code_hash=pii.keyed_hash(code, "otp"), sent_at=now,
                             expires_at=now + timedelta(seconds=cfg["OTP_TTL_SECONDS"]))
    db.session.add(challenge)
    audit.record(link.contract_id, f"worker:{contract.worker_id}", "otp.sent",
                 to=contract.worker_phone_masked)
    answer = {"sent_to": contract.worker_phone_masked,
              "expires_at": challenge.expires_at.isoformat()}
    db.session.flush()  # the challenge's id names its one text
    # one job per code: retries and the fallback provider resend this code, never a new one,
    # and not once it expired or the link has a newer code
    outbox.queue(contract.worker_phone_enc, Msg(SMS_CODE, code=code,
                                                minutes=cfg["OTP_TTL_SECONDS"] // 60),
                 contract_id=link.contract_id, dedupe_key=f"sms:sign-code:{challenge.id}",
                 expires_at=challenge.expires_at, challenge_id=challenge.id)
    db.session.commit()  # (nothing is read from the expired objects after this)
    return answer


def _identity_fields(name: object, id_number: object) -> tuple[str, str]:
    """The typed name and ID number, stripped. :raises ValidationFailed: missing or not text."""
    fields = {}
    if not isinstance(name, str) or not name.strip():
        fields["name"] = "请填写姓名"
    if not isinstance(id_number, str) or not id_number.strip():
        fields["id_number"] = "请填写身份证号码"
    if fields:
        raise ValidationFailed("请填写姓名和身份证号码", fields=fields)
    return name.strip()[:100], id_number.strip()[:40]


def verify_otp(token: str, code: str) -> dict:
    """Check the one-time code; on success open a short signing session."""
    link = open_for_identity(token)
    cfg, now = current_app.config, utcnow()
    challenge = db.session.scalar(select(OtpChallenge).where(OtpChallenge.link_id == link.id)
                                  .order_by(OtpChallenge.id.desc()).limit(1))
    if challenge is None:
        raise ValidationFailed("请先获取验证码", code="otp_missing", fields={"code": "请先获取验证码"})
    if challenge.verified_at is not None or challenge.expires_at <= now:
        raise Gone("验证码已失效，请重新获取", code="otp_expired")
    if link.otp_failures >= cfg["OTP_MAX_ATTEMPTS"]:
        raise TooManyRequests(OTP_LOCKED, code="otp_locked")
    typed = code.strip() if isinstance(code, str) else ""
    if not hmac.compare_digest(pii.keyed_hash(typed[:12], "otp"), challenge.code_hash):
        challenge.attempts += 1
        link.otp_failures += 1
        db.session.commit()
        left = cfg["OTP_MAX_ATTEMPTS"] - link.otp_failures
        if left <= 0:
            raise TooManyRequests(OTP_LOCKED, code="otp_locked")
        raise ValidationFailed("验证码不正确，还可尝试%(left)s次", code="otp_wrong",
                               fields={"code": "验证码不正确"}, left=left)
    session_token = secrets.token_urlsafe(24)
    challenge.verified_at = now
    challenge.session_hash = pii.token_hash(session_token)
    challenge.session_expires_at = now + timedelta(seconds=cfg["SIGN_SESSION_SECONDS"])
    audit.record(link.contract_id, f"worker:{link.contract.worker_id}", "otp.verified")
    answer = {"session": session_token, "expires_at": challenge.session_expires_at.isoformat(),
              "contract_status": link.contract.status}
    db.session.commit()
    return answer


def _verified(token: str, session: str, *, for_signing: bool = True
              ) -> tuple[SigningLink, OtpChallenge]:
    link = open_link(token, for_signing=for_signing)
    challenge = db.session.scalar(select(OtpChallenge).where(
        OtpChallenge.link_id == link.id, OtpChallenge.session_hash == pii.token_hash(session or "")))
    if challenge is None or challenge.session_expires_at <= utcnow():
        raise Unauthorized("请先完成身份验证（姓名、身份证号码和短信验证码）", code="identity_required")
    return link, challenge


def verified_link(token: str, session: str, *, for_signing: bool = False) -> SigningLink:
    """The link, when ``session`` is a live identity-verified session for it.

    :param for_signing: also require the contract to be still waiting for the worker.
    :raises Unauthorized: no or expired session.
    """
    return _verified(token, session, for_signing=for_signing)[0]


def decode_signature(data_url: str) -> bytes:
    """Decode and check a drawn signature sent as ``data:image/png;base64,...``."""
    prefix = "data:image/png;base64,"
    bad = ValidationFailed("签名图片无效，请重新签名", fields={"signature": "请在签名框内手写签名"})
    if not isinstance(data_url, str) or not data_url.startswith(prefix):
        raise bad
    try:
        png = base64.b64decode(data_url[len(prefix):], validate=True)
    except (binascii.Error, ValueError):
        raise bad from None
    if len(png) > MAX_SIGNATURE_BYTES:
        raise ValidationFailed("签名图片过大", fields={"signature": "签名图片不能超过512KB"})
    # The size from the PNG header, before Pillow (a 30000x30000 "bomb" is 7 KB compressed).
    if png[:8] != b"\x89PNG\r\n\x1a\n" or png[12:16] != b"IHDR":
        raise bad
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    if not (50 <= width <= 4000 and 20 <= height <= 4000):
        raise bad
    try:
        image = Image.open(io.BytesIO(png))
        if image.format != "PNG" or image.size != (width, height):
            raise bad
        image.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        raise bad from None
    rgba = image.convert("RGBA")
    opaque = rgba.getchannel("A").point(lambda v: 255 if v > 10 else 0)
    dark = rgba.convert("L").point(lambda v: 255 if v < 200 else 0)
    if ImageChops.multiply(opaque, dark).getbbox() is None:
        raise ValidationFailed("签名为空，请在签名框内手写签名", fields={"signature": "签名为空"})
    return png


def sign(token: str, *, session: str, signature: str, consent: bool,
         ip: str | None, user_agent: str | None) -> SignedOutcome:
    """Sign the contract as the worker; queue the filing job in the same transaction.

    :raises Unauthorized: no verified identity. :raises Conflict: signed already or racing.
    """
    link, challenge = _verified(token, session)
    now = utcnow()
    if consent is not True:
        raise ValidationFailed("请阅读合同并勾选同意后再签署",
                               fields={"consent": "请确认已阅读并同意合同全部条款"})
    png = decode_signature(signature)
    contract = link.contract
    doc = contract.current_document
    # documents.read checks the bytes against the SHA-256 recorded when the platform sealed
    # them: the employer's signature need not be validated again.
    pdf = documents.read(doc)
    with SIGNING_SECONDS.labels(party="worker").time():
        result = pki.signer().sign_worker(pdf, name=contract.worker_name,
                                          id_hash=contract.worker.id_hash, signature_png=png,
                                          sealed_sha256=doc.sha256 if doc.kind == "sealed" else None)
    try:
        number = _record_signature(contract, doc, result, challenge, link, ip, user_agent, now)
        outcome = SignedOutcome(contract.id, contract.contract_no, contract.status, number)
        db.session.commit()
    except (StaleDataError, IntegrityError):
        db.session.rollback()
        open_link(token)  # voided or declined meanwhile: 410 rather than "signed already"
        raise Conflict("该合同已签署，无需重复签署", code="already_signed") from None
    return outcome  # built before the commit: no reload of the expired rows


def _record_signature(contract, doc, result, challenge, link, ip, user_agent, now) -> str:
    """Write the signed version, the evidence, the status change and the filing job."""
    number = f"{contract.organization.region_code}-{in_beijing(now):%Y}-{counters.next_value('filing'):06d}"
    documents.add_version(contract, "signed", result.pdf)
    db.session.add(SignatureEvent(
        contract_id=contract.id, party="worker", signer_name=contract.worker_name,
        identity_method="id_number+sms_otp",
        identity_evidence={"phone": contract.worker_phone_masked, "otp_sent_at": challenge
                           .sent_at.isoformat(), "otp_verified_at": challenge.verified_at
                           .isoformat(), "id_number": contract.worker.id_masked, "consent": True},
        certificate_serial=result.certificate_serial,
        certificate_sha256=pki.certificate_sha256(result.certificate_pem),
        ip=ip, user_agent=(user_agent or "")[:400], sha256_before=result.sha256_before,
        sha256_after=result.sha256_after, signed_at=result.signed_at))
    contract.status, contract.signed_at = "signed", now
    link.used_at = now
    jobs.enqueue("file_contract", {"contract_id": contract.id, "filing_number": number},
                 dedupe_key=f"file:{contract.id}")
    audit.record(contract.id, f"worker:{contract.worker_id}", "contract.signed",
                 certificate=result.certificate_serial, sha256=result.sha256_after)
    return number
