"""The batch page in real headless Chromium: a roster uploaded through the form, launched,
and the progress bar moving without a reload until every contract is sealed and sent."""

from __future__ import annotations

import pytest

from tests.app.roster_helpers import row, xlsx
from tests.app.test_phone_browser import chromium, live_server  # noqa: F401 - a fixture

pytestmark = pytest.mark.browser
ROWS = 30


def _until(page, probe, ok, seconds: float = 60.0):
    """Poll ``probe()`` (a page.evaluate: CDP, not in-page eval, which the CSP forbids)."""
    import time

    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            found = probe()
        except Exception:  # noqa: BLE001 - the page is navigating
            found = None
        if found is not None and ok(found):
            return found
        time.sleep(0.1)
    raise AssertionError(f"not reached: {found}")


@pytest.fixture
def desk():
    with chromium(viewport={"width": 1280, "height": 900}) as page:
        yield page


def test_upload_launch_and_watch_the_bar_move(client, world, live_server, desk, tmp_path):  # noqa: F811
    roster = tmp_path / "工地名册.xlsx"
    roster.write_bytes(xlsx([row(i) for i in range(ROWS)]))
    page = desk
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{live_server}/login")
    page.fill("input[name=username]", "hr")
    page.fill("input[name=password]", "pw-123456")
    page.click("button[type=submit]")
    page.goto(f"{live_server}/employer/batches")
    page.set_input_files("input[name=roster]", str(roster))
    page.click("#upload-form button")
    page.wait_for_selector("#launch")
    assert f"共{ROWS}人" in page.inner_text("main")
    page.click("#launch")
    page.wait_for_selector("#batch-progress")
    page.evaluate("window.__same_page = true")
    seen = _until(page, lambda: page.evaluate(
        "[window.__same_page === true, +document.getElementById('p-done').textContent, "
        "+document.getElementById('bar').value]"), lambda s: s[0] and 0 < s[1] < ROWS)
    assert 0 < seen[2] < 100  # the bar moved, the page was not reloaded
    _until(page, lambda: page.evaluate(
        "document.querySelector('#batch-progress') && "
        "document.querySelector('#batch-progress').dataset.status"), lambda s: s == "done")
    # (the page reloaded itself once when done, to show every row's outcome)
    assert page.inner_text("#p-done") == str(ROWS) and page.inner_text("#p-failed") == "0"
    assert page.locator('#rows tr[data-status="done"]').count() == ROWS
    assert errors == []
