"""Signing-link (and other one-time link) tokens never reach the access logs."""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests
from werkzeug.serving import make_server

from app.logging_redact import RedactTokens, redact
from tests.ports import free_port

ROOT = Path(__file__).resolve().parents[2]
SECRET = "Zq9-secretTOKEN_abc"
PATHS = [f"/s/{SECRET}", f"/api/v1/sign/{SECRET}/otp", f"/password/reset/{SECRET}",
         f"/password/set/{SECRET}",
         f"/account/invite/{SECRET}?lang=en", f"/s/{SECRET}?token={SECRET}"]


def test_redact_keeps_the_shape_of_the_line():
    assert redact(f'"GET /s/{SECRET} HTTP/1.1" 200') == '"GET /s/<redacted> HTTP/1.1" 200'
    assert redact(f"/api/v1/sign/{SECRET}/pdf") == "/api/v1/sign/<redacted>/pdf"
    assert redact(f"/x?token={SECRET}&lang=en") == "/x?token=<redacted>&lang=en"
    assert redact("/static/sign.js /employer/contracts/5 /design/x") == (
        "/static/sign.js /employer/contracts/5 /design/x")


def test_the_filter_rewrites_a_werkzeug_record(app):
    assert any(isinstance(f, RedactTokens) for f in logging.getLogger("werkzeug").filters)
    record = logging.LogRecord("werkzeug", logging.INFO, __file__, 1, '%s - - [%s] "%s" %s %s',
                               ("127.0.0.1", "01/Dec/2026 10:00:00",
                                f"GET /api/v1/sign/{SECRET}/otp HTTP/1.1", "200", "-"), None)
    assert RedactTokens().filter(record) is True
    assert SECRET not in record.getMessage()
    assert "/api/v1/sign/<redacted>/otp" in record.getMessage()


def test_the_dev_server_access_log_is_redacted(ctx, caplog):
    server = make_server("127.0.0.1", 0, ctx, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with caplog.at_level(logging.INFO, logger="werkzeug"):
            for path in PATHS:
                requests.get(f"http://127.0.0.1:{server.server_port}{path}", timeout=10)
    finally:
        server.shutdown()
        server.server_close()
    lines = [r.getMessage() for r in caplog.records if r.name == "werkzeug"]
    assert len(lines) >= len(PATHS)
    assert not [line for line in lines if SECRET in line]
    assert any("/s/<redacted>" in line for line in lines)


def _wait_for(port: int, proc: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"gunicorn exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("gunicorn did not start")


@pytest.fixture(scope="module")
def gunicorn_logs(tmp_path_factory):
    """A real gunicorn (repo's gunicorn.conf.py) on a tmp SQLite instance, hit on every path."""
    tmp = tmp_path_factory.mktemp("gunicorn")
    env = {**os.environ, "INSTANCE_DIR": str(tmp), "DATABASE_URL": f"sqlite:///{tmp / 'g.db'}",
           "SMS_OUTBOX": str(tmp / "sms.jsonl"), "ARCHIVE_ROOT": str(tmp / "archive"),
           "PKI_DIR": str(tmp / "pki"), "LABORSIGN_ENV": "", "FLASK_DEBUG": ""}
    bin_dir = Path(sys.executable).parent
    subprocess.run([str(bin_dir / "flask"), "--app", "wsgi", "db", "upgrade"], cwd=ROOT, env=env,
                   check=True, capture_output=True)
    port, access, errors = free_port(), tmp / "access.log", tmp / "error.log"
    proc = subprocess.Popen([str(bin_dir / "gunicorn"), "--bind", f"127.0.0.1:{port}",
                             "--workers", "1", "--access-logfile", str(access),
                             "--error-logfile", str(errors), "wsgi:app"], cwd=ROOT, env=env)
    try:
        _wait_for(port, proc)
        statuses = [requests.get(f"http://127.0.0.1:{port}{p}", timeout=30).status_code
                    for p in PATHS]
        statuses.append(requests.post(f"http://127.0.0.1:{port}/api/v1/sign/{SECRET}/otp",
                                      json={"name": "张三"}, timeout=30).status_code)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    return statuses, access.read_text("utf-8"), errors.read_text("utf-8")


def test_gunicorn_access_log_never_contains_tokens(gunicorn_logs):
    statuses, access, errors = gunicorn_logs
    assert 500 not in statuses
    lines = access.splitlines()
    assert len(lines) == len(PATHS) + 1
    assert SECRET not in access and SECRET not in errors
    assert "GET /s/<redacted> HTTP/1.1" in access
    assert "POST /api/v1/sign/<redacted>/otp HTTP/1.1" in access
    assert "/password/reset/<redacted>" in access and "/account/invite/<redacted>" in access
