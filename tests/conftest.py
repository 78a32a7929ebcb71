"""Root pytest configuration: shared plugins (session PKI, S3 server) and the app fixtures.

The app tests run on SQLite and on PostgreSQL (127.0.0.1:5432, database ``test``, or
``TEST_POSTGRES_URL``). The schema is built by the Alembic migrations, never create_all.
With ``CI=true`` a missing PostgreSQL is a failure, otherwise a skip.
"""

from __future__ import annotations

import json
import os
import re
import uuid
from contextlib import ExitStack, contextmanager
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from tests.needs import IN_CI, need  # noqa: E402,F401 - IN_CI is re-exported for the tests

pytest_plugins = ["tests.plugins.pki", "tests.plugins.s3", "tests.plugins.sms_providers"]

PG_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


@contextmanager
def scratch_database(prefix: str):
    """A new PostgreSQL database's URL, dropped afterwards (a skip, or a failure in CI, when
    PostgreSQL is not reachable)."""
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    try:
        admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001
        need(False, f"PostgreSQL not reachable at {PG_ADMIN_URL}: {exc}")
    try:
        yield PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def postgres_url():
    """A fresh PostgreSQL database for this test session, dropped at the end."""
    with scratch_database("laborsign_test") as url:
        yield url


def config_for(base: Path, url: str, **extra) -> dict:
    """The test configuration on database ``url`` with its files under ``base``."""
    from config import TestConfig

    return {**{k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()},
            "SQLALCHEMY_DATABASE_URI": url, "INSTANCE_DIR": str(base),
            "PKI_DIR": str(base / "pki"), "ARCHIVE_ROOT": str(base / "archive"),
            "SMS_OUTBOX": str(base / "sms.jsonl"), **extra}


@pytest.fixture(params=["sqlite", "postgresql"])
def blank_app(request, tmp_path):
    """An app on an empty database of its own, no schema yet (for migration tests)."""
    from app import create_app

    with ExitStack() as stack:
        url = (f"sqlite:///{tmp_path / 'migrate.db'}" if request.param == "sqlite"
               else stack.enter_context(scratch_database("laborsign_migrate")))
        application = create_app(config_for(tmp_path, url))
        yield application
        with application.app_context():
            from app.extensions import db

            db.engine.dispose()


