"""The worker's pages pass the accessibility targets on a 360×640 phone, in Chinese and in
English: axe-core finds no serious or critical violation, every tap target is at least 44 px
each way, and at 200 % zoom nothing scrolls sideways (tests/app/a11y.py).

Each test walks its pages and checks them all before failing, so one run names every problem.
Run with ``-s`` to see the axe counts per page.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.app.a11y import PHONE_360, Findings, audit, need_axe, problems
from tests.app.flows import api_create, api_send
from tests.app.test_phone_browser import (
    IPHONE_UA,
    _draw_with_finger,
    chromium,
    live_server,  # noqa: F401 - a fixture
    prove_identity,
)
from tests.conftest import WORKER, bearer

pytestmark = [pytest.mark.browser, pytest.mark.one_backend]
LANGS = ["zh_CN", "en"]


@pytest.fixture
def phone360():
    need_axe()
    with chromium(**PHONE_360, user_agent=IPHONE_UA) as page:
        yield page


def _open(page, url: str, lang: str) -> None:
    page.goto(f"{url}?lang={lang}")
    assert page.evaluate("document.documentElement.lang") == ("en" if lang == "en" else "zh-CN")


@pytest.mark.parametrize("lang", LANGS)
def test_the_signing_path_is_accessible(client, world, outbox, live_server, phone360,  # noqa: F811
                                        lang):
    token = api_send(client, world["api_key"], api_create(client, world["api_key"])["id"])
    page, seen = phone360, Findings(phone360, lang)
    _open(page, f"{live_server}/s/{token}", lang)
    seen.check("landing / identity")
    page.click("#send-otp")
    page.wait_for_selector("#err-name:not([hidden])")
    seen.check("identity, errors shown")
    page.fill("#name", WORKER["name"])
    page.fill("#id_number", WORKER["id_number"])
    page.click("#send-otp")
    page.wait_for_selector("#otp-sent:not([hidden])")
    page.fill("#code", "000000")
    page.click("#verify")
    page.wait_for_selector("#err-code:not([hidden]), #message:not([hidden])")
    seen.check("code sent, wrong code")
    page.fill("#code", outbox.last_code(WORKER["phone"]))
    page.click("#verify")
    page.wait_for_selector("#step-read:not([hidden])")
    seen.check("reading")
    if page.locator("#clauses-en").is_visible():
        page.click("#clauses-en summary")
        seen.check("reading, English text open")
    page.click("#to-decline")
    page.click("#decline")
    page.wait_for_selector("#err-reason:not([hidden])")
    seen.check("reading, decline box with error")
    page.click("#to-sign")
    page.click("#sign")
    page.wait_for_selector("#err-signature:not([hidden])")
    seen.check("signing, error shown")
    _draw_with_finger(page, "#pad")
    page.check("#consent")
    page.click("#sign")
    page.wait_for_selector("#done-text.filed", timeout=30000)
    seen.check("done (filed)")
    _open(page, f"{live_server}/s/{token}", lang)
    seen.check("signed link, later visit")
    prove_identity(page, outbox, until="#download:not([hidden])")
    seen.check("own copy after a new identity check")
    seen.assert_clean()


@pytest.mark.parametrize("lang", LANGS)
def test_declined_expired_and_gone_links_are_accessible(client, world, outbox, live_server,  # noqa: F811
                                                         phone360, lang):
    from app.extensions import db
    from app.models import SigningLink
    from app.services.worker_signing.worker_signing import utcnow

    key = world["api_key"]
    declining = api_send(client, key, api_create(client, key)["id"])
    page, seen = phone360, Findings(phone360, lang)
    _open(page, f"{live_server}/s/{declining}", lang)
    prove_identity(page, outbox)
    page.click("#to-decline")
    page.fill("#reason", "工资与面谈不一致")
    page.click("#decline")
    page.wait_for_selector("#step-declined:not([hidden])")
    seen.check("declined")
    _open(page, f"{live_server}/s/{declining}", lang)  # a declined link is gone
    seen.check("declined link, later visit")

    expiring = api_create(client, key, worker_name="李四", worker_id_number="11010519491231002X",
                          worker_phone="13800138001")
    token = api_send(client, key, expiring["id"])
    link = db.session.scalar(select(SigningLink).where(SigningLink.contract_id == expiring["id"]))
    link.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    _open(page, f"{live_server}/s/{token}", lang)
    assert page.locator("p.error[role=alert]").count() == 1
    seen.check("expired link")

    voided = api_create(client, key, worker_name="王五", worker_id_number="110105198501010012",
                        worker_phone="13800138002")
    token = api_send(client, key, voided["id"])
    resp = client.post(f"/api/v1/contracts/{voided['id']}/void", json={"reason": "岗位取消"},
                       headers=bearer(key))
    assert resp.status_code == 200, resp.get_json()
    _open(page, f"{live_server}/s/{token}", lang)
    seen.check("voided link")
    _open(page, f"{live_server}/s/no-such-link", lang)
    seen.check("unknown link (404)")
    seen.assert_clean()


def test_the_audit_names_what_fails(phone360):
    """The harness itself: a nameless button, an image without text, a 20 px link and a
    300 px box fail; the same page made right passes."""
    page = phone360
    page.set_content("""<!doctype html><html lang="zh-CN"><head><title>t</title>
        <meta name="viewport" content="width=device-width, initial-scale=1"></head><body>
        <main><button></button><img src="data:,"><a href="#x">x</a>
        <div style="width:300px">宽</div></main></body></html>""")
    found = audit(page)
    assert found["counts"]["critical"] >= 2
    said = "\n".join(problems(found))
    assert "button-name" in said and "image-alt" in said
    assert "tap target 'a x'" in said and "scrolls sideways at 200 %" in said
    page.set_content("""<!doctype html><html lang="zh-CN"><head><title>t</title>
        <meta name="viewport" content="width=device-width, initial-scale=1"></head><body>
        <main><button style="min-height:44px;min-width:44px">签署</button>
        <img src="data:," alt="签名">
        <a href="#x" style="display:inline-block;min-height:44px;min-width:44px">x</a>
        <div style="max-width:300px">宽</div></main></body></html>""")
    assert problems(audit(page)) == []
