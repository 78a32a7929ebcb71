"""What the worker reads before signing: the document's own title, the main terms of its
template's own fields (part-time hourly wage and hours, construction team and wage form),
an amendment's clauses as its PDF prints them, and the English reading text; in the page's
language. Over HTTP (the phone page: tests/app/test_phone_browser.py)."""

from __future__ import annotations

import pytest

from tests.app.flows import api_send, worker_session, worker_sign
from tests.app.pdftools import pdf_text
from tests.app.test_templates_flow import KINDS, PARTIES
from tests.conftest import WORKER, bearer


def _sent(client, world, kind: str) -> tuple[int, str]:
    resp = client.post("/api/v1/contracts", json={**PARTIES, **KINDS[kind][0], "template": kind},
                       headers=bearer(world["api_key"]))
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()["id"], api_send(client, world["api_key"], resp.get_json()["id"])


def _reading(client, outbox, token: str, lang: str = "zh-CN") -> dict:
    session = worker_session(client, outbox, token)
    resp = client.get(f"/api/v1/sign/{token}/contract",
                      headers={"X-Signing-Session": session, "Accept-Language": lang})
    assert resp.status_code == 200, resp.get_json()
    return resp.get_json()


@pytest.mark.parametrize("kind, title, shown", [
    ("part_time", "非全日制用工劳动合同", {"小时工资": "25.00 元", "每日工作小时数": "4 小时",
                                           "结算周期（天）": "15 天"}),
    ("construction_simple", "建筑业简易劳动合同", {"班组": "钢筋一班", "工资形式": "按日计发",
                                                   "工资标准": "300.00 元", "发薪日": "每月 10 日"}),
    ("fixed_term", "劳动合同（固定期限）", {"合同终止日期": "2028-11-30", "月工资": "6,000.00 元"}),
])
def test_the_worker_reads_the_kinds_own_terms(client, world, outbox, kind, title, shown):
    _, token = _sent(client, world, kind)
    page = client.get(f"/s/{token}").get_data(as_text=True)
    assert f"《{title}》" in page and "劳动合同（固定期限）》" not in page.replace(f"《{title}》", "")
    body = _reading(client, outbox, token)
    assert body["title"] == title
    facts = {f["label"]: f["value"] for f in body["facts"]}
    for label, value in shown.items():
        assert facts.get(label) == value, facts
    assert facts["用人单位"] == world["org"].name
    assert not any(WORKER["id_number"] in f["value"] for f in body["facts"])
    assert body["clauses"] and body["clauses_en"], body  # the printed words, and English


def test_in_english_the_labels_are_english_and_the_clauses_readable(client, world, outbox):
    _, token = _sent(client, world, "part_time")
    body = _reading(client, outbox, token, "en")
    facts = {f["label"]: f["value"] for f in body["facts"]}
    assert facts["Hourly wage"] == "CNY 25.00", facts
    text = " ".join(p for c in body["clauses_en"] for p in c["paragraphs"])
    assert "Either side may end the work at any time" in text
    assert WORKER["id_number"] not in text


def test_an_amendment_is_read_as_its_pdf_prints_it(client, world, outbox, tmp_path):
    contract_id, token = _sent(client, world, "part_time")
    assert worker_sign(client, token, worker_session(client, outbox, token)).status_code == 200
    resp = client.post(f"/api/v1/contracts/{contract_id}/amendments",
                       headers=bearer(world["api_key"]),
                       json={"changes": {"hourly_wage": "30"}, "effective_from": "2026-12-15"})
    assert resp.status_code == 201, resp.get_json()
    doc_token = outbox.last_link_token(WORKER["phone"])
    page = client.get(f"/s/{doc_token}").get_data(as_text=True)
    assert "签署协议" in page and "《劳动合同变更协议》" in page
    body = _reading(client, outbox, doc_token)
    assert body["title"] == "劳动合同变更协议" and body["facts"] == []
    assert [c["heading"] for c in body["clauses"]] == ["原劳动合同", "变更内容", "生效日期", "其他"]
    pdf = client.get(f"/api/v1/contracts/{resp.get_json()['id']}/pdf",
                     headers=bearer(world["api_key"])).data
    printed = pdf_text(pdf, tmp_path)
    for clause in body["clauses"]:
        for paragraph in clause["paragraphs"]:
            assert "".join(paragraph.split()) in printed, paragraph
