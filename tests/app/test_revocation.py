"""Certificate revocation: ``flask ca revoke``, the admin page, the CRL served at /ca/crl."""

from __future__ import annotations

from datetime import timedelta

import pytest
from cryptography import x509
from sqlalchemy import func, select

from app.errors import ValidationFailed
from app.extensions import db
from app.models import AuditEvent, RevokedCertificate, SignatureEvent
from app.services.accounts import accounts
from app.services.platform import pki
from app.services.platform import revocation as revocation_service
from tests.app.flows import sent_contract, worker_session, worker_sign
from tests.conftest import WORKER, csrf_token, login


@pytest.fixture
def signed(client, world, outbox) -> dict:
    """A contract sealed by the employer and signed by the worker: two event certificates."""
    contract_id, token = sent_contract(client, world, outbox)
    assert worker_sign(client, token, worker_session(client, outbox, token)).status_code == 200
    events = db.session.scalars(select(SignatureEvent).where(
        SignatureEvent.contract_id == contract_id)).all()
    return {"contract_id": contract_id, **{e.party: e.certificate_serial for e in events}}


@pytest.fixture
def admin(client, world):
    accounts.add_user(username="admin", password="pw-123456", role="platform_admin",
                      display_name="平台管理员")
    db.session.commit()
    assert login(client, "admin").status_code == 302
    return client


def _crl(client) -> x509.CertificateRevocationList:
    resp = client.get("/ca/crl")
    assert resp.status_code == 200 and resp.mimetype == "application/pkix-crl"
    return x509.load_der_x509_crl(resp.data)


def _issuing(client) -> x509.Certificate:
    return x509.load_pem_x509_certificate(client.get("/ca/issuing.pem").data)


def _counts() -> tuple[int, int]:
    return (db.session.scalar(select(func.count(RevokedCertificate.id))),
            db.session.scalar(select(func.count(AuditEvent.id)).where(
                AuditEvent.action == "certificate.revoked")))


def _revoke_cli(ctx, *args: str):
    return ctx.test_cli_runner().invoke(args=["ca", "revoke", *args])


# -- CLI ------------------------------------------------------------------------------------
def test_cli_revokes_once_and_the_crl_lists_the_serial_with_its_reason(ctx, client, signed):
    serial = signed["worker"]
    assert _crl(client).get_revoked_certificate_by_serial_number(int(serial, 16)) is None
    first = _revoke_cli(ctx, f"0x{serial.upper()}", "--reason", "key_compromise")
    assert first.exit_code == 0, first.output
    assert f"revoked {serial} (key_compromise" in first.output
    again = _revoke_cli(ctx, serial, "--reason", "superseded")
    assert again.exit_code == 0 and f"already revoked {serial} (key_compromise" in again.output
    assert _counts() == (1, 1)

    crl, issuing = _crl(client), _issuing(client)
    entry = crl.get_revoked_certificate_by_serial_number(int(serial, 16))
    assert entry is not None
    assert entry.extensions.get_extension_for_class(x509.CRLReason).value.reason == \
        x509.ReasonFlags.key_compromise
    assert crl.get_revoked_certificate_by_serial_number(int(signed["employer"], 16)) is None
    assert crl.issuer == issuing.subject and crl.is_signature_valid(issuing.public_key())
    trail = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "certificate.revoked")).one()
    assert trail.contract_id == signed["contract_id"] and trail.actor == "cli"
    assert trail.details == {"serial": serial, "reason": "key_compromise"}


@pytest.mark.parametrize(("args", "message"), [
    (["abcdef0123456789"], "平台未签发序列号为 abcdef0123456789 的证书"),
    (["not-hex"], "证书序列号格式不正确"),
    (["abcdef", "--reason", "because"], "Invalid value for '--reason'"),
])
def test_cli_bad_input_is_a_clear_error_and_writes_nothing(ctx, signed, args, message):
    result = _revoke_cli(ctx, *args)
    assert result.exit_code != 0 and message in result.output
    assert _counts() == (0, 0)


# -- CRL freshness --------------------------------------------------------------------------
def test_crl_is_cached_then_resigned_when_older_than_12_hours(ctx, client, signed, monkeypatch):
    first = client.get("/ca/crl").data
    assert client.get("/ca/crl").data == first  # unchanged revoked set, fresh: same CRL
    crl = x509.load_der_x509_crl(first)
    assert crl.next_update_utc - crl.last_update_utc == timedelta(days=7)

    later = pki.utcnow() + timedelta(hours=12, minutes=5)
    monkeypatch.setattr(pki, "utcnow", lambda: later)
    monkeypatch.setattr(pki.ca(), "_clock", lambda: later)
    renewed = _crl(client)
    assert renewed.last_update_utc - crl.last_update_utc >= timedelta(hours=12)
    assert renewed.next_update_utc - renewed.last_update_utc == timedelta(days=7)
    number = renewed.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number
    assert number > crl.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number
    assert renewed.is_signature_valid(_issuing(client).public_key())


