"""Employer pages: forms keep what was typed, CSRF, access control, masking."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Contract, Worker
from tests.conftest import contract_payload, csrf_token, login


def _post_form(client, **overrides):
    page = client.get("/employer/contracts/new").get_data(as_text=True)
    return client.post("/employer/contracts/new",
                       data={**contract_payload(**overrides), "csrf_token": csrf_token(page)})


def test_bad_input_names_the_field_keeps_the_input_and_writes_nothing(client, world):
    login(client, "hr")
    resp = _post_form(client, worker_id_number="360426199101010072", post="架子工",
                      probation_months="5")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert "身份证号码校验位不正确" in html and "试用期最长2个月" in html
    assert 'value="360426199101010072"' in html and 'value="架子工"' in html
    assert db.session.scalar(select(func.count(Contract.id))) == 0
    assert db.session.scalar(select(func.count(Worker.id))) == 0


def test_a_form_without_csrf_token_is_refused(client, world):
    login(client, "hr")
    resp = client.post("/employer/contracts/new", data=contract_payload(post="架子工"))
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400 and "页面已过期" in html and 'value="架子工"' in html
    assert db.session.scalar(select(func.count(Contract.id))) == 0


def test_wrong_password_is_a_clear_message(client, world):
    resp = login(client, "hr", "wrong-password")
    assert resp.status_code == 422 and "用户名或密码不正确" in resp.get_data(as_text=True)


def test_name_and_phone_belong_to_each_contract(client, world):
    login(client, "hr")
    first = int(_post_form(client).headers["Location"].rsplit("/", 1)[1])
    second = int(_post_form(client, worker_name="张叁", worker_phone="13900139000")
                 .headers["Location"].rsplit("/", 1)[1])
    one, two = db.session.get(Contract, first), db.session.get(Contract, second)
    assert (one.worker_name, one.worker_phone_masked) == ("张三", "138****8000")
    assert (two.worker_name, two.worker_phone_masked) == ("张叁", "139****9000")
    assert one.worker_id == two.worker_id  # one person, known by the ID number
    assert db.session.scalar(select(func.count(Worker.id))) == 1


def test_sending_twice_is_a_conflict(client, world, outbox):
    login(client, "hr")
    location = _post_form(client).headers["Location"]
    detail = client.get(location).get_data(as_text=True)
    url = location + "/send"
    assert client.post(url, data={"csrf_token": csrf_token(detail)}).status_code == 302
    again = client.post(url, data={"csrf_token": csrf_token(detail)})
    assert again.status_code == 409 and "不能再次发送" in again.get_data(as_text=True)
    assert len(outbox.messages()) == 1


@pytest.mark.parametrize("user, path, status", [
    (None, "/employer/contracts", 302),
    (None, "/audit/", 302),
    ("auditor", "/employer/contracts", 403),
    ("auditor", "/employer/contracts/new", 403),
    ("hr", "/audit/", 403),
    ("hr", "/employer/contracts", 200),
    ("auditor", "/audit/", 200),
])
def test_access_by_role(client, world, user, path, status):
    if user:
        login(client, user)
    assert client.get(path).status_code == status


def test_other_employers_contracts_are_invisible(client, world):
    login(client, "hr")
    contract_id = int(_post_form(client).headers["Location"].rsplit("/", 1)[1])
    other = client.application.test_client()
    login(other, "hr2")
    assert other.get(f"/employer/contracts/{contract_id}").status_code == 404
    assert other.get(f"/employer/contracts/{contract_id}/pdf").status_code == 404
    assert "张三" not in other.get("/employer/contracts").get_data(as_text=True)


def test_lists_mask_personal_data(client, world):
    login(client, "hr")
    _post_form(client)
    html = client.get("/employer/contracts").get_data(as_text=True)
    assert "3604**********0071" in html and "360426199101010071" not in html
    worker = db.session.scalar(select(Worker))
    assert "360426199101010071" not in worker.id_number_enc
    contract = db.session.scalar(select(Contract))
    assert "13800138000" not in contract.worker_phone_enc
    assert "13800138000" not in str(contract.terms)


def test_password_guessing_is_throttled(client, world, ctx):
    ctx.config["LOGIN_RATE_LIMIT"] = "3/15minute"
    try:
        for _ in range(3):
            assert login(client, "hr", "wrong-password").status_code == 422
        resp = login(client, "hr")
        assert resp.status_code == 429 and "登录尝试次数过多" in resp.get_data(as_text=True)
        assert resp.headers["Retry-After"]
    finally:
        ctx.config["LOGIN_RATE_LIMIT"] = "10/15minute"
