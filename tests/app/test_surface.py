"""The one helper around a use case on the HTML surfaces: a refusal rolls back what the use
case wrote and shows the page again; a success is the use case's own answer."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.errors import Conflict, ValidationFailed
from app.extensions import db
from app.models import AuditEvent
from app.services.platform import audit
from app.surface import NOTHING, Refusal, ShownAgain, attempt, download


def _writes_then_refuses(note: str):
    audit.record(None, "user:1", "test.half_written", note=note)
    db.session.flush()
    raise ValidationFailed("请检查标出的项目", fields={"note": "请填写说明"})


def _events() -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEvent))


def test_a_refusal_rolls_back_and_shows_the_page_again_with_the_fields(ctx):
    shown = []

    def again(refused: Refusal):
        shown.append(refused)
        return f"form again: {refused.message}", refused.status

    with ctx.test_request_context("/", headers={"Accept-Language": "en"}):
        with pytest.raises(ShownAgain) as raised:
            attempt(_writes_then_refuses, "typed", again=again)
        assert _events() == 0  # nothing half-written stays
    assert raised.value.response.status_code == 422
    assert "form again" in raised.value.response.get_data(as_text=True)
    assert shown[0].fields == {"note": "请填写说明"} and shown[0].status == 422
    assert isinstance(shown[0].error, ValidationFailed) and shown[0]


def test_a_success_returns_what_the_use_case_returned(ctx):
    def succeeds(a, *, b):
        audit.record(None, "user:1", "test.done")
        db.session.commit()
        return a + b

    with ctx.test_request_context("/"):
        assert attempt(succeeds, 1, b=2, again=lambda refused: "never") == 3
    assert _events() == 1


def test_the_app_answers_a_refused_form_with_the_page_it_carries(ctx):
    def refuses():
        raise Conflict("已存在")

    with ctx.test_request_context("/"):
        with pytest.raises(ShownAgain) as raised:
            attempt(refuses, again=lambda refused: (f"again {refused.status}", refused.status))
        resp = ctx.handle_user_exception(raised.value)  # as Flask does for a view's exception
    assert resp.status_code == 409 and resp.get_data(as_text=True) == "again 409"


def test_nothing_refused_is_a_first_showing():
    assert not NOTHING and NOTHING.status == 200 and NOTHING.fields == {}
    assert Refusal(message="x", status=400).headers == {}


def test_downloads_are_never_kept_by_shared_caches(ctx):
    with ctx.test_request_context("/"):
        resp = download(b"%PDF-", "application/pdf", "HT-1.pdf", inline=True, sha256="ab")
    assert resp.headers["Content-Disposition"] == 'inline; filename="HT-1.pdf"'
    assert resp.headers["Cache-Control"] == "private, no-store"
    assert resp.headers["X-Content-SHA256"] == "ab"


def test_a_throttled_refusal_says_when_to_retry(ctx):
    from app.errors import TooManyRequests

    def throttled():
        error = TooManyRequests("操作过于频繁，请稍后再试")
        error.retry_after = 42
        raise error

    with ctx.test_request_context("/"):
        with pytest.raises(ShownAgain) as raised:
            attempt(throttled, again=lambda refused: ("slow down", refused.status))
    assert raised.value.response.status_code == 429
    assert raised.value.response.headers["Retry-After"] == "42"