# -- admin page -----------------------------------------------------------------------------
HOME = {None: "/login", "hr": "/employer/contracts", "auditor": "/audit/",
        "admin": "/admin/certificates"}


@pytest.mark.parametrize(("username", "status"), [
    (None, 302), ("hr", 403), ("auditor", 403), ("admin", 200)])
def test_certificates_page_is_for_platform_admins_only(client, signed, username, status):
    accounts.add_user(username="admin", password="pw-123456", role="platform_admin",
                      display_name="平台管理员")
    db.session.commit()
    if username:
        assert login(client, username).status_code == 302
    resp = client.get("/admin/certificates")
    assert resp.status_code == status
    if status == 302:
        assert "/login" in resp.headers["Location"]
    token = csrf_token(client.get(HOME[username]).get_data(as_text=True))
    post = client.post(f"/admin/certificates/{signed['worker']}/revoke",
                       data={"reason": "superseded", "csrf_token": token})
    assert post.status_code == (302 if status == 200 else status)
    if status == 302:
        assert "/login" in post.headers["Location"]
    assert _counts() == ((1, 1) if status == 200 else (0, 0))


def test_revoke_without_csrf_token_is_refused(admin, signed):
    resp = admin.post(f"/admin/certificates/{signed['worker']}/revoke",
                      data={"reason": "superseded"})
    assert resp.status_code == 400 and _counts() == (0, 0)


def test_admin_lists_certificates_masked_and_searches_by_serial(admin, signed):
    page = admin.get("/admin/certificates").get_data(as_text=True)
    assert signed["worker"] in page and signed["employer"] in page
    assert "张*" in page and WORKER["name"] not in page and "湖南星城建设工程有限公司" in page
    found = admin.get(f"/admin/certificates?serial={signed['worker'][2:12].upper()}")
    text = found.get_data(as_text=True)
    assert found.status_code == 200 and signed["worker"] in text
    assert signed["employer"] not in text
    bad = admin.get("/admin/certificates?serial=xyz")
    assert bad.status_code == 422 and "证书序列号格式不正确" in bad.get_data(as_text=True)


def test_admin_revokes_and_the_crl_shows_it_immediately(admin, signed):
    serial = signed["employer"]
    assert _crl(admin).get_revoked_certificate_by_serial_number(int(serial, 16)) is None
    page = admin.get("/admin/certificates").get_data(as_text=True)
    resp = admin.post(f"/admin/certificates/{serial}/revoke",
                      data={"reason": "privilege_withdrawn", "csrf_token": csrf_token(page)})
    assert resp.status_code == 302
    shown = admin.get(resp.headers["Location"]).get_data(as_text=True)
    assert "证书已吊销" in shown and "已吊销（签署资格撤销" in shown
    entry = _crl(admin).get_revoked_certificate_by_serial_number(int(serial, 16))
    assert entry.extensions.get_extension_for_class(x509.CRLReason).value.reason == \
        x509.ReasonFlags.privilege_withdrawn
    event = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "certificate.revoked")).one()
    assert event.actor.startswith("user:") and event.details["serial"] == serial
    again = admin.post(f"/admin/certificates/{serial}/revoke",
                       data={"reason": "superseded", "csrf_token": csrf_token(page)})
    assert "此前已被吊销" in admin.get(again.headers["Location"]).get_data(as_text=True)
    assert _counts() == (1, 1)


@pytest.mark.parametrize(("serial", "reason", "status", "message"), [
    ("abcdef0123456789", "key_compromise", 404, "平台未签发序列号为 abcdef0123456789 的证书"),
    (None, "because", 422, "未知的吊销原因"),
    (None, "", 422, "未知的吊销原因"),
])
def test_admin_bad_input_is_explained_and_nothing_is_written(admin, signed, serial, reason,
                                                             status, message):
    page = admin.get("/admin/certificates").get_data(as_text=True)
    resp = admin.post(f"/admin/certificates/{serial or signed['worker']}/revoke",
                      data={"reason": reason, "csrf_token": csrf_token(page)})
    assert resp.status_code == status and message in resp.get_data(as_text=True)
    assert _counts() == (0, 0)


def test_service_refuses_bad_serials(ctx):
    for bad in ("", "0x", "12g4", "a" * 65):
        with pytest.raises(ValidationFailed):
            revocation_service.normalize_serial(bad)
    assert revocation_service.normalize_serial(" 0x0A:BC ") == "abc"
