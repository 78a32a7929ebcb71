"""The worker's own space (/me): every document the worker signed with any employer —
contracts, amendments, renewals, termination and its certificate — shown, opened, downloaded
and printed, also after the job ended and the employer was suspended; each access in the trail."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Contract, Filing, Worker
from tests.app.flows import api_create, api_send
from tests.app.portal_helpers import (
    at_other_employer,
    portal_events,
    portal_sign_in,
    signed_with,
    suspend,
)
from tests.app.test_portal import OTHER


def test_a_worker_sees_every_contract_they_signed_with_any_employer(client, world, outbox):
    at_a = signed_with(client, outbox, world["api_key"])
    at_b = at_other_employer(client, world, outbox)
    waiting = api_create(client, world["api_key"], term_start="2031-01-01",
                         term_end="2031-12-31", probation_months="0")["id"]
    api_send(client, world["api_key"], waiting)  # sent, not signed: not theirs yet
    others = signed_with(client, outbox, world["api_key"], OTHER)
    portal_sign_in(client, outbox)
    html = client.get("/me/").get_data(as_text=True)
    numbers = dict(db.session.execute(select(Filing.contract_id, Filing.number)).all())
    for cid in (at_a, at_b):
        c = db.session.get(Contract, cid)
        assert c.contract_no in html and numbers[cid] in html
    assert world["org"].name in html and world["other"].name in html
    assert "2026-12-01 至 2028-11-30" in html and "已备案，履行中" in html
    unseen = [db.session.get(Contract, c).contract_no for c in (waiting, others)]
    assert not [n for n in unseen if n in html]
    # each listed contract's trail records the view, by the person
    worker = db.session.scalar(select(Worker).where(Worker.id_hash == db.session.get(
        Contract, at_a).worker.id_hash))
    for cid in (at_a, at_b):
        assert [e.actor for e in portal_events(cid, "portal.listed")] == [f"person:{worker.id}"]
    assert not portal_events(others, "portal.listed")
    # another person's contract is missing for this worker, whichever employer issued it
    assert client.get(f"/me/contracts/{others}").status_code == 404
    assert client.get(f"/me/contracts/{others}/pdf").status_code == 404
    assert client.get(f"/me/contracts/{waiting}/pdf").status_code == 404
    # and the other worker sees none of this worker's, at either employer
    other = client.application.test_client()
    portal_sign_in(other, outbox, OTHER["worker_name"], OTHER["worker_id_number"],
                   OTHER["worker_phone"])
    theirs = other.get("/me/").get_data(as_text=True)
    assert db.session.get(Contract, others).contract_no in theirs
    for cid in (at_a, at_b):
        assert db.session.get(Contract, cid).contract_no not in theirs
        assert other.get(f"/me/contracts/{cid}").status_code == 404
        assert other.get(f"/me/contracts/{cid}/pdf").status_code == 404
    assert len(portal_events(at_a, "portal.listed")) == 1


def test_download_is_free_and_works_after_the_job_ended_and_the_employer_is_suspended(
        client, world, outbox, monkeypatch):

    from app.services.worker_space import documents as space

    cid = signed_with(client, outbox, world["api_key"])  # 2026-12-01 .. 2028-11-30
    monkeypatch.setattr(space, "today_in_beijing", lambda: date(2028, 12, 1))
    suspend(world)
    portal_sign_in(client, outbox)
    html = client.get("/me/").get_data(as_text=True)
    assert "已期满" in html and world["org"].name in html
    resp = client.get(f"/me/contracts/{cid}/pdf")
    c = db.session.get(Contract, cid)
    assert resp.status_code == 200 and resp.data.startswith(b"%PDF")
    assert resp.headers["Content-Disposition"] == f'attachment; filename="{c.contract_no}.pdf"'
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["X-Content-SHA256"] == c.current_document.sha256
    from app.services.contracts import documents

    assert resp.data == documents.read(c.current_document)
    events = portal_events(cid, "portal.downloaded")
    assert len(events) == 1 and events[0].actor == f"person:{c.worker_id}"
    assert events[0].details == {"sha256": c.current_document.sha256}
    from app.services.platform import audit

    assert audit.verify_chain(audit.trail(cid))
    page = client.get(f"/me/contracts/{cid}")
    assert page.status_code == 200 and c.current_document.sha256 in page.get_data(as_text=True)
    assert len(portal_events(cid, "portal.viewed")) == 1
    # the certified print copy, to print themselves (free), also now
    assert f"/me/contracts/{cid}/print-copy" in page.get_data(as_text=True)
    copy = client.get(f"/me/contracts/{cid}/print-copy")
    filing = db.session.scalar(select(Filing).where(Filing.contract_id == cid))
    assert copy.status_code == 200 and copy.data.startswith(b"%PDF")
    assert copy.headers["Content-Disposition"].startswith("attachment;")
    assert filing.number in copy.headers["Content-Disposition"]
    issued = portal_events(cid, "print_copy.issued")
    assert [e.actor for e in issued] == [f"person:{c.worker_id}"]
    assert issued[0].details["original_sha256"] == filing.sha256


def _sign_by_link(client, outbox, body: dict) -> int:
    from tests.app.flows import worker_session, worker_sign

    token = body["signing_url"].rsplit("/", 1)[1]
    assert worker_sign(client, token, worker_session(client, outbox, token)).status_code == 200
    db.session.expire_all()
    return body["id"]


def test_amendments_renewals_termination_and_its_certificate_are_listed(
        client, world, outbox, monkeypatch):

    from app.services.lifecycle import termination
    from tests.conftest import bearer

    monkeypatch.setattr(termination, "today_in_beijing", lambda: date(2026, 12, 2))
    key = bearer(world["api_key"])
    cid = signed_with(client, outbox, world["api_key"])
    resp = client.post(f"/api/v1/contracts/{cid}/amendments", headers=key, json={
        "changes": {"post": "木工"}, "effective_from": "2026-12-10"})
    amendment = _sign_by_link(client, outbox, resp.get_json())
    resp = client.post(f"/api/v1/contracts/{cid}/termination", headers=key, json={
        "ground": "art36", "employer_proposed": True, "last_working_day": "2026-12-20"})
    ended = _sign_by_link(client, outbox, resp.get_json())
    certificate = db.session.scalar(select(Contract.id).where(
        Contract.parent_id == cid, Contract.document_kind == "certificate"))
    assert certificate and db.session.get(Contract, certificate).status == "filed"
    # the certificate carries the employer's seal only: still the worker's document
    from app.models import SignatureEvent

    assert db.session.scalars(select(SignatureEvent.party).where(
        SignatureEvent.contract_id == certificate)).all() == ["employer"]
    first_b = at_other_employer(client, world, outbox)
    renewed = signed_with(client, outbox, world["api_key_other"], term_start="2031-01-01",
                          term_end="2032-12-31", probation_months="0")
    db.session.get(Contract, renewed).renewal_of_id = first_b
    db.session.commit()

    portal_sign_in(client, outbox)
    html = client.get("/me/").get_data(as_text=True)
    numbers = dict(db.session.execute(select(Filing.contract_id, Filing.number)).all())
    for doc in (cid, amendment, ended, certificate, first_b, renewed):
        assert db.session.get(Contract, doc).contract_no in html and numbers[doc] in html, doc
    assert "劳动合同变更协议" in html and "解除（终止）劳动合同协议书" in html
    assert "解除（终止）劳动合同证明书" in html and "续订劳动合同" in html
    assert "已解除（终止）" in html
    # the certificate opens and downloads, and lists the documents of its contract
    page = client.get(f"/me/contracts/{certificate}").get_data(as_text=True)
    assert db.session.get(Contract, cid).contract_no in page
    assert db.session.get(Contract, amendment).contract_no in page
    resp = client.get(f"/me/contracts/{certificate}/pdf")
    assert resp.status_code == 200 and resp.data.startswith(b"%PDF")
    renewal_page = client.get(f"/me/contracts/{renewed}").get_data(as_text=True)
    assert db.session.get(Contract, first_b).contract_no in renewal_page
    history = client.get("/me/history").get_data(as_text=True)
    assert "为您出具了《解除（终止）劳动合同证明书》" in history
    assert f"您签署了{world['other'].name}的《续订劳动合同》" in history
    assert "北京时间" in history


@pytest.mark.parametrize(("today", "words"), [
    ("2028-11-30", "已备案，履行中"), ("2028-12-01", "已期满")])
def test_the_status_says_when_the_term_is_over(client, world, outbox, monkeypatch, today, words):

    from app.services.worker_space import documents as space

    signed_with(client, outbox, world["api_key"])  # ends 2028-11-30 (its last day included)
    monkeypatch.setattr(space, "today_in_beijing", lambda: date.fromisoformat(today))
    portal_sign_in(client, outbox)
    html = client.get("/me/").get_data(as_text=True)
    assert words in html
    assert ({"已备案，履行中", "已期满"} - {words}).pop() not in html
