"""A term without an end date is written by what ends it, by the contract's kind: 无固定期限
(open-ended) only for an open-ended contract. The staff register, the termination agreement
and the termination certificate say 非全日制（无需约定终止日期） for part-time work,
至本人承担的工程完工时 for a construction contract and 至“任务”完成时 for a task."""

from __future__ import annotations

import io
from datetime import date
from types import SimpleNamespace

import pytest
from openpyxl import load_workbook

from app.extensions import db
from app.models import Contract
from app.services.lifecycle import certificate, termination
from tests.app.flows import worker_session, worker_sign
from tests.app.pdftools import pdf_text
from tests.app.test_staff_register import _rows
from tests.app.test_templates_flow import KINDS, PARTIES
from tests.conftest import WORKER, bearer, login

#: kind -> the Chinese words for the end of its term without an end date, and the English
WORDS = {
    "open_ended": ("无固定期限", "open-ended"),
    "part_time": ("非全日制（无需约定终止日期）", "part-time (no end date needed)"),
    "construction_simple": ("至本人承担的工程完工时",
                            "until the worker's part of the project is done"),
    "project_based": ("至“三期主体结构钢筋绑扎”完成时", "until “三期主体结构钢筋绑扎” is done"),
}


def _filed(client, world, kind: str, worker_id_number: str) -> Contract:
    body = {**PARTIES, **KINDS[kind][0], "template": kind, "worker_id_number": worker_id_number}
    resp = client.post("/api/v1/contracts", json=body, headers=bearer(world["api_key"]))
    assert resp.status_code == 201, resp.get_json()
    contract = db.session.get(Contract, resp.get_json()["id"])
    contract.status = "filed"  # signing is tested elsewhere
    db.session.commit()
    return contract


def test_the_register_writes_each_kinds_term_in_words(client, world):
    from app.domain.ids import id_with_check

    for n, kind in enumerate(WORDS, start=1):
        _filed(client, world, kind, id_with_check(f"4301211990010{n}001"))
    login(client, "hr")
    rows = _rows(client.get("/employer/register?as_of=2026-12-15").get_data(as_text=True))
    terms = sorted(r[7].replace("&#34;", "“") for r in rows)
    assert terms == sorted(zh for zh, _ in WORDS.values()), terms
    xlsx = client.get("/employer/register?as_of=2026-12-15&format=xlsx")
    cells = [row[7] for row in load_workbook(io.BytesIO(xlsx.data)).active.values][1:]
    assert sorted(cells) == sorted(zh for zh, _ in WORDS.values())
    assert cells.count("无固定期限") == 1  # the open-ended contract only
    english = client.get("/employer/register?as_of=2026-12-15&lang=en").get_data(as_text=True)
    for _, en in WORDS.values():
        assert en.replace("'", "&#39;") in english, en


def _contract(kind: str) -> SimpleNamespace:
    terms = {**PARTIES, **KINDS[kind][0]}
    return SimpleNamespace(template=kind, terms=terms, contract_no="HT1")


@pytest.mark.parametrize("kind", list(WORDS))
def test_the_termination_agreement_names_the_original_term_by_kind(kind):
    pay = {"due": False}
    clean = {"ground": "art36", "last_working_day": date(2026, 12, 20), "handover": ""}
    text = termination._clauses(_contract(kind), clean, pay)[0].paragraphs[0]
    zh = WORDS[kind][0]
    assert text == f"甲乙双方订立的劳动合同（编号HT1），自2026年12月1日起履行，合同期限：{zh}。"
    if kind != "open_ended":
        assert "无固定期限" not in text


@pytest.mark.parametrize("kind", list(WORDS))
def test_the_certificate_names_the_term_by_kind(kind):
    ended = SimpleNamespace(contract_no="JC1", terms={
        "ground": "art36", "last_working_day": "2026-12-20", "post": "钢筋工",
        "severance": {"first_day": "2026-12-01", "service": "不满六个月"}})
    text = certificate._clauses(_contract(kind), ended)[0].paragraphs[0]
    assert text == (f"乙方与甲方订立的劳动合同（编号HT1）自2026年12月1日起履行，"
                    f"合同期限：{WORDS[kind][0]}。")


def test_a_fixed_term_keeps_its_dates():
    contract = _contract("fixed_term")
    ended = SimpleNamespace(contract_no="JC1", terms={
        "ground": "art36", "last_working_day": "2026-12-20", "post": "钢筋工",
        "severance": {"first_day": "2026-12-01", "service": "不满六个月"}})
    assert certificate._clauses(contract, ended)[0].paragraphs[0] == (
        "乙方与甲方订立的劳动合同（编号HT1）期限为2026年12月1日至2028年11月30日。")


def test_a_task_contract_terminated_end_to_end_prints_its_task(client, world, outbox, tmp_path,
                                                                 monkeypatch):
    monkeypatch.setattr(termination, "today_in_beijing", lambda: date(2026, 12, 2))
    key = bearer(world["api_key"])
    body = {**PARTIES, **KINDS["project_based"][0], "template": "project_based"}
    contract_id = client.post("/api/v1/contracts", json=body, headers=key).get_json()["id"]
    sent = client.post(f"/api/v1/contracts/{contract_id}/send", headers=key).get_json()
    token = sent["signing_url"].rsplit("/", 1)[1]
    assert worker_sign(client, token, worker_session(client, outbox, token)).status_code == 200
    resp = client.post(f"/api/v1/contracts/{contract_id}/termination", headers=key, json={
        "ground": "art36", "employer_proposed": True, "last_working_day": "2026-12-20"})
    assert resp.status_code == 201, resp.get_json()
    doc = resp.get_json()
    token = doc["signing_url"].rsplit("/", 1)[1]
    assert outbox.last_link_token(WORKER["phone"]) == token
    assert worker_sign(client, token, worker_session(client, outbox, token)).status_code == 200
    rows = client.get(f"/api/v1/contracts/{contract_id}/chain", headers=key).get_json()
    printed = {}
    for row in rows["documents"][1:]:  # the agreement and the certificate
        pdf = client.get(f"/api/v1/contracts/{row['id']}/pdf", headers=key).data
        (tmp_path / row["kind"]).mkdir()
        printed[row["kind"]] = pdf_text(pdf, tmp_path / row["kind"])
    assert set(printed) == {"termination", "certificate"}
    for text in printed.values():
        assert "合同期限：至“三期主体结构钢筋绑扎”完成时" in text and "无固定期限" not in text
