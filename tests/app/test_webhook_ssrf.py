"""Webhook addresses cannot be made to reach the platform's own network: the address is read
once, by the parser the connection uses, and the request goes to exactly the IP that was
checked. Against real local HTTP(S) servers on 127.0.0.1 with WEBHOOK_ALLOW_PRIVATE off: the
backslash trick (``http://127.0.0.1:<port>\\@1.1.1.1/x``) is refused and a stored row of it is
never reached; a name that answers a public address and then 127.0.0.1 is connected at the
public one; every other notation of a private address is refused; credentials in the URL
are refused (and masked when an old row has them). With it on (tests, demos), https goes to
the checked IP with the name as Host, SNI and certificate name."""

from __future__ import annotations

import datetime as dt
import socket
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import urllib3.util.connection
from sqlalchemy import select

from app import pii
from app.extensions import db
from app.models import WebhookDelivery, WebhookEndpoint
from app.services.platform import jobs, webhook_delivery
from tests.app.flows import api_create
from tests.app.test_webhooks import Receiver
from tests.conftest import bearer, csrf_token, login

PUBLIC = "93.184.215.14"  # a public address (never actually reached: see `network`)
NAME = "hooks.example.test"


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


@pytest.fixture
def strict(app, monkeypatch):
    """Production's rule: private addresses refused."""
    monkeypatch.setitem(app.config, "WEBHOOK_ALLOW_PRIVATE", False)


class Resolver:
    """DNS for NAME as the test says (each lookup takes the next answer; the last repeats);
    every other name resolves as usual."""

    def __init__(self, monkeypatch):
        self.answers: list[list[str]] = []
        self.lookups = 0
        real = socket.getaddrinfo

        def getaddrinfo(host, port, *args, **kwargs):
            if host != NAME:
                return real(host, port, *args, **kwargs)
            self.lookups += 1
            addresses = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port or 80))
                    for a in addresses]

        monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


@pytest.fixture
def resolver(monkeypatch):
    return Resolver(monkeypatch)


@pytest.fixture
def network(monkeypatch):
    """Where urllib3 opens connections (recorded); the public internet is not reachable from
    the tests (a connection to a public address is refused here), loopback is."""
    opened: list[str] = []
    real = urllib3.util.connection.create_connection

    def create_connection(address, *args, **kwargs):
        opened.append(address[0])
        if address[0] == PUBLIC:
            raise ConnectionRefusedError("the test's internet")
        return real(address, *args, **kwargs)

    monkeypatch.setattr(urllib3.util.connection, "create_connection", create_connection)
    return opened


def _form(client, url: str, lang: str = "zh_CN"):
    login(client, "admin")
    page = client.get(f"/account/webhooks?lang={lang}").get_data(as_text=True)
    return client.post("/account/webhooks", data={
        "csrf_token": csrf_token(page), "url": url, "events": ["contract.voided"]})


def _stored(world, url: str) -> WebhookEndpoint:
    """An endpoint row written before the checks were tightened."""
    row = WebhookEndpoint(organization_id=world["org"].id, url=url, events=["contract.voided"],
                          secret_enc=pii.encrypt("whsec_old"), active=True, created_by="user:1")
    db.session.add(row)
    db.session.commit()
    return row


def _void_one(client, world) -> None:
    contract = api_create(client, world["api_key"])
    resp = client.post(f"/api/v1/contracts/{contract['id']}/void", json={"reason": "录入错误"},
                       headers=bearer(world["api_key"]))
    assert resp.status_code == 200
    jobs.run_pending()


