"""可管: the employer voids a contract or resends its link; the worker declines to sign."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent, Contract, Filing, SignatureEvent, SigningLink
from app.services.lifecycle import lifecycle
from app.services.platform import pki
from tests.app.flows import api_create, sent_contract, worker_session, worker_sign
from tests.conftest import WORKER, bearer, csrf_token, login

REASON = "岗位调整，暂不录用"


def _contract(contract_id: int) -> Contract:
    db.session.expire_all()
    return db.session.get(Contract, contract_id)


def _events(contract_id: int, action: str) -> list[AuditEvent]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEvent).where(
        AuditEvent.contract_id == contract_id, AuditEvent.action == action)))


def _count(model, *where) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(model.id)).where(*where))


def _web_post(client, contract_id: int, action: str, **data):
    page = client.get(f"/employer/contracts/{contract_id}").get_data(as_text=True)
    return client.post(f"/employer/contracts/{contract_id}/{action}",
                       data={**data, "csrf_token": csrf_token(page)})


def _api_void(client, key: str, contract_id: int, reason=REASON):
    body = {} if reason is None else {"reason": reason}
    return client.post(f"/api/v1/contracts/{contract_id}/void", json=body, headers=bearer(key))


def _void(client, world, contract_id: int, via: str, reason=REASON):
    if via == "web":
        login(client, "hr")
        return _web_post(client, contract_id, "void", reason=reason)
    return _api_void(client, world["api_key"], contract_id, reason)


def _otp(client, token):
    return client.post(f"/api/v1/sign/{token}/otp",
                       json={"name": WORKER["name"], "id_number": WORKER["id_number"]})


@pytest.mark.parametrize("via", ["web", "api"])
def test_void_a_draft(client, world, outbox, via):
    contract_id = api_create(client, world["api_key"])["id"]
    resp = _void(client, world, contract_id, via)
    assert resp.status_code == (302 if via == "web" else 200)
    assert _contract(contract_id).status == "voided"
    [event] = _events(contract_id, "contract.voided")
    assert event.details["reason"] == REASON and event.details["previous_status"] == "draft"
    assert outbox.messages() == []  # never sent: nobody to tell
    login(client, "hr")
    html = client.get(f"/employer/contracts/{contract_id}").get_data(as_text=True)
    assert "已作废" in html and REASON in html and "北京时间" in html
    assert "盖章并发送" not in html and "确认作废" not in html


@pytest.mark.parametrize("via", ["web", "api"])
def test_void_a_sent_contract_withdraws_the_link_and_tells_the_worker(client, world, outbox, via):
    contract_id, token = sent_contract(client, world, outbox)
    session = worker_session(client, outbox, token)
    resp = _void(client, world, contract_id, via)
    assert resp.status_code == (302 if via == "web" else 200)
    if via == "api":
        body = resp.get_json()
        assert body["status"] == "voided" and body["status_reason"] == REASON
        assert body["status_changed_at"]
    assert _contract(contract_id).status == "voided"
    assert _count(SigningLink, SigningLink.revoked_at.is_(None)) == 0
    assert "撤回" in outbox.messages(WORKER["phone"])[-1]["text"]
    assert _events(contract_id, "contract.voided")[0].details["reason"] == REASON
    for resp in (_otp(client, token), worker_sign(client, token, session),
                 client.post(f"/api/v1/sign/{token}/verify", json={"code": "123456"})):
        assert resp.status_code == 410 and resp.get_json()["error"] == "link_revoked"
    page = client.get(f"/s/{token}")
    assert page.status_code == 410 and "该签署链接已被撤回" in page.get_data(as_text=True)
    assert _count(SignatureEvent, SignatureEvent.party == "worker") == 0
    login(client, "hr")
    html = client.get(f"/employer/contracts/{contract_id}").get_data(as_text=True)
    assert REASON in html and "重新发送签署链接" not in html


def test_a_signed_contract_cannot_be_voided(client, world, outbox):
    contract_id, token = sent_contract(client, world, outbox)
    assert worker_sign(client, token, worker_session(client, outbox, token)).status_code == 200
    trail, messages = _count(AuditEvent), len(outbox.messages())
    resp = _api_void(client, world["api_key"], contract_id)
    assert resp.status_code == 409 and resp.get_json()["error"] == "already_signed"
    assert "解除或终止" in resp.get_json()["message"]
    login(client, "hr")
    page = client.post(f"/employer/contracts/{contract_id}/void", data={
        "reason": REASON, "csrf_token": csrf_token(client.get("/employer/contracts/new")
                                                   .get_data(as_text=True))})
    assert page.status_code == 409 and "不能作废" in page.get_data(as_text=True)
    assert _contract(contract_id).status == "filed"
    assert _count(AuditEvent) == trail and len(outbox.messages()) == messages
    assert _count(SigningLink, SigningLink.revoked_at.is_not(None)) == 0


@pytest.mark.parametrize("reason", ["", "   ", "长" * 201, None, 123])
def test_void_needs_a_reason_of_at_most_200_characters(client, world, outbox, reason):
    contract_id, token = sent_contract(client, world, outbox)
    trail, messages = _count(AuditEvent), len(outbox.messages())
    resp = _api_void(client, world["api_key"], contract_id, reason)
    assert resp.status_code == 422 and "reason" in resp.get_json()["fields"]
    assert _contract(contract_id).status == "sent"
    assert _count(AuditEvent) == trail and len(outbox.messages()) == messages
    assert _count(SigningLink, SigningLink.revoked_at.is_not(None)) == 0
    assert _otp(client, token).status_code == 200


def test_void_form_with_bad_reason_is_shown_again(client, world):
    contract_id = api_create(client, world["api_key"])["id"]
    login(client, "hr")
    resp = _web_post(client, contract_id, "void", reason="")
    assert resp.status_code == 422 and "请填写原因" in resp.get_data(as_text=True)
    long = "因" * 201
    resp = _web_post(client, contract_id, "void", reason=long)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422 and "原因不能超过200字" in html and long in html
    assert _contract(contract_id).status == "draft"
    no_csrf = client.post(f"/employer/contracts/{contract_id}/void", data={"reason": REASON})
    assert no_csrf.status_code == 302 and _contract(contract_id).status == "draft"


def test_other_employers_cannot_void_or_resend(client, world, outbox):
    contract_id, _ = sent_contract(client, world, outbox)
    for action, body in (("void", {"reason": REASON}), ("resend", None)):
        resp = client.post(f"/api/v1/contracts/{contract_id}/{action}", json=body,
                           headers=bearer(world["api_key_other"]))
        assert resp.status_code == 404, action
    login(client, "hr2")
    token = csrf_token(client.get("/employer/contracts/new").get_data(as_text=True))
    for action in ("void", "resend"):
        resp = client.post(f"/employer/contracts/{contract_id}/{action}",
                           data={"reason": REASON, "csrf_token": token})
        assert resp.status_code == 404, action
    assert _contract(contract_id).status == "sent"
    assert _count(SigningLink) == 1


def test_resend_gives_a_new_link_that_signs_end_to_end(client, world, outbox):
    contract_id, old = sent_contract(client, world, outbox)
    resp = client.post(f"/api/v1/contracts/{contract_id}/resend", headers=bearer(world["api_key"]))
    assert resp.status_code == 200 and resp.get_json()["status"] == "sent"
    new = resp.get_json()["signing_url"].rsplit("/", 1)[1]
    assert new != old and outbox.last_link_token(WORKER["phone"]) == new
    assert _events(contract_id, "contract.resent")
    again = client.post(f"/api/v1/contracts/{contract_id}/resend",
                        headers=bearer(world["api_key"]))
    assert again.status_code == 429 and 1 <= int(again.headers["Retry-After"]) <= 60
    assert "每分钟最多重发一次" in again.get_json()["message"]
    assert outbox.last_link_token(WORKER["phone"]) == new
    old_otp = _otp(client, old)
    assert old_otp.status_code == 410 and old_otp.get_json()["error"] == "link_revoked"
    assert "该签署链接已被撤回" in client.get(f"/s/{old}").get_data(as_text=True)
    signed = worker_sign(client, new, worker_session(client, outbox, new))
    assert signed.status_code == 200 and signed.get_json()["status"] == "signed"
    assert _contract(contract_id).status == "filed" and _count(Filing) == 1


def test_resend_from_the_contract_page(client, world, outbox):
    contract_id, old = sent_contract(client, world, outbox)
    login(client, "hr")
    assert "重新发送签署链接" in client.get(f"/employer/contracts/{contract_id}").get_data(
        as_text=True)
    resp = _web_post(client, contract_id, "resend")
    assert resp.status_code == 302
    assert "已通过短信重新发送" in client.get(resp.headers["Location"]).get_data(as_text=True)
    assert outbox.last_link_token(WORKER["phone"]) != old
    again = _web_post(client, contract_id, "resend")
    assert again.status_code == 429 and "Retry-After" in again.headers
    assert "每分钟最多重发一次" in again.get_data(as_text=True)


def test_resend_only_while_waiting_for_the_worker(client, world, outbox):
    draft = api_create(client, world["api_key"])["id"]
    resp = client.post(f"/api/v1/contracts/{draft}/resend", headers=bearer(world["api_key"]))
    assert resp.status_code == 409 and resp.get_json()["error"] == "not_sent"
    assert _count(SigningLink) == 0 and outbox.messages() == []
    login(client, "hr")
    assert "重新发送签署链接" not in client.get(f"/employer/contracts/{draft}").get_data(
        as_text=True)
    assert _web_post(client, draft, "resend").status_code == 409


def test_worker_declines_with_a_reason(client, world, outbox):
    contract_id, token = sent_contract(client, world, outbox)
    session = worker_session(client, outbox, token)
    reason = "工资与面谈时说的不一致"
    resp = client.post(f"/api/v1/sign/{token}/decline", json={"session": session, "reason": reason})
    assert resp.status_code == 200 and resp.get_json()["status"] == "declined"
    assert _contract(contract_id).status == "declined"
    assert _events(contract_id, "contract.declined")[0].details["reason"] == reason
    assert _count(SigningLink, SigningLink.revoked_at.is_(None)) == 0
    summary = client.get(f"/api/v1/contracts/{contract_id}", headers=bearer(world["api_key"]))
    assert summary.get_json()["status_reason"] == reason
    signed = worker_sign(client, token, session)
    assert signed.status_code == 410 and signed.get_json()["error"] == "contract_declined"
    again = client.post(f"/api/v1/sign/{token}/decline", json={"session": session, "reason": "x"})
    assert again.status_code == 410
    page = client.get(f"/s/{token}")
    assert page.status_code == 410 and "您已拒绝签署此合同" in page.get_data(as_text=True)
    login(client, "hr")
    html = client.get(f"/employer/contracts/{contract_id}").get_data(as_text=True)
    assert "已拒签" in html and reason in html and "劳动者拒签原因" in html
    assert "确认作废" not in html


def test_decline_needs_identity_and_a_reason(client, world, outbox):
    contract_id, token = sent_contract(client, world, outbox)
    url = f"/api/v1/sign/{token}/decline"
    for body in ({"reason": REASON}, {"session": "forged", "reason": REASON}):
        resp = client.post(url, json=body)
        assert resp.status_code == 401 and resp.get_json()["error"] == "identity_required"
    session = worker_session(client, outbox, token)
    for reason in ("", "  ", "拒" * 201):
        resp = client.post(url, json={"session": session, "reason": reason})
        assert resp.status_code == 422 and "reason" in resp.get_json()["fields"]
    assert _contract(contract_id).status == "sent"
    assert _events(contract_id, "contract.declined") == []
    assert worker_sign(client, token, session).status_code == 200


def test_a_signed_contract_cannot_be_declined(client, world, outbox):
    contract_id, token = sent_contract(client, world, outbox)
    session = worker_session(client, outbox, token)
    assert worker_sign(client, token, session).status_code == 200
    resp = client.post(f"/api/v1/sign/{token}/decline", json={"session": session, "reason": "x"})
    assert resp.status_code == 409 and _contract(contract_id).status == "filed"


def _in_thread(ctx, fn):
    """Run ``fn(client)`` to completion in another thread (its own app context and session)."""
    out = []

    def run():
        with ctx.app_context():
            out.append(fn(ctx.test_client()))
            db.session.remove()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    return out[0]


def _assert_consistent(contract_id: int) -> str:
    contract = _contract(contract_id)
    workers = _count(SignatureEvent, SignatureEvent.party == "worker")
    if contract.status == "filed":
        assert workers == 1 and _count(Filing) == 1
        assert _events(contract_id, "contract.voided") == []
    else:
        assert contract.status == "voided"
        assert workers == 0 and _count(Filing) == 0
    return contract.status


def test_void_committed_while_the_worker_signs_wins(client, world, outbox, ctx, monkeypatch):
    contract_id, token = sent_contract(client, world, outbox)
    session = worker_session(client, outbox, token)
    real, voided = pki.signer, []

    class Racing:
        def __getattr__(self, name):
            return getattr(real(), name)

        def sign_worker(self, *args, **kwargs):
            result = real().sign_worker(*args, **kwargs)  # signed, not yet recorded
            voided.append(_in_thread(ctx, lambda c: _api_void(c, world["api_key"], contract_id)))
            return result

    monkeypatch.setattr(pki, "signer", Racing)
    resp = worker_sign(client, token, session)
    assert voided[0].status_code == 200
    assert resp.status_code == 410 and resp.get_json()["error"] == "link_revoked"
    assert _assert_consistent(contract_id) == "voided"


def test_signature_committed_while_voiding_wins(client, world, outbox, ctx, monkeypatch):
    contract_id, token = sent_contract(client, world, outbox)
    session = worker_session(client, outbox, token)
    real, signed = lifecycle.clean_reason, []

    def racing(reason):
        signed.append(_in_thread(ctx, lambda c: worker_sign(c, token, session)))
        return real(reason)

    monkeypatch.setattr(lifecycle, "clean_reason", racing)
    resp = _api_void(client, world["api_key"], contract_id)
    assert signed[0].status_code == 200
    assert resp.status_code == 409 and resp.get_json()["error"] == "already_signed"
    assert _assert_consistent(contract_id) == "filed"


def test_void_and_sign_at_once_have_exactly_one_winner(client, world, outbox, ctx):
    contract_id, token = sent_contract(client, world, outbox)
    session = worker_session(client, outbox, token)
    barrier, results = threading.Barrier(2), {}

    def attempt(name, fn):
        with ctx.app_context():
            c = ctx.test_client()
            barrier.wait()
            results[name] = fn(c).status_code
            db.session.remove()

    threads = [threading.Thread(target=attempt, args=("sign", lambda c: worker_sign(
        c, token, session))), threading.Thread(target=attempt, args=("void", lambda c: _api_void(
            c, world["api_key"], contract_id)))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    status = _assert_consistent(contract_id)
    if status == "filed":
        assert results == {"sign": 200, "void": 409}
    else:
        assert results["void"] == 200 and results["sign"] in (409, 410)
