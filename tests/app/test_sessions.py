"""Server-side sessions, logout, password change and reset, login throttling and timing."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from app.extensions import db
from app.models import AccountToken, User, UserSession
from app.models.base import utcnow
from app.services.accounts import passwords
from tests.app.accounts_helpers import STRONG, last_link, logged_in, login_from, post_form

ADMIN_PHONE = "13900139000"


def _copy_cookies(source, target) -> None:
    for cookie in source._cookies.values():
        target.set_cookie(cookie.key, cookie.value, domain=cookie.domain, path=cookie.path)


def test_a_cookie_copied_before_logout_gets_the_login_page_after_logout(ctx, world):
    browser, thief = ctx.test_client(), ctx.test_client()
    assert login_from(browser, "hr").status_code == 302
    _copy_cookies(browser, thief)
    assert thief.get("/employer/contracts").status_code == 200
    post_form(browser, "/employer/contracts", "/logout")
    resp = thief.get("/employer/contracts")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]
    assert browser.get("/employer/contracts").status_code == 302
    row = db.session.scalar(select(UserSession))
    assert row.revoked_at is not None and len(row.token_hash) == 64


def test_the_session_table_keeps_only_a_hash_of_the_cookie_token(ctx, world):
    client = ctx.test_client()
    login_from(client, "hr")
    with client.session_transaction() as session:
        token = session["sid"]
    row = db.session.scalar(select(UserSession))
    assert token not in row.token_hash and row.user_agent and row.ip_hash != "127.0.0.1"


def test_an_idle_session_ends(ctx, world):
    client = ctx.test_client()
    login_from(client, "hr")
    db.session.execute(update(UserSession).values(last_seen_at=utcnow() - timedelta(hours=9)))
    db.session.commit()
    assert client.get("/employer/contracts").status_code == 302


def test_password_change_needs_the_current_password_and_ends_other_sessions(ctx, world):
    here, elsewhere = ctx.test_client(), ctx.test_client()
    login_from(here, "admin")
    login_from(elsewhere, "admin")
    wrong = post_form(here, "/account/password", data={
        "current_password": "nope-nope-nope", "password": STRONG, "password_confirm": STRONG})
    assert wrong.status_code == 422 and "当前密码不正确" in wrong.get_data(as_text=True)
    weak = post_form(here, "/account/password", data={
        "current_password": "pw-123456", "password": "1234567890", "password_confirm": "1234567890"})
    assert weak.status_code == 422 and "密码不能全部是数字" in weak.get_data(as_text=True)
    ok = post_form(here, "/account/password", data={
        "current_password": "pw-123456", "password": STRONG, "password_confirm": STRONG})
    assert ok.status_code == 302
    assert logged_in(here) and not logged_in(elsewhere)
    assert login_from(ctx.test_client(), "admin").status_code == 422
    assert login_from(ctx.test_client(), "admin", STRONG).status_code == 302


def test_forgot_password_answers_the_same_whether_or_not_the_user_exists(ctx, world, outbox):
    client = ctx.test_client()
    known = post_form(client, "/password/forgot", data={"username": "admin"})
    unknown = post_form(client, "/password/forgot", data={"username": "nobody-here"})
    assert known.status_code == unknown.status_code == 200
    # the same page byte for byte, but for the form's CSRF token (it carries a timestamp, so
    # two answers a second apart differ there whoever asked)
    assert _without_csrf(known.get_data()) == _without_csrf(unknown.get_data())
    assert len(outbox.messages()) == 1 and outbox.messages(ADMIN_PHONE)


def _without_csrf(page: bytes) -> bytes:
    return re.sub(rb'(name="csrf_token"[^>]*value=")[^"]*"', rb'\1"', page)


def test_reset_link_sets_a_new_password_once_and_ends_every_session(ctx, world, outbox, caplog):
    old = ctx.test_client()
    login_from(old, "admin")
    client = ctx.test_client()
    post_form(client, "/password/forgot", data={"username": "admin"})
    kind, token = last_link(outbox, ADMIN_PHONE)
    assert kind == "reset" and "?" not in outbox.messages(ADMIN_PHONE)[-1]["text"]
    assert db.session.scalar(select(AccountToken.token_hash)) != token
    page = client.get(f"/password/reset/{token}")
    assert page.status_code == 200 and 'content="no-referrer"' in page.get_data(as_text=True)
    weak = post_form(client, f"/password/reset/{token}", data={
        "password": "admin-password", "password_confirm": "admin-password"})
    assert weak.status_code == 422 and "密码不能包含用户名" in weak.get_data(as_text=True)
    done = post_form(client, f"/password/reset/{token}", data={
        "password": STRONG, "password_confirm": STRONG})
    assert done.status_code == 302 and "/login" in done.headers["Location"]
    assert not logged_in(old)
    assert login_from(ctx.test_client(), "admin", STRONG).status_code == 302
    assert client.get(f"/password/reset/{token}").status_code == 410
    assert all(token not in r.getMessage() for r in caplog.records)


def test_an_expired_reset_link_is_refused(ctx, world, outbox):
    client = ctx.test_client()
    post_form(client, "/password/forgot", data={"username": "admin"})
    _, token = last_link(outbox, ADMIN_PHONE)
    db.session.execute(update(AccountToken).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    resp = client.get(f"/password/reset/{token}")
    assert resp.status_code == 410 and "已过期" in resp.get_data(as_text=True)


def test_a_stranger_failing_at_another_address_does_not_lock_out_the_user(ctx, world):
    stranger = ctx.test_client()
    statuses = [login_from(stranger, "hr", f"guess-{i}", address="10.9.9.9").status_code
                for i in range(20)]
    assert statuses[:10] == [422] * 10 and set(statuses[10:]) == {429}
    assert login_from(ctx.test_client(), "hr", address="10.0.0.1").status_code == 302


def test_one_address_trying_many_usernames_is_throttled(ctx, world, monkeypatch):
    monkeypatch.setitem(ctx.config, "LOGIN_ADDRESS_RATE_LIMIT", "5/15minute")
    client = ctx.test_client()
    for name in ("a1", "a2", "a3", "a4", "a5"):
        assert login_from(client, name, "whatever-1", address="10.7.7.7").status_code == 422
    refused = login_from(client, "hr", address="10.7.7.7")
    assert refused.status_code == 429 and refused.headers["Retry-After"]
    assert "每个网络地址" in refused.get_data(as_text=True)
    assert login_from(ctx.test_client(), "hr", address="10.0.0.2").status_code == 302


def test_unknown_usernames_cost_a_password_check_too(ctx, world, monkeypatch):
    calls = []
    real = passwords.check_password_hash
    monkeypatch.setattr(passwords, "check_password_hash",
                        lambda h, p: calls.append(h) or real(h, p))
    assert login_from(ctx.test_client(), "no-such-user", "whatever-1").status_code == 422
    assert len(calls) == 1 and calls[0].split("$")[0] == db.session.scalar(
        select(User.password_hash).where(User.username == "hr")).split("$")[0]


@pytest.mark.parametrize(("password", "problem"), [
    ("short-1", passwords.TOO_SHORT), ("12345678901", passwords.ALL_DIGITS),
    ("my-hr-admin-pass", passwords.HAS_USERNAME), ("password123", passwords.GUESSABLE),
    ("qwertyuiop", passwords.GUESSABLE), ("x" * 129, passwords.TOO_LONG),
    (STRONG, None)])
def test_password_policy(password, problem):
    assert passwords.policy_error(password, "hr-admin") == problem
