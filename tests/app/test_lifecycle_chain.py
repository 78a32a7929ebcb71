"""The contract's life after signing over HTTP: amend → sign → filed, renew, terminate →
sign → filed → certificate; the chain for employer, worker and auditor; tenancy; bad input."""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.fields import enumerate_sig_fields

from app.extensions import db
from app.models import Contract, Filing
from tests.app.flows import search, sent_contract, worker_session, worker_sign
from tests.app.pdftools import pdfsig_report
from tests.conftest import WORKER, bearer, login

TODAY = date(2026, 12, 2)


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    from app.services.lifecycle import termination

    monkeypatch.setattr(termination, "today_in_beijing", lambda: TODAY)


def _filed(client, world, outbox) -> int:
    contract_id, token = sent_contract(client, world, outbox)
    resp = worker_sign(client, token, worker_session(client, outbox, token))
    assert resp.status_code == 200, resp.get_json()
    assert db.session.get(Contract, contract_id).status == "filed"
    return contract_id


def _sign_document(client, outbox, body: dict) -> int:
    token = body["signing_url"].rsplit("/", 1)[1]
    assert outbox.last_link_token(WORKER["phone"]) == token
    resp = worker_sign(client, token, worker_session(client, outbox, token))
    assert resp.status_code == 200, resp.get_json()
    db.session.expire_all()
    return body["id"]


def _chain(client, world, contract_id, key="api_key"):
    return client.get(f"/api/v1/contracts/{contract_id}/chain", headers=bearer(world[key]))


def test_amend_then_terminate_with_certificate(client, world, outbox, tmp_path):
    key = bearer(world["api_key"])
    contract_id = _filed(client, world, outbox)

    # amendment: the wage from 2026-12-10
    resp = client.post(f"/api/v1/contracts/{contract_id}/amendments", headers=key, json={
        "changes": {"monthly_wage": "7000", "post": "木工"}, "effective_from": "2026-12-10"})
    assert resp.status_code == 201, resp.get_json()
    assert resp.get_json()["document_kind"] == "amendment"
    amendment_id = _sign_document(client, outbox, resp.get_json())
    assert db.session.get(Contract, amendment_id).status == "filed"
    page = client.application.test_client()
    login(page, "hr")
    html = page.get(f"/employer/contracts/{contract_id}").get_data(as_text=True)
    assert "木工" in html and "7000" in html and "变更协议" in html

    # termination: agreed, proposed by the employer; service 2026-12-01..20 = half a month
    resp = client.post(f"/api/v1/contracts/{contract_id}/termination", headers=key, json={
        "ground": "art36", "employer_proposed": True, "last_working_day": "2026-12-20"})
    assert resp.status_code == 201, resp.get_json()
    severance = resp.get_json()["terms"]["severance"]
    assert severance["amount"] == "3500.00" and severance["monthly_wage"] == "7000.00"
    assert Decimal(severance["months"]) == Decimal("0.5")
    termination_id = _sign_document(client, outbox, resp.get_json())

    original = db.session.get(Contract, contract_id)
    assert original.status == "terminated" and original.ended_on == date(2026, 12, 20)
    filing = db.session.query(Filing).filter_by(contract_id=contract_id).one()
    assert filing.retain_until.date() >= date(2028, 12, 20)
    from app.services.contracts.documents import retention_for
    assert retention_for(original).date() >= date(2028, 12, 20)

    rows = _chain(client, world, contract_id).get_json()["documents"]
    assert [r["kind"] for r in rows] == ["contract", "amendment", "termination", "certificate"]
    assert [r["status"] for r in rows] == ["terminated", "filed", "filed", "filed"], rows
    assert all(r["filing_number"] for r in rows), rows
    certificate_id = rows[-1]["id"]
    assert any("解除（终止）劳动合同证明书" in m["text"] for m in outbox.messages(WORKER["phone"]))

    # every document is valid under pdfsig (the certificate carries the employer's seal only)
    root = client.get("/ca/root.pem").data
    for doc_id, signatures in ((amendment_id, 2), (termination_id, 2), (certificate_id, 1)):
        pdf = client.get(f"/api/v1/contracts/{doc_id}/pdf", headers=key).data
        (tmp_path / str(doc_id)).mkdir()
        report = pdfsig_report(pdf, root, tmp_path / str(doc_id))
        assert report.count("Signature is Valid") == signatures, report
    # the certificate is the employer's final statement: no empty box for the worker to
    # sign, and it is kept long-term (B-LTA: a document time-stamp after the seal)
    cert = client.get(f"/api/v1/contracts/{certificate_id}/pdf", headers=key).data
    fields = [name for name, *_ in enumerate_sig_fields(PdfFileReader(io.BytesIO(cert)))]
    assert fields[0] == "EmployerSeal" and len(fields) == 2, fields
    assert fields[1].startswith("Timestamp"), fields

    # the contract page, the worker's link and the auditor show the chain
    html = page.get(f"/employer/contracts/{contract_id}").get_data(as_text=True)
    assert "已解除" in html or "terminated" in html
    for r in rows:
        assert r["contract_no"] in html
    token = outbox.last_link_token(WORKER["phone"])
    session = worker_session(client, outbox, token)
    mine = client.get(f"/api/v1/sign/{token}/documents", headers={"X-Signing-Session": session})
    assert [r["contract_no"] for r in mine.get_json()["documents"]] == [
        r["contract_no"] for r in rows]
    cert_pdf = client.get(f"/api/v1/sign/{token}/documents/3/pdf",
                          headers={"X-Signing-Session": session})
    assert cert_pdf.status_code == 200 and cert_pdf.data.startswith(b"%PDF")
    auditor = client.application.test_client()
    login(auditor, "auditor")
    audit_html = auditor.get(f"/audit/contracts/{contract_id}").get_data(as_text=True)
    assert all(r["contract_no"] in audit_html for r in rows)
    # the auditor finds each document by its own filing number; a name lists the contract
    for r in rows:
        found = search(auditor, filing_number=r["filing_number"]).get_data(as_text=True)
        assert "找到 1 份合同" in found and r["contract_no"] in found, r
    assert "解除（终止）劳动合同证明书" in found  # the last one is the certificate, named
    by_name = search(auditor, worker_name=WORKER["name"]).get_data(as_text=True)
    assert "找到 1 份合同" in by_name and rows[0]["contract_no"] in by_name
    outsider = client.application.test_client()
    login(outsider, "auditor2")
    assert "找到 0 份合同" in search(outsider, filing_number=rows[-1]["filing_number"]).get_data(
        as_text=True)

    # a second termination is refused; the expiring list and renewal no longer see it
    again = client.post(f"/api/v1/contracts/{contract_id}/termination", headers=key, json={
        "ground": "art36", "last_working_day": "2026-12-20"})
    assert again.status_code == 409


