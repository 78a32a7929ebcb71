"""The auditor's evidence package: downloaded over HTTP, then checked OFFLINE with tools this
project did not write (coreutils sha256sum, unzip, poppler's pdfsig with NSS, OpenSSL)."""

from __future__ import annotations

import hashlib
import json
import subprocess
from datetime import datetime
from pathlib import Path

from cryptography import x509

from tests.app.flows import sent_contract, worker_session, worker_sign
from tests.app.pdftools import pdfsig_report
from tests.conftest import WORKER, login
from tests.needs import need_tool


def _filed_contract(client, world, outbox) -> tuple[int, str]:
    contract_id, token = sent_contract(client, world, outbox)
    signed = worker_sign(client, token, worker_session(client, outbox, token))
    assert signed.status_code == 200, signed.get_json()
    return contract_id, signed.get_json()["filing_number"]  # filed right after the answer


def _unzip(data: bytes, tmp: Path) -> Path:
    (tmp / "evidence.zip").write_bytes(data)
    subprocess.run([need_tool("unzip"), "-q", "evidence.zip", "-d", "package"], cwd=tmp, check=True)
    return tmp / "package"


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(list(args), cwd=cwd, capture_output=True, text=True)


def test_auditor_downloads_a_package_that_checks_offline(client, world, outbox, tmp_path):
    from app.extensions import db
    from app.models import User
    from app.services.platform import audit
    from archive import verify_evidence_package

    contract_id, number = _filed_contract(client, world, outbox)
    auditor = client.application.test_client()
    login(auditor, "auditor")
    page = auditor.get(f"/audit/contracts/{contract_id}").get_data(as_text=True)
    assert "下载证据包（可离线核验）" in page and f"/audit/contracts/{contract_id}/evidence.zip" in page

    resp = auditor.get(f"/audit/contracts/{contract_id}/evidence.zip")
    assert resp.status_code == 200 and resp.mimetype == "application/zip"
    assert resp.headers["Content-Disposition"] == f'attachment; filename="{number}-evidence.zip"'
    assert all(verify_evidence_package(resp.data).values())
    pkg = _unzip(resp.data, tmp_path)

    # 1. Integrity with GNU coreutils.
    sums = _run(need_tool("sha256sum"), "-c", "SHA256SUMS", cwd=pkg)
    assert sums.returncode == 0, sums.stdout + sums.stderr
    assert "contract.pdf: OK" in sums.stdout and "README.txt: OK" in sums.stdout

    # 2. pdfsig trusts both signatures with ONLY the packaged root in a fresh NSS db.
    need_tool("pdfsig"), need_tool("certutil")
    pdf = (pkg / "contract.pdf").read_bytes()
    nss_dir = tmp_path / "nss-check"
    nss_dir.mkdir()
    report = pdfsig_report(pdf, (pkg / "certificates/root.pem").read_bytes(), nss_dir)
    assert report.count("Signature is Valid") == 2, report
    assert report.count("Certificate is Trusted") == 2, report

    # 3. OpenSSL builds every signer's and the TSA's chain from the packaged certificates.
    openssl = need_tool("openssl")
    signers = sorted(p.name for p in (pkg / "certificates/signers").iterdir())
    assert [n.split("-")[0] for n in signers] == ["employer", "worker"]
    for cert in [*(f"certificates/signers/{n}" for n in signers), "certificates/tsa.pem"]:
        done = _run(openssl, "verify", "-CAfile", "certificates/root.pem", "-untrusted",
                    "certificates/issuing.pem", cert, cwd=pkg)
        assert done.returncode == 0 and done.stdout.strip().endswith("OK"), done.stdout + done.stderr

    signed_at = json.loads((pkg / "manifest.json").read_text("utf-8"))["signers"][-1]["signed_at"]
    at = str(int(datetime.fromisoformat(signed_at).timestamp()))  # README: -attime after expiry
    done = _run(openssl, "verify", "-attime", at, "-CAfile", "certificates/root.pem", "-untrusted",
                "certificates/issuing.pem", f"certificates/signers/{signers[-1]}", cwd=pkg)
    assert done.returncode == 0, done.stdout + done.stderr

    # 4. The CRLs are signed by their issuers (OpenSSL and cryptography agree).
    for crl_name, issuer in (("issuing-ca.crl", "issuing.pem"), ("root-ca.crl", "root.pem")):
        done = _run(openssl, "crl", "-inform", "DER", "-in", f"crl/{crl_name}", "-CAfile",
                    f"certificates/{issuer}", "-noout", cwd=pkg)
        assert done.returncode == 0 and "verify OK" in done.stdout + done.stderr, done.stderr
        crl = x509.load_der_x509_crl((pkg / "crl" / crl_name).read_bytes())
        ca_cert = x509.load_pem_x509_certificate((pkg / "certificates" / issuer).read_bytes())
        assert crl.is_signature_valid(ca_cert.public_key()) and crl.issuer == ca_cert.subject

    # 5. Manifest, verification report and audit trail agree with the PDF.
    manifest = json.loads((pkg / "manifest.json").read_text("utf-8"))
    assert manifest["filing_number"] == number
    pdf_entry = next(d for d in manifest["documents"] if d["content_type"] == "application/pdf")
    assert pdf_entry["sha256"] == hashlib.sha256(pdf).hexdigest()
    checked = json.loads((pkg / "verification.json").read_text("utf-8"))
    assert checked["ok"] is True and checked["sha256"] == pdf_entry["sha256"]
    assert (pkg / "verification.pdf").read_bytes().startswith(b"%PDF")
    archived = (pkg / "audit-trail.json").read_bytes()
    trail_entry = next(d for d in manifest["documents"] if d["key"].endswith("audit-trail.json"))
    assert trail_entry["sha256"] == hashlib.sha256(archived).hexdigest()
    trail = json.loads((pkg / "audit-trail-current.json").read_text("utf-8"))
    assert trail[:len(json.loads(archived))] == json.loads(archived)  # archived = prefix
    assert all(e["prev_hash"] == p["hash"] for p, e in zip(trail, trail[1:], strict=False))
    assert trail[-1]["action"] == "contract.filed"
    assert trail[-1]["details"]["filing_number"] == number
    readme = (pkg / "README.txt").read_text("utf-8")
    assert number in readme and "sha256sum -c SHA256SUMS" in readme

    # 6. The export itself is in the database's audit trail, after the filing; chain intact.
    events = audit.trail(contract_id)
    auditor_id = db.session.query(User).filter_by(username="auditor").one().id
    assert [e.action for e in events[-2:]] == ["contract.filed", "evidence.exported"]
    assert events[-1].actor == f"user:{auditor_id}"
    assert events[-1].details["sha256"] == hashlib.sha256(resp.data).hexdigest()
    assert audit.verify_chain(events)

    # 7. No plain ID number anywhere but in the contract itself.
    for path in pkg.rglob("*"):
        if path.is_file() and path.name != "contract.pdf":
            assert WORKER["id_number"].encode() not in path.read_bytes(), path
    text = _run(need_tool("pdftotext"), "verification.pdf", "-", cwd=pkg).stdout
    assert "签名" in text and WORKER["id_number"] not in text


