"""Public verification (/verify), the auditor's PDF report and the API's verification JSON."""

from __future__ import annotations

import io
import logging
import re
import subprocess
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.app.flows import sent_contract, worker_session, worker_sign
from tests.conftest import bearer, csrf_token, login

JSON = {"Accept": "application/json"}


@pytest.fixture
def filed(client, world, outbox) -> tuple[int, bytes]:
    """A contract signed by both parties and filed; returns (id, the filed PDF)."""
    contract_id, token = sent_contract(client, world, outbox)
    assert worker_sign(client, token, worker_session(client, outbox, token)).status_code == 200
    pdf = client.get(f"/api/v1/contracts/{contract_id}/pdf", headers=bearer(world["api_key"]))
    assert pdf.status_code == 200
    return contract_id, pdf.data


def upload(client, data: bytes, *, name: str = "contract.pdf", url: str = "/verify", headers=None):
    """POST ``data`` as the multipart field ``pdf``, encoded in memory as a browser sends it
    (the test client would spool big bodies to temporary files it never closes)."""
    boundary = "----verify-test-boundary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"pdf\"; filename=\"{name}\"\r\n"
            f"Content-Type: application/pdf\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
    return client.post(url, data=body, headers=headers or {},
                       content_type=f"multipart/form-data; boundary={boundary}")


def pdftotext(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True)
    return re.sub(r"\s+", "", out.stdout)


