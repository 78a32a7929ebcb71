"""The worker's own space (/me): signing in by name, ID number and a texted code (the same
answer for anyone, nothing in URLs or logs, limits), short sessions apart from the employers'
logins, the pay, English, the table."""

from __future__ import annotations

import logging
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.domain.ids import id_with_check, mask_phone
from app.extensions import db
from app.models import Contract, PortalLogin
from tests.app.flows import api_create, api_send
from tests.app.portal_helpers import (
    enter_code,
    pay,
    portal_sign_in,
    signed_with,
    start_sign_in,
)
from tests.conftest import WORKER, login

OTHER = {"worker_name": "李四", "worker_id_number": "11010519491231002X",
         "worker_phone": "13900139000"}
_pay = pay  # (the name other test modules import)


@pytest.mark.parametrize("case", ["unknown_id", "wrong_phone", "wrong_name", "unsigned_only"])
def test_the_answer_never_tells_whether_the_person_exists(client, world, outbox, case):
    signed_with(client, outbox, world["api_key"])
    waiting = {"worker_name": "王五", "worker_id_number": id_with_check("43012119850101001"),
               "worker_phone": "13700137000"}
    api_send(client, world["api_key"], api_create(client, world["api_key"], **waiting)["id"])
    texted = len(outbox.messages())
    name, number, phone = {
        "unknown_id": (WORKER["name"], id_with_check("11010519491231003"), WORKER["phone"]),
        "wrong_phone": (WORKER["name"], WORKER["id_number"], "13800138001"),
        "wrong_name": ("张三丰", WORKER["id_number"], WORKER["phone"]),
        "unsigned_only": (waiting["worker_name"], waiting["worker_id_number"],
                          waiting["worker_phone"]),
    }[case]
    right = client.application.test_client()
    answers = []
    for c, who in ((client, (name, number, phone)), (right, (WORKER["name"], WORKER["id_number"],
                                                            WORKER["phone"]))):
        resp = start_sign_in(c, *who)
        page = c.get(resp.headers["Location"])
        answers.append((resp.status_code, resp.headers["Location"], page.status_code,
                        re.sub(r'value="[^"]+"', "", page.get_data(as_text=True))
                        .replace(mask_phone(who[2]), "____")))
    assert answers[0] == answers[1]
    # the code goes only to the person who matched
    assert len(outbox.messages()) == texted + 1 and outbox.messages()[-1]["to"] == WORKER["phone"]
    # and the code step answers alike: wrong, then locked after as many tries
    for c in (client, right):
        statuses = [enter_code(c, "000000").status_code for _ in range(5)]
        assert statuses == [422, 422, 422, 422, 429]
        assert enter_code(c, outbox.last_code(WORKER["phone"])).status_code == 429


def test_no_id_number_or_phone_in_urls_or_logs(client, world, outbox, caplog):
    signed_with(client, outbox, world["api_key"])
    caplog.set_level(logging.DEBUG)
    seen = []
    resp = start_sign_in(client, WORKER["name"], WORKER["id_number"], WORKER["phone"])
    seen.append(resp.headers["Location"])
    resp = enter_code(client, outbox.last_code(WORKER["phone"]))
    seen.append(resp.headers["Location"])
    html = client.get("/me/").get_data(as_text=True)
    for secret in (WORKER["id_number"], WORKER["phone"]):
        assert not [u for u in seen if secret in u]
        assert secret not in caplog.text
        assert secret not in html
    assert "138****8000" not in html  # the list shows no phone at all


def test_bad_sign_in_input_names_the_field_and_keeps_what_was_typed(client, world, outbox):
    resp = start_sign_in(client, "  ", "36042619910101007", "1380013800")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert "请填写姓名" in html and "身份证号码应为18位" in html and "手机号码应为11位" in html
    assert 'value="36042619910101007"' in html and 'value="1380013800"' in html
    assert db.session.scalar(select(PortalLogin.id)) is None and outbox.messages() == []
    resp = client.post("/me/login", data={"name": "张三"})  # no CSRF token
    assert resp.status_code == 400


@pytest.mark.parametrize(("field", "minutes", "allowed"), [
    ("last_seen_at", 14, True), ("last_seen_at", 16, False),
    ("verified_at", 59, True), ("verified_at", 61, False)])
def test_sessions_end_after_15_idle_minutes_or_60_in_all(client, world, outbox, field, minutes,
                                                         allowed):
    signed_with(client, outbox, world["api_key"])
    portal_sign_in(client, outbox)
    login_row = db.session.scalar(select(PortalLogin).where(PortalLogin.verified_at.is_not(None)))
    setattr(login_row, field, getattr(login_row, field) - timedelta(minutes=minutes))
    if field == "verified_at":  # in use all along
        login_row.last_seen_at = login_row.verified_at + timedelta(minutes=minutes - 1)
    db.session.commit()
    resp = client.get("/me/")
    assert (resp.status_code == 200) is allowed
    if not allowed:
        assert resp.headers["Location"].endswith("/me/login")


def test_sign_out_ends_the_session_for_a_copied_cookie_too(client, world, outbox):
    signed_with(client, outbox, world["api_key"])
    portal_sign_in(client, outbox)
    cookie = client.get_cookie("portal_session", path="/me")
    assert cookie.http_only and cookie.path == "/me"
    copy = client.application.test_client()
    copy.set_cookie("portal_session", cookie.value, path="/me")
    assert copy.get("/me/").status_code == 200
    from tests.conftest import csrf_token

    token = csrf_token(client.get("/me/").get_data(as_text=True))
    assert client.post("/me/logout", data={"csrf_token": token}).status_code == 302
    assert copy.get("/me/").status_code == 302