def test_other_employer_and_out_of_scope_auditor_get_404(client, world, outbox):
    contract_id = _filed(client, world, outbox)
    other = bearer(world["api_key_other"])
    before = db.session.query(Contract).count()
    for path, body in ((f"/api/v1/contracts/{contract_id}/termination",
                        {"ground": "art36", "last_working_day": "2026-12-20"}),
                       (f"/api/v1/contracts/{contract_id}/amendments",
                        {"changes": {"post": "木工"}, "effective_from": "2026-12-10"}),
                       (f"/api/v1/contracts/{contract_id}/renewal", None)):
        assert client.post(path, headers=other, json=body).status_code == 404
    assert _chain(client, world, contract_id, "api_key_other").status_code == 404
    db.session.expire_all()
    assert db.session.query(Contract).count() == before
    assert db.session.get(Contract, contract_id).status == "filed"
    auditor = client.application.test_client()
    login(auditor, "auditor2")
    assert auditor.get(f"/audit/contracts/{contract_id}").status_code == 404


@pytest.mark.parametrize(("body", "field"), [
    ({"ground": "art99", "last_working_day": "2026-12-20"}, "ground"),
    ({"ground": "art36", "last_working_day": "2026-11-30"}, "last_working_day"),  # before start
    ({"ground": "art36", "last_working_day": "2027-01-02"}, "last_working_day"),  # 31 days on
    ({"ground": "art44_1", "last_working_day": "2026-12-20"}, "last_working_day"),  # not the end
    ({"ground": "art36", "last_working_day": "20261220"}, "last_working_day"),
])
def test_bad_termination_is_422_naming_the_field(client, world, outbox, body, field):
    contract_id = _filed(client, world, outbox)
    before = db.session.query(Contract).count()
    resp = client.post(f"/api/v1/contracts/{contract_id}/termination",
                       headers=bearer(world["api_key"]), json=body)
    assert resp.status_code == 422, resp.get_json()
    assert field in resp.get_json()["fields"]
    assert db.session.query(Contract).count() == before