def test_the_backslash_address_is_refused_and_a_stored_one_never_reached(
        client, world, receiver, strict, network):
    port = receiver.server.server_address[1]
    tricky = f"http://127.0.0.1:{port}\\@1.1.1.1/x"
    resp = _form(client, tricky)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422 and 'id="err-url"' in html and "反斜杠" in html
    assert tricky.replace("\\", "&#92;") in html or tricky in html  # what was typed is kept
    api = client.post("/api/v1/webhooks", json={"url": tricky, "events": ["contract.voided"]},
                      headers=bearer(world["api_key"]))
    assert api.status_code == 422 and "url" in api.get_json()["fields"]
    assert db.session.scalar(select(WebhookEndpoint)) is None

    _stored(world, tricky)
    _void_one(client, world)
    delivery = db.session.scalar(select(WebhookDelivery))
    assert receiver.requests == [] and network == []  # nothing was opened anywhere
    assert delivery.status == "failed" and delivery.log[-1]["code"] is None
    assert "反斜杠" in delivery.log[-1]["error"]


def test_a_name_that_answers_public_then_loopback_is_connected_at_the_public_address(
        client, world, receiver, strict, resolver, network):
    port = receiver.server.server_address[1]
    resolver.answers = [[PUBLIC]]
    resp = client.post("/api/v1/webhooks", json={"url": f"http://{NAME}:{port}/hook",
                                                "events": ["contract.voided"]},
                       headers=bearer(world["api_key"]))
    assert resp.status_code == 201
    resolver.answers, resolver.lookups = [[PUBLIC], ["127.0.0.1"]], 0  # rebinding
    _void_one(client, world)
    assert receiver.requests == []
    assert network == [PUBLIC] and resolver.lookups == 1  # looked up once, that address used
    delivery = db.session.scalar(select(WebhookDelivery))
    assert delivery.log[-1]["error"] and delivery.status == "pending"  # retried later

    # an answer with any private address among public ones is refused outright
    resolver.answers = [[PUBLIC, "127.0.0.1"]]
    resp = client.post("/api/v1/webhooks", json={"url": f"http://{NAME}:{port}/other",
                                                "events": ["contract.voided"]},
                       headers=bearer(world["api_key"]))
    assert resp.status_code == 422 and "内网或本机" in resp.get_json()["fields"]["url"]


@pytest.mark.parametrize("url,says", [
    ("http://2130706433/hook", "四段十进制"), ("http://0x7f.0.0.1/hook", "四段十进制"),
    ("http://0177.0.0.1/hook", "四段十进制"), ("http://127.1/hook", "四段十进制"),
    ("http://0/hook", "四段十进制"), ("http://0.0.0.0/hook", "内网或本机"),
    ("http://224.0.0.1/hook", "内网或本机"), ("http://100.64.0.1/hook", "内网或本机"),
    ("http://[::ffff:127.0.0.1]/hook", "内网或本机"), ("http://[::ffff:7f00:1]/hook", "内网或本机"),
    ("http://[2002:7f00:1::]/hook", "内网或本机"), ("http://[64:ff9b::7f00:1]/hook", "内网或本机"),
    ("http://[fe80::1]/hook", "内网或本机"), ("http://[::]/hook", "内网或本机"),
    ("http://example.com/a/../hook", "规范写法"), ("http://example.com/a b", "规范写法"),
    ("http://example.com/hook#x", "规范写法"), ("http://exa_mple.com/hook", "主机名有误"),
])
def test_every_notation_of_a_private_or_ambiguous_address_is_refused(client, world, strict,
                                                                      url, says):
    resp = _form(client, url)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422 and 'id="err-url"' in html and says in html, url
    assert db.session.scalar(select(WebhookEndpoint)) is None


def test_a_public_address_written_plainly_is_accepted(client, world, strict):
    assert _form(client, "http://1.1.1.1/hook").status_code == 201  # the other side