def test_package_access_follows_the_audit_rules(client, world, outbox):
    contract_id, _ = _filed_contract(client, world, outbox)
    url = f"/audit/contracts/{contract_id}/evidence.zip"
    anonymous = client.application.test_client().get(url)
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    outsider = client.application.test_client()
    login(outsider, "auditor2")
    assert outsider.get(url).status_code == 404
    employer = client.application.test_client()
    login(employer, "hr")
    assert employer.get(url).status_code == 403
    from app.services.platform import audit

    assert "evidence.exported" not in [e.action for e in audit.trail(contract_id)]


def test_no_package_before_filing(client, world, outbox):
    contract_id, _ = sent_contract(client, world, outbox)
    auditor = client.application.test_client()
    login(auditor, "auditor")
    page = auditor.get(f"/audit/contracts/{contract_id}").get_data(as_text=True)
    assert "下载证据包" not in page and "下载已签署 PDF" in page
    url = f"/audit/contracts/{contract_id}/evidence.zip"
    html = auditor.get(url)
    assert html.status_code == 404 and "合同尚未备案，暂无证据包" in html.get_data(as_text=True)
    api = auditor.get(url, headers={"Accept": "application/json"})
    assert api.status_code == 404
    assert api.get_json() == {"error": "not_filed", "message": "合同尚未备案，暂无证据包"}