def test_last_working_day_limits_both_sides(client, world, outbox):
    contract_id = _filed(client, world, outbox)
    key = bearer(world["api_key"])
    limit = TODAY + timedelta(days=30)
    resp = client.post(f"/api/v1/contracts/{contract_id}/termination", headers=key,
                       json={"ground": "art37", "last_working_day": limit.isoformat()})
    assert resp.status_code == 201, resp.get_json()
    assert resp.get_json()["terms"]["severance"]["amount"] == "0.00"  # art. 37: none


def test_start_day_is_a_valid_last_day(client, world, outbox):
    contract_id = _filed(client, world, outbox)
    resp = client.post(f"/api/v1/contracts/{contract_id}/termination",
                       headers=bearer(world["api_key"]),
                       json={"ground": "art40", "last_working_day": "2026-12-01"})
    assert resp.status_code == 201, resp.get_json()
    assert resp.get_json()["terms"]["severance"]["amount"] == "3000.00"


@pytest.mark.parametrize(("body", "field"), [
    ({"changes": {"monthly_wage": "1000"}, "effective_from": "2026-12-10"}, "monthly_wage"),
    ({"changes": {"post": "木工"}, "effective_from": "2026-11-30"}, "effective_from"),
    ({"changes": {"post": "木工"}, "effective_from": "2028-12-01"}, "effective_from"),
    ({"changes": {"pay_day": "40"}, "effective_from": "2026-12-10"}, "pay_day"),
    ({"changes": {"post": "钢筋工"}, "effective_from": "2026-12-10"}, "post"),  # unchanged
])
def test_bad_amendment_is_422_naming_the_field(client, world, outbox, body, field):
    contract_id = _filed(client, world, outbox)
    before = db.session.query(Contract).count()
    resp = client.post(f"/api/v1/contracts/{contract_id}/amendments",
                       headers=bearer(world["api_key"]), json=body)
    assert resp.status_code == 422, resp.get_json()
    assert field in resp.get_json()["fields"], resp.get_json()
    assert db.session.query(Contract).count() == before


def test_amendment_on_the_last_day_of_the_term_is_accepted(client, world, outbox):
    contract_id = _filed(client, world, outbox)
    resp = client.post(f"/api/v1/contracts/{contract_id}/amendments",
                       headers=bearer(world["api_key"]),
                       json={"changes": {"post": "木工"}, "effective_from": "2028-11-30"})
    assert resp.status_code == 201, resp.get_json()


