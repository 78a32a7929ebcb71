"""An employer admin's users and API keys; the platform admin's auditors; tenant walls."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from app.extensions import db
from app.models import AccountToken, ApiKey, User
from app.models.base import utcnow
from tests.app.accounts_helpers import STRONG, last_link, logged_in, login_from, post_form
from tests.conftest import bearer

NEW_PHONE = "13600136000"
INVITE = {"display_name": "钱人事", "phone": NEW_PHONE, "username": "qian", "role": "employer_hr"}


def _user(username: str) -> User:
    return db.session.scalar(select(User).where(User.username == username))


def _as(ctx, username: str):
    client = ctx.test_client()
    assert login_from(client, username).status_code == 302
    return client


def _post(client, url: str, data: dict | None = None, page: str = "/account/password"):
    return post_form(client, page, url, data or {})


def test_an_invited_user_sets_a_password_through_a_one_time_link(ctx, world, outbox):
    admin = _as(ctx, "admin")
    assert _post(admin, "/account/users", INVITE).status_code == 302
    text = outbox.messages(NEW_PHONE)[-1]["text"]
    assert "湖南星城建设工程有限公司" in text and "qian" in text and "72小时" in text
    kind, token = last_link(outbox, NEW_PHONE)
    assert kind == "set" and db.session.scalar(select(AccountToken.token_hash)) != token
    user = _user("qian")
    assert user.organization_id == world["org"].id and user.phone_masked == "136****6000"
    client = ctx.test_client()
    assert client.get(f"/password/set/{token}").status_code == 200
    weak = _post(client, f"/password/set/{token}", {"password": "qian-12345678",
                                                    "password_confirm": "qian-12345678"},
                 page=f"/password/set/{token}")
    assert weak.status_code == 422 and "密码不能包含用户名" in weak.get_data(as_text=True)
    assert _post(client, f"/password/set/{token}", {"password": STRONG, "password_confirm": STRONG},
                 page=f"/password/set/{token}").status_code == 302
    assert login_from(ctx.test_client(), "qian", STRONG).status_code == 302
    assert client.get(f"/password/set/{token}").status_code == 410


def test_an_invitation_link_expires(ctx, world, outbox, monkeypatch):
    _post(_as(ctx, "admin"), "/account/users", INVITE)
    _, token = last_link(outbox, NEW_PHONE)
    link = db.session.scalar(select(AccountToken))
    assert timedelta(hours=71) < link.expires_at - link.created_at <= timedelta(hours=72)
    db.session.execute(update(AccountToken).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    assert ctx.test_client().get(f"/password/set/{token}").status_code == 410


def test_a_bad_invitation_names_each_field_and_keeps_what_was_typed(ctx, world, outbox):
    resp = _post(_as(ctx, "admin"), "/account/users",
                 {**INVITE, "phone": "1360013600", "username": "admin2", "role": "platform_admin"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422
    for problem in ("手机号码应为11位", "该用户名已被使用", "请选择单位管理员或人事专员"):
        assert problem in html, problem
    assert 'value="钱人事"' in html and 'value="1360013600"' in html
    assert _user("admin2").organization_id == world["other"].id and not outbox.messages(NEW_PHONE)


def test_roles_change_and_deactivation_ends_sessions_at_once(ctx, world):
    admin, hr = _as(ctx, "admin"), _as(ctx, "hr")
    hr_id = _user("hr").id
    assert hr.get("/account/users").status_code == 403
    assert _post(admin, f"/account/users/{hr_id}/role", {"role": "employer_admin"}).status_code == 302
    assert hr.get("/account/users").status_code == 200
    assert _post(admin, f"/account/users/{hr_id}/deactivate").status_code == 302
    assert not logged_in(hr)
    refused = login_from(ctx.test_client(), "hr")
    assert refused.status_code == 403 and "已停用" in refused.get_data(as_text=True)
    assert _post(admin, f"/account/users/{hr_id}/reactivate").status_code == 302
    assert login_from(ctx.test_client(), "hr").status_code == 302


def test_the_last_admin_cannot_deactivate_or_demote_themselves(ctx, world):
    admin = _as(ctx, "admin")
    me = _user("admin").id
    deactivate = _post(admin, f"/account/users/{me}/deactivate")
    assert deactivate.status_code == 409 and "至少需要保留一名" in deactivate.get_data(as_text=True)
    assert _post(admin, f"/account/users/{me}/role", {"role": "employer_hr"}).status_code == 409
    assert _user("admin").active and _user("admin").role == "employer_admin"


def test_a_refused_role_change_does_not_mark_the_invitation_form(ctx, world):
    admin = _as(ctx, "admin")
    refused = _post(admin, f"/account/users/{_user('hr').id}/role", {"role": "platform_admin"})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and 'role="alert"' in html
    assert 'id="err-role"' not in html  # the invite form below was not the one submitted
    assert _user("hr").role == "employer_hr"


@pytest.mark.parametrize("path", ["deactivate", "role", "reactivate"])
def test_another_employers_admin_gets_404_for_our_users(ctx, world, path):
    other = _as(ctx, "admin2")
    resp = _post(other, f"/account/users/{_user('hr').id}/{path}", {"role": "employer_admin"})
    assert resp.status_code == 404
    assert _user("hr").active and _user("hr").role == "employer_hr"
    assert "王人事" not in other.get("/account/users").get_data(as_text=True)


@pytest.mark.parametrize("username", ["hr", "auditor", "platform"])
def test_non_admins_cannot_manage_users_or_keys(ctx, world, username):
    client = _as(ctx, username)
    key_id = db.session.scalar(select(ApiKey.id).where(ApiKey.organization_id == world["org"].id))
    for url in ("/account/users", "/account/keys"):
        assert client.get(url).status_code == 403
    assert _post(client, "/account/users", INVITE).status_code == 403
    assert _post(client, "/account/keys", {"name": "x"}).status_code == 403
    assert _post(client, f"/account/keys/{key_id}/revoke").status_code == 403
    assert _user("qian") is None and db.session.get(ApiKey, key_id).revoked_at is None


def test_api_keys_are_shown_once_record_their_last_use_and_stop_when_revoked(ctx, world):
    admin = _as(ctx, "admin")
    created = _post(admin, "/account/keys", {"name": "人事系统对接"}, page="/account/keys")
    html = created.get_data(as_text=True)
    assert created.status_code == 201 and created.headers["Cache-Control"] == "no-store"
    secret = html.split('id="new-secret">', 1)[1].split("<", 1)[0]
    assert secret.startswith("lsk_") and secret not in admin.get("/account/keys").get_data(as_text=True)
    key = db.session.scalar(select(ApiKey).where(ApiKey.name == "人事系统对接"))
    assert key.last_used_at is None and secret.split("_", 2)[2] not in key.secret_hash
    api = ctx.test_client()
    assert api.get("/api/v1/contracts/999999", headers=bearer(secret)).status_code == 404
    db.session.refresh(key)
    assert key.last_used_at is not None
    assert "从未使用" in admin.get("/account/keys").get_data(as_text=True)  # the fixture's keys
    assert _post(admin, f"/account/keys/{key.id}/revoke", page="/account/keys").status_code == 302
    assert api.get("/api/v1/contracts/999999", headers=bearer(secret)).status_code == 401


def test_a_key_needs_a_name_and_other_employers_keys_are_404(ctx, world):
    admin = _as(ctx, "admin")
    nameless = _post(admin, "/account/keys", {"name": "  "}, page="/account/keys")
    assert nameless.status_code == 422 and "此项为必填项" in nameless.get_data(as_text=True)
    theirs = db.session.scalar(select(ApiKey.id).where(ApiKey.organization_id == world["other"].id))
    assert _post(admin, f"/account/keys/{theirs}/revoke", page="/account/keys").status_code == 404
    assert db.session.get(ApiKey, theirs).revoked_at is None
    assert ctx.test_client().get("/api/v1/contracts/1",
                                 headers=bearer(world["api_key_other"])).status_code != 401


# -- auditors -------------------------------------------------------------------------------
AUDITOR = {"display_name": "孙监察", "phone": "13500135000", "username": "sun",
           "jurisdiction": "", "employers": ""}


def test_platform_admin_creates_an_auditor_scoped_to_named_employers(ctx, world, outbox):
    platform = _as(ctx, "platform")
    page = "/admin/auditors"
    unscoped = _post(platform, page, AUDITOR, page=page)
    assert unscoped.status_code == 422 and "至少一项" in unscoped.get_data(as_text=True)
    assert 'value="孙监察"' in unscoped.get_data(as_text=True)
    bad = _post(platform, page, {**AUDITOR, "jurisdiction": "4", "employers": "91110000600037341X"},
                page=page)
    assert bad.status_code == 422 and "2至6位数字" in bad.get_data(as_text=True)
    assert "未注册的统一社会信用代码" in bad.get_data(as_text=True)
    ok = _post(platform, page, {**AUDITOR, "employers": world["other"].uscc}, page=page)
    assert ok.status_code == 302
    sun = _user("sun")
    assert sun.role == "auditor" and sun.jurisdiction is None
    assert sun.scope_employer_ids == frozenset({world["other"].id})
    assert last_link(outbox, "13500135000")[0] == "set"


def test_platform_admin_edits_the_scope_and_deactivates_an_auditor(ctx, world):
    platform, auditor = _as(ctx, "platform"), _as(ctx, "auditor")
    auditor_id = _user("auditor").id
    page = f"/admin/auditors/{auditor_id}"
    assert 'value="430121"' in platform.get(page).get_data(as_text=True)
    changed = _post(platform, page, {"jurisdiction": "4301", "employers": world["other"].uscc},
                    page=page)
    assert changed.status_code == 302
    db.session.expire_all()
    user = _user("auditor")
    assert user.jurisdiction == "4301" and user.scope_employer_ids == {world["other"].id}
    emptied = _post(platform, page, {"jurisdiction": "", "employers": ""}, page=page)
    assert emptied.status_code == 422 and _user("auditor").jurisdiction == "4301"
    assert _post(platform, f"{page}/deactivate", page=page).status_code == 302
    assert not logged_in(auditor)
    assert platform.get("/admin/auditors/999999").status_code == 404
    assert platform.get(f"/admin/auditors/{_user('hr').id}").status_code == 404


def test_scope_employer_ids_is_empty_for_everyone_but_auditors(ctx, world):
    assert _user("hr").scope_employer_ids == frozenset()
    assert _user("auditor").scope_employer_ids == frozenset()
