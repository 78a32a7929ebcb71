"""The worker's own space in tests: signed contracts with several employers, signing in."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, Contract
from tests.app.flows import api_create, api_send, signature_data_url
from tests.conftest import WORKER, csrf_token


def signed_with(client, outbox, key: str, person: dict | None = None, **terms) -> int:
    """A contract of the API key's employer, signed by ``person`` (default: WORKER) through
    the link (identity by SMS code) and filed; returns its id."""
    person = person or {"worker_name": WORKER["name"], "worker_id_number": WORKER["id_number"],
                        "worker_phone": WORKER["phone"]}
    created = api_create(client, key, **person, **terms)
    token = api_send(client, key, created["id"])
    resp = client.post(f"/api/v1/sign/{token}/otp", json={
        "name": person["worker_name"], "id_number": person["worker_id_number"]})
    assert resp.status_code == 200, resp.get_json()
    code = outbox.last_code(person["worker_phone"])
    session = client.post(f"/api/v1/sign/{token}/verify", json={"code": code}).get_json()["session"]
    resp = client.post(f"/api/v1/sign/{token}", json={
        "session": session, "signature": signature_data_url(), "consent": True})
    assert resp.status_code == 200, resp.get_json()
    db.session.expire_all()
    assert db.session.get(Contract, created["id"]).status == "filed"
    return created["id"]


def at_other_employer(client, world, outbox, person: dict | None = None) -> int:
    """A signed contract of the second employer (a later term: no overlap)."""
    return signed_with(client, outbox, world["api_key_other"], person,
                       term_start="2029-01-01", term_end="2030-12-31", probation_months="0")


def start_sign_in(client, name: str, id_number: str, phone: str):
    """Submit the portal's sign-in form (the ID number and phone in the body only)."""
    token = csrf_token(client.get("/me/login").get_data(as_text=True))
    return client.post("/me/login", data={"name": name, "id_number": id_number,
                                          "phone": phone, "csrf_token": token})


def enter_code(client, code: str):
    """Submit the code form."""
    token = csrf_token(client.get("/me/code").get_data(as_text=True))
    return client.post("/me/code", data={"code": code, "csrf_token": token})


def portal_sign_in(client, outbox, name: str = WORKER["name"],
                   id_number: str = WORKER["id_number"], phone: str = WORKER["phone"]):
    """Sign in to the portal with the texted code; returns the answer to the code form."""
    resp = start_sign_in(client, name, id_number, phone)
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/me/code"), resp
    resp = enter_code(client, outbox.last_code(phone))
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/me/"), \
        resp.get_data(as_text=True)
    return resp


def portal_events(contract_id: int, action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(
        AuditEvent.contract_id == contract_id, AuditEvent.action == action)))


def suspend(world) -> None:
    from app.models import User
    from app.services.accounts import registration
    from app.services.platform.principal import of_user

    admin = db.session.scalar(select(User).where(User.username == "platform"))
    registration.decide(of_user(admin), world["org"].id, "suspend", "测试暂停")
    db.session.expire_all()
    assert world["org"].status == "suspended"


def pay(project_id: int, number: str, month: str, gross: str, net: str, paid_on=None,
        status: str = "paid"):
    import hashlib
    from datetime import date

    from app import pii
    from app.models import PayRecord

    line = f"{project_id}|{number}|{month}|{gross}|{net}|{paid_on}|{status}"
    db.session.add(PayRecord(
        project_id=project_id, id_hash=pii.keyed_hash(number), id_masked="****", month=month,
        days=22, hours="176", gross=gross, net=net, account_hash="a", account_masked="6222****1234",
        bank="工商银行", holder="张三", paying_account_hash="p",
        paid_on=date.fromisoformat(paid_on) if paid_on else None, status=status,
        row_hash=hashlib.sha256(line.encode()).hexdigest()))
