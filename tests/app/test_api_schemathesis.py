"""Schemathesis over every operation of API v1, on SQLite and PostgreSQL.

The cases are generated from the published OpenAPI document (positive and negative data,
bounded and derandomized) and sent to the app through its WSGI interface as the demo
employer's API key, with a live contract: most path ids, link tokens and sessions are
replaced by real ones so that the cases reach the services, not only the 404s; the feeds
paths get a project's feed key instead (their records are validated, not only the 401). Every answer
must be no server error, a documented status code, and fit its documented schema.
"""

from __future__ import annotations

import tempfile
import zlib
from dataclasses import dataclass

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from tests.app.flows import api_create, sent_contract, worker_session

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance, negative_data_rejection]


def _document() -> dict:
    """The OpenAPI document as ``GET /api/v1/openapi.json`` serves it (no database needed)."""
    from app import create_app
    from config import TestConfig

    folder = tempfile.mkdtemp(prefix="openapi-")
    app = create_app({**{k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()},
                      "SQLALCHEMY_DATABASE_URI": "sqlite://", "INSTANCE_DIR": folder,
                      "PKI_DIR": folder, "ARCHIVE_ROOT": folder})
    return app.test_client().get("/api/v1/openapi.json").get_json()


schema = schemathesis.openapi.from_dict(_document())


@dataclass
class Live:
    """Real ids, a live link and a verified session, to aim the generated cases at."""

    wsgi: object
    key: str
    contract_ids: tuple[int, ...]
    token: str
    session: str
    feed: dict  # the feed endpoints' project and key, made when first needed

    def feed_key(self) -> tuple[int, str]:
        """A project and its feed key (the feeds paths take no employer key)."""
        if not self.feed:
            from app.services import feeds
            from tests.app.project_helpers import make_project

            project_id = make_project().id
            self.feed.update(project=project_id,
                             key=feeds.create_key("闸机", "test", project_id=project_id)[1])
        return self.feed["project"], self.feed["key"]


@pytest.fixture
def live(ctx, client, world, outbox) -> Live:
    draft = api_create(client, world["api_key"])["id"]
    others = api_create(client, world["api_key_other"])["id"]
    sent, token = sent_contract(client, world, outbox)
    session = worker_session(client, outbox, token)

    def wsgi(environ, start_response):  # each request in its own app context, as in production
        with ctx.app_context():
            return ctx.wsgi_app(environ, start_response)

    return Live(wsgi, world["api_key"], (draft, sent, others), token, session, {})


def _pick(value: object, choices: tuple, keep_one_in: int = 4):
    """A real value for most cases, the generated one for some (deterministic per case)."""
    index = zlib.crc32(repr(value).encode("utf-8", "surrogatepass")) % (len(choices) * keep_one_in)
    return choices[index % len(choices)] if index < len(choices) * (keep_one_in - 1) else value


def _negative(case, location: str) -> bool:
    """Whether schemathesis made this part of the case invalid on purpose (left as it is)."""
    components = case.meta.components if case.meta else {}
    return any(where.value == location and info.mode.is_negative
               for where, info in components.items())


def _aim(case, live: Live) -> dict:
    """Point the valid parts of the case at the live contract and link; the auth headers."""
    params = case.path_parameters or {}
    if not _negative(case, "path"):
        if isinstance(params.get("contract_id"), int):
            params["contract_id"] = _pick(params["contract_id"], live.contract_ids)
        if isinstance(params.get("token"), str):
            params["token"] = _pick(params["token"], (live.token,))
    body = case.body
    if not _negative(case, "body") and isinstance(body, dict) and isinstance(body.get("session"), str):
        body["session"] = _pick(body["session"], (live.session,))
    if _negative(case, "header"):
        return {}
    if case.path.startswith("/api/v1/sign/"):
        return {"X-Signing-Session": live.session}
    if case.path.startswith("/api/v1/feeds/"):  # the records' validation, not only the 401
        project_id, key = live.feed_key()
        if not _negative(case, "body") and isinstance(body, dict) and isinstance(
                body.get("projectId"), int):
            body["projectId"] = _pick(body["projectId"], (project_id,))
        return {"Authorization": f"Bearer {key}"}
    return {"Authorization": f"Bearer {live.key}"}


@schema.parametrize()
@settings(max_examples=20, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_every_operation_answers_as_documented(case, live):
    case.call_and_validate(app=live.wsgi, headers=_aim(case, live), checks=CHECKS)
