"""Certified print copies (打印件): the worker's own copy, the employer's stamped copy, the QR code
to the public verification page, and who may have which."""

from __future__ import annotations

import hashlib
import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.app.flows import api_create, sent_contract, worker_session, worker_sign
from tests.conftest import WORKER, csrf_token, login
from tests.needs import need

STATEMENT = "本打印件与电子劳动合同原件内容一致"


@pytest.fixture
def filed(client, world, outbox):
    """A contract signed by both parties and filed: (contract, filing)."""
    from app.services.contracts.queries import filing_of
    from app.services.platform import jobs

    contract_id, token = sent_contract(client, world, outbox)
    assert worker_sign(client, token, worker_session(client, outbox, token)).status_code == 200
    jobs.run_pending()
    filing = filing_of(contract_id)
    assert filing is not None
    return filing.contract, filing


def _text(pdf: bytes, tmp_path: Path, name: str = "copy.pdf") -> str:
    path = tmp_path / name
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                         check=True)
    return re.sub(r"\s+", "", out.stdout)


def _trail(contract_id: int) -> list:
    from app.extensions import db
    from app.models import AuditEvent

    return list(db.session.scalars(select(AuditEvent).where(
        AuditEvent.contract_id == contract_id, AuditEvent.action == "print_copy.issued")))


def _person(contract):
    from app.services.platform.principal import of_person

    return of_person(contract.worker_id, frozenset({contract.id}))  # the phone it carries


def test_worker_copy_states_the_match_the_filing_number_and_the_originals_sha256(
        filed, tmp_path):
    from app.services.filing import certified_copy, verification

    contract, filing = filed
    name, pdf = certified_copy(_person(contract), contract.id)
    original = verification.archived_pdf(filing)
    sha256 = hashlib.sha256(original).hexdigest()
    assert sha256 == filing.sha256
    text = _text(pdf, tmp_path)
    assert STATEMENT in text and filing.number in text and sha256 in text
    assert "具有法律效力的是电子原件" in text and contract.contract_no in text
    assert WORKER["name"] in text and "未加盖用人单位印章" in text
    # the original's pages come first, as signed
    original_text = _text(original, tmp_path, "original.pdf")
    assert original_text[:200] in text
    assert name == f"{filing.number}-print.pdf" and pdf.startswith(b"%PDF-")
    events = _trail(contract.id)
    assert [(e.actor, e.details["stamped"]) for e in events] == [
        (f"person:{contract.worker_id}", False)]
    assert events[0].details["sha256"] == hashlib.sha256(pdf).hexdigest()


def test_qr_code_encodes_the_verification_url_with_escaped_parameters(
        filed, monkeypatch, tmp_path):
    import signing.print_copy as print_copy
    from app.services.filing import certified_copy

    encoded: list[str] = []

    class Recording(print_copy.QrCodeWidget):
        def __init__(self, value, **kwargs):
            encoded.append(value)
            super().__init__(value, **kwargs)

    monkeypatch.setattr(print_copy, "QrCodeWidget", Recording)
    contract, filing = filed
    _name, pdf = certified_copy(_person(contract), contract.id)
    base = contract_app_base_url()
    assert encoded == [f"{base}/verify?filing={filing.number}&sha256={filing.sha256}"]
    # parameters are url-escaped, whatever a number holds
    assert print_copy.verification_url("https://x.cn/verify", filing_number="BA 1&x=<2>",
                                       sha256="ab") == \
        "https://x.cn/verify?filing=BA+1%26x%3D%3C2%3E&sha256=ab"
    # the QR code is drawn on the certification page and reads back as that URL
    need(shutil.which("pdftoppm") is not None and shutil.which("zbarimg") is not None,
         "pdftoppm and zbarimg (apt: poppler-utils, zbar-tools) are needed to read the QR code")
    (tmp_path / "copy.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "100", "-png", str(tmp_path / "copy.pdf"),
                    str(tmp_path / "page")], check=True)
    *_original_pages, last = sorted(tmp_path.glob("page*.png"))
    read = subprocess.run(["zbarimg", "-q", "--raw", str(last)], capture_output=True, text=True)
    assert read.stdout.strip() == encoded[0]


def contract_app_base_url() -> str:
    from flask import current_app, url_for

    with current_app.test_request_context():
        assert url_for("verify.index") == "/verify"  # the public page the QR code opens
    return current_app.config["BASE_URL"].rstrip("/")


