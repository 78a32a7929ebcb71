"""Generated access matrix: every route × every principal × own/other tenant → expected answer,
on SQLite and PostgreSQL. Zero IDOR: a denied request changes nothing and reveals nothing."""

from __future__ import annotations

import itertools
import re

from sqlalchemy import func, select

from app.extensions import db
from app.models import (
    Batch,
    Contract,
    RevokedCertificate,
    SignatureEvent,
    SigningLink,
    WebhookDelivery,
    WebhookEndpoint,
)
from tests.app import access_matrix as m
from tests.app.flows import signature_data_url
from tests.app.portal_helpers import portal_sign_in
from tests.conftest import bearer, contract_payload, csrf_token, login

PEOPLE = {
    "A": {"worker_name": "张三", "worker_id_number": "360426199101010071",
          "worker_phone": "13800138000"},
    "B": {"worker_name": "李四", "worker_id_number": "11010519491231002X",
          "worker_phone": "13900139000"},
}


def _users(world) -> None:
    from app.services.accounts import accounts

    # world has hr, admin, auditor (A); hr2, admin2, auditor2 (B); platform
    accounts.add_user(username="unscoped", password="pw-123456", role="auditor",
                      display_name="无辖区", jurisdiction=None)
    db.session.commit()


def _session(client, outbox, token: str, person: dict) -> str:
    client.post(f"/api/v1/sign/{token}/otp", json={"name": person["worker_name"],
                                                   "id_number": person["worker_id_number"]})
    code = outbox.last_code(person["worker_phone"])
    return client.post(f"/api/v1/sign/{token}/verify", json={"code": code}).get_json()["session"]


def _tenant(client, outbox, key: str, person: dict) -> dict:
    """A filed, a draft and a sent contract (with the worker's verified session).

    Each has its own term, one after the other, and only the first a probation: the rule
    engine refuses overlapping contracts and a second probation for the same pair.
    """
    years = iter(range(2026, 2040, 2))

    def create() -> int:
        year = next(years)
        terms = {"term_start": f"{year}-12-01", "term_end": f"{year + 2}-11-30"}
        if year > 2026:
            terms["probation_months"] = "0"
        resp = client.post("/api/v1/contracts", json=contract_payload(**person, **terms),
                           headers=bearer(key))
        assert resp.status_code == 201, resp.get_json()
        return resp.get_json()["id"]

    def send(cid: int) -> str:
        resp = client.post(f"/api/v1/contracts/{cid}/send", headers=bearer(key))
        return resp.get_json()["signing_url"].rsplit("/", 1)[1]

    filed = create()
    token = send(filed)
    resp = client.post(f"/api/v1/sign/{token}", json={
        "session": _session(client, outbox, token, person), "signature": signature_data_url(),
        "consent": True})
    assert resp.status_code == 200, resp.get_json()
    sent = create()
    sent_token = send(sent)
    changing = create()  # voided and resent by the matrix; "sent" stays open for signing
    send(changing)
    objects = {"filed": filed, "draft": create(), "sent": sent, "token": sent_token,
               "session": _session(client, outbox, sent_token, person), "changing": changing}
    objects["cert"] = db.session.scalar(select(SignatureEvent.certificate_serial).where(
        SignatureEvent.contract_id == filed, SignatureEvent.party == "worker"))
    objects["secrets"] = [db.session.get(Contract, c).contract_no for c in (filed, sent)] + [
        person["worker_name"]]
    return objects


def _account_objects(world, tenants) -> None:
    """Each tenant's API key, HR user and organization; the auditor overseeing it."""
    from app.models import ApiKey, User

    for owner, org, hr, auditor in (("A", world["org"], "hr", "auditor"),
                                     ("B", world["other"], "hr2", "auditor2")):
        tenants[owner]["apikey"] = db.session.scalar(
            select(ApiKey.id).where(ApiKey.organization_id == org.id))
        tenants[owner]["user"] = db.session.scalar(select(User.id).where(User.username == hr))
        tenants[owner]["auditor"] = db.session.scalar(select(User.id).where(User.username == auditor))
        tenants[owner]["org"] = org.id
        tenants[owner]["batch"] = _batch(org, hr)
        tenants[owner]["webhook"], tenants[owner]["delivery"] = _webhook(org)
        tenants[owner]["project"], tenants[owner]["document"] = _project(org, hr)


