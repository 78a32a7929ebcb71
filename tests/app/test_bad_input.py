"""Bad input at the request level is a clear 4xx naming the problem, never a 500.

Every test runs on SQLite and on PostgreSQL (the ``app`` fixture's two backends).
"""

from __future__ import annotations

import base64
import json
import struct
import zlib

import pytest

from tests.app.flows import api_create, sent_contract, worker_session, worker_sign
from tests.conftest import bearer, contract_payload, csrf_token, login


@pytest.mark.parametrize("contract_id", [str(2**31), str(2**63), str(10**40), "9" * 5000])
def test_huge_ids_in_urls_are_404(client, world, contract_id):
    key = bearer(world["api_key"])
    assert client.get(f"/api/v1/contracts/{contract_id}", headers=key).status_code == 404
    assert client.post(f"/api/v1/contracts/{contract_id}/void", headers=key,
                       json={"reason": "x"}).status_code == 404
    login(client, "hr")
    assert client.get(f"/employer/contracts/{contract_id}").status_code == 404
    login(client, "auditor")
    assert client.get(f"/audit/contracts/{contract_id}/pdf").status_code == 404


def test_the_largest_database_id_still_reaches_the_view(client, world):
    resp = client.get(f"/api/v1/contracts/{2**31 - 1}", headers=bearer(world["api_key"]))
    assert resp.status_code == 404  # from the service (no such contract), not from routing
    assert "requested URL" not in resp.get_json()["message"]
    routed = client.get(f"/api/v1/contracts/{2**31}", headers=bearer(world["api_key"]))
    assert routed.status_code == 404 and "requested URL" in routed.get_json()["message"]


def _raw_json(client, url: str, text: str, **headers):
    return client.post(url, data=text.encode("utf-8"), content_type="application/json",
                       headers=headers)


def test_a_lone_surrogate_in_a_json_string_is_422_naming_the_field(client, world):
    body = json.dumps(contract_payload(), ensure_ascii=False).replace('"钢筋工"', '"钢筋\\ud800工"')
    resp = _raw_json(client, "/api/v1/contracts", body, **bearer(world["api_key"]))
    assert resp.status_code == 422, resp.get_json()
    assert resp.get_json()["error"] == "validation_failed"
    assert "代理" in resp.get_json()["fields"]["post"]


def test_nul_in_a_json_string_is_422_naming_the_field(client, world):
    resp = client.post("/api/v1/contracts", json=contract_payload(worker_name="张\x00三"),
                       headers=bearer(world["api_key"]))
    assert resp.status_code == 422
    assert resp.get_json()["fields"] == {"worker_name": "不能包含 NUL 字符"}


def test_nul_in_nested_json_names_the_path(client, world, outbox):
    _, token = sent_contract(client, world, outbox)
    resp = client.post(f"/api/v1/sign/{token}/otp", json={"name": "张三", "extra": [{"a": "\x00"}]},
                       headers={"Accept-Language": "en"})
    assert resp.status_code == 422
    assert resp.get_json()["fields"] == {"extra.0.a": "Must not contain NUL characters"}


@pytest.mark.parametrize("body", ["[" * 100_000 + "]" * 100_000,
                                  '{"a":' * 100_000 + "1" + "}" * 100_000,
                                  "[" * 40 + "]" * 40])
def test_deeply_nested_json_is_400(client, world, body):
    resp = _raw_json(client, "/api/v1/contracts", body, **bearer(world["api_key"]))
    assert resp.status_code == 400
    assert resp.get_json()["error"] == "json_too_deep" and "嵌套" in resp.get_json()["message"]


def test_nul_in_a_form_field_is_an_error_page_not_a_500(client, world):
    login(client, "hr")
    token = csrf_token(client.get("/employer/contracts/new").get_data(as_text=True))
    resp = client.post("/employer/contracts/new",
                       data={**contract_payload(post="钢筋\x00工"), "csrf_token": token})
    assert resp.status_code == 422 and resp.mimetype == "text/html"
    assert "不允许的字符" in resp.get_data(as_text=True)
    login(client, "auditor")
    token = csrf_token(client.get("/audit/").get_data(as_text=True))
    resp = client.post("/audit/", data={"name": "张\x00", "csrf_token": token})
    assert resp.status_code == 422 and "不允许的字符" in resp.get_data(as_text=True)


def test_nul_in_a_query_parameter_or_path(client):
    assert client.get("/login?next=%00").status_code == 422
    assert client.get("/s/abc%00def").status_code == 404


def _png_header_only(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims ``width`` x ``height`` (a decompression bomb)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64))
            + chunk(b"IEND", b""))


@pytest.mark.parametrize("size", [(30000, 30000), (5000, 4000), (4000, 5000), (10, 10)])
def test_a_signature_bomb_is_422_naming_signature(client, world, outbox, size):
    _, token = sent_contract(client, world, outbox)
    session = worker_session(client, outbox, token)
    data_url = "data:image/png;base64," + base64.b64encode(_png_header_only(*size)).decode()
    resp = worker_sign(client, token, session, signature=data_url)
    assert resp.status_code == 422, resp.get_json()
    assert "signature" in resp.get_json()["fields"]


def test_oversized_bodies_are_a_clean_413(client, world):
    big = b"x" * (9 * 1024 * 1024)
    resp = client.post("/api/v1/contracts", data=big, content_type="application/json",
                       headers=bearer(world["api_key"]))
    assert resp.status_code == 413 and resp.get_json()["error"] == "request_entity_too_large"
    assert "8 MB" in resp.get_json()["message"]
    page = client.post("/login", data={"username": "hr", "password": "x" * (9 * 1024 * 1024)})
    assert page.status_code == 413 and page.mimetype == "text/html"
    assert "请求内容过大" in page.get_data(as_text=True)


def test_good_input_still_works(client, world):
    created = api_create(client, world["api_key"], post="钢筋工（二级）")
    assert created["status"] == "draft"