def test_credentials_in_the_url_are_refused_and_old_ones_masked(client, world, receiver,
                                                                network):
    url = receiver.url.replace("http://", "http://hr:s3cret@")
    resp = _form(client, url)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422 and 'id="err-url"' in html and "用户名或密码" in html
    resp = _form(client, url, lang="en")
    assert resp.status_code == 422 and "user name or password" in resp.get_data(as_text=True)
    api = client.post("/api/v1/webhooks", json={"url": url, "events": ["contract.voided"]},
                      headers={**bearer(world["api_key"]), "Accept-Language": "en"})
    assert api.status_code == 422 and "user name or password" in api.get_json()["fields"]["url"]
    assert db.session.scalar(select(WebhookEndpoint)) is None

    _stored(world, url)  # from before: never shown, never used
    listed = client.get("/api/v1/webhooks", headers=bearer(world["api_key"])).get_json()
    assert "s3cret" not in str(listed) and listed["items"][0]["url"].startswith("http://***@")
    assert "s3cret" not in client.get("/account/webhooks").get_data(as_text=True)
    _void_one(client, world)
    assert receiver.requests == [] and network == []


def _certificate(tmp_path, name: str):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(hours=1))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def test_https_goes_to_the_checked_address_with_the_name_as_host_sni_and_certificate(
        client, world, tmp_path, resolver, monkeypatch):
    cert, key = _certificate(tmp_path, NAME)
    seen: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            self.rfile.read(int(self.headers["Content-Length"]))
            seen.append({"host": self.headers["Host"], "path": self.path})
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    names: list[str | None] = []
    context.sni_callback = lambda sock, name, ctx: names.append(name)
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    monkeypatch.setattr(webhook_delivery, "ca_bundle", lambda: str(cert))
    resolver.answers = [["127.0.0.1"]]
    try:
        for host in (NAME, "other.example.test"):
            resp = client.post("/api/v1/webhooks", json={
                "url": f"https://{host}:{port}/laborsign?x=1", "events": ["contract.voided"]},
                headers=bearer(world["api_key"]))
            assert resp.status_code == 201
        monkeypatch.setattr(socket, "getaddrinfo", _also(socket.getaddrinfo))
        _void_one(client, world)
    finally:
        server.shutdown()
        server.server_close()
    assert seen == [{"host": f"{NAME}:{port}", "path": "/laborsign?x=1"}]
    assert NAME in names
    by_url = {d.endpoint.url: d for d in db.session.scalars(select(WebhookDelivery))}
    assert by_url[f"https://{NAME}:{port}/laborsign?x=1"].status == "delivered"
    wrong = by_url[f"https://other.example.test:{port}/laborsign?x=1"]
    assert wrong.status == "pending" and "SSL" in wrong.log[-1]["error"]  # name not on the cert


def _also(real):
    """other.example.test resolves to 127.0.0.1 as well."""
    def getaddrinfo(host, port, *args, **kwargs):
        if host == "other.example.test":
            return real(NAME, port, *args, **kwargs)
        return real(host, port, *args, **kwargs)
    return getaddrinfo


def test_a_redirect_is_not_followed(client, world, receiver):
    """A public receiver could answer 302 to an internal address: the answer is logged as a
    failed attempt, and the address it points to gets nothing."""
    class Redirect(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            self.rfile.read(int(self.headers["Content-Length"]))
            self.send_response(307)
            self.send_header("Location", receiver.url)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Redirect)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        resp = client.post("/api/v1/webhooks", json={
            "url": f"http://127.0.0.1:{server.server_address[1]}/hook",
            "events": ["contract.voided"]}, headers=bearer(world["api_key"]))
        assert resp.status_code == 201
        _void_one(client, world)
    finally:
        server.shutdown()
        server.server_close()
    delivery = db.session.scalar(select(WebhookDelivery))
    assert delivery.log[-1]["code"] == 307 and delivery.status == "pending"
    assert receiver.requests == []


def test_a_name_that_does_not_resolve_now_is_tried_again_later(client, world, resolver,
                                                               network):
    resolver.answers = [[]]
    resp = client.post("/api/v1/webhooks", json={"url": f"http://{NAME}/hook",
                                                "events": ["contract.voided"]},
                       headers=bearer(world["api_key"]))
    assert resp.status_code == 201  # WEBHOOK_ALLOW_PRIVATE (tests): not looked up here
    _void_one(client, world)
    delivery = db.session.scalar(select(WebhookDelivery))
    assert delivery.status == "pending" and "无法解析" in delivery.log[-1]["error"]
    assert network == []
