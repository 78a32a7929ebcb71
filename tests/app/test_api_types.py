"""Strict types in API v1: each bad value is a 422 naming its field, and nothing is stored."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Contract
from tests.app.flows import sent_contract, worker_session
from tests.conftest import WORKER, bearer, contract_payload

NOT_STRINGS = (["张三"], {"name": "张三"}, 123, 1.5, True, False)


def _create(client, world, raw: str | None = None, headers: dict | None = None, **overrides):
    headers = {**bearer(world["api_key"]), **(headers or {})}
    if raw is not None:
        return client.post("/api/v1/contracts", data=raw, content_type="application/json",
                           headers=headers)
    return client.post("/api/v1/contracts", json=contract_payload(**overrides), headers=headers)


def _refused(resp, field: str) -> str:
    body = resp.get_json()
    assert resp.status_code == 422, (resp.status_code, body)
    assert body["error"] == "validation_failed" and field in body["fields"], body
    return body["fields"][field]


def _contracts() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(Contract.id)))


def test_a_list_object_number_or_boolean_is_not_a_string(client, world):
    for field in ("worker_name", "worker_id_number", "worker_phone", "post", "other_terms"):
        for value in NOT_STRINGS:
            message = _refused(_create(client, world, **{field: value}), field)
            assert message.endswith("应为文本"), (field, value, message)
    assert _contracts() == 0


def test_control_characters_and_lone_surrogates_are_refused(client, world):
    bad = "劳动者姓名含有不允许的控制字符"
    for value in ("张\x1b[31m三", "张\x7f三", "张\u0085三", "张\n三", "张\t三", "张\ue000三",
                  "张\U000f0000三", "张\U0003ffff三"):
        assert _refused(_create(client, world, worker_name=value), "worker_name") == bad, value
    for value in ("一\x0b二", "\x1b[2J"):
        assert "控制字符" in _refused(_create(client, world, other_terms=value), "other_terms")
    # NUL and lone surrogates are refused by app.request_guard before the API, same shape.
    assert _refused(_create(client, world, worker_name="张\x00三"), "worker_name")
    raw = json.dumps(contract_payload(), ensure_ascii=False).replace('"张三"', '"\\ud800张"')
    assert _refused(_create(client, world, raw=raw), "worker_name")
    assert _contracts() == 0


def test_multi_line_texts_keep_line_feeds_and_tabs(client, world):
    resp = _create(client, world, other_terms="一、加班另计\r\n二、\t包食宿",
                   labor_protection="安全帽\n安全带")
    assert resp.status_code == 201, resp.get_json()
    assert resp.get_json()["terms"]["other_terms"] == "一、加班另计\r\n二、\t包食宿"


def test_lengths_are_bounded(client, world):
    message = _refused(_create(client, world, worker_name="张" * 51), "worker_name")
    assert message == "劳动者姓名不能超过50个字"
    assert _refused(_create(client, world, other_terms="条" * 2001), "other_terms")
    en = _create(client, world, post="岗" * 101, headers={"Accept-Language": "en"}).get_json()
    assert en["fields"]["post"] == "Post must not be longer than 100 characters"
    assert en["message"] == "The request has errors; see the fields marked"


def test_dates_are_strictly_yyyy_mm_dd(client, world):
    for value in ("20261201", "2026-12-1", "2026/12/01", "2026-12-01T00:00:00", "２０２６-１２-０１",
                  " 2026-12-01", "2026-W48-2", 20261201):
        assert _refused(_create(client, world, term_start=value), "term_start"), value
    message = _refused(_create(client, world, term_end="2027-02-30"), "term_end")
    assert message == "合同终止日期格式应为 YYYY-MM-DD"
    assert _contracts() == 0


@pytest.mark.parametrize("value", ["1e30", 1e30, 10**40, -1, "-1", "6000.123", 6000.125, "6,000",
                                   "6000.", ".5", True, None, [6000], "", " 6000", "6000元",
                                   1_000_000.01, "1000001", "１０００"])
def test_amounts_out_of_range_or_shape_are_refused(client, world, value):
    assert _refused(_create(client, world, monthly_wage=value), "monthly_wage")


def test_non_finite_numbers_in_raw_json_are_refused(client, world):
    for literal in ("NaN", "Infinity", "-Infinity", "1e400"):
        raw = json.dumps(contract_payload(monthly_wage=0)).replace('"monthly_wage": 0',
                                                                  f'"monthly_wage": {literal}')
        assert _refused(_create(client, world, raw=raw), "monthly_wage"), literal
    assert _contracts() == 0


@pytest.mark.parametrize("wage,stored", [(6000, "6000.00"), (6000.5, "6000.50"),
                                         ("6000.5", "6000.50"), ("1000000.00", "1000000.00")])
def test_amounts_as_strings_or_numbers(client, world, wage, stored):
    resp = _create(client, world, monthly_wage=wage, probation_wage=None)
    assert resp.status_code == 201, resp.get_json()
    assert resp.get_json()["terms"]["monthly_wage"] == stored


def test_small_integers_are_bounded_integers(client, world):
    for value in (True, 15.0, "15.5", "１５", 10**20, "-1", 0, 32, "32", "015", [15]):
        assert _refused(_create(client, world, pay_day=value), "pay_day"), value
    for value in (7, "7", -1):
        assert _refused(_create(client, world, probation_months=value), "probation_months")
    assert _contracts() == 0
    resp = _create(client, world, pay_day=15, probation_months=2)
    assert resp.status_code == 201 and resp.get_json()["terms"]["pay_day"] == 15


def test_unknown_fields_and_enums_are_named(client, world):
    assert _refused(_create(client, world, probation_month=2), "probation_month") == "不支持的字段"
    message = _refused(_create(client, world, hours_system="Standard"), "hours_system")
    assert message.startswith("工时制度只能是") and "standard" in message
    en = _create(client, world, hours_system=1, headers={"Accept-Language": "en"}).get_json()
    assert en["fields"]["hours_system"].startswith("Working-hours system must be one of")


def test_the_worker_s_bodies_are_strict_too(client, world, outbox):
    _, token = sent_contract(client, world, outbox)
    for body in ({"name": ["张三"], "id_number": WORKER["id_number"]},
                 {"name": WORKER["name"], "id_number": 360426199101010071}):
        resp = client.post(f"/api/v1/sign/{token}/otp", json=body)
        field = next(k for k, v in body.items() if not isinstance(v, str))
        assert _refused(resp, field).endswith("应为文本")
    assert _refused(client.post(f"/api/v1/sign/{token}/verify", json={"code": 123456}), "code")
    session = worker_session(client, outbox, token)
    resp = client.post(f"/api/v1/sign/{token}", json={"session": session, "signature": "x",
                                                       "consent": "true"})
    assert _refused(resp, "consent") == "同意条款应为 true 或 false"
    resp = client.post(f"/api/v1/sign/{token}/decline", json={"session": session,
                                                               "reason": {"text": "不签"}})
    assert _refused(resp, "reason") == "原因应为文本"
    resp = client.post(f"/api/v1/sign/{token}/decline", json={"session": session, "reason": "不\x07"})
    assert _refused(resp, "reason") == "原因含有不允许的控制字符"


def test_void_reason_must_be_a_string(client, world):
    created = _create(client, world).get_json()
    for reason in (["不要了"], 1, True, None):
        resp = client.post(f"/api/v1/contracts/{created['id']}/void", json={"reason": reason},
                           headers=bearer(world["api_key"]))
        assert _refused(resp, "reason")


@pytest.mark.parametrize("contract_id", [2**31, 2**63, 10**30])
def test_huge_ids_in_paths_are_404(client, world, contract_id):
    for method, suffix in (("get", ""), ("get", "/pdf"), ("post", "/send"), ("post", "/void")):
        resp = getattr(client, method)(f"/api/v1/contracts/{contract_id}{suffix}",
                                       headers=bearer(world["api_key"]), json={"reason": "x"})
        assert resp.status_code == 404 and resp.get_json()["error"] == "not_found", suffix


def test_json_nested_too_deep_is_a_documented_client_error(client, world, outbox):
    _, token = sent_contract(client, world, outbox)
    deep = '{"name": ' + "[" * 100_000 + "]" * 100_000 + "}"
    doc = client.get("/api/v1/openapi.json").get_json()["paths"]
    for url, path, headers in (
            ("/api/v1/contracts", "/api/v1/contracts", bearer(world["api_key"])),
            (f"/api/v1/sign/{token}/otp", "/api/v1/sign/{token}/otp", {})):
        resp = client.post(url, data=deep, content_type="application/json", headers=headers)
        assert resp.status_code == 400 and resp.get_json()["error"] == "json_too_deep", url
        assert "400" in doc[path]["post"]["responses"]
