"""Contract documents live in the archive store; the database keeps kind, version, key, size
and SHA-256. Altered bytes are never served; a store that is down fails the use case cleanly."""

from __future__ import annotations

import hashlib
import json

import sqlalchemy as sa
from sqlalchemy import func, select

from app.extensions import archive_ext, db
from app.models import Contract, ContractDocument, SigningLink
from tests.app.flows import api_create, api_send, sent_contract, worker_session, worker_sign
from tests.conftest import WORKER, bearer, contract_payload


class Proxy:
    """An archive store wrapper: counts contract-document reads, can refuse writes."""

    def __init__(self, inner, *, refuse_puts: bool = False):
        self.inner, self.refuse_puts, self.reads = inner, refuse_puts, []

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def get(self, key, **kwargs):
        if key.startswith("contracts/"):
            self.reads.append(key)
        return self.inner.get(key, **kwargs)

    def put(self, key, *args, **kwargs):
        from archive import ArchiveUnavailable

        if self.refuse_puts:
            raise ArchiveUnavailable("connection refused")
        return self.inner.put(key, *args, **kwargs)


def _docs(contract_id: int) -> list[ContractDocument]:
    db.session.expire_all()
    return list(db.session.scalars(select(ContractDocument).where(
        ContractDocument.contract_id == contract_id).order_by(ContractDocument.version)))


def _object_files(store, key: str):
    """The local backend's data file and sidecar of ``key``."""
    *dirs, name = key.split("/")
    folder = store.root.joinpath("objects", *(d + ".d" for d in dirs))
    return folder / (name + ".o"), folder / (name + ".meta")


def test_documents_are_in_the_store_and_not_in_the_database(client, world, outbox, ctx):
    store = archive_ext.store()
    contract_id, token = sent_contract(client, world, outbox)
    assert worker_sign(client, token, worker_session(client, outbox, token)).get_json()[
        "status"] == "signed"
    columns = {c["name"] for c in sa.inspect(db.engine).get_columns("contract_documents")}
    assert "data" not in columns and {"key", "size", "sha256", "kind", "version"} <= columns
    docs = _docs(contract_id)
    assert [d.kind for d in docs] == ["draft", "sealed", "signed"]
    contract = db.session.get(Contract, contract_id)
    for doc in docs:
        assert doc.key.startswith(f"contracts/{world['org'].uscc}/{contract.contract_no}/"
                                  f"v{doc.version}-{doc.kind}-")
        data = store.get(doc.key)
        assert len(data) == doc.size > 50_000 and hashlib.sha256(data).hexdigest() == doc.sha256
    # Sealed and signed versions are evidence: retained; a draft may be deleted later.
    assert store.retention(docs[0].key) is None
    assert all(store.retention(d.key) is not None for d in docs[1:])
    pdf = client.get(f"/api/v1/contracts/{contract_id}/pdf", headers=bearer(world["api_key"]))
    assert pdf.status_code == 200 and pdf.data == store.get(docs[-1].key)
    assert pdf.headers["X-Content-SHA256"] == docs[-1].sha256


def test_signing_reads_the_one_version_it_needs_once(client, world, outbox, ctx):
    contract_id, token = sent_contract(client, world, outbox)
    session = worker_session(client, outbox, token)
    spy = Proxy(archive_ext.store())
    archive_ext.use(spy)
    assert worker_sign(client, token, session).get_json()["status"] == "signed"
    sealed = _docs(contract_id)[1]
    assert spy.reads == [sealed.key]  # the filing job reuses the signed bytes just written