def test_employer_stamped_copy_is_sealed_by_the_employers_seal_certificate(
        client, world, filed, tmp_path):
    from pyhanko.pdf_utils.reader import PdfFileReader

    from app.services.filing import verification

    contract, filing = filed
    login(client, "hr")
    page = client.get(f"/employer/contracts/{contract.id}").get_data(as_text=True)
    assert f'action="/employer/contracts/{contract.id}/print-copy"' in page
    resp = client.post(f"/employer/contracts/{contract.id}/print-copy",
                       data={"csrf_token": csrf_token(page), "stamped": "1"})
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    assert resp.headers["Content-Disposition"] == \
        f'attachment; filename="{filing.number}-print-stamped.pdf"'
    report = verification.verify_pdf(resp.data)
    assert report.ok, report.summary_zh
    [seal] = report.signatures
    org = world["org"]
    assert (seal.signer_cn, seal.organization, seal.certification, seal.docmdp) == (
        org.name, org.name, True, "NO_CHANGES")
    assert seal.chain[-1].common_name == report.signatures[0].chain[-1].common_name
    cert = PdfFileReader(io.BytesIO(resp.data)).embedded_signatures[0].signer_cert
    assert org.uscc in str(cert.subject.native)  # the employer's seal certificate
    assert report.timestamps and report.timestamps[0].ok  # time-stamped, long-term
    text = _text(resp.data, tmp_path)
    assert STATEMENT in text and filing.number in text and filing.sha256 in text
    assert "用人单位在本页加盖电子印章" in text
    [event] = _trail(contract.id)
    assert event.details["stamped"] is True and event.details["certificate_serial"]
    # the plain copy from the same form
    plain = client.post(f"/employer/contracts/{contract.id}/print-copy",
                        data={"csrf_token": csrf_token(page)})
    assert plain.status_code == 200 and not verification.verify_pdf(plain.data).signatures


def test_another_employers_contract_is_not_found_and_nothing_is_recorded(client, filed):
    contract, _ = filed
    login(client, "hr2")
    page = client.get("/employer/contracts").get_data(as_text=True)
    resp = client.post(f"/employer/contracts/{contract.id}/print-copy",
                       data={"csrf_token": csrf_token(page), "stamped": "1"})
    assert resp.status_code == 404
    assert _trail(contract.id) == []


def test_a_draft_is_refused_with_a_clear_message(client, world):
    created = api_create(client, world["api_key"])
    login(client, "hr")
    page = client.get(f"/employer/contracts/{created['id']}").get_data(as_text=True)
    assert "/print-copy" not in page  # no button before filing
    resp = client.post(f"/employer/contracts/{created['id']}/print-copy",
                       data={"csrf_token": csrf_token(page)})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 409 and resp.mimetype == "text/html"
    assert "合同尚未签署完成（当前状态：草稿），不能出具打印件" in html
    assert _trail(created["id"]) == []


def test_who_may_have_which_copy(filed, world):
    from app.errors import Forbidden, NotFound
    from app.models import User
    from app.services.filing import certified_copy
    from app.services.platform import principal

    contract, _ = filed
    person = _person(contract)
    with pytest.raises(Forbidden):  # a worker prints it themselves, unstamped
        certified_copy(person, contract.id, stamped=True)
    with pytest.raises(NotFound):  # another worker
        certified_copy(principal.of_person(contract.worker_id + 999, frozenset({contract.id})),
                       contract.id)
    from app.extensions import db

    auditor = db.session.scalar(select(User).where(User.username == "auditor"))
    outsider = db.session.scalar(select(User).where(User.username == "auditor2"))
    _name, pdf = certified_copy(principal.of_user(auditor), contract.id)
    assert pdf.startswith(b"%PDF-")
    with pytest.raises(Forbidden):
        certified_copy(principal.of_user(auditor), contract.id, stamped=True)
    with pytest.raises(NotFound):
        certified_copy(principal.of_user(outsider), contract.id)
    api = principal.Principal(kind="api_key", actor="api:1", role="employer_api",
                              organization_id=world["org"].id, api_key_id=1)
    with pytest.raises(Forbidden):  # the seal is applied by a person of the employer
        certified_copy(api, contract.id, stamped=True)
    assert len(_trail(contract.id)) == 1  # the auditor's copy only


def test_signed_but_not_yet_filed_says_to_try_again_later(client, ctx, world, outbox):
    from app.errors import Conflict
    from app.extensions import db
    from app.models import Contract
    from app.services.filing import certified_copy
    from app.services.platform.principal import of_person

    contract_id, token = sent_contract(client, world, outbox)
    session = worker_session(client, outbox, token)  # the code is texted by a job, inline
    ctx.config["JOBS_INLINE"] = False  # the filing job waits for a worker
    try:
        assert worker_sign(client, token, session).status_code == 200
    finally:
        ctx.config["JOBS_INLINE"] = True
    contract = db.session.get(Contract, contract_id)
    assert contract.status == "signed"
    with pytest.raises(Conflict, match="正在备案"):
        certified_copy(of_person(contract.worker_id, frozenset({contract_id})), contract_id)


# --- the page the QR code opens ----------------------------------------------------------


def test_verify_page_opened_from_the_qr_code_checks_the_printed_pair(client, filed):
    _contract, filing = filed
    good = client.get(f"/verify?filing={filing.number}&sha256={filing.sha256}")
    html = good.get_data(as_text=True)
    assert good.status_code == 200 and "平台有此备案记录，记录的电子原件 SHA-256 与打印件所列一致" in html
    assert filing.number in html and 'name="pdf"' in html  # and the upload form
    wrong = client.get(f"/verify?filing={filing.number}&sha256={'0' * 64}")
    assert "平台没有与之相符的备案记录" in wrong.get_data(as_text=True)
    bad = client.get("/verify", query_string={"filing": "<script>x</script>", "sha256": "zz"})
    text = bad.get_data(as_text=True)
    assert bad.status_code == 200 and "格式不正确" in text
    assert "<script>x</script>" not in text and "&lt;script&gt;" in text
    assert "打印件核验" not in client.get("/verify").get_data(as_text=True)