def _project(org, username: str) -> tuple[int, int]:
    """A project of the employer as general contractor, in its region, with one document."""
    from app.models import User
    from app.services.platform.principal import of_user
    from app.services.projects import project_archive, projects
    from tests.app.pdftools import tiny_pdf

    p = of_user(db.session.scalar(select(User).where(User.username == username)))
    project = projects.create(p, {
        "name": f"矩阵项目{org.id}", "region_code": org.region_code, "permit_no": "P-1",
        "builder": "建设单位", "contract_amount": "5000000", "start_date": "2026-09-01",
        "planned_end": "2027-12-31", "officer_name": "刘专管", "officer_phone": "13700001111",
        "wage_bank_code": "102", "wage_account": "6222020200001234", "deposit_kind": "cash",
        "wage_account_holder": "专户", "deposit_amount": "100000", "pay_day": "15"})
    doc = project_archive.upload(p, project.id, "construction_contract", None, "c.pdf",
                                 tiny_pdf())
    return project.id, doc.id


def _webhook(org) -> tuple[int, int]:
    """An endpoint of the employer (a port nothing listens on) with one delivery."""
    from app import pii

    endpoint = WebhookEndpoint(organization_id=org.id, url="http://127.0.0.1:9/hook",
                               events=["contract.voided"], secret_enc=pii.encrypt("whsec_t"),
                               created_by="test")
    db.session.add(endpoint)
    db.session.flush()
    delivery = WebhookDelivery(endpoint_id=endpoint.id, event="contract.voided",
                               event_id="e", body="{}", status="failed", log=[])
    db.session.add(delivery)
    db.session.commit()
    return endpoint.id, delivery.id


def _batch(org, username: str) -> int:
    """A checked batch of one row (a person of its own), ready to launch."""
    from app.domain.ids import id_with_check
    from app.models import User
    from app.services.batches import batch_check
    from app.services.platform.principal import of_user

    user = db.session.scalar(select(User).where(User.username == username))
    person = {"worker_name": "王五", "worker_id_number": id_with_check(f"43012119850101{org.id:03d}"),
              "worker_phone": "13700137000"}
    batch = batch_check.from_rows(of_user(user), "fixed_term", [contract_payload(
        **person, term_start="2040-12-01", term_end="2042-11-30")])
    return batch.id


def _clients(app, world, tenants, outbox) -> dict:
    clients = {}
    for name, spec in m.PRINCIPALS.items():
        c = app.test_client()
        headers: dict = {}
        if spec["kind"] == "user":
            assert login(c, spec["username"]).status_code == 302, name
        elif spec["kind"] == "api_key":
            headers = bearer(world["api_key" if spec["org"] == "A" else "api_key_other"])
        elif spec["kind"] == "signing":
            headers = {"X-Signing-Session": tenants[spec["contract_of"]]["session"]}
        elif spec["kind"] == "person":  # through the portal: name, ID number, texted code
            person = PEOPLE[spec["person_of"]]
            portal_sign_in(c, outbox, person["worker_name"], person["worker_id_number"],
                           person["worker_phone"])
        clients[name] = (c, headers, csrf_token(c.get("/login").get_data(as_text=True)))
    return clients


def _path(app, endpoint: str, route: m.Route, objs: dict | None) -> str:
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    args = dict(route.extra)
    for arg in rule.arguments:
        if arg == "contract_id":
            args[arg] = objs[route.obj]
        elif arg == "token":
            args[arg] = objs["token"]
        elif arg == "serial":
            args[arg] = objs["cert"]
        elif arg in ("key_id", "user_id", "org_id", "batch_id", "endpoint_id", "project_id") \
                and arg not in args:
            args[arg] = objs[route.obj]
        elif arg == "document_id":
            args[arg] = objs["document"]
        elif arg == "delivery_id":
            args[arg] = objs["delivery"]
    path = rule.rule
    for arg, value in args.items():
        path = re.sub(rf"<(?:[^:>]+:)?{arg}>", str(value), path)
    return path


