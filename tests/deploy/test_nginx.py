"""deploy/nginx/laborsign.conf under a real nginx: the worker's signature goes to the signing
pool, everything else to the web pool, the proxy headers reach the app, and one-time link
tokens stay out of the access log."""

from __future__ import annotations

import json
import os
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests

from tests.needs import need_tool
from tests.ports import free_port

CONF = Path(__file__).resolve().parents[2] / "deploy" / "nginx" / "laborsign.conf"
TOKEN = "Zq3VhXo1Tk9sGfLr8eWb2mNcYd0AuJpE"


def _pool(name: str) -> ThreadingHTTPServer:
    class Echo(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            self.rfile.read(length)
            body = json.dumps({"pool": name, "path": self.path,
                               "forwarded_for": self.headers.get("X-Forwarded-For"),
                               "proto": self.headers.get("X-Forwarded-Proto"),
                               "host": self.headers.get("Host"),
                               "request_id": self.headers.get("X-Request-ID")}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = _answer

        def log_message(self, *args) -> None:  # quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Echo)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture(scope="module")
def proxy(tmp_path_factory):
    nginx = need_tool("nginx")
    folder = tmp_path_factory.mktemp("nginx")
    web, sign = _pool("web"), _pool("sign")
    port = free_port()
    site = CONF.read_text("utf-8")
    for old, new in (("127.0.0.1:8000", f"127.0.0.1:{web.server_address[1]}"),
                     ("127.0.0.1:8001", f"127.0.0.1:{sign.server_address[1]}"),
                     ("listen 80;", f"listen 127.0.0.1:{port};"),
                     ("/var/log/nginx/", f"{folder}/")):
        assert old in site
        site = site.replace(old, new)
    (folder / "site.conf").write_text(site, "utf-8")
    temp = " ".join(f"{k}_temp_path {folder}/{k};" for k in
                    ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    (folder / "nginx.conf").write_text(
        # as root, nginx's workers would run as nobody, who cannot write the temp folders here
        ("user root;\n" if os.geteuid() == 0 else "") +
        f"pid {folder}/nginx.pid;\nerror_log {folder}/main.error.log;\ndaemon off;\n"
        f"events {{}}\nhttp {{ {temp}\n include {folder}/site.conf; }}\n", "utf-8")
    errors = (folder / "stderr.txt").open("w")
    proc = subprocess.Popen([nginx, "-p", str(folder), "-c", str(folder / "nginx.conf")],
                            stderr=errors)
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            requests.get(base + "/healthz", timeout=1)
            break
        except requests.ConnectionError:
            assert proc.poll() is None, (folder / "stderr.txt").read_text()
            time.sleep(0.05)
    yield base, folder / "laborsign.access.log"
    proc.terminate()
    proc.wait(10)
    errors.close()
    for server in (web, sign):
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize(("method", "path", "pool"), [
    ("POST", f"/api/v1/sign/{TOKEN}", "sign"),
    ("POST", f"/api/v1/sign/{TOKEN}/otp", "web"),
    ("POST", f"/api/v1/sign/{TOKEN}/verify", "web"),
    ("GET", f"/api/v1/sign/{TOKEN}/contract", "web"),
    ("GET", f"/api/v1/sign/{TOKEN}", "web"),
    ("POST", f"/api/v1/sign/{TOKEN}/decline", "web"),
    ("GET", f"/s/{TOKEN}", "web"),
    ("POST", "/api/v1/contracts", "web"),
    ("GET", "/employer/contracts", "web"),
])
def test_only_the_signature_goes_to_the_signing_pool(proxy, method, path, pool):
    base, _ = proxy
    answer = requests.request(method, base + path, json={}, timeout=5,
                              headers={"X-Forwarded-For": "203.0.113.9"})
    assert answer.status_code == 200
    got = answer.json()
    assert got["pool"] == pool and got["path"] == path
    # The client's address is appended (the app trusts one hop: TRUST_PROXY_HOPS=1).
    assert got["forwarded_for"] == "203.0.113.9, 127.0.0.1" and got["proto"] == "http"


def test_tokens_stay_out_of_the_access_log(proxy):
    base, log = proxy
    for path in (f"/s/{TOKEN}", f"/api/v1/sign/{TOKEN}/otp", f"/password/reset/{TOKEN}",
                 f"/account/invite/{TOKEN}", f"/password/set/{TOKEN}?token={TOKEN}"):
        requests.get(base + path, timeout=5)
    requests.post(base + f"/api/v1/sign/{TOKEN}", json={}, timeout=5)
    requests.post(base + f"/sms/receipts/aliyun/{TOKEN}", json=[], timeout=5)
    time.sleep(0.2)  # nginx writes the access log line after the answer
    text = log.read_text("utf-8")
    assert TOKEN not in text
    assert '"GET /s/<redacted>"' in text and '"POST /api/v1/sign/<redacted>"' in text
    assert '"GET /api/v1/sign/<redacted>/otp"' in text
    assert '"GET /password/reset/<redacted>"' in text
    assert '"POST /sms/receipts/aliyun/<redacted>"' in text


def test_large_uploads_reach_the_app_up_to_its_limit(proxy):
    """The app names its own limits (upload forms up to 20 MB + 1 MiB of form): nginx lets
    more than that through, and answers what is larger still in both languages."""
    from app import uploads

    base, _ = proxy
    largest = max(uploads.file_limits().values()) + uploads.FORM_OVERHEAD
    for path in ("/projects/1/documents", "/verify"):
        ok = requests.post(base + path, data=b"x" * (largest + 1), timeout=30)
        assert ok.status_code == 200 and ok.json()["pool"] == "web"
    too_big = requests.post(base + "/projects/1/documents", data=b"x" * (33 * 1024 * 1024),
                            timeout=30)
    assert too_big.status_code == 413
    assert too_big.headers["Content-Type"] == "text/html; charset=utf-8"
    assert "文件过大" in too_big.text and "The file is too large" in too_big.text
    api = requests.post(base + "/api/v1/contracts", data=b"x" * (33 * 1024 * 1024), timeout=30)
    assert api.status_code == 413 and api.json()["error"] == "request_entity_too_large"
    assert "too large" in api.json()["message"]


def test_operators_endpoints_stay_inside_and_requests_get_an_id(proxy):
    """/metrics and /readyz are answered by nginx itself (Prometheus and the orchestrator ask
    the app ports); every proxied request carries nginx's $request_id as X-Request-ID, also
    written to the access log."""
    base, log = proxy
    for path in ("/metrics", "/readyz", "/metrics?x=1"):
        answer = requests.get(base + path, timeout=5)
        assert answer.status_code == 404 and "pool" not in answer.text
    alive = requests.get(base + "/healthz", headers={"X-Request-ID": "client-chosen-id"},
                         timeout=5)
    request_id = alive.json()["request_id"]
    assert alive.json()["pool"] == "web" and len(request_id) == 32 and request_id != (
        "client-chosen-id")
    time.sleep(0.2)
    assert request_id in log.read_text("utf-8")
