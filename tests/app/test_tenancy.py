"""Tenants are walls: nothing one employer types changes or reveals another employer's data."""

from __future__ import annotations

from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent, Contract, Worker
from tests.app.flows import api_create, api_send, search, signature_data_url
from tests.conftest import WORKER, bearer, contract_payload, csrf_token, login

B_PHONE = "13900001111"


def _codes_to(outbox, phone: str) -> list[str]:
    return [m["text"] for m in outbox.messages(phone)]


def test_another_employer_cannot_take_over_a_worker(client, world, outbox):
    """B posts A's worker's name and ID number with B's own phone: A's contract is untouched."""
    a_id = api_create(client, world["api_key"])["id"]
    a_token = api_send(client, world["api_key"], a_id)
    b = api_create(client, world["api_key_other"], worker_phone=B_PHONE)
    assert b["worker"]["phone"] == "139****1111"
    # A resends: the new link goes to the phone A typed, not to B's.
    resp = client.post(f"/api/v1/contracts/{a_id}/resend", headers=bearer(world["api_key"]))
    assert resp.status_code == 200
    assert outbox.last_link_token(WORKER["phone"]) != a_token
    a_token = outbox.last_link_token(WORKER["phone"])
    assert not _codes_to(outbox, B_PHONE)
    # The one-time code of A's link goes to A's worker's phone only.
    resp = client.post(f"/api/v1/sign/{a_token}/otp",
                       json={"name": WORKER["name"], "id_number": WORKER["id_number"]})
    assert resp.status_code == 200 and resp.get_json()["sent_to"] == "138****8000"
    assert not _codes_to(outbox, B_PHONE)
    code = outbox.last_code(WORKER["phone"])
    session = client.post(f"/api/v1/sign/{a_token}/verify", json={"code": code}).get_json()
    signed = client.post(f"/api/v1/sign/{a_token}", json={
        "session": session["session"], "signature": signature_data_url(), "consent": True})
    assert signed.status_code == 200
    contract = db.session.get(Contract, a_id)
    db.session.refresh(contract)
    assert contract.worker_phone_masked == "138****8000" and contract.status == "filed"
    # B's own contract texts B's phone.
    api_send(client, world["api_key_other"], b["id"])
    assert len(_codes_to(outbox, B_PHONE)) == 1
    assert "长沙另一家劳务有限公司" in _codes_to(outbox, B_PHONE)[0]


def test_no_answer_reveals_that_a_person_is_on_the_platform(client, world):
    """The same ID number under another name is accepted like any new worker (no oracle)."""
    api_create(client, world["api_key"])
    known = client.post("/api/v1/contracts", headers=bearer(world["api_key_other"]),
                        json=contract_payload(worker_name="李四"))
    fresh = client.post("/api/v1/contracts", headers=bearer(world["api_key_other"]),
                        json=contract_payload(worker_name="李四",
                                              worker_id_number="11010519491231002X"))
    assert known.status_code == fresh.status_code == 201
    k, f = known.get_json(), fresh.get_json()
    assert sorted(k) == sorted(f) and k["worker"]["name"] == f["worker"]["name"] == "李四"
    assert "张三" not in known.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Worker.id))) == 2
    first = db.session.scalar(select(Contract).order_by(Contract.id))
    assert first.worker_name == "张三"  # A's contract keeps the name A typed