class IsolatedClient(FlaskClient):
    """Each request runs in its own app context (own ``g``, own DB session), as in production,
    even while the test itself holds an app context for direct database checks."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def app(request, tmp_path_factory):
    """One app per database backend, schema built by ``flask db upgrade``."""
    from flask_migrate import upgrade

    from app import create_app
    from config import TestConfig

    base = tmp_path_factory.mktemp(f"instance-{request.param}")
    if request.param == "sqlite":
        url = f"sqlite:///{base / 'test.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
    application = create_app({
        **{k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()},
        "SQLALCHEMY_DATABASE_URI": url, "INSTANCE_DIR": str(base),
        "PKI_DIR": str(tmp_path_factory.getbasetemp() / "app-pki"),
        "ARCHIVE_ROOT": str(base / "archive"), "SMS_OUTBOX": str(base / "sms.jsonl"),
    })
    with application.app_context():
        upgrade()
    application.db_backend = request.param
    application.test_client_class = IsolatedClient
    yield application
    with application.app_context():
        from app.extensions import db

        db.engine.dispose()


def _wipe(application) -> None:
    """Empty every table, children first, and restart the id sequences.

    DELETE, not TRUNCATE: on PostgreSQL a TRUNCATE of 34 tables takes 0.26–0.5 s (it
    replaces every table's files), a DELETE of the few rows a test wrote about 10 ms.
    """
    from app.extensions import db

    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    with db.engine.begin() as conn:
        for name in tables:
            conn.execute(sa.text(f"DELETE FROM {name}"))
        if db.engine.dialect.name == "postgresql":  # ids start at 1 again, as on SQLite
            conn.execute(sa.text("SELECT setval(c.oid, 1, false) FROM pg_class c "
                                 "JOIN pg_namespace n ON n.oid = c.relnamespace "
                                 "WHERE c.relkind = 'S' AND n.nspname = current_schema()"))
    from app.services.standards import minimum_wages
    from app.services.templates import templates

    minimum_wages.seed()  # reference data the migration seeds
    templates.seed()


@pytest.fixture
def ctx(app, tmp_path):
    """An app context with empty tables, a fresh local archive and SMS outbox."""
    from app.extensions import archive_ext, sms_ext
    from app.sms import FileSmsGateway
    from archive import LocalObjectStore

    archive_ext.use(LocalObjectStore(tmp_path / "archive"), app=app)
    sms_ext.use(FileSmsGateway(tmp_path / "sms.jsonl"), app=app)
    with app.app_context():
        from app.services.platform import pki

        pki.forget_crls()
        pki.forget_serials()  # the counters table was emptied
        _wipe(app)
        yield app
        from app.extensions import db

        db.session.remove()


# The date the rule engine takes as today in the tests (contract_payload starts 2026-12-01:
# within a month, so no written-contract warning); tests of dates patch it themselves.
RULES_TODAY = date(2026, 12, 2)


@pytest.fixture(autouse=True)
def rules_today(monkeypatch):
    """Pin the rule engine's today to :data:`RULES_TODAY`."""
    from app.services.contracts import rules

    monkeypatch.setattr(rules, "today", lambda: RULES_TODAY)
    return RULES_TODAY


@pytest.fixture
def client(ctx):
    """A test client (cookies kept) on the clean app."""
    return ctx.test_client()


class Outbox:
    """The SMS "file" backend's messages, as the worker's phone would show them."""

    def __init__(self, path: Path):
        self.path = path

    def messages(self, to: str | None = None) -> list[dict]:
        if not self.path.exists():
            return []
        rows = [json.loads(line) for line in self.path.read_text("utf-8").splitlines()]
        return [r for r in rows if to is None or r["to"] == to]

    def last_code(self, to: str) -> str:
        for row in reversed(self.messages(to)):
            if m := re.search(r"验证码为(\d{6})", row["text"]):
                return m.group(1)
        raise AssertionError("no one-time code was sent")

    def last_link_token(self, to: str) -> str:
        for row in reversed(self.messages(to)):
            if m := re.search(r"/s/([A-Za-z0-9_-]+)", row["text"]):
                return m.group(1)
        raise AssertionError("no signing link was sent")


@pytest.fixture
def outbox(ctx):
    from app.extensions import sms_ext

    return Outbox(Path(sms_ext.gateway(ctx).path))


def csrf_token(html: str) -> str:
    """The CSRF token of the first form in ``html``."""
    m = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert m, "page has no CSRF token"
    return m.group(1)


def login(client, username: str, password: str = "pw-123456"):
    """Log in through the real form (CSRF included)."""
    page = client.get("/login").get_data(as_text=True)
    return client.post("/login", data={"username": username, "password": password,
                                       "csrf_token": csrf_token(page)})


@pytest.fixture
def world(ctx):
    """An employer with an HR user, an admin and API key, an auditor, and a second employer
    (with its own HR user and admin); a platform admin."""
    from app.domain.ids import uscc_with_check
    from app.extensions import db
    from app.services.accounts import accounts, apikeys

    org = accounts.add_organization(name="湖南星城建设工程有限公司",
                                    uscc=uscc_with_check("91430121MA4L8X2Q7"),
                                    address="湖南省长沙县星沙街道1号", legal_rep="李建国")
    other = accounts.add_organization(name="长沙另一家劳务有限公司", uscc="91110000600037341L",
                                      address="长沙市", legal_rep="钱某", region_code="430102")
    accounts.add_user(username="hr", password="pw-123456", role="employer_hr",
                      display_name="王人事", organization=org)
    accounts.add_user(username="hr2", password="pw-123456", role="employer_hr",
                      display_name="他人", organization=other)
    accounts.add_user(username="auditor", password="pw-123456", role="auditor",
                      display_name="赵监察", jurisdiction="430121")
    accounts.add_user(username="auditor2", password="pw-123456", role="auditor",
                      display_name="外区监察", jurisdiction="430102")
    accounts.add_user(username="admin", password="pw-123456", role="employer_admin",
                      display_name="李管理", organization=org, phone="13900139000")
    accounts.add_user(username="admin2", password="pw-123456", role="employer_admin",
                      display_name="他管理", organization=other, phone="13900139002")
    accounts.add_user(username="platform", password="pw-123456", role="platform_admin",
                      display_name="平台管理员", phone="13900139009")
    key = apikeys.create_key(org, "tests")
    key2 = apikeys.create_key(other, "tests")
    db.session.commit()
    return {"org": org, "other": other, "api_key": key, "api_key_other": key2}


WORKER = {"name": "张三", "id_number": "360426199101010071", "phone": "13800138000"}


def contract_payload(**overrides) -> dict:
    """A valid fixed-term contract as an employer would type it."""
    data = {
        "worker_name": WORKER["name"], "worker_id_number": WORKER["id_number"],
        "worker_phone": WORKER["phone"], "worker_address": "江西省德安县",
        "term_start": "2026-12-01", "term_end": "2028-11-30", "probation_months": "2",
        "probation_wage": "4800", "post": "钢筋工", "work_location": "长沙县星沙产业园三期工地",
        "hours_system": "standard", "monthly_wage": "6000", "pay_day": "15",
        "social_insurance": "依法参加五项社会保险", "labor_protection": "提供安全帽、安全带、防护鞋",
    }
    data.update(overrides)
    return data


def bearer(key: str) -> dict:
    return {"Authorization": f"Bearer {key}"}


def pytest_configure(config):
    config.addinivalue_line("markers", "one_backend: a page's layout or accessibility in a "
                            "browser, which the database does not change: run once, on PostgreSQL")


def pytest_collection_modifyitems(config, items):
    """Tests marked ``postgresql_only`` (races that SQLite, which serialises writers, cannot
    have) or ``one_backend`` (a page's layout or accessibility in Chromium, which the database
    does not change) run on the PostgreSQL app only: their SQLite variants are deselected, not
    skipped."""
    keep, drop = [], []
    for item in items:
        spec = getattr(item, "callspec", None)
        sqlite = spec is not None and "sqlite" in (spec.params.get("app"),
                                                   spec.params.get("blank_app"))
        once = item.get_closest_marker("postgresql_only") or item.get_closest_marker("one_backend")
        (drop if sqlite and once else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep
