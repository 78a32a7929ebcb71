"""The worker's own space (/me) passes the accessibility targets on a 360×640 phone, in
Chinese and in English (tests/app/a11y.py): sign-in (blank and refused), the code, the list,
one contract, the pay and the signing history."""

from __future__ import annotations

import pytest

from tests.app.a11y import PHONE_360, Findings, need_axe
from tests.app.test_phone_browser import (
    IPHONE_UA,
    chromium,
    live_server,  # noqa: F401 - a fixture
)
from tests.conftest import WORKER

pytestmark = [pytest.mark.browser, pytest.mark.one_backend]


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_the_portal_pages_are_accessible(client, world, outbox, live_server, lang):  # noqa: F811
    from app.extensions import db
    from tests.app.portal_helpers import signed_with
    from tests.app.test_access_matrix import _project
    from tests.app.test_portal import _pay

    need_axe()
    signed_with(client, outbox, world["api_key"])
    project_id, _ = _project(world["org"], "hr")
    _pay(project_id, WORKER["id_number"], "2026-12", "6000.00", "5800.00", "2027-01-15")
    db.session.commit()
    with chromium(**PHONE_360, user_agent=IPHONE_UA) as page:
        seen = Findings(page, lang)
        page.goto(f"{live_server}/me/login?lang={lang}")
        seen.check("portal sign-in")
        page.click("#send-code")
        page.wait_for_load_state()
        seen.check("portal sign-in, refused")
        page.fill("#f-name", WORKER["name"])
        page.fill("#f-id_number", WORKER["id_number"])
        page.fill("#f-phone", WORKER["phone"])
        page.click("#send-code")
        page.wait_for_url("**/me/code")
        seen.check("portal code")
        page.fill("#f-code", outbox.last_code(WORKER["phone"]))
        page.click("#verify")
        page.wait_for_url("**/me/")
        seen.check("portal contracts")
        page.click("article.contract-card h2 a")
        page.wait_for_url("**/me/contracts/*")
        seen.check("portal contract")
        page.goto(f"{live_server}/me/pay")
        seen.check("portal pay")
        page.goto(f"{live_server}/me/history")
        seen.check("portal history")
        seen.assert_clean()