def stamped(pdf: bytes) -> bytes:
    """``pdf`` with text drawn on page 1 in a new incremental revision (after all signatures)."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    w = IncrementalPdfFileWriter(io.BytesIO(pdf))
    font = w.add_object(generic.DictionaryObject({
        generic.NameObject("/Type"): generic.NameObject("/Font"),
        generic.NameObject("/Subtype"): generic.NameObject("/Type1"),
        generic.NameObject("/BaseFont"): generic.NameObject("/Helvetica")}))
    resources = generic.DictionaryObject({generic.NameObject("/Font"): generic.DictionaryObject(
        {generic.NameObject("/FX"): font})})
    stream = generic.StreamObject(stream_data=b"BT /FX 14 Tf 72 720 Td (Wage: 1 CNY) Tj ET")
    w.add_stream_to_page(0, w.add_object(stream), resources=resources)
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


# --- the form and a valid document ---------------------------------------------------------


def test_form_is_public_and_carries_a_csrf_token(client):
    page = client.get("/verify")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "验证电子合同签名" in html
    assert 'enctype="multipart/form-data"' in html and 'name="pdf"' in html
    assert csrf_token(html) and 'name="viewport"' in html
    assert 'formaction="/verify/report.pdf"' in html


def test_filed_contract_is_valid_with_both_signers_and_the_time_stamp(client, filed):
    _, pdf = filed
    resp = upload(client, pdf)  # a browser-like post without the CSRF token: exempt, works
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200, html
    assert "验证通过" in html and "全部 2 个签名有效且可信" in html
    assert "湖南星城建设工程有限公司" in html and "张三" in html
    assert "文档时间戳 1：有效" in html and "Time-Stamping Authority" in html
    assert "Platform Root CA" in html and "未吊销" in html and "北京时间" in html
    assert resp.headers["Cache-Control"] == "no-store"
    english = upload(client, pdf, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<p class="bottom-line">All 2 signatures are valid and trusted' in english


def test_json_variant(client, filed):
    _, pdf = filed
    resp = upload(client, pdf, headers=JSON)
    body = resp.get_json()
    assert resp.status_code == 200 and resp.mimetype == "application/json"
    assert body["ok"] is True and len(body["signatures"]) == 2
    assert all(s["trusted"] and not s["revoked"] and s["intact"] for s in body["signatures"])
    assert [s["signer_cn"] for s in body["signatures"]] == ["湖南星城建设工程有限公司", "张三"]
    assert body["signatures"][0]["certification"] and body["signatures"][0]["docmdp"] == "FILL_FORMS"
    assert body["signatures"][1]["certification"] is False
    assert len(body["timestamps"]) == 1 and body["timestamps"][0]["ok"]


def test_raw_pdf_body_is_accepted_too(client, filed):
    resp = client.post("/verify", data=filed[1], content_type="application/pdf", headers=JSON)
    assert resp.status_code == 200 and resp.get_json()["ok"] is True


# --- altered, revoked and foreign documents ------------------------------------------------


def test_one_byte_changed_inside_a_signed_range_is_not_valid(client, filed):
    _, pdf = filed
    at = pdf.index(b"/Creator (LaborSign)") + len(b"/Creator (")
    assert at < pdf.index(b"/ByteRange")  # inside the first revision, signed by everyone
    tampered = pdf[:at] + b"X" + pdf[at + 1:]
    body = upload(client, tampered, headers=JSON).get_json()
    assert body["ok"] is False and not any(s["intact"] for s in body["signatures"])
    html = upload(client, tampered).get_data(as_text=True)
    assert "验证未通过" in html and "被篡改" in html


def test_text_stamped_after_signing_is_an_illegal_modification(client, filed):
    changed = stamped(filed[1])
    body = upload(client, changed, headers=JSON).get_json()
    assert body["ok"] is False
    worker = body["signatures"][1]
    assert worker["intact"] and worker["modifications_permitted"] is False
    assert worker["modification_level"] == "OTHER"
    html = upload(client, changed).get_data(as_text=True)
    assert "不允许的修改" in html and "验证未通过" in html


def test_revoked_certificate_is_reported(client, world, filed, ctx):
    contract_id, pdf = filed
    summary = client.get(f"/api/v1/contracts/{contract_id}", headers=bearer(world["api_key"]))
    serial = next(s["certificate_serial"] for s in summary.get_json()["signatures"]
                  if s["party"] == "worker")
    result = ctx.test_cli_runner().invoke(args=["ca", "revoke", serial, "--reason",
                                                "key_compromise"])
    assert result.exit_code == 0, result.output
    body = upload(client, pdf, headers=JSON).get_json()
    worker = next(s for s in body["signatures"] if s["serial"] == serial)
    assert body["ok"] is False and worker["revoked"] is True
    assert worker["revocation_reason"] == "key_compromise" and worker["revocation_time"]
    html = upload(client, pdf).get_data(as_text=True)
    assert "已吊销" in html and "私钥泄露" in html


def test_pdf_signed_by_a_foreign_ca_is_not_trusted(client):
    from tests.signing.verify_fixtures import signed_contract

    body = upload(client, signed_contract(), headers=JSON).get_json()
    assert body["ok"] is False and len(body["signatures"]) == 2
    assert not any(s["trusted"] for s in body["signatures"])
    assert all(s["intact"] for s in body["signatures"])
    html = upload(client, signed_contract()).get_data(as_text=True)
    assert "受信任的根证书" in html and "验证未通过" in html


# --- bad uploads ---------------------------------------------------------------------------


@pytest.mark.parametrize("kind, expected", [
    ("truncated", "截断"), ("hello", "不是 PDF"), ("empty", "文件为空"),
    ("header_only", "PDF"), ("garbage_body", "PDF"),
])
def test_bad_uploads_are_422_with_a_message_and_the_form(client, filed, kind, expected):
    pdf = filed[1]
    data = {"truncated": pdf[: len(pdf) // 2], "hello": b"hello", "empty": b"",
            "header_only": b"%PDF-1.7\n%%EOF\n",
            "garbage_body": b"%PDF-1.7\n" + bytes(range(256)) * 20 + b"\n%%EOF\n"}[kind]
    resp = upload(client, data)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422, html
    assert expected in html and 'name="pdf"' in html and 'role="alert"' in html
    resp = upload(client, data, headers=JSON)
    body = resp.get_json()
    assert resp.status_code == 422 and body["error"] == "invalid_document"
    assert expected in body["message"] and "pdf" in body["fields"]


def test_missing_file_names_the_field(client):
    resp = client.post("/verify", data={"other": "x"}, headers=JSON)
    body = resp.get_json()
    assert resp.status_code == 422 and body["error"] == "file_missing"
    assert "pdf" in body["message"] and "pdf" in body["fields"]
    page = client.get("/verify").get_data(as_text=True)
    resp = client.post("/verify", data={"csrf_token": csrf_token(page),  # no file chosen
                                        "pdf": (io.BytesIO(b""), "")})
    assert resp.status_code == 422 and "请选择要验证的 PDF 文件" in resp.get_data(as_text=True)


def test_oversize_upload_is_413(client, ctx, monkeypatch):
    # Default limit 10 MiB, above the app-wide 8 MiB MAX_CONTENT_LENGTH: 9 MiB is read ...
    resp = upload(client, b"x" * (9 * 1024 * 1024), headers=JSON)
    assert resp.status_code == 422 and resp.get_json()["error"] == "invalid_document"
    # ... 10 MiB + 1 byte is refused, as HTML and as JSON.
    big = b"%PDF-1.7\n" + b"0" * (10 * 1024 * 1024)
    resp = upload(client, big)
    assert resp.status_code == 413 and "文件过大" in resp.get_data(as_text=True)
    assert "10 MB" in resp.get_data(as_text=True)
    monkeypatch.setitem(ctx.config, "VERIFY_MAX_BYTES", 1000)
    resp = upload(client, b"%PDF-1.7\n" + b"0" * 1000, headers=JSON)
    assert resp.status_code == 413 and resp.get_json()["error"] == "payload_too_large"
    resp = client.post("/verify", data=b"%PDF-1.7\n" + b"0" * 1000,
                       content_type="application/pdf", headers=JSON)
    assert resp.status_code == 413


# --- rate limit ----------------------------------------------------------------------------


def test_rate_limit_is_429_with_retry_after(client, ctx, monkeypatch):
    monkeypatch.setitem(ctx.config, "VERIFY_RATE_LIMIT", "3/day")
    for _ in range(3):
        assert upload(client, b"hello", headers=JSON).status_code == 422
    resp = upload(client, b"hello", headers=JSON)
    assert resp.status_code == 429 and resp.get_json()["error"] == "rate_limited"
    assert "请求过于频繁" in resp.get_json()["message"]
    assert 0 < int(resp.headers["Retry-After"]) <= 86400
    resp = upload(client, b"hello", url="/verify/report.pdf")
    assert resp.status_code == 429 and "请求过于频繁" in resp.get_data(as_text=True)
    assert resp.headers["Retry-After"]
    assert client.get("/verify").status_code == 200  # the form itself is not limited
    other = ctx.test_client()  # another address has its own budget
    resp = other.post("/verify", data={"pdf": (io.BytesIO(b"hello"), "x.pdf")},
                      environ_base={"REMOTE_ADDR": "10.0.0.7"}, headers=JSON)
    assert resp.status_code == 422


def test_rate_limiter_windows_and_parsing(ctx):
    from app.models import RateLimitCounter
    from app.services.platform import ratelimit

    assert ratelimit.parse_limit("20/minute") == ratelimit.Limit(20, 60)
    assert ratelimit.parse_limit("20 per minute") == ratelimit.Limit(20, 60)
    assert ratelimit.parse_limit("5/10s") == ratelimit.Limit(5, 10)
    assert ratelimit.parse_limit("100/hours") == ratelimit.Limit(100, 3600)
    assert ratelimit.parse_limit("off") is None and ratelimit.parse_limit(0) is None
    with pytest.raises(ValueError):
        ratelimit.parse_limit("fast")
    limit = ratelimit.Limit(2, 60)
    t0 = datetime(2026, 1, 1, 8, 0, 10, tzinfo=UTC)
    assert ratelimit.hit("k", limit, t0) == (1, 50)
    assert ratelimit.hit("k", limit, t0.replace(second=59)) == (2, 1)
    assert ratelimit.hit("k", limit, t0.replace(minute=1)) == (1, 50)  # a new window
    from app.extensions import db

    rows = db.session.scalars(sa.select(RateLimitCounter)).all()
    assert len(rows) == 1 and rows[0].count == 1  # the finished window was cleaned up
    key = ratelimit.client_key("verify", "203.0.113.9")
    assert "203.0.113.9" not in key and key.startswith("verify:")


def test_rate_limiter_counts_exactly_under_concurrency(ctx):
    from app.services.platform import ratelimit

    limit, counts, errors = ratelimit.Limit(1000, 86400), [], []

    def worker():
        try:
            with ctx.app_context():
                for _ in range(5):
                    counts.append(ratelimit.hit("race", limit)[0])
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and sorted(counts) == list(range(1, 41))


# --- nothing is stored ---------------------------------------------------------------------


def _files(*roots: Path) -> set[Path]:
    return {p for root in roots if root.exists() for p in root.rglob("*")}


def _row_counts() -> dict[str, int]:
    from app.extensions import db

    with db.engine.connect() as conn:
        return {t.name: conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
                for t in db.metadata.sorted_tables}


def test_upload_is_not_stored(client, filed, ctx, tmp_path, monkeypatch, caplog):
    import werkzeug.wrappers.request as wz_request

    def no_temp_files(*args, **kwargs):
        raise AssertionError("the upload must not be spooled to a temporary file")

    monkeypatch.setattr(wz_request, "default_stream_factory", no_temp_files)
    roots = (Path(ctx.config["INSTANCE_DIR"]), tmp_path / "archive", Path(ctx.config["PKI_DIR"]))
    files, rows = _files(*roots), _row_counts()
    caplog.set_level(logging.DEBUG)
    body = upload(client, filed[1], name="secret-name.pdf", headers=JSON).get_json()
    assert body["ok"] is True
    assert upload(client, b"%PDF-1.7 secret", name="secret-name.pdf").status_code == 422
    assert upload(client, filed[1], url="/verify/report.pdf").status_code == 200
    assert _files(*roots) == files
    after = _row_counts()
    assert after.pop("rate_limit_counters") == rows.pop("rate_limit_counters") + 1
    assert after == rows
    assert "secret" not in caplog.text and body["sha256"] not in caplog.text


# --- PDF reports ---------------------------------------------------------------------------


def test_public_pdf_report_contains_the_bottom_line(client, filed, tmp_path):
    _, pdf = filed
    summary = upload(client, pdf, headers=JSON).get_json()["summary_zh"]
    resp = upload(client, pdf, url="/verify/report.pdf")
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    assert "attachment" in resp.headers["Content-Disposition"]
    text = pdftotext(resp.data, tmp_path)
    assert re.sub(r"\s+", "", summary) in text and "电子签名验证报告" in text


def test_auditor_verification_pdf_respects_jurisdiction(client, filed, tmp_path):
    contract_id, _ = filed
    outsider = client.application.test_client()
    login(outsider, "auditor2")
    assert outsider.get(f"/audit/contracts/{contract_id}/verification.pdf").status_code == 404
    insider = client.application.test_client()
    login(insider, "auditor")
    page = insider.get(f"/audit/contracts/{contract_id}").get_data(as_text=True)
    assert f"/audit/contracts/{contract_id}/verification.pdf" in page
    resp = insider.get(f"/audit/contracts/{contract_id}/verification.pdf")
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    text = pdftotext(resp.data, tmp_path)
    assert "全部2个签名有效且可信" in text
    hr = client.application.test_client()
    login(hr, "hr")
    assert hr.get(f"/audit/contracts/{contract_id}/verification.pdf").status_code == 403


def test_api_verification_json_is_scoped_to_the_employer(client, world, filed):
    contract_id, _ = filed
    resp = client.get(f"/api/v1/contracts/{contract_id}/verification",
                      headers=bearer(world["api_key"]))
    body = resp.get_json()
    assert resp.status_code == 200 and body["ok"] is True and len(body["signatures"]) == 2
    assert all(s["trusted"] and not s["revoked"] for s in body["signatures"])
    resp = client.get(f"/api/v1/contracts/{contract_id}/verification",
                      headers=bearer(world["api_key_other"]))
    assert resp.status_code == 404 and resp.get_json()["error"] == "contract_not_found"
    assert client.get(f"/api/v1/contracts/{contract_id}/verification").status_code == 401
