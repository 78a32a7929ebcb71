"""Auditors: search, jurisdiction scope, errors."""

from __future__ import annotations

from tests.app.flows import search, sent_contract, worker_session, worker_sign
from tests.conftest import login


def test_id_numbers_in_the_url_are_ignored(client, world):
    login(client, "auditor")
    html = client.get("/audit/", query_string={"id_number": "360426199101010071"}).get_data(
        as_text=True)
    assert "找到" not in html and "360426199101010071" not in html


def test_search_needs_a_criterion_and_a_valid_id(client, world):
    login(client, "auditor")
    resp = search(client, worker_name="")
    assert resp.status_code == 422 and "请至少填写一个查询条件" in resp.get_data(as_text=True)
    resp = search(client, id_number="123")
    assert resp.status_code == 422 and "18位" in resp.get_data(as_text=True)
    assert 'value="123"' in resp.get_data(as_text=True)


def test_auditors_see_only_their_jurisdiction(client, world, outbox):
    contract_id, token = sent_contract(client, world, outbox)
    worker_sign(client, token, worker_session(client, outbox, token))
    outsider = client.application.test_client()
    login(outsider, "auditor2")
    html = search(outsider, worker_name="张三").get_data(as_text=True)
    assert "找到 0 份合同" in html
    assert outsider.get(f"/audit/contracts/{contract_id}").status_code == 404
    assert outsider.get(f"/audit/contracts/{contract_id}/pdf").status_code == 404
    insider = client.application.test_client()
    login(insider, "auditor")
    page = insider.get(f"/audit/contracts/{contract_id}").get_data(as_text=True)
    assert "360426199101010071" not in page and "3604**********0071" in page


def test_seed_demo_prints_logins_and_a_working_link(ctx, outbox):
    result = ctx.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert "user: hr" in result.output and "lsk_" in result.output
    token = result.output.split("/s/")[1].split()[0]
    client = ctx.test_client()
    assert client.get(f"/s/{token}").status_code == 200
    assert outbox.last_link_token("13800138000") == token
    again = ctx.test_cli_runner().invoke(args=["seed-demo"])
    assert again.exit_code == 0
