"""The worker's phone path in real headless Chromium (Debian's), with touch drawing."""

from __future__ import annotations

import contextlib
import os
import shutil
import threading

import pytest
from werkzeug.serving import make_server

from tests.app.flows import api_create, api_send
from tests.conftest import IN_CI, WORKER

pytestmark = pytest.mark.browser
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
IPHONE_UA = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
             "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1")


@pytest.fixture
def live_server(ctx):
    server = make_server("127.0.0.1", 0, ctx, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@contextlib.contextmanager
def chromium(**context):
    """A page of Debian's headless Chromium with the given context options (a missing
    browser fails in CI, skips elsewhere)."""
    if not shutil.which(CHROMIUM):
        (pytest.fail if IN_CI else pytest.skip)(f"chromium not installed at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"])
        yield browser.new_context(locale="zh-CN", **context).new_page()
        browser.close()


@pytest.fixture
def phone():
    with chromium(viewport={"width": 390, "height": 844}, device_scale_factor=2,
                  is_mobile=True, has_touch=True, user_agent=IPHONE_UA) as page:
        yield page


def prove_identity(page, outbox, until: str = "#step-read:not([hidden])") -> None:
    """On an open signing link: name, ID number, the texted code, until ``until`` shows."""
    page.fill("#name", WORKER["name"])
    page.fill("#id_number", WORKER["id_number"])
    page.click("#send-otp")
    page.wait_for_selector("#otp-sent:not([hidden])")
    page.fill("#code", outbox.last_code(WORKER["phone"]))
    page.click("#verify")
    page.wait_for_selector(until)


def _draw_with_finger(page, selector: str) -> None:
    box = page.locator(selector).bounding_box()
    cdp = page.context.new_cdp_session(page)
    points = [(0.1, 0.7), (0.25, 0.2), (0.4, 0.8), (0.55, 0.25), (0.7, 0.75), (0.9, 0.3)]
    xy = [(box["x"] + box["width"] * px, box["y"] + box["height"] * py) for px, py in points]
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart",
                                          "touchPoints": [{"x": xy[0][0], "y": xy[0][1]}]})
    for x, y in xy[1:]:
        cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": x, "y": y}]})
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})


def test_worker_signs_on_a_phone(client, world, outbox, live_server, phone, tmp_path):
    created = api_create(client, world["api_key"])
    token = api_send(client, world["api_key"], created["id"])
    page = phone
    console = []
    page.on("console", lambda msg: console.append(msg.text))
    page.goto(f"{live_server}/s/{token}")
    assert "script-src 'self'" in page.evaluate(
        "fetch(location.href).then(r => r.headers.get('content-security-policy'))")
    assert page.locator("h1").inner_text() == "签署劳动合同"
    # The page fits the phone: no horizontal scrolling.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    page.fill("#name", WORKER["name"])
    page.fill("#id_number", "360426199101010072")
    page.click("#send-otp")
    page.wait_for_selector("#err-id_number:not([hidden])")
    assert "不一致" in page.inner_text("#err-id_number")
    page.fill("#id_number", WORKER["id_number"])
    page.click("#send-otp")
    page.wait_for_selector("#otp-sent:not([hidden])")
    assert "138****8000" in page.inner_text("#otp-sent")
    page.fill("#code", outbox.last_code(WORKER["phone"]))
    page.click("#verify")
    page.wait_for_selector("#step-read:not([hidden])")
    assert "钢筋工" in page.inner_text("#terms")
    page.click("#to-sign")
    page.click("#sign")
    page.wait_for_selector("#err-signature:not([hidden])")
    _draw_with_finger(page, "#pad")
    page.click("#sign")
    page.wait_for_selector("#err-consent:not([hidden])")
    page.check("#consent")
    page.click("#sign")
    page.wait_for_selector("#step-done:not([hidden])", timeout=20000)
    # The answer comes before the filing job has run; the page keeps asking until it is filed.
    page.wait_for_selector("#done-text.filed", timeout=20000)
    done = page.inner_text("#done-text")
    assert "已自动完成用工备案" in done
    page.screenshot(path=str(tmp_path / "signed.png"), full_page=True)
    assert "备案号" in done
    from app.extensions import db
    from app.models import Contract, Filing

    db.session.expire_all()
    assert db.session.get(Contract, created["id"]).status == "filed"
    assert db.session.query(Filing).one().number in done
    assert not [m for m in console if "Content Security Policy" in m], console  # CSP broke nothing


def test_the_contract_form_previews_what_hr_types(client, world, live_server, phone):
    """Live preview in a real browser: the clause text follows what HR types (debounced),
    under the page's CSP, and nothing is stored."""
    from app.extensions import db
    from app.models import Contract, Template

    part_time = db.session.query(Template).filter_by(kind="part_time",
                                                     organization_id=None).one()
    page = phone
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{live_server}/login")
    page.fill("input[name=username]", "hr")
    page.fill("input[name=password]", "pw-123456")
    page.click("button[type=submit]")
    page.wait_for_load_state()
    page.goto(f"{live_server}/employer/contracts/new?template={part_time.id}")
    page.fill("#f-post", "夜班保洁员")
    page.fill("#f-hourly_wage", "26.5")
    page.locator("#preview", has_text="夜班保洁员").wait_for(timeout=15000)  # no eval: CSP
    assert "任何一方都可以随时通知对方终止用工" in page.inner_text("#preview")
    assert errors == []
    assert db.session.query(Contract).count() == 0


def test_the_phone_shows_the_part_time_terms_and_the_english_text(
        client, world, outbox, live_server, phone):
    from tests.app.test_worker_reading import _sent

    _, token = _sent(client, world, "part_time")
    page = phone
    page.goto(f"{live_server}/s/{token}")
    assert "《非全日制用工劳动合同》" in page.inner_text("#invited")
    prove_identity(page, outbox)
    terms = page.inner_text("#terms")
    assert "小时工资" in terms and "25.00 元" in terms and "undefined" not in terms
    assert page.inner_text("#doc-title") == "非全日制用工劳动合同"
    page.click("#clauses-en summary")
    assert "Either side may end the work" in page.inner_text("#clauses-en-text")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
