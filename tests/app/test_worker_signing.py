"""The worker's path and everything that can go wrong on it."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import func, select

from app.extensions import db
from app.models import Contract, Filing, OtpChallenge, SignatureEvent, SigningLink
from app.models.base import utcnow
from tests.app.flows import sent_contract, signature_data_url, worker_session, worker_sign
from tests.conftest import WORKER


def _otp(client, token, name=WORKER["name"], id_number=WORKER["id_number"]):
    return client.post(f"/api/v1/sign/{token}/otp", json={"name": name, "id_number": id_number})


def test_identity_must_match_the_contract(client, world, outbox):
    _, token = sent_contract(client, world, outbox)
    resp = _otp(client, token, id_number="11010519491231002X")
    assert resp.status_code == 422
    assert resp.get_json()["error"] == "identity_mismatch"
    assert "id_number" in resp.get_json()["fields"]
    assert outbox.messages(WORKER["phone"])[-1]["text"].find("验证码") == -1


def test_missing_fields_and_malformed_json_are_named(client, world, outbox):
    _, token = sent_contract(client, world, outbox)
    resp = client.post(f"/api/v1/sign/{token}/otp", json={})
    assert resp.status_code == 422 and set(resp.get_json()["fields"]) == {"name", "id_number"}
    resp = client.post(f"/api/v1/sign/{token}/otp", data="{not json",
                       content_type="application/json")
    assert resp.status_code == 422 and resp.get_json()["error"] == "malformed_json"
    resp = client.post(f"/api/v1/sign/{token}/otp", json=["a", "list"])
    assert resp.status_code == 422 and resp.get_json()["error"] == "malformed_json"


def test_wrong_code_counts_down_then_locks(client, world, outbox, ctx):
    _, token = sent_contract(client, world, outbox)
    assert _otp(client, token).status_code == 200
    right = outbox.last_code(WORKER["phone"])
    wrong = "000000" if right != "000000" else "111111"
    for left in (4, 3):
        resp = client.post(f"/api/v1/sign/{token}/verify", json={"code": wrong})
        assert resp.status_code == 422 and f"还可尝试{left}次" in resp.get_json()["message"]
    # A new code does not reset the count: it belongs to the link.
    assert _otp(client, token).status_code == 200
    right = outbox.last_code(WORKER["phone"])
    wrong = "000000" if right != "000000" else "111111"
    for left in (2, 1):
        resp = client.post(f"/api/v1/sign/{token}/verify", json={"code": wrong})
        assert resp.status_code == 422 and f"还可尝试{left}次" in resp.get_json()["message"]
    resp = client.post(f"/api/v1/sign/{token}/verify", json={"code": wrong})
    assert resp.status_code == 429 and resp.get_json()["error"] == "otp_locked"
    resp = client.post(f"/api/v1/sign/{token}/verify", json={"code": right})
    assert resp.status_code == 429 and resp.get_json()["error"] == "otp_locked"
    assert _otp(client, token).status_code == 429  # no more codes for a locked link


def test_expired_code_is_refused(client, world, outbox):
    _, token = sent_contract(client, world, outbox)
    _otp(client, token)
    challenge = db.session.scalar(select(OtpChallenge))
    challenge.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    resp = client.post(f"/api/v1/sign/{token}/verify",
                       json={"code": outbox.last_code(WORKER["phone"])})
    assert resp.status_code == 410 and resp.get_json()["error"] == "otp_expired"


def test_unknown_and_expired_links(client, world, outbox):
    resp = client.post("/api/v1/sign/not-a-token/otp", json={"name": "x", "id_number": "y"})
    assert resp.status_code == 404 and resp.get_json()["error"] == "link_not_found"
    assert client.get("/s/not-a-token").status_code == 404
    _, token = sent_contract(client, world, outbox)
    link = db.session.scalar(select(SigningLink))
    link.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    resp = _otp(client, token)
    assert resp.status_code == 410 and resp.get_json()["error"] == "link_expired"
    assert "已过期" in client.get(f"/s/{token}").get_data(as_text=True)


def test_signing_needs_identity_consent_and_a_real_drawing(client, world, outbox):
    contract_id, token = sent_contract(client, world, outbox)
    resp = worker_sign(client, token, "made-up-session")
    assert resp.status_code == 401 and resp.get_json()["error"] == "identity_required"
    session = worker_session(client, outbox, token)
    resp = worker_sign(client, token, session, consent=False)
    assert resp.status_code == 422 and "consent" in resp.get_json()["fields"]
    resp = worker_sign(client, token, session, signature=signature_data_url(blank=True))
    assert resp.status_code == 422 and "signature" in resp.get_json()["fields"]
    resp = worker_sign(client, token, session, signature="data:image/png;base64,AAAA")
    assert resp.status_code == 422 and "signature" in resp.get_json()["fields"]
    resp = worker_sign(client, token, session, signature="hello")
    assert resp.status_code == 422
    assert db.session.get(Contract, contract_id).status == "sent"
    assert db.session.scalar(select(func.count(SignatureEvent.id))
                             .where(SignatureEvent.party == "worker")) == 0
    assert worker_sign(client, token, session).status_code == 200


def test_a_second_signature_and_a_reused_link_are_refused(client, world, outbox):
    contract_id, token = sent_contract(client, world, outbox)
    session = worker_session(client, outbox, token)
    assert worker_sign(client, token, session).status_code == 200
    again = worker_sign(client, token, session)
    assert again.status_code == 409 and again.get_json()["error"] == "already_signed"
    page = client.get(f"/s/{token}").get_data(as_text=True)
    filing = db.session.scalar(select(Filing))
    assert "合同已签署" in page and filing.number in page
    # The worker keeps their copy: the verified session still downloads the signed PDF.
    pdf = client.get(f"/api/v1/sign/{token}/pdf", headers={"X-Signing-Session": session})
    assert pdf.status_code == 200 and pdf.headers["X-Content-SHA256"] == filing.sha256
    # And was told by SMS, with the filing number.
    assert filing.number in outbox.messages(WORKER["phone"])[-1]["text"]


def test_the_worker_fetches_the_signed_copy_later_after_a_new_identity_check(client, world,
                                                                              outbox):
    contract_id, token = sent_contract(client, world, outbox)
    assert worker_sign(client, token, worker_session(client, outbox, token)).status_code == 200
    link = db.session.scalar(select(SigningLink))
    link.expires_at = utcnow() - timedelta(days=30)  # months later
    db.session.commit()
    assert client.get(f"/api/v1/sign/{token}/pdf").status_code == 401
    assert _otp(client, token, id_number="11010519491231002X").status_code == 422
    later = worker_session(client, outbox, token)
    pdf = client.get(f"/api/v1/sign/{token}/pdf", headers={"X-Signing-Session": later})
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert pdf.headers["X-Content-SHA256"] == db.session.scalar(select(Filing)).sha256
    again = worker_sign(client, token, later)
    assert again.status_code == 409 and again.get_json()["error"] == "already_signed"


def test_two_racing_signatures_sign_once(client, world, outbox, ctx):
    contract_id, token = sent_contract(client, world, outbox)
    session = worker_session(client, outbox, token)
    results, barrier = [], threading.Barrier(2)

    def attempt():
        with ctx.app_context():
            c = ctx.test_client()
            barrier.wait()
            results.append(worker_sign(c, token, session).status_code)
            db.session.remove()

    threads = [threading.Thread(target=attempt) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [200, 409]
    db.session.expire_all()
    assert db.session.scalar(select(func.count(SignatureEvent.id))
                             .where(SignatureEvent.party == "worker")) == 1
    assert db.session.scalar(select(func.count(Filing.id))) == 1
    assert db.session.get(Contract, contract_id).status == "filed"


def test_personal_data_stays_out_of_pages_and_errors(client, world, outbox):
    _, token = sent_contract(client, world, outbox)
    page = client.get(f"/s/{token}").get_data(as_text=True)
    assert WORKER["id_number"] not in page and WORKER["phone"] not in page
    resp = _otp(client, token, id_number="11010519491231002X")
    assert "11010519491231002X" not in resp.get_data(as_text=True)
    assert WORKER["phone"] not in _otp(client, token).get_data(as_text=True)


def test_identity_guessing_is_throttled_per_link(client, world, outbox, ctx):
    _, token = sent_contract(client, world, outbox)
    ctx.config["SIGN_IDENTITY_LIMIT"] = "3/15minute"
    try:
        for _ in range(3):
            assert _otp(client, token, id_number="11010519491231002X").status_code == 422
        locked = _otp(client, token)  # even the right identity waits now
        assert locked.status_code == 429 and locked.get_json()["error"] == "rate_limited"
        assert 0 < int(locked.headers["Retry-After"]) <= 900
        assert "身份核验尝试次数过多" in locked.get_json()["message"]
        assert "验证码" not in outbox.messages(WORKER["phone"])[-1]["text"]
    finally:
        ctx.config["SIGN_IDENTITY_LIMIT"] = "10/15minute"
