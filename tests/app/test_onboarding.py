"""Employer self-registration, the platform admin's review, suspension and reinstatement."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.domain.ids import uscc_with_check
from app.extensions import db
from app.models import AuditEvent, Organization, User
from tests.app.accounts_helpers import STRONG, login_from, post_form
from tests.conftest import bearer

USCC = uscc_with_check("91430121MA4N3K5P8")
PHONE = "13700137000"
FORM = {"org_name": "湖南新申请劳务有限公司", "uscc": USCC, "address": "长沙县星沙街道2号",
        "legal_rep": "孙法人", "region_code": "430121", "admin_name": "周管理",
        "admin_phone": PHONE, "username": "zhou", "password": STRONG, "password_confirm": STRONG}


def _register(client, **changes):
    return post_form(client, "/register", data={**FORM, **changes})


def _decide(client, org_id: int, action: str, reason: str = ""):
    return post_form(client, "/admin/organizations", f"/admin/organizations/{org_id}/{action}",
                     {"reason": reason, "back": "pending"})


@pytest.fixture
def applied(ctx, world):
    resp = _register(ctx.test_client())
    assert resp.status_code == 201, resp.get_data(as_text=True)
    return db.session.scalar(select(Organization).where(Organization.uscc == USCC))


@pytest.fixture
def platform(ctx, world):
    client = ctx.test_client()
    assert login_from(client, "platform").status_code == 302
    return client


def test_registration_creates_a_pending_employer_whose_admin_cannot_log_in_yet(ctx, applied):
    assert applied.status == "pending" and applied.region_code == "430121"
    admin = db.session.scalar(select(User).where(User.username == "zhou"))
    assert admin.role == "employer_admin" and admin.organization_id == applied.id
    assert PHONE not in admin.phone_enc and admin.phone_masked == "137****7000"
    resp = login_from(ctx.test_client(), "zhou", STRONG)
    assert resp.status_code == 403 and "正在审核中" in resp.get_data(as_text=True)


def test_registration_names_each_bad_field_and_keeps_what_was_typed(ctx, world):
    resp = _register(ctx.test_client(), uscc=USCC[:-1] + ("0" if USCC[-1] != "0" else "1"),
                     region_code="43012", admin_phone="12345", username="admin",
                     password="zhou1234567", password_confirm="other")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422
    for problem in ("统一社会信用代码校验位不正确", "行政区划代码应为6位数字", "手机号码应为11位",
                    "该用户名已被使用", "两次输入的密码不一致"):
        assert problem in html, problem
    assert 'value="湖南新申请劳务有限公司"' in html and 'value="43012"' in html
    assert "zhou1234567" not in html
    assert db.session.scalar(select(Organization).where(Organization.uscc == USCC)) is None


def test_registration_refuses_a_weak_password_and_a_registered_uscc(ctx, world):
    weak = _register(ctx.test_client(), password="password12", password_confirm="password12")
    assert weak.status_code == 422 and "容易猜到" in weak.get_data(as_text=True)
    taken = _register(ctx.test_client(), uscc=world["org"].uscc)
    assert taken.status_code == 409 and "已注册" in taken.get_data(as_text=True)


def test_admin_rejects_with_a_reason_then_approves_and_the_applicant_is_told(
        ctx, applied, platform, outbox):
    queue = platform.get("/admin/organizations").get_data(as_text=True)
    assert "湖南新申请劳务有限公司" in queue and world_name_absent(queue)
    no_reason = _decide(platform, applied.id, "reject")
    assert no_reason.status_code == 422 and "请填写原因" in no_reason.get_data(as_text=True)
    assert _decide(platform, applied.id, "reject", "营业执照信息与登记不符").status_code == 302
    assert "营业执照信息与登记不符" in outbox.messages(PHONE)[-1]["text"]
    refused = login_from(ctx.test_client(), "zhou", STRONG)
    assert refused.status_code == 403 and "营业执照信息与登记不符" in refused.get_data(as_text=True)
    assert _decide(platform, applied.id, "approve").status_code == 302
    assert "已通过审核" in outbox.messages(PHONE)[-1]["text"]
    assert login_from(ctx.test_client(), "zhou", STRONG).status_code == 302
    actions = db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.contract_id.is_(None))).all()
    assert {"organization.registered", "organization.reject", "organization.approve"} <= set(actions)


def world_name_absent(html: str) -> bool:
    """The review queue (pending) does not list the already approved employers."""
    return "湖南星城建设工程有限公司" not in html


def test_the_list_filters_by_status(ctx, applied, platform):
    approved = platform.get("/admin/organizations?status=approved").get_data(as_text=True)
    assert "湖南星城建设工程有限公司" in approved and "湖南新申请劳务有限公司" not in approved
    everything = platform.get("/admin/organizations?status=all").get_data(as_text=True)
    assert "湖南星城建设工程有限公司" in everything and "湖南新申请劳务有限公司" in everything


def test_approving_twice_is_a_conflict(ctx, applied, platform):
    assert _decide(platform, applied.id, "approve").status_code == 302
    assert _decide(platform, applied.id, "approve").status_code == 409


@pytest.mark.parametrize(("username", "status"), [(None, 302), ("hr", 403), ("admin", 403),
                                                  ("auditor", 403), ("platform", 200)])
def test_only_platform_admins_review_employers(ctx, applied, username, status):
    client = ctx.test_client()
    if username:
        assert login_from(client, username).status_code == 302
    assert client.get("/admin/organizations").status_code == status
    assert client.get("/admin/auditors").status_code == status


def test_suspension_stops_logins_sessions_and_api_keys_until_reinstated(ctx, world, platform):
    org, hr = world["org"], ctx.test_client()
    login_from(hr, "hr")
    api = ctx.test_client()
    assert api.get("/api/v1/contracts/999999", headers=bearer(world["api_key"])).status_code == 404
    assert _decide(platform, org.id, "suspend", "拖欠工资，限期整改").status_code == 302
    assert hr.get("/employer/contracts").status_code == 302
    refused = login_from(ctx.test_client(), "hr")
    assert refused.status_code == 403 and "拖欠工资，限期整改" in refused.get_data(as_text=True)
    assert api.get("/api/v1/contracts/999999", headers=bearer(world["api_key"])).status_code == 401
    assert login_from(ctx.test_client(), "hr2").status_code == 302  # other employers go on
    assert _decide(platform, org.id, "reinstate", "已整改").status_code == 302
    assert login_from(ctx.test_client(), "hr").status_code == 302
    assert api.get("/api/v1/contracts/999999", headers=bearer(world["api_key"])).status_code == 404
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "organization.suspend"))
    assert event.actor.startswith("user:") and event.details["reason"] == "拖欠工资，限期整改"


def test_registration_is_throttled_per_address(ctx, world, monkeypatch):
    monkeypatch.setitem(ctx.config, "REGISTER_RATE_LIMIT", "2/hour")
    client = ctx.test_client()
    assert _register(client, username="x1", uscc="bad").status_code == 422
    assert _register(client, username="x2", uscc="bad").status_code == 422
    assert _register(client).status_code == 429


def test_registration_page_in_english(ctx):
    html = ctx.test_client().get("/register?lang=en").get_data(as_text=True)
    assert "Employer registration" in html and "Unified social credit code" in html


def test_an_expired_registration_form_comes_back_with_what_was_typed(ctx, world):
    client = ctx.test_client()
    resp = client.post("/register", data={**FORM, "csrf_token": "stale"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400 and "页面已过期" in html
    assert 'value="湖南新申请劳务有限公司"' in html and STRONG not in html
    assert db.session.scalar(select(Organization).where(Organization.uscc == USCC)) is None
