"""Verification of real pyHanko-signed contracts: what an arbitrator or worker would notice."""

from __future__ import annotations

import json
import re
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from fontTools.ttLib import TTCollection

from signing.errors import InvalidDocument
from signing.report_pdf import render_report_pdf
from signing.verify import Report, verify
from tests.needs import need, need_tool
from tests.signing import verify_fixtures as fx

WQY = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
YEARS_LATER = timedelta(days=3 * 365)


def _roots() -> list[x509.Certificate]:
    return [fx.pki().root.cert]


def _verify(pdf: bytes, **kwargs) -> Report:
    kwargs.setdefault("trust_roots", _roots())
    return verify(pdf, **kwargs)


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def font_path(tmp_path_factory: pytest.TempPathFactory) -> str:
    need(WQY.is_file(), "fonts-wqy-microhei is not installed")
    target = tmp_path_factory.mktemp("font") / "wqy-microhei-0.ttf"
    collection = TTCollection(str(WQY))
    try:
        collection.fonts[0].save(str(target))
    finally:
        collection.close()
    return str(target)


def test_good_contract_is_valid_and_trusted():
    report = _verify(fx.signed_contract())

    assert report.ok
    assert "全部 2 个签名有效且可信" in report.summary_zh
    assert "valid and trusted" in report.summary_en
    employer, worker = report.signatures
    assert [employer.field, worker.field] == [fx.EMPLOYER_FIELD, fx.WORKER_FIELD]
    for sig in (employer, worker):
        assert (sig.intact, sig.valid, sig.trusted, sig.revoked, sig.ok) == (
            True, True, True, False, True)
        assert sig.modifications_permitted is True
        assert sig.timestamp_trusted is True and sig.timestamp_time is not None
        assert [c.common_name for c in sig.chain][1:] == ["Test Issuing CA", "Test Root CA"]
        assert sig.problems == []
    assert employer.certification and employer.docmdp == "FILL_FORMS"
    assert employer.signer_cn == employer.organization == "张三建筑有限公司"
    assert employer.serial == format(fx.pki().employer.cert.serial_number, "x")
    assert employer.modification_level == "FORM_FILLING"
    assert not worker.certification and worker.signer_cn == "李四"
    assert worker.modification_level == "LTA_UPDATES"
    assert len(report.timestamps) == 1 and report.timestamps[0].ok
    assert report.timestamps[0].tsa == "Test TSA"


def test_years_later_the_expired_event_certificates_still_verify():
    report = _verify(fx.signed_contract(), now=datetime.now(UTC) + YEARS_LATER)

    assert report.ok, report.summary_zh
    for sig in report.signatures:
        assert sig.long_term and sig.trusted
        assert sig.validated_at == sig.timestamp_time  # proven by the signature time-stamp


def test_a_changed_byte_in_the_signed_range_breaks_integrity():
    pdf = fx.signed_contract()
    tampered = pdf.replace(fx.WAGE_TEXT, fx.WAGE_TEXT.replace(b"5000", b"9000"))
    assert tampered != pdf and len(tampered) == len(pdf)

    report = _verify(tampered)

    assert not report.ok
    assert all(not sig.intact and not sig.ok for sig in report.signatures)
    assert "篡改" in report.summary_zh


def test_text_stamped_on_the_page_after_signing_is_not_permitted():
    report = _verify(fx.stamped_after_signing())

    assert not report.ok
    worker = report.signatures[1]
    assert worker.intact and worker.valid and worker.trusted  # the bytes it signed are fine...
    assert worker.modifications_permitted is False  # ...but what came after is not allowed
    assert worker.modification_level == "OTHER"
    assert f"签名 {fx.WORKER_FIELD}：签名之后文档被修改：不允许的修改" in report.summary_zh


@pytest.mark.parametrize("later", [None, YEARS_LATER], ids=["now", "years-later"])
@pytest.mark.parametrize("pem", [False, True], ids=["der-crl", "pem-crl"])
def test_a_revoked_signer_certificate_is_shown_as_revoked(later, pem):
    crl = fx.crl_revoking(fx.pki().worker.cert.serial_number)
    if pem:
        crl = x509.load_der_x509_crl(crl).public_bytes(serialization.Encoding.PEM)
    now = datetime.now(UTC) + later if later else None

    report = _verify(fx.signed_contract(), crls=[crl], now=now)

    assert not report.ok
    employer, worker = report.signatures
    assert employer.ok and not employer.revoked
    assert worker.revoked and not worker.ok
    assert worker.revocation_reason == "key_compromise" and worker.revocation_time is not None
    assert "被吊销（原因：私钥泄露）" in worker.problems[0]
    assert "吊销发生在签名时间戳之后（签署时证书有效）" in report.summary_zh
    assert worker.trusted and worker.validated_at == worker.timestamp_time  # fine at signing