def test_employer_logins_and_portal_sessions_do_not_mix(client, world, outbox):
    cid = signed_with(client, outbox, world["api_key"])
    hr = client.application.test_client()
    login(hr, "hr")
    assert hr.get("/employer/contracts").status_code == 200
    for path in ("/me/", f"/me/contracts/{cid}", f"/me/contracts/{cid}/pdf", "/me/pay",
                 "/me/history"):
        resp = hr.get(path)
        assert resp.status_code == 302 and resp.headers["Location"].endswith("/me/login"), path
    portal_sign_in(client, outbox)
    for path in ("/employer/contracts", f"/employer/contracts/{cid}", "/audit/"):
        resp = client.get(path)
        assert resp.status_code == 302 and "/login" in resp.headers["Location"], path
        assert "/me/" not in resp.headers["Location"]


def test_pay_per_project_and_month_is_the_workers_own(client, world, outbox):
    from tests.app.test_access_matrix import _project

    signed_with(client, outbox, world["api_key"])
    project_id, _ = _project(world["org"], "hr")
    pay(project_id, WORKER["id_number"], "2026-12", "6000.00", "5800.00", "2027-01-15")
    pay(project_id, WORKER["id_number"], "2027-01", "6100.00", "6100.00")
    pay(project_id, OTHER["worker_id_number"], "2026-12", "9999.00", "9876.00", "2027-01-15")
    # a bank's failed pay-out (pushed by the bank feed) was not paid: it is not shown as pay
    pay(project_id, WORKER["id_number"], "2026-12", "4321.00", "4321.00", "2027-01-16",
        status="failed")
    db.session.commit()
    portal_sign_in(client, outbox)
    html = client.get("/me/pay").get_data(as_text=True)
    assert "4321.00" not in html and "2027-01-16" not in html
    assert "矩阵项目" in html and world["org"].name in html
    assert "5800.00 元" in html and "6000.00 元" in html and "2027-01-15" in html
    assert "尚未发放" in html  # 2027-01 has no payment date yet
    assert html.index("2027-01") < html.index("2026-12")  # newest first
    assert "9876.00" not in html and "9999.00" not in html


def test_codes_per_person_are_limited_silently(client, world, outbox, monkeypatch):
    signed_with(client, outbox, world["api_key"])
    client.application.config["PORTAL_SMS_LIMIT"] = "2/hour"
    try:
        before = len(outbox.messages(WORKER["phone"]))
        answers = {start_sign_in(client, WORKER["name"], WORKER["id_number"],
                                 WORKER["phone"]).status_code for _ in range(3)}
        assert answers == {302}
        assert len(outbox.messages(WORKER["phone"])) == before + 2
    finally:
        client.application.config["PORTAL_SMS_LIMIT"] = "5/hour"


def test_sign_in_forms_per_address_are_limited(client, world, outbox):
    client.application.config["PORTAL_LOGIN_RATE_LIMIT"] = "2/hour"
    try:
        for _ in range(2):
            start_sign_in(client, "某人", id_with_check("11010519491231003"), "13800000000")
        resp = start_sign_in(client, "某人", id_with_check("11010519491231003"), "13800000000")
        assert resp.status_code == 429 and resp.headers["Retry-After"]
        assert "登录尝试过于频繁" in resp.get_data(as_text=True)
        assert 'value="13800000000"' in resp.get_data(as_text=True)
    finally:
        client.application.config["PORTAL_LOGIN_RATE_LIMIT"] = "60/15minute"


def test_the_portal_reads_in_english_too(client, world, outbox):
    from tests.app.test_access_matrix import _project
    from tests.app.test_i18n import CJK, _visible_text

    cid = signed_with(client, outbox, world["api_key"])
    project_id, _ = _project(world["org"], "hr")
    pay(project_id, WORKER["id_number"], "2026-12", "6000.00", "5800.00")
    db.session.commit()
    login_page = client.get("/me/login?lang=en").get_data(as_text=True)
    assert "My labor contracts" in login_page and not CJK.search(
        _visible_text(login_page).replace("中文", ""))
    wrong = start_sign_in(client, "", WORKER["id_number"], "123").get_data(as_text=True)
    assert "Please enter the name" in wrong or "name" in wrong.lower()
    assert not CJK.search(_visible_text(wrong).replace("中文", ""))
    portal_sign_in(client, outbox)
    c = db.session.get(Contract, cid)
    data = [world["org"].name, c.terms["post"], c.terms["work_location"], "矩阵项目1",
            "工商银行", "中文", WORKER["name"]]
    for path in ("/me/", f"/me/contracts/{cid}", "/me/pay", "/me/history"):
        html = client.get(path).get_data(as_text=True)
        text = _visible_text(html)
        for value in data:
            text = text.replace(value, "")
        assert not CJK.search(text), (path, CJK.findall(text))
    assert "Filed, in force" in client.get("/me/").get_data(as_text=True)


def test_the_portal_logins_table_comes_and_goes(blank_app):
    import sqlalchemy as sa
    from flask_migrate import downgrade, upgrade

    with blank_app.app_context():
        upgrade(revision="b6e2f4a8c0d3")
        with db.engine.connect() as conn:
            assert "portal_logins" in sa.inspect(conn).get_table_names()
            unique = {tuple(u["column_names"]) for u in sa.inspect(conn).get_unique_constraints(
                "portal_logins")}
            assert {("pending_hash",), ("session_hash",)} <= unique
        downgrade(revision="a7c9e1b3d5f6")
        with db.engine.connect() as conn:
            assert "portal_logins" not in sa.inspect(conn).get_table_names()
        upgrade()
