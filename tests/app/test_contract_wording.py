"""The words of the contract: the construction contract prints the end date HR entered and
the worker reads exactly the clauses they sign; the social-insurance and labor-protection
terms are said once; the default clause texts read in English in the English reading and
preview while the signed PDF stays Chinese."""

from __future__ import annotations

import re

import pytest

from app.domain.templates.standard import DEFAULTS_EN
from signing.contract_text import DEFAULT_LABOR_PROTECTION, DEFAULT_SOCIAL_INSURANCE
from tests.app.flows import api_send, worker_session
from tests.app.pdftools import pdf_text
from tests.app.test_templates_flow import KINDS, PARTIES
from tests.conftest import bearer, login

CJK = re.compile(r"[\u4e00-\u9fff]")
SAID_ONCE = ("按时足额缴纳社会保险费", "劳动防护用品", "保障乙方在劳动过程中的安全和健康")


def _sent(client, world, kind: str, **terms) -> tuple[int, str]:
    body = {**PARTIES, **KINDS[kind][0], "template": kind, **terms}
    body = {k: v for k, v in body.items() if v is not None}
    resp = client.post("/api/v1/contracts", json=body, headers=bearer(world["api_key"]))
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()["id"], api_send(client, world["api_key"], resp.get_json()["id"])


def _pdf(client, world, contract_id: int, tmp_path) -> str:
    resp = client.get(f"/api/v1/contracts/{contract_id}/pdf", headers=bearer(world["api_key"]))
    assert resp.status_code == 200
    return pdf_text(resp.data, tmp_path)


def _reading(client, outbox, token: str, lang: str = "zh-CN") -> dict:
    session = worker_session(client, outbox, token)
    resp = client.get(f"/api/v1/sign/{token}/contract",
                      headers={"X-Signing-Session": session, "Accept-Language": lang})
    assert resp.status_code == 200, resp.get_json()
    return resp.get_json()


def _flat(text: str) -> str:
    return "".join(text.split())


def _reads_as_printed(body: dict, printed: str) -> None:
    """Every clause the worker reads is in the PDF, word for word and in the same order."""
    assert body["clauses"], "the worker reads the contract's clauses"
    at = 0
    for clause in body["clauses"]:
        for paragraph in clause["paragraphs"]:
            found = printed.find(_flat(paragraph), at)
            assert found >= 0, paragraph
            at = found


def test_the_construction_contract_prints_the_end_date_and_the_worker_reads_it(
        client, world, outbox, tmp_path):
    contract_id, token = _sent(client, world, "construction_simple",
                               term_end="2027-11-30")
    printed = _pdf(client, world, contract_id, tmp_path)
    term = "本合同期限自2026年12月1日起至2027年11月30日止。"
    assert term in printed and "工作完成时止" not in printed
    body = _reading(client, outbox, token)
    assert body["clauses"][0] == {"heading": "合同期限", "paragraphs": [term]}
    _reads_as_printed(body, printed)
    english = body["clauses_en"][0]["paragraphs"]
    assert english == ["The contract runs from 2026-12-01 to 2027-11-30."]


def test_without_an_end_date_it_runs_until_the_work_is_done(client, world, outbox, tmp_path):
    contract_id, token = _sent(client, world, "construction_simple")
    printed = _pdf(client, world, contract_id, tmp_path)
    term = "本合同自2026年12月1日起，至星沙产业园三期工程项目乙方所承担的工作完成时止。"
    assert term in printed and "期限自2026年12月1日起至" not in printed
    body = _reading(client, outbox, token)
    assert body["clauses"][0]["paragraphs"] == [term]
    _reads_as_printed(body, printed)
    assert "until the worker's part of" in body["clauses_en"][0]["paragraphs"][0]


@pytest.mark.parametrize("kind", ["fixed_term", "construction_simple"])
def test_insurance_and_protection_are_said_once(client, world, outbox, tmp_path, kind):
    contract_id, token = _sent(client, world, kind, social_insurance=None,
                               labor_protection=None)  # left at the defaults
    printed = _pdf(client, world, contract_id, tmp_path)
    for words in SAID_ONCE:
        assert printed.count(words) == 1, (words, printed.count(words))
    _reads_as_printed(_reading(client, outbox, token), printed)


def test_own_insurance_words_are_printed_beside_the_standard_ones(client, world, tmp_path):
    contract_id, _ = _sent(client, world, "fixed_term")  # PARTIES: its own words on both
    printed = _pdf(client, world, contract_id, tmp_path)
    assert "依法参加五项社会保险" in printed and "提供安全帽、安全带、防护鞋" in printed
    for words in SAID_ONCE:
        assert printed.count(words) == 1, words


@pytest.mark.parametrize("kind", ["fixed_term", "construction_simple"])
def test_default_clause_texts_read_in_english_and_print_in_chinese(
        client, world, outbox, tmp_path, kind):
    contract_id, token = _sent(client, world, kind, social_insurance=None,
                               labor_protection=None)
    body = _reading(client, outbox, token, "en")
    by_heading = {c["heading"]: c["paragraphs"] for c in body["clauses_en"]}
    assert by_heading["Social insurance"] == [DEFAULTS_EN[DEFAULT_SOCIAL_INSURANCE]]
    assert by_heading["Labor protection"] == [DEFAULTS_EN[DEFAULT_LABOR_PROTECTION]]
    assert not CJK.search(" ".join(by_heading["Social insurance"] + by_heading["Labor protection"]))
    login(client, "hr")  # the employer's English preview of the same contract
    page = client.get(f"/employer/contracts/{contract_id}/english").get_data(as_text=True)
    assert DEFAULTS_EN[DEFAULT_SOCIAL_INSURANCE] in page.replace("&#39;", "'")
    assert DEFAULT_SOCIAL_INSURANCE not in page
    printed = _pdf(client, world, contract_id, tmp_path)  # the signed text stays Chinese
    assert "enrolls the worker" not in printed and "按时足额缴纳社会保险费" in printed
