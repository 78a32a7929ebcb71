"""Signing-link (and other one-time link) tokens never reach the access logs."""

from __future__ import annotations

import json
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
PHONE, ID_NUMBER = "13912345678", "360426199101010071"
PATHS = [f"/s/{SECRET}", f"/api/v1/sign/{SECRET}/otp", f"/password/reset/{SECRET}",
         f"/password/set/{SECRET}",
         f"/account/invite/{SECRET}?lang=en", f"/s/{SECRET}?token={SECRET}",
         f"/sms/receipts/aliyun/{SECRET}"]


def test_redact_keeps_the_shape_of_the_line():
    assert redact(f'"GET /s/{SECRET} HTTP/1.1" 200') == '"GET /s/<redacted> HTTP/1.1" 200'
    assert redact(f"/api/v1/sign/{SECRET}/pdf") == "/api/v1/sign/<redacted>/pdf"
    assert redact(f"/x?token={SECRET}&lang=en") == "/x?token=<redacted>&lang=en"
    assert redact(f"POST /sms/receipts/tencent/{SECRET} HTTP/1.1") == (
        "POST /sms/receipts/tencent/<redacted> HTTP/1.1")
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


BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def gunicorn_env(tmp_path_factory):
    """A tmp SQLite instance with its schema, shared by this module's gunicorn runs."""
    tmp = tmp_path_factory.mktemp("gunicorn")
    env = {**os.environ, "INSTANCE_DIR": str(tmp), "DATABASE_URL": f"sqlite:///{tmp / 'g.db'}",
           "SMS_OUTBOX": str(tmp / "sms.jsonl"), "ARCHIVE_ROOT": str(tmp / "archive"),
           "PKI_DIR": str(tmp / "pki"), "LABORSIGN_ENV": "", "FLASK_DEBUG": ""}
    subprocess.run([str(BIN / "flask"), "--app", "wsgi", "db", "upgrade"], cwd=ROOT, env=env,
                   check=True, capture_output=True)
    return tmp, env


def _serve(tmp: Path, env: dict, name: str, workers: int, hit) -> tuple:
    """Run gunicorn (repo's gunicorn.conf.py), call ``hit(base_url)``, stop it; returns
    (what hit returned, access log, error log, the app's stderr)."""
    port = free_port()
    access, errors, stderr = (tmp / f"{name}-{k}.log" for k in ("access", "error", "stderr"))
    with stderr.open("w") as err:
        proc = subprocess.Popen([str(BIN / "gunicorn"), "--bind", f"127.0.0.1:{port}",
                                 "--workers", f"{workers}", "--access-logfile", str(access),
                                 "--error-logfile", str(errors), "wsgi:app"], cwd=ROOT, env=env,
                                stderr=err)
        try:
            _wait_for(port, proc)
            result = hit(f"http://127.0.0.1:{port}")
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    return (result, access.read_text("utf-8"), errors.read_text("utf-8"),
            stderr.read_text("utf-8"))


def _hit_every_path(base: str) -> list[int]:
    statuses = [requests.get(base + p, timeout=30).status_code for p in PATHS]
    statuses.append(requests.post(f"{base}/api/v1/sign/{SECRET}/otp",
                                  json={"name": "张三", "phone": PHONE, "id_number": ID_NUMBER},
                                  timeout=30).status_code)
    return statuses


@pytest.fixture(scope="module")
def gunicorn_logs(gunicorn_env):
    """A real gunicorn on the tmp instance, hit on every path (text logs)."""
    tmp, env = gunicorn_env
    statuses, access, errors, _ = _serve(tmp, env, "text", 1, _hit_every_path)
    return statuses, access, errors


def test_gunicorn_access_log_never_contains_tokens(gunicorn_logs):
    statuses, access, errors = gunicorn_logs
    assert 500 not in statuses
    lines = access.splitlines()
    assert len(lines) == len(PATHS) + 1
    assert SECRET not in access and SECRET not in errors
    assert "GET /s/<redacted> HTTP/1.1" in access
    assert "POST /api/v1/sign/<redacted>/otp HTTP/1.1" in access
    assert "/password/reset/<redacted>" in access and "/account/invite/<redacted>" in access


# --- JSON logs (LOG_FORMAT=json) -------------------------------------------------------------

def _json_record(message: str, *args, **extra) -> dict:
    from app.observe.logs import JsonLogFormatter

    record = logging.LogRecord("laborsign.test", logging.WARNING, __file__, 1, message, args, None)
    record.__dict__.update(extra)
    return json.loads(JsonLogFormatter().format(record))


