"""The worker's own space in real headless Chromium at 360×640 (touch): sign in with the
texted code, the list, one contract, its PDF, the pay — and all of it again after the
employer is suspended. Prints the taps and bytes of the path (the figures of the issue)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.extensions import db
from app.models import Contract, Filing
from tests.app.portal_helpers import pay as _pay
from tests.app.portal_helpers import signed_with
from tests.app.portal_helpers import suspend as _suspend
from tests.app.test_phone_browser import chromium, live_server  # noqa: F401 - fixture
from tests.conftest import WORKER

pytestmark = pytest.mark.browser
ANDROID_UA = ("Mozilla/5.0 (Linux; Android 13; SM-A146B) AppleWebKit/537.36 (KHTML, like Gecko) "
              "Chrome/120.0.0.0 Mobile Safari/537.36")


class Path360:
    """A 360×640 touch phone that counts its taps and the bytes it received."""

    def __init__(self, page):
        self.page, self.taps, self.bytes, self.downloads = page, 0, 0, 0
        cdp = page.context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.on("Network.loadingFinished", self._finished)

    def _finished(self, event: dict) -> None:
        self.bytes += int(event.get("encodedDataLength") or 0)

    def tap(self, selector: str) -> None:
        self.taps += 1
        self.page.tap(selector)

    def type_into(self, selector: str, text: str) -> None:
        """Tap the field, then type with the on-screen keyboard (typing is not a tap)."""
        self.tap(selector)
        self.page.keyboard.type(text)

    def fits(self) -> None:
        """Nothing scrolls sideways and every link and button is at least 44 px tall."""
        page = self.page
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), page.url
        small = page.evaluate("""[...document.querySelectorAll('.portal a, .portal button')]
            .filter(e => e.offsetParent && e.getBoundingClientRect().height < 44)
            .map(e => e.outerHTML.slice(0, 80))""")
        assert small == [], small


def _walk(phone: Path360, base: str, outbox, tmp_path: Path, label: str) -> dict:
    page = phone.page
    page.goto(f"{base}/me/login")  # the address the worker opens (no tap counted)
    assert page.locator("h1").inner_text() == "我的劳动合同"
    phone.fits()
    phone.type_into("#f-name", WORKER["name"])
    phone.type_into("#f-id_number", WORKER["id_number"])
    phone.type_into("#f-phone", WORKER["phone"])
    phone.tap("#send-code")
    page.wait_for_url("**/me/code")
    assert "138****8000" in page.inner_text("#code-sent")
    assert WORKER["id_number"] not in page.url and WORKER["phone"] not in page.url
    phone.fits()
    phone.type_into("#f-code", outbox.last_code(WORKER["phone"]))
    phone.tap("#verify")
    page.wait_for_url("**/me/")
    phone.fits()
    cards = page.locator("article.contract-card")
    assert cards.count() == 1
    filing = db.session.query(Filing).one()
    assert filing.number in cards.first.inner_text()
    phone.tap("article.contract-card h2 a")
    page.wait_for_url("**/me/contracts/*")
    phone.fits()
    with page.expect_download() as download:
        phone.tap("#download")
    saved = tmp_path / f"{label}.pdf"
    download.value.save_as(saved)
    data = saved.read_bytes()
    assert data.startswith(b"%PDF")
    phone.downloads += len(data)
    with page.expect_download() as download:  # the certified print copy
        phone.tap("#print-copy")
    download.value.save_as(tmp_path / f"{label}-print.pdf")
    printed = (tmp_path / f"{label}-print.pdf").read_bytes()
    assert printed.startswith(b"%PDF")
    phone.downloads += len(printed)
    phone.tap(".portal-nav a[href$='/me/pay']")
    page.wait_for_url("**/me/pay")
    phone.fits()
    assert "5800.00 元" in page.inner_text("main")
    page.screenshot(path=str(tmp_path / f"{label}-pay.png"), full_page=True)
    return {"taps": phone.taps, "bytes_pages": phone.bytes, "bytes_pdf": phone.downloads}


def test_the_portal_path_on_a_360_phone_also_after_suspension(
        client, world, outbox, live_server, tmp_path):  # noqa: F811 - the fixture
    from tests.app.test_access_matrix import _project

    cid = signed_with(client, outbox, world["api_key"])
    project_id, _ = _project(world["org"], "hr")
    _pay(project_id, WORKER["id_number"], "2026-12", "6000.00", "5800.00", "2027-01-15")
    db.session.commit()
    figures = {}
    for label in ("approved", "suspended"):
        if label == "suspended":
            _suspend(world)
        with chromium(viewport={"width": 360, "height": 640}, device_scale_factor=2,
                      is_mobile=True, has_touch=True, user_agent=ANDROID_UA) as page:
            errors = []
            page.on("pageerror", lambda exc, errors=errors: errors.append(str(exc)))
            figures[label] = _walk(Path360(page), live_server, outbox, tmp_path, label)
            assert errors == []
    db.session.expire_all()
    contract = db.session.get(Contract, cid)
    from app.models import AuditEvent

    actions = [e.action for e in db.session.query(AuditEvent).filter_by(
        contract_id=cid, actor=f"person:{contract.worker_id}")]
    assert actions.count("portal.downloaded") == 2 and actions.count("portal.viewed") == 2
    assert figures["approved"]["taps"] == figures["suspended"]["taps"] == 10
    print("PORTAL_FIGURES " + json.dumps(figures))