def test_altered_bytes_are_detected_and_never_served(client, world, outbox, ctx):
    store = archive_ext.store()
    created = api_create(client, world["api_key"])
    doc = _docs(created["id"])[0]
    data_file, sidecar = _object_files(store, doc.key)
    forged = store.get(doc.key) + b"\n% appended by someone\n"
    # An altered file with a matching sidecar passes the store's own check: the row catches it.
    data_file.write_bytes(forged)
    meta = json.loads(sidecar.read_text("utf-8"))
    sidecar.write_text(json.dumps({**meta, "sha256": hashlib.sha256(forged).hexdigest()}), "utf-8")
    resp = client.get(f"/api/v1/contracts/{created['id']}/pdf", headers=bearer(world["api_key"]))
    assert resp.status_code == 500 and resp.get_json()["error"] == "document_mismatch"
    assert b"%PDF" not in resp.data and created["contract_no"] in resp.get_json()["message"]
    # Signing on altered bytes is refused too: nothing is sealed, the contract stays a draft.
    send = client.post(f"/api/v1/contracts/{created['id']}/send", headers=bearer(world["api_key"]))
    assert send.status_code == 500 and send.get_json()["error"] == "document_mismatch"
    assert db.session.get(Contract, created["id"]).status == "draft"
    # Bytes altered under the store's own hash (bit rot): the same answer.
    sidecar.write_text(json.dumps(meta), "utf-8")
    resp = client.get(f"/api/v1/contracts/{created['id']}/pdf", headers=bearer(world["api_key"]))
    assert resp.status_code == 500 and resp.get_json()["error"] == "document_mismatch"


def test_a_missing_object_is_an_error_not_an_empty_file(client, world, ctx):
    store = archive_ext.store()
    created = api_create(client, world["api_key"])
    store.delete(_docs(created["id"])[0].key)  # a draft is not retained
    resp = client.get(f"/api/v1/contracts/{created['id']}/pdf", headers=bearer(world["api_key"]))
    assert resp.status_code == 500 and resp.get_json()["error"] == "document_mismatch"


def test_store_down_during_send_leaves_a_draft_and_no_new_document(client, world, outbox, ctx):
    local = archive_ext.store()
    created = api_create(client, world["api_key"])
    archive_ext.use(Proxy(local, refuse_puts=True))
    resp = client.post(f"/api/v1/contracts/{created['id']}/send", headers=bearer(world["api_key"]))
    assert resp.status_code == 503
    assert resp.get_json()["error"] == "archive_unavailable"
    assert "档案库暂时无法访问" in resp.get_json()["message"]
    assert db.session.get(Contract, created["id"]).status == "draft"
    assert [d.kind for d in _docs(created["id"])] == ["draft"]
    assert db.session.scalar(select(func.count(SigningLink.id))) == 0
    assert not any("/s/" in m["text"] for m in outbox.messages(WORKER["phone"]))
    english = client.post(f"/api/v1/contracts/{created['id']}/send?lang=en",
                          headers=bearer(world["api_key"]))
    assert "archive" in english.get_json()["message"].lower()
    # Back up: the same contract is sent normally.
    archive_ext.use(local)
    token = api_send(client, world["api_key"], created["id"])
    assert token and [d.kind for d in _docs(created["id"])] == ["draft", "sealed"]


def test_store_down_during_create_stores_no_contract(client, world, ctx):
    archive_ext.use(Proxy(archive_ext.store(), refuse_puts=True))
    resp = client.post("/api/v1/contracts", json=contract_payload(),
                       headers=bearer(world["api_key"]))
    assert resp.status_code == 503 and resp.get_json()["error"] == "archive_unavailable"
    assert db.session.scalar(select(func.count(Contract.id))) == 0
    assert db.session.scalar(select(func.count(ContractDocument.id))) == 0


def test_unreachable_store_when_signing_keeps_the_contract_waiting(client, world, outbox, ctx):
    from archive import S3ObjectStore
    from tests.ports import free_port

    contract_id, token = sent_contract(client, world, outbox)
    session = worker_session(client, outbox, token)
    archive_ext.use(S3ObjectStore(f"127.0.0.1:{free_port()}", "k", "s", "bucket"))
    resp = worker_sign(client, token, session)
    assert resp.status_code == 503 and "档案库暂时无法访问" in resp.get_json()["message"]
    assert db.session.get(Contract, contract_id).status == "sent"
    assert [d.kind for d in _docs(contract_id)] == ["draft", "sealed"]


def test_store_down_on_the_form_keeps_what_was_typed(client, world, ctx):
    from tests.conftest import csrf_token, login

    login(client, "hr")
    form = client.get("/employer/contracts/new").get_data(as_text=True)
    archive_ext.use(Proxy(archive_ext.store(), refuse_puts=True))
    resp = client.post("/employer/contracts/new", data={
        **contract_payload(post="架子工"), "csrf_token": csrf_token(form)})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 503 and "档案库暂时无法访问，本次操作未生效" in html
    assert 'value="架子工"' in html and WORKER["id_number"] in html
    assert db.session.scalar(select(func.count(Contract.id))) == 0