def test_the_json_formatter_redacts_the_message_and_every_field():
    from app.observe import context

    token = context.bind("req-0123456789")
    try:
        line = _json_record("GET /s/%s by %s (%s)", SECRET, PHONE, ID_NUMBER,
                            path=f"/api/v1/sign/{SECRET}/otp", phone=PHONE,
                            worker={"id_number": ID_NUMBER, "phones": [PHONE]},
                            account=6222021234567890123, when=Path("/reset/" + SECRET))
    finally:
        context.unbind(token)
    text = json.dumps(line, ensure_ascii=False)
    assert SECRET not in text and PHONE not in text and ID_NUMBER not in text
    assert "6222021234567890123" not in text
    assert line["message"] == "GET /s/<redacted> by 139****5678 (3604**********0071)"
    assert line["path"] == "/api/v1/sign/<redacted>/otp" and line["phone"] == "139****5678"
    assert line["worker"] == {"id_number": "3604**********0071", "phones": ["139****5678"]}
    assert line["account"] == "6222***********0123" and line["when"] == "/reset/<redacted>"
    assert (line["level"], line["logger"], line["request_id"]) == (
        "WARNING", "laborsign.test", "req-0123456789")
    assert line["time"].endswith("+00:00")


def test_the_text_formatter_redacts_too():
    from app.observe.logs import TextLogFormatter

    record = logging.LogRecord("x", logging.INFO, __file__, 1, "sent /s/%s to %s", (SECRET, PHONE),
                               None)
    line = TextLogFormatter().format(record)
    assert SECRET not in line and PHONE not in line and "[-] sent /s/<redacted> to 139****5678" in line


COUNT_ELSEWHERE = ("from app.metrics import JOBS_FINISHED; "
                   "JOBS_FINISHED.labels(kind='file_contract', outcome='done').inc(2)")


def _hit_and_scrape(base: str) -> tuple[list, list, str]:
    given = ["gw-req-0001-abcdef", "bad id with spaces"]
    answers = [requests.get(f"{base}/s/{SECRET}", headers={"X-Request-ID": rid}, timeout=30)
               for rid in given]
    statuses = _hit_every_path(base)
    metrics = requests.get(base + "/metrics", timeout=30).text
    return statuses, [a.headers["X-Request-ID"] for a in answers], metrics


@pytest.fixture(scope="module")
def gunicorn_json(gunicorn_env):
    """gunicorn with LOG_FORMAT=json and multiprocess metrics (two workers); another process
    counted into the same metrics folder before."""
    tmp, base_env = gunicorn_env
    env = {**base_env, "LOG_FORMAT": "json", "PROMETHEUS_MULTIPROC_DIR": str(tmp / "metrics")}
    subprocess.run([sys.executable, "-c", COUNT_ELSEWHERE], cwd=ROOT, env=env, check=True,
                   timeout=120)
    return _serve(tmp, env, "json", 2, _hit_and_scrape)


def _lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_gunicorn_and_app_logs_are_json_with_the_request_id(gunicorn_json):
    (statuses, ids, _), access, errors, app_err = gunicorn_json
    assert 500 not in statuses
    assert ids[0] == "gw-req-0001-abcdef" and len(ids[1]) == 32  # an unsafe id is replaced
    access_lines, app_lines = _lines(access), _lines(app_err)  # every line parses
    assert _lines(errors) and len(access_lines) == len(PATHS) + 4  # + the two, + /metrics
    first = next(line for line in access_lines if line["request_id"] == ids[0])
    assert (first["method"], first["path"], first["status"]) == ("GET", "/s/<redacted>", "404")
    requests_ = [line for line in app_lines if line["logger"] == "laborsign.request"]
    mine = next(line for line in requests_ if line["request_id"] == ids[0])
    assert (mine["method"], mine["endpoint"], mine["status"]) == ("GET", "worker.sign_page", 404)
    assert mine["duration"] >= 0 and {"time", "level", "message"} <= set(mine)
    for text in (access, errors, app_err):
        assert SECRET not in text and PHONE not in text and ID_NUMBER not in text


def test_gunicorn_workers_and_other_processes_are_scraped_as_one(gunicorn_json):
    (_, _, metrics), *_ = gunicorn_json
    from prometheus_client.parser import text_string_to_metric_families

    samples = {(s.name, tuple(sorted(s.labels.items()))): s.value
               for family in text_string_to_metric_families(metrics) for s in family.samples}
    assert samples[("laborsign_jobs_finished_total",
                    (("kind", "file_contract"), ("outcome", "done")))] == 2  # the other process
    # every request the workers answered before the scrape, whichever worker took it
    assert samples[("laborsign_http_requests_total", (("endpoint", "worker.sign_page"),
                                                      ("method", "GET"), ("status", "404")))] == 4
    assert samples[("laborsign_metrics_database_up", ())] == 1