def test_a_certificate_revoked_before_signing_is_neither_trusted_nor_ok():
    before = datetime.now(UTC) - timedelta(minutes=30)  # signatures are time-stamped -10 min
    crl = fx.crl_revoking(fx.pki().worker.cert.serial_number, when=before)

    report = _verify(fx.signed_contract(), crls=[crl])

    worker = report.signatures[1]
    assert worker.revoked and not worker.trusted and not worker.ok and not report.ok
    assert "吊销早于签名时间戳（签署时证书已失效）" in worker.problems[0]


def test_an_unrelated_trust_root_trusts_nothing():
    report = verify(fx.signed_contract(), trust_roots=[fx.other_root()])

    assert not report.ok
    assert all(not sig.trusted and sig.intact and sig.valid for sig in report.signatures)
    assert not report.timestamps[0].trusted
    assert "受信任的根证书" in report.summary_zh


@pytest.mark.parametrize("form", ["pem", "der"])
def test_trust_roots_may_be_given_as_pem_or_der_bytes(form):
    encoding = serialization.Encoding.PEM if form == "pem" else serialization.Encoding.DER
    root = fx.pki().root.cert.public_bytes(encoding)

    assert verify(fx.signed_contract(), trust_roots=[root]).ok


@pytest.mark.parametrize(("data", "message"), [
    (b"hello", "不是 PDF"),
    (b"\x89PNG\r\n\x1a\n" + bytes(64), "不是 PDF"),
    (b"", "文件为空"),
    ("truncated", "截断"),
    ("cut-after-revision", "截断"),
    (b"%PDF-1.7\nthis is not really a pdf\n%%EOF\n", "损坏"),
], ids=["text", "png", "empty", "truncated", "cut-after-revision", "garbage"])
def test_malformed_input_raises_invalid_document_with_a_clear_message(data, message):
    pdf = fx.signed_contract()
    if data == "truncated":
        data = pdf[: len(pdf) // 2]
    elif data == "cut-after-revision":  # a complete revision followed by a partial update
        data = pdf[: pdf.index(b"%%EOF") + 200]

    with pytest.raises(InvalidDocument) as info:
        _verify(data)

    assert message in str(info.value)
    assert "Traceback" not in str(info.value) and "\n" not in str(info.value)


def test_an_unsigned_pdf_is_not_ok_and_says_so():
    report = _verify(fx.unsigned_pdf())

    assert not report.ok and report.signatures == [] and report.timestamps == []
    assert "没有任何电子签名" in report.summary_zh
    assert "no signatures" in report.summary_en


def test_to_dict_is_json_serialisable():
    report = _verify(fx.signed_contract())

    data = json.loads(json.dumps(report.to_dict(), ensure_ascii=False))

    assert data["ok"] is True and data["sha256"] == report.sha256
    assert data["signatures"][0]["chain"][0]["common_name"] == "张三建筑有限公司"
    assert datetime.fromisoformat(data["checked_at"]) == report.checked_at
    assert data["timestamps"][0]["trusted"] is True


@pytest.mark.parametrize("case", ["good", "revoked"])
def test_report_pdf_embeds_its_font_and_states_the_bottom_line(case, font_path, tmp_path):
    crls = [fx.crl_revoking(fx.pki().worker.cert.serial_number)] if case == "revoked" else []
    report = _verify(fx.signed_contract(), crls=crls)
    out = tmp_path / "report.pdf"

    out.write_bytes(render_report_pdf(report, font_path))

    assert out.read_bytes().startswith(b"%PDF-")
    need_tool("pdffonts")
    need_tool("pdftotext")
    fonts = subprocess.run(["pdffonts", str(out)], capture_output=True, text=True,
                           check=True).stdout.splitlines()[2:]
    assert fonts, "no fonts listed"
    for line in fonts:  # columns: name type encoding emb sub uni object ID
        assert line.split()[-5] == "yes", line
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert _squash(report.summary_zh) in _squash(text)
    assert "电子签名验证报告" in text and report.sha256 in text
    info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True).stdout
    assert re.search(r"Pages:\s+[12]\b", info), info


def test_a_destroyed_signature_blob_is_reported_while_the_others_are_still_checked():
    pdf = fx.signed_contract()
    start = [m.end() for m in re.finditer(rb"/Contents <", pdf)][1]  # the worker's CMS
    end = pdf.index(b">", start)
    damaged = pdf[:start] + b"0" * (end - start) + pdf[end:]

    report = _verify(damaged)

    by_field = {sig.field: sig for sig in report.signatures}
    assert by_field[fx.EMPLOYER_FIELD].ok
    assert not by_field[fx.WORKER_FIELD].ok and not report.ok
    assert "无法验证此签名" in by_field[fx.WORKER_FIELD].problems[0]