def test_openapi_documents_the_lifecycle_paths(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in ("/api/v1/contracts/{contract_id}/amendments",
                 "/api/v1/contracts/{contract_id}/termination",
                 "/api/v1/contracts/{contract_id}/chain", "/api/v1/contracts/expiring",
                 "/api/v1/contracts/{contract_id}/renewal"):
        assert path in paths, sorted(paths)
    assert "post" in paths["/api/v1/contracts/{contract_id}/termination"]


def test_local_average_wage_setting_caps_the_wage_used(client, world, outbox, monkeypatch):
    contract_id = _filed(client, world, outbox)
    monkeypatch.setitem(client.application.config, "LOCAL_AVERAGE_MONTHLY_WAGE", "1999.99")
    resp = client.post(f"/api/v1/contracts/{contract_id}/termination",
                       headers=bearer(world["api_key"]),
                       json={"ground": "art40", "last_working_day": "2026-12-20"})
    assert resp.status_code == 201, resp.get_json()
    pay = resp.get_json()["terms"]["severance"]
    assert pay["capped"] is True and pay["wage_used"] == "5999.97"
    assert pay["amount"] == "2999.99"  # half a month of 3 × 1,999.99, rounded to the fen


def test_employer_terminates_from_the_contract_page(client, world, outbox):
    from tests.conftest import csrf_token

    contract_id = _filed(client, world, outbox)
    hr = client.application.test_client()
    login(hr, "hr")
    page = hr.get(f"/employer/contracts/{contract_id}").get_data(as_text=True)
    assert "解除或终止合同" in page
    form = {"csrf_token": csrf_token(page), "ground": "art36", "last_working_day": "2026-11-01"}
    bad = hr.post(f"/employer/contracts/{contract_id}/terminate", data=form)
    assert bad.status_code == 422 and "最后工作日不能早于合同开始日期" in bad.get_data(as_text=True)
    assert db.session.query(Contract).count() == 1
    form.update(last_working_day="2026-12-20", employer_proposed="1")
    done = hr.post(f"/employer/contracts/{contract_id}/terminate", data=form)
    assert done.status_code == 302
    doc_page = hr.get(done.headers["Location"]).get_data(as_text=True)
    assert "JC" in doc_page and "待劳动者签署" in doc_page


@pytest.mark.postgresql_only  # SQLite serialises writers: the race is PostgreSQL's
def test_two_terminations_at_once_have_one_winner(ctx, client, world, outbox, monkeypatch):
    """Two HR clicks on 解除 at the same moment: one agreement goes to the worker, the other
    request gets 409 and leaves no live document behind."""
    import threading

    from sqlalchemy import select

    from app.models import User
    from app.services.lifecycle import chain, termination
    from app.services.platform import principal

    contract_id = _filed(client, world, outbox)
    barrier, real, results = threading.Barrier(2, timeout=20), chain.seal, []

    def seal_together(doc):
        barrier.wait()  # both requests passed the "no termination yet" check (drafts committed)
        return real(doc)

    monkeypatch.setattr(chain, "seal", seal_together)
    body = {"ground": "art36", "last_working_day": "2026-12-20", "employer_proposed": True}

    def click() -> None:
        with ctx.app_context():
            hr = principal.of_user(db.session.scalar(select(User).where(User.username == "hr")))
            try:
                doc, _token = termination.terminate(hr, contract_id, body)
                results.append(("sent", doc.id))
            except Exception as exc:  # noqa: BLE001 - the loser's error is what we look at
                results.append((getattr(exc, "code", type(exc).__name__), None))
            db.session.remove()

    threads = [threading.Thread(target=click) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r[0] for r in results) == ["sent", "state_changed"], results
    db.session.expire_all()
    live = db.session.scalars(select(Contract).where(
        Contract.parent_id == contract_id, Contract.document_kind == "termination",
        Contract.status != "voided")).all()
    assert [d.id for d in live] == [r[1] for r in results if r[0] == "sent"]
    assert live[0].status == "sent"


def test_employer_amends_from_the_contract_page(client, world, outbox):
    """The amendment form: only what is filled in changes; a wage below the minimum is refused
    with the field named and what was typed kept; then the worker signs and the page shows the
    new wage in force."""
    from tests.conftest import csrf_token

    contract_id = _filed(client, world, outbox)
    hr = client.application.test_client()
    login(hr, "hr")
    page = hr.get(f"/employer/contracts/{contract_id}").get_data(as_text=True)
    assert "变更合同" in page
    form = {"csrf_token": csrf_token(page), "monthly_wage": "100", "post": "",
            "effective_from": "2026-12-15"}
    bad = hr.post(f"/employer/contracts/{contract_id}/amend", data=form)
    body = bad.get_data(as_text=True)
    assert bad.status_code == 422 and "最低工资" in body and 'value="100"' in body
    assert db.session.query(Contract).count() == 1
    empty = hr.post(f"/employer/contracts/{contract_id}/amend",
                    data={**form, "monthly_wage": ""})
    assert empty.status_code == 422 and "请至少填写一项变更内容" in empty.get_data(as_text=True)
    done = hr.post(f"/employer/contracts/{contract_id}/amend",
                   data={**form, "monthly_wage": "7100"})
    assert done.status_code == 302
    doc = db.session.query(Contract).filter_by(document_kind="amendment").one()
    assert doc.terms["new_values"] == {"monthly_wage": "7100.00"} and doc.status == "sent"
    token = outbox.last_link_token(WORKER["phone"])
    assert worker_sign(client, token, worker_session(client, outbox, token)).status_code == 200
    db.session.expire_all()
    assert db.session.get(Contract, doc.id).status == "filed"
    page = hr.get(f"/employer/contracts/{contract_id}").get_data(as_text=True)
    assert "7100" in page and doc.contract_no in page
