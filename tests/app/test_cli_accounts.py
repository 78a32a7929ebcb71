"""``flask org|user|apikey ...`` for headless set-ups, and seed-demo's production guard."""

from __future__ import annotations

from sqlalchemy import select

from app.domain.ids import uscc_with_check
from app.extensions import db
from app.models import ApiKey, Organization, User
from tests.app.accounts_helpers import STRONG, logged_in, login_from
from tests.conftest import bearer

USCC = uscc_with_check("91430121MA4P7R2T3")


def _cli(ctx, *args: str, input: str | None = None, env: dict | None = None):
    return ctx.test_cli_runner().invoke(args=list(args), input=input, env=env)


def _org_create(ctx, uscc: str = USCC, region: str = "430121"):
    return _cli(ctx, "org", "create", "--name", "湖南命令行建设有限公司", "--uscc", uscc,
                "--address", "长沙县", "--legal-rep", "吴法人", "--region-code", region)


def test_org_create_and_list(ctx):
    result = _org_create(ctx)
    assert result.exit_code == 0, result.output
    assert "approved" in result.output
    listed = _cli(ctx, "org", "list", "--status", "approved")
    assert USCC in listed.output and "湖南命令行建设有限公司" in listed.output
    assert USCC not in _cli(ctx, "org", "list", "--status", "pending").output


def test_org_create_names_the_problem(ctx):
    bad = _org_create(ctx, uscc=USCC[:-1] + ("A" if USCC[-1] != "A" else "B"), region="43")
    assert bad.exit_code != 0 and "uscc" in bad.output and "region_code" in bad.output
    assert _org_create(ctx).exit_code == 0
    again = _org_create(ctx)
    assert again.exit_code != 0 and "已注册" in again.output


def test_org_approve_a_self_registered_employer(ctx, world):
    org = Organization(name="待审核单位", uscc=USCC, address="长沙", legal_rep="某",
                       region_code="430121")
    db.session.add(org)
    db.session.commit()
    assert org.status == "pending"
    result = _cli(ctx, "org", "approve", USCC)
    assert result.exit_code == 0, result.output
    db.session.refresh(org)
    assert org.status == "approved"
    assert _cli(ctx, "org", "approve", USCC).exit_code != 0  # already approved
    missing = _cli(ctx, "org", "approve", "999999")
    assert missing.exit_code != 0 and "用人单位不存在" in missing.output


def test_user_create_applies_the_password_policy(ctx, world):
    uscc = world["org"].uscc
    weak = _cli(ctx, "user", "create", "lisi", "--role", "employer_hr", "--name", "李四",
                "--org", uscc, "--password", "1234567890")
    assert weak.exit_code != 0 and "password" in weak.output and "数字" in weak.output
    no_org = _cli(ctx, "user", "create", "lisi", "--role", "employer_hr", "--name", "李四",
                  "--password", STRONG)
    assert no_org.exit_code != 0 and "organization" in no_org.output
    unscoped = _cli(ctx, "user", "create", "zhao2", "--role", "auditor", "--name", "赵二",
                    "--password", STRONG)
    assert unscoped.exit_code != 0 and "jurisdiction" in unscoped.output
    ok = _cli(ctx, "user", "create", "lisi", "--role", "employer_hr", "--name", "李四",
              "--org", uscc, "--phone", "13300133000", input=f"{STRONG}\n{STRONG}\n")
    assert ok.exit_code == 0, ok.output
    assert login_from(ctx.test_client(), "lisi", STRONG).status_code == 302
    scoped = _cli(ctx, "user", "create", "zhao2", "--role", "auditor", "--name", "赵二",
                  "--employer", world["other"].uscc, env={"LABORSIGN_PASSWORD": STRONG})
    assert scoped.exit_code == 0, scoped.output
    user = db.session.scalar(select(User).where(User.username == "zhao2"))
    assert user.scope_employer_ids == {world["other"].id}


def test_user_deactivate_ends_sessions(ctx, world):
    client = ctx.test_client()
    login_from(client, "hr")
    assert _cli(ctx, "user", "deactivate", "hr").exit_code == 0
    assert not logged_in(client)
    missing = _cli(ctx, "user", "deactivate", "nobody")
    assert missing.exit_code != 0 and "用户不存在" in missing.output
    last = _cli(ctx, "user", "deactivate", "admin")
    assert last.exit_code != 0 and "管理员" in last.output


def test_apikey_create_and_revoke(ctx, world):
    created = _cli(ctx, "apikey", "create", "--org", world["org"].uscc, "--name", "ops")
    assert created.exit_code == 0, created.output
    secret = created.output.strip().splitlines()[-1]
    api = ctx.test_client()
    assert api.get("/api/v1/contracts/999999", headers=bearer(secret)).status_code == 404
    prefix = secret.split("_")[1]
    assert _cli(ctx, "apikey", "revoke", prefix).exit_code == 0
    assert api.get("/api/v1/contracts/999999", headers=bearer(secret)).status_code == 401
    assert db.session.scalar(select(ApiKey).where(ApiKey.prefix == prefix)).revoked_at
    assert _cli(ctx, "apikey", "revoke", "nope").exit_code != 0
    assert _cli(ctx, "apikey", "create", "--org", "999999", "--name", "x").exit_code != 0


def test_seed_demo_refuses_to_run_in_production_mode(ctx, monkeypatch):
    monkeypatch.setitem(ctx.config, "PRODUCTION", True)
    result = _cli(ctx, "seed-demo")
    assert result.exit_code != 0 and "production" in result.output
    assert db.session.scalar(select(User)) is None


def test_seed_demo_creates_an_employer_admin_and_a_platform_admin(ctx, outbox):
    result = _cli(ctx, "seed-demo")
    assert result.exit_code == 0, result.output
    assert "user: admin " in result.output and "user: platform" in result.output
    for username in ("admin", "platform"):
        assert login_from(ctx.test_client(), username, "demo12345").status_code == 302
