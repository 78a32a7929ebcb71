"""The built-in RFC 3161 TSA over HTTP (``POST /tsa``) and the external-TSA switch (TSA_URL)."""

from __future__ import annotations

import shutil
import subprocess
import threading

import pytest
from asn1crypto import cms, core, tsp
from sqlalchemy import select
from werkzeug.serving import make_server

from app.extensions import db
from app.models import Counter, Filing
from app.services.filing import verification
from app.services.platform import pki
from tests.app.flows import sent_contract, worker_session, worker_sign
from tests.conftest import IN_CI

QUERY = "application/timestamp-query"
REPLY = "application/timestamp-reply"


@pytest.fixture
def openssl() -> str:
    path = shutil.which("openssl")
    if path is None:
        (pytest.fail if IN_CI else pytest.skip)("openssl is not installed")
    return path


def _query(openssl: str, folder, data: bytes, name: str = "q") -> bytes:
    (folder / f"{name}.txt").write_bytes(data)
    subprocess.run([openssl, "ts", "-query", "-data", str(folder / f"{name}.txt"), "-sha256",
                    "-cert", "-out", str(folder / f"{name}.tsq")], check=True, capture_output=True)
    return (folder / f"{name}.tsq").read_bytes()


class _Resp(core.Sequence):
    """TimeStampResp with the token optional (asn1crypto requires it; RFC 3161 does not)."""

    _fields = [("status", tsp.PKIStatusInfo),
               ("time_stamp_token", cms.ContentInfo, {"optional": True})]


def _status_and_serial(reply: bytes) -> tuple[str, int | None]:
    resp = _Resp.load(reply)
    status = resp["status"]["status"].native
    if status != "granted":
        return status, None
    info = resp["time_stamp_token"]["content"]["encap_content_info"]["content"].parsed
    return status, info["serial_number"].native


def _counter() -> int:
    db.session.expire_all()
    return db.session.scalar(select(Counter.value).where(Counter.name == "tsa_serial")) or 0


def test_openssl_query_gets_a_reply_openssl_verifies(client, ctx, openssl, tmp_path):
    query = _query(openssl, tmp_path, "劳动合同 HT-2026-000123".encode())
    resp = client.post("/tsa", data=query, content_type=QUERY)
    assert resp.status_code == 200 and resp.mimetype == REPLY
    (tmp_path / "reply.tsr").write_bytes(resp.data)
    (tmp_path / "root.pem").write_bytes(client.get("/ca/root.pem").data)
    (tmp_path / "chain.pem").write_bytes(client.get("/ca/issuing.pem").data)
    done = subprocess.run([openssl, "ts", "-verify", "-in", str(tmp_path / "reply.tsr"),
                           "-queryfile", str(tmp_path / "q.tsq"), "-CAfile",
                           str(tmp_path / "root.pem"), "-untrusted", str(tmp_path / "chain.pem")],
                          capture_output=True, text=True)
    assert done.returncode == 0 and "Verification: OK" in done.stdout, done.stdout + done.stderr


def test_token_serials_come_from_database_counter_blocks(client, ctx, openssl, tmp_path):
    """Each process reserves a block of serials in one transaction: unique serials without a
    database round trip per token; another process (another block) never repeats one."""
    query = _query(openssl, tmp_path, b"same document")
    before = _counter()
    serials = []
    for _ in range(3):
        status, serial = _status_and_serial(client.post("/tsa", data=query,
                                                        content_type=QUERY).data)
        assert status == "granted"
        serials.append(serial)
    assert len(set(serials)) == 3 and serials == sorted(serials)
    reserved = _counter()
    assert before < serials[0] and serials[-1] <= reserved  # handed out of a reserved block
    other = pki.SerialBlocks("tsa_serial", db.engine, size=5)  # as another process would
    theirs = [other.next() for _ in range(7)]  # two blocks
    assert min(theirs) > reserved and len(set(theirs)) == 7 and not set(theirs) & set(serials)
    assert _counter() == reserved + 10


def test_wrong_content_type_is_415_json(client, ctx, openssl, tmp_path):
    resp = client.post("/tsa", data=_query(openssl, tmp_path, b"x"),
                       content_type="application/octet-stream")
    assert resp.status_code == 415 and resp.is_json
    assert resp.get_json()["error"] == "unsupported_media_type"
    assert client.post("/tsa", data=b"").status_code == 415


@pytest.mark.parametrize("body", [b"", b"not a time-stamp request", b"\x30\x82\xff\xff\x02\x01",
                                  b"\x30\x03\x02\x01\x07"])
def test_garbage_gets_a_rejection_reply_not_a_500(client, ctx, body):
    before = _counter()
    resp = client.post("/tsa", data=body, content_type=QUERY)
    assert resp.status_code == 200 and resp.mimetype == REPLY
    assert _status_and_serial(resp.data)[0] == "rejection"
    assert _counter() == before


# -- external TSA switch ------------------------------------------------------------------------
class CountingTsaRequests:
    """WSGI middleware counting the POSTs to /tsa that reach the served app."""

    def __init__(self, wsgi_app) -> None:
        self.wsgi_app, self.count, self.lock = wsgi_app, 0, threading.Lock()

    def __call__(self, environ, start_response):
        if environ["PATH_INFO"] == "/tsa" and environ["REQUEST_METHOD"] == "POST":
            with self.lock:
                self.count += 1
        return self.wsgi_app(environ, start_response)


@pytest.fixture
def tsa_server(ctx):
    counting = CountingTsaRequests(ctx)
    server = make_server("127.0.0.1", 0, counting, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/tsa", counting
    server.shutdown()
    thread.join(5)
    server.server_close()


def test_signer_uses_an_external_tsa_when_tsa_url_is_set(client, world, outbox, tsa_server):
    from pyhanko.sign.timestamps import HTTPTimeStamper

    url, served = tsa_server
    app = client.application
    try:
        app.config["TSA_URL"] = url
        pki.forget_signer()
        assert isinstance(pki.signer().timestamper, HTTPTimeStamper)
        assert pki.signer().timestamper.url == url
        contract_id, token = sent_contract(client, world, outbox)
        signed = worker_sign(client, token, worker_session(client, outbox, token))
        assert signed.status_code == 200, signed.get_json()
    finally:
        app.config["TSA_URL"] = ""
        pki.forget_signer()
    assert served.count >= 4  # seal + worker signature time-stamps, two document time-stamps
    filing = db.session.scalar(select(Filing).where(Filing.contract_id == contract_id))
    report = verification.verify_pdf(verification.archived_pdf(filing))
    assert report.ok, report.to_dict()
    tsa_cn = pki.tsa().cert.subject.native["common_name"]
    assert report.timestamps and all(ts.tsa == tsa_cn for ts in report.timestamps)
    assert all(sig.timestamp_trusted for sig in report.signatures)