def _call(client, headers, csrf, route: m.Route, method: str, path: str, session: str | None):
    kwargs: dict = {"headers": headers}
    if method == "GET":
        pass
    elif route.body == "form":
        kwargs["data"] = {"csrf_token": csrf, "reason": "矩阵测试"}
    elif route.body == "json":
        kwargs["json"] = {**route.json, **({"session": session} if session else {})}
    elif route.body == "raw":
        kwargs["data"] = b"\x30\x00"
        kwargs["content_type"] = "application/timestamp-query"
    return client.open(path, method=method, **kwargs)


def _state(org_id: int, outbox) -> list:
    """What requests denied on employer A's objects must not change."""
    rows = db.session.execute(select(Contract.id, Contract.status, Contract.version,
                                     Contract.worker_phone_masked)
                              .where(Contract.organization_id == org_id).order_by(Contract.id)).all()
    links = db.session.execute(select(SigningLink.id, SigningLink.revoked_at, SigningLink.used_at)
                               .join(Contract).where(Contract.organization_id == org_id)
                               .order_by(SigningLink.id)).all()
    revoked = db.session.scalars(select(RevokedCertificate.serial)).all()
    batches = db.session.execute(select(Batch.id, Batch.status, Batch.acknowledged).where(
        Batch.organization_id == org_id).order_by(Batch.id)).all()
    hooks = db.session.execute(select(WebhookEndpoint.id, WebhookEndpoint.active).where(
        WebhookEndpoint.organization_id == org_id).order_by(WebhookEndpoint.id)).all()
    sent = db.session.scalar(select(func.count()).select_from(WebhookDelivery).join(
        WebhookEndpoint).where(WebhookEndpoint.organization_id == org_id))
    db.session.rollback()
    return [rows, links, revoked, batches, hooks, sent,
            len(outbox.messages(PEOPLE["A"]["worker_phone"]))]


def test_every_route_is_in_the_matrix(app):
    endpoints = {r.endpoint for r in app.url_map.iter_rules()}
    assert endpoints == set(m.POLICIES), (sorted(endpoints - set(m.POLICIES)),
                                           sorted(set(m.POLICIES) - endpoints))


def test_access_matrix(client, world, outbox):
    app = client.application
    _users(world)
    tenants = {"A": _tenant(client, outbox, world["api_key"], PEOPLE["A"]),
               "B": _tenant(client, outbox, world["api_key_other"], PEOPLE["B"])}
    _account_objects(world, tenants)
    clients = _clients(app, world, tenants, outbox)
    failures, checked, before = [], 0, _state(world["org"].id, outbox)
    # logouts end the principal's session: run them last
    last = ("admin.revoke", "auth.logout", "portal.sign_out")
    routes = sorted(m.POLICIES.items(), key=lambda kv: last.index(kv[0]) + 1 if kv[0] in last else 0)
    for name in m.ORDER:
        c, headers, csrf = clients[name]
        if name == "signing_own":  # every principal so far is denied on A's objects
            after = _state(world["org"].id, outbox)
            if after != before:
                failures.append(("state changed by denied requests", before, after))
        for endpoint, route in routes:
            owners = ["A", "B"] if route.obj else [None]
            for owner, method in itertools.product(owners, route.method.split(",")):
                objs = tenants[owner] if owner else tenants["A"]
                path = _path(app, endpoint, route, objs)
                session = headers.get("X-Signing-Session")
                resp = _call(c, headers, csrf, route, method, path, session)
                body = resp.get_data().decode("utf-8", "replace")
                resp.close()
                want = m.expected(route.policy, name, owner)
                api = path.startswith("/api/")
                checked += 1
                if not m.matches(want, resp.status_code, resp.headers.get("Location", ""), api):
                    failures.append((name, endpoint, owner, want, resp.status_code))
                elif want != "ok" and owner:
                    leaked = [s for s in tenants[owner]["secrets"] if s in body]
                    if leaked:
                        failures.append((name, endpoint, owner, "leaked", leaked))
    assert not failures, "\n".join(map(str, failures))
    assert checked > 300