def test_only_the_employers_draft_can_be_edited_and_only_while_a_draft(client, world, outbox):
    login(client, "hr")
    page = client.get("/employer/contracts/new").get_data(as_text=True)
    location = client.post("/employer/contracts/new", data={
        **contract_payload(), "csrf_token": csrf_token(page)}).headers["Location"]
    contract_id = int(location.rsplit("/", 1)[1])
    edit = client.get(f"/employer/contracts/{contract_id}/edit").get_data(as_text=True)
    assert "3604**********0071" in edit and "360426199101010071" not in edit
    assert "13800138000" not in edit and 'value="张三"' in edit
    resp = client.post(f"/employer/contracts/{contract_id}/edit", data={
        **contract_payload(worker_name="张三丰", worker_phone="13700137000",
                           worker_id_number="", monthly_wage="1e30"),
        "csrf_token": csrf_token(edit)})
    assert resp.status_code == 422 and 'value="张三丰"' in resp.get_data(as_text=True)
    assert db.session.get(Contract, contract_id).worker_name == "张三"
    resp = client.post(f"/employer/contracts/{contract_id}/edit", data={
        **contract_payload(worker_name="张三丰", worker_phone="13700137000",
                           worker_id_number=""), "csrf_token": csrf_token(edit)})
    assert resp.status_code == 302
    contract = db.session.get(Contract, contract_id)
    db.session.refresh(contract)
    assert (contract.worker_name, contract.worker_phone_masked) == ("张三丰", "137****7000")
    assert contract.current_document.version == 2
    other = client.application.test_client()
    login(other, "hr2")
    assert other.get(f"/employer/contracts/{contract_id}/edit").status_code == 404
    token = csrf_token(other.get("/employer/contracts/new").get_data(as_text=True))
    assert other.post(f"/employer/contracts/{contract_id}/edit", data={
        **contract_payload(), "csrf_token": token}).status_code == 404
    detail = client.get(location).get_data(as_text=True)
    assert client.post(location + "/send", data={"csrf_token": csrf_token(detail)}).status_code == 302
    assert outbox.messages("13700137000") and not outbox.messages(WORKER["phone"])
    again = client.post(f"/employer/contracts/{contract_id}/edit", data={
        **contract_payload(), "csrf_token": csrf_token(detail)})
    assert again.status_code == 409


def _filed(client, world, outbox) -> int:
    from tests.app.flows import sent_contract, worker_session, worker_sign

    contract_id, token = sent_contract(client, world, outbox)
    assert worker_sign(client, token, worker_session(client, outbox, token)).status_code == 200
    return contract_id


def test_an_auditor_without_a_scope_sees_nothing(client, world, outbox):
    from app.services.accounts import accounts

    contract_id = _filed(client, world, outbox)
    accounts.add_user(username="unscoped", password="pw-123456", role="auditor",
                      display_name="无辖区", jurisdiction=None)
    db.session.commit()
    auditor = client.application.test_client()
    login(auditor, "unscoped")
    page = auditor.get("/audit/").get_data(as_text=True)
    assert "尚未设置管辖范围" in page
    assert "找到 0 份合同" in search(auditor, worker_name="张三").get_data(as_text=True)
    for path in ("", "/pdf", "/verification.pdf", "/evidence.zip"):
        assert auditor.get(f"/audit/contracts/{contract_id}{path}").status_code == 404


def test_an_auditor_scoped_to_named_employers(ctx, world, client, outbox):
    from app.services.platform import principal, scope

    contract_id = _filed(client, world, outbox)
    named = principal.Principal(kind="user", actor="user:99", role="auditor",
                                employer_ids=frozenset({world["org"].id}))
    elsewhere = principal.Principal(kind="user", actor="user:98", role="auditor",
                                    employer_ids=frozenset({world["other"].id}))
    assert scope.contract(named, contract_id).id == contract_id
    assert db.session.scalars(scope.contracts(elsewhere)).all() == []
    prefix = principal.Principal(kind="user", actor="user:97", role="auditor", jurisdiction="43")
    assert scope.contract(prefix, contract_id).id == contract_id
    wildcard = principal.Principal(kind="user", actor="user:96", role="auditor", jurisdiction="%")
    assert db.session.scalars(scope.contracts(wildcard)).all() == []


def test_platform_admin_sees_every_contract_and_is_recorded(client, world, outbox):
    from app.services.accounts import accounts

    contract_id = _filed(client, world, outbox)
    accounts.add_user(username="platform", password="pw-123456", role="platform_admin",
                      display_name="平台管理员")
    db.session.commit()
    admin = client.application.test_client()
    login(admin, "platform")
    assert admin.get(f"/audit/contracts/{contract_id}").status_code == 200
    assert admin.get(f"/audit/contracts/{contract_id}/pdf").status_code == 200
    views = db.session.scalars(select(AuditEvent).where(
        AuditEvent.contract_id == contract_id, AuditEvent.action == "contract.viewed_by_admin")
        .order_by(AuditEvent.id)).all()
    assert [v.details["what"] for v in views] == ["view", "pdf"]
    assert all(v.actor.startswith("user:") for v in views)
    # An auditor's reading is not an admin view.
    insider = client.application.test_client()
    login(insider, "auditor")
    assert insider.get(f"/audit/contracts/{contract_id}").status_code == 200
    assert db.session.scalar(select(func.count(AuditEvent.id)).where(
        AuditEvent.action == "contract.viewed_by_admin")) == 2
