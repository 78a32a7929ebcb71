"""The walking skeleton end to end through HTTP: create, seal, send, verify, sign, file,
search, download, verify — on SQLite and PostgreSQL, with the local and the S3 archive."""

from __future__ import annotations

import hashlib
import re
import subprocess

import pytest

from app.extensions import archive_ext
from tests.app.flows import search, signature_data_url
from tests.app.pdftools import pdfsig_report, qpdf_check
from tests.conftest import WORKER, bearer, contract_payload, csrf_token, login


@pytest.fixture(params=["local", "s3"])
def archive_backend(request, ctx):
    """Run the path against the embedded local archive and against S3 over HTTP."""
    if request.param == "s3":
        from archive import S3ObjectStore

        server = request.getfixturevalue("s3_server")
        store = S3ObjectStore(server.endpoint, server.access_key, server.secret_key,
                              request.getfixturevalue("s3_bucket"))
        store.ensure_bucket()
        archive_ext.use(store)
    return archive_ext.store()


def test_contract_from_form_to_filed_archive_and_auditor(client, world, outbox, archive_backend,
                                                         tmp_path):
    # 1. HR logs in and fills the fixed-term template.
    assert login(client, "hr").status_code == 302
    form = client.get("/employer/contracts/new").get_data(as_text=True)
    resp = client.post("/employer/contracts/new",
                       data={**contract_payload(), "csrf_token": csrf_token(form)})
    assert resp.status_code == 302
    contract_id = int(resp.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    detail = client.get(f"/employer/contracts/{contract_id}").get_data(as_text=True)
    assert "草稿" in detail and "3604**********0071" in detail
    assert WORKER["id_number"] not in detail

    # 2. The draft PDF embeds a CJK font and carries both signature fields.
    draft = client.get(f"/employer/contracts/{contract_id}/pdf")
    assert draft.status_code == 200 and draft.data.startswith(b"%PDF")

    # 3./4. Seal and send: the worker's phone gets a link by SMS.
    resp = client.post(f"/employer/contracts/{contract_id}/send",
                       data={"csrf_token": csrf_token(detail)})
    assert resp.status_code == 302
    token = outbox.last_link_token(WORKER["phone"])
    client.post("/logout", data={"csrf_token": csrf_token(client.get("/employer/contracts")
                                                          .get_data(as_text=True))})

    # 5. The worker opens the link, proves identity, reads, draws and signs.
    worker = client.application.test_client()
    page = worker.get(f"/s/{token}", headers={"User-Agent": "Mozilla/5.0 (iPhone) Mobile"})
    assert page.status_code == 200 and "湖南星城建设工程有限公司" in page.get_data(as_text=True)
    sent = worker.post(f"/api/v1/sign/{token}/otp",
                       json={"name": "张三", "id_number": "360426199101010071"}).get_json()
    assert sent["sent_to"] == "138****8000"
    code = outbox.last_code(WORKER["phone"])
    session = worker.post(f"/api/v1/sign/{token}/verify", json={"code": code}).get_json()["session"]
    terms = worker.get(f"/api/v1/sign/{token}/contract", headers={"X-Signing-Session": session})
    assert terms.get_json()["terms"]["post"] == "钢筋工"
    signed = worker.post(f"/api/v1/sign/{token}", json={
        "session": session, "signature": signature_data_url(), "consent": True})
    assert signed.status_code == 200, signed.get_json()
    assert signed.get_json()["status"] == "signed"  # the number is reserved; filing follows
    filing_number = signed.get_json()["filing_number"]
    assert re.fullmatch(r"430121-\d{4}-\d{6}", filing_number)

    # 6. Filed automatically: the API shows the filing, the archive holds PDF + manifest.
    status = client.get(f"/api/v1/contracts/{contract_id}",
                        headers=bearer(world["api_key"])).get_json()
    assert status["status"] == "filed"
    assert status["filing"]["number"] == filing_number
    from app.extensions import db
    from app.models import Filing
    from archive import parse_manifest

    filing = db.session.query(Filing).one()
    archived = archive_backend.get(filing.pdf_key)
    assert hashlib.sha256(archived).hexdigest() == status["filing"]["sha256"] == filing.sha256
    manifest = parse_manifest(archive_backend.get(filing.manifest_key))
    assert manifest["filing_number"] == filing_number
    assert [s["party"] for s in manifest["signers"]] == ["employer", "worker"]
    assert WORKER["id_number"] not in archive_backend.get(filing.manifest_key).decode()
    api_pdf = client.get(f"/api/v1/contracts/{contract_id}/pdf", headers=bearer(world["api_key"]))
    assert api_pdf.data == archived
    report = client.get(f"/api/v1/contracts/{contract_id}/verification",
                        headers=bearer(world["api_key"])).get_json()
    assert report["ok"] is True and len(report["timestamps"]) == 1
    employer_sig, worker_sig = report["signatures"]
    assert employer_sig["certification"] and employer_sig["docmdp"] == "FILL_FORMS"
    assert not worker_sig["certification"] and worker_sig["signer_cn"] == "张三"
    assert all(s["trusted"] and s["intact"] and not s["revoked"] for s in report["signatures"])

    # 7. The auditor finds it four ways, downloads it and sees pyHanko's verdict.
    auditor = client.application.test_client()
    login(auditor, "auditor")
    for query in ({"worker_name": "张三"}, {"id_number": "360426199101010071"},
                  {"employer": "星城建设"}, {"filing_number": filing_number}):
        found = search(auditor, **query).get_data(as_text=True)
        assert filing_number in found and "找到 1 份合同" in found, query
    page = auditor.get(f"/audit/contracts/{contract_id}").get_data(as_text=True)
    assert "签名验证结果" in page and "有效" in page and "哈希链完整" in page
    download = auditor.get(f"/audit/contracts/{contract_id}/pdf")
    assert hashlib.sha256(download.data).hexdigest() == filing.sha256

    # Independent verifiers accept the filed PDF.
    root = client.get("/ca/root.pem").data
    report = pdfsig_report(download.data, root, tmp_path)
    assert report.count("Signature is Valid") == 2, report
    assert report.count("Certificate is Trusted") == 2, report
    assert qpdf_check(download.data, tmp_path).returncode == 0


def test_pdf_embeds_cjk_font(client, world, tmp_path):
    from tests.app.flows import api_create

    created = api_create(client, world["api_key"])
    pdf = client.get(f"/api/v1/contracts/{created['id']}/pdf", headers=bearer(world["api_key"]))
    path = tmp_path / "c.pdf"
    path.write_bytes(pdf.data)
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True).stdout
    rows = [line for line in fonts.splitlines()[2:] if line.strip()]
    assert rows and all(" yes " in line for line in rows), fonts
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout
    assert "张三" in text and "钢筋工" in text
