"""JSON logs of the app itself: one object a line, the request id follows a signature into
the filing job it queued, and no token, phone or ID number reaches any line."""

from __future__ import annotations

import json
import logging

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Job
from app.observe import logs
from tests.app.flows import sent_contract, signature_data_url, worker_session
from tests.conftest import WORKER

REQUEST_ID = "sign-req-20261201-0001"


@pytest.fixture
def json_logs(ctx, capsys):
    """The app logging JSON to stderr (as LOG_FORMAT=json sets it up), undone afterwards."""
    root, level = logging.getLogger(), logging.getLogger().level
    ctx.config["LOG_FORMAT"] = "json"
    logs.configure("json", "INFO")
    capsys.readouterr()
    yield lambda: [json.loads(line) for line in capsys.readouterr().err.splitlines() if line]
    logs.uninstall()
    root.setLevel(level)
    ctx.config["LOG_FORMAT"] = "text"


def test_the_filing_job_logs_with_the_id_of_the_request_that_signed(client, world, outbox,
                                                                    json_logs):
    contract_id, token = sent_contract(client, world, outbox)
    session = worker_session(client, outbox, token)
    json_logs()  # only the signature's lines from here
    before = db.session.scalar(select(func.max(Job.id))) or 0
    resp = client.post(f"/api/v1/sign/{token}", headers={"X-Request-ID": REQUEST_ID}, json={
        "session": session, "signature": signature_data_url(), "consent": True})
    assert resp.status_code == 200 and resp.headers["X-Request-ID"] == REQUEST_ID
    lines = json_logs()
    signed = [line for line in lines if line["logger"] == "laborsign.request"]
    assert [(s["endpoint"], s["status"], s["request_id"]) for s in signed] == [
        ("api.sign.sign_contract", 200, REQUEST_ID)]
    filing = [line for line in lines if line.get("job_kind") == "file_contract"]
    assert filing and all(line["request_id"] == REQUEST_ID for line in filing)
    assert any(line["message"].endswith("filed as " + resp.get_json()["filing_number"])
               and line["request_id"] == REQUEST_ID for line in lines)
    # the job rows keep the id: the filing, and the text message the filing queued
    queued = {(job.kind, job.payload.get("request_id")) for job in db.session.scalars(
        select(Job).where(Job.id > before))}
    assert ("file_contract", REQUEST_ID) in queued and len(queued) >= 2
    assert {rid for _, rid in queued} == {REQUEST_ID}
    text = json.dumps(lines, ensure_ascii=False)
    assert token not in text and WORKER["phone"] not in text and WORKER["id_number"] not in text


def test_a_refused_request_logs_masked_and_redacted(client, world, outbox, json_logs):
    _, token = sent_contract(client, world, outbox)
    json_logs()
    resp = client.post(f"/api/v1/sign/{token}/otp", json={
        "name": WORKER["name"], "id_number": "360426199101010099"})  # wrong ID number
    assert resp.status_code in (400, 401, 403, 422)
    lines = json_logs()
    assert lines and all(line["request_id"] == resp.headers["X-Request-ID"] for line in lines)
    text = json.dumps(lines, ensure_ascii=False)
    assert token not in text and "360426199101010099" not in text
