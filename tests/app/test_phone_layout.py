"""Layout on a 360 px phone (and the wage chart at 1280 px too), measured in headless Chromium
by the boxes the browser lays out: the filing number on one line, the warning banner of the
contract form leading to its warnings, the batch progress bar as wide as its page, the wage
chart inside its frame."""

from __future__ import annotations

import re

import pytest

from tests.app.flows import api_create, api_send
from tests.app.roster_helpers import row, xlsx
from tests.app.test_batch_browser import _until
from tests.app.test_phone_browser import (
    IPHONE_UA,
    _draw_with_finger,
    chromium,
    live_server,  # noqa: F401 - a fixture
    prove_identity,
)
from tests.conftest import contract_payload

pytestmark = [pytest.mark.browser, pytest.mark.one_backend]

# The lines a piece of text occupies inside ``box``: a DOM Range over the text (wherever it
# is split into nodes), one client rect per line fragment, counted by their distinct tops.
_LINES_OF = """([selector, text]) => {
  const box = document.querySelector(selector), walker = document.createTreeWalker(box, NodeFilter.SHOW_TEXT);
  const nodes = []; let all = '';
  while (walker.nextNode()) { nodes.push([walker.currentNode, all.length]); all += walker.currentNode.data; }
  const at = all.indexOf(text);
  if (at < 0) return {found: false, text: all};
  const find = (pos) => {
    for (const [n, start] of nodes) if (pos <= start + n.data.length) return [n, pos - start];
  };
  const range = document.createRange();
  range.setStart(...find(at)); range.setEnd(...find(at + text.length));
  const rects = [...range.getClientRects()].filter(r => r.width > 0);
  const tops = new Set(rects.map(r => Math.round(r.top)));
  return {found: true, lines: tops.size, right: Math.max(...rects.map(r => r.right)),
          width: document.scrollingElement.clientWidth,
          pieces: rects.map(r => [Math.round(r.left), Math.round(r.top), Math.round(r.width)])};
}"""


@pytest.fixture
def phone360():
    with chromium(viewport={"width": 360, "height": 640}, device_scale_factor=2,
                  is_mobile=True, has_touch=True, user_agent=IPHONE_UA) as page:
        yield page


def _login(page, url: str, username: str = "hr") -> None:
    page.goto(f"{url}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "pw-123456")
    page.click("button[type=submit]")
    page.wait_for_load_state()


def _zoomed(page, probe):
    """``probe()`` at 200 % zoom: the CSS viewport at half the phone's width."""
    size = page.viewport_size
    page.set_viewport_size({"width": size["width"] // 2, "height": size["height"] // 2})
    try:
        return probe()
    finally:
        page.set_viewport_size(size)


def test_the_filing_number_stays_on_one_line(client, world, outbox, live_server,  # noqa: F811
                                             phone360):
    from app.extensions import db
    from app.models import Filing

    token = api_send(client, world["api_key"], api_create(client, world["api_key"])["id"])
    page = phone360
    page.goto(f"{live_server}/s/{token}")
    prove_identity(page, outbox)
    page.click("#to-sign")
    _draw_with_finger(page, "#pad")
    page.check("#consent")
    page.click("#sign")
    page.wait_for_selector("#done-text.filed", timeout=30000)
    db.session.expire_all()
    number = db.session.scalars(db.select(Filing.number)).one()
    done = page.evaluate(_LINES_OF, ["#done-text", number])
    assert done["found"] and done["lines"] == 1, done  # the sentence wraps before the number
    assert done["right"] <= done["width"], done

    page.reload()  # the link later: the signed card shows the number, and no signing steps
    assert page.locator("ol.steps").count() == 1 and not page.locator("ol.steps").is_visible()
    later = page.evaluate(_LINES_OF, [".card.done", number])
    assert later["found"] and later["lines"] == 1 and later["right"] <= later["width"], later
    # At 200 % zoom the number no longer fits a line: it breaks after a hyphen, not inside
    # one of its parts, and nothing sticks out.
    zoomed = _zoomed(page, lambda: page.evaluate(
        """() => [...document.querySelectorAll('.card.done .filing-no > span')].map(s =>
            [s.textContent, s.getClientRects().length, Math.round(s.getBoundingClientRect().right)])
           .concat([[document.scrollingElement.scrollWidth, document.scrollingElement.clientWidth]])"""))
    *parts, (scroll_width, client_width) = zoomed
    assert "".join(p[0] for p in parts) == number
    assert all(lines == 1 and right <= client_width for _, lines, right in parts), zoomed
    assert scroll_width <= client_width, zoomed


LATE = {"term_start": "2026-10-01", "term_end": "2028-09-30"}  # written late: a warning


def test_the_warning_banner_leads_to_its_warnings(client, world, live_server,  # noqa: F811
                                                  phone360):
    page = phone360
    _login(page, live_server)
    page.goto(f"{live_server}/employer/contracts/new")
    for name, value in contract_payload(**LATE).items():
        field = page.locator(f"[name={name}]")
        if name == "hours_system":
            field.select_option(value)
        else:
            field.fill(value)
    page.click("#contract-form button[type=submit]:not([formaction])")
    page.wait_for_selector("fieldset.rule-warnings")
    banner = page.locator("p.error[role=alert]")
    assert "请先确认以下提示" in banner.inner_text()
    top = banner.bounding_box()
    warnings = page.locator("fieldset.rule-warnings").bounding_box()
    print(f"banner→warnings: {warnings['y'] - top['y']:.0f} px")
    assert warnings["y"] - top["y"] > 640  # more than a screen apart on a phone …
    link = banner.locator("a[href='#rule-warnings']")  # … so the banner leads there
    assert link.count() == 1, banner.inner_html()
    box = link.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 44
    link.click()
    page.wait_for_timeout(100)
    shown = page.evaluate("""() => {
        const r = document.querySelector('#rule-warnings input[name=ack]').getBoundingClientRect();
        return [r.top, r.bottom, innerHeight];}""")
    assert 0 <= shown[0] and shown[1] <= shown[2], shown  # the checkbox to tick is on screen
    page.check("#rule-warnings input[name=ack]")
    page.click("#contract-form button[type=submit]:not([formaction])")
    page.wait_for_url("**/employer/contracts/*")


def test_the_batch_progress_bar_fills_the_phone(client, world, live_server, phone360,  # noqa: F811
                                                tmp_path):
    roster = tmp_path / "名册.xlsx"
    roster.write_bytes(xlsx([row(i) for i in range(2)]))
    page = phone360
    _login(page, live_server)
    page.goto(f"{live_server}/employer/batches")
    page.set_input_files("input[name=roster]", str(roster))
    page.click("#upload-form button")
    page.wait_for_selector("#launch")
    page.click("#launch")
    page.wait_for_selector("#batch-progress")
    bar = page.locator("#bar").bounding_box()
    frame = page.locator("#batch-progress").bounding_box()
    print(f"batch bar: {bar['width']:.0f} of {frame['width']:.0f} px")
    assert bar["width"] >= frame["width"] - 1 and bar["width"] > 300, (bar, frame)
    assert bar["x"] + bar["width"] <= 360
    # Let the batch finish before the next test empties the tables under its job.
    _until(page, lambda: page.evaluate(
        "document.querySelector('#batch-progress') && "
        "document.querySelector('#batch-progress').dataset.status"), lambda s: s == "done")


def _wage_site(client, world) -> int:
    from tests.app.project_helpers import make_project
    from tests.app.test_wage_reconciliation import (
        PAY_HEADER,
        _attendance,
        _contract,
        _csv,
        _import,
        _pay,
    )
    from tests.conftest import login

    for n in (1, 2, 3, 5):
        _contract(client, world, n)
    project = make_project()
    login(client, "hr")
    assert _import(client, project.id, "attendance",
                   _attendance({1: 20, 2: 20, 3: 10, 4: 5})).status_code == 302
    payroll = _csv(PAY_HEADER, [_pay(1, "6000", "2026-11-15"), _pay(2, "5000", "2026-11-20"),
                                _pay(5, "3000", "2026-11-15", holder="李工头",
                                     paying="6222000011112222")])
    assert _import(client, project.id, "payroll", payroll).status_code == 302
    return project.id


_CHART = """() => {
  const fig = document.querySelector('#expected-vs-paid').getBoundingClientRect();
  const bars = [...document.querySelectorAll('#expected-vs-paid progress, #flagged-over-time progress')]
    .map(p => { const r = p.getBoundingClientRect(), f = p.closest('figure').getBoundingClientRect();
                return {left: r.left, right: r.right, width: r.width, frame: [f.left, f.right]}; });
  const labels = [...document.querySelectorAll('#expected-vs-paid .bar b')].map(b => ({
    text: b.innerText, height: b.getBoundingClientRect().height,
    line: parseFloat(getComputedStyle(b).lineHeight)}));
  const flags = [...document.querySelectorAll('#lines tr')].map(tr =>
    [...tr.querySelectorAll('.flag')].map(f => { const r = f.getBoundingClientRect();
      return {text: f.innerText, pieces: f.getClientRects().length, left: r.left, right: r.right,
              top: r.top, bottom: r.bottom, border: getComputedStyle(f).borderTopStyle}; }))
    .filter(row => row.length);
  const s = document.scrollingElement;
  return {bars, labels, flags, scrollWidth: s.scrollWidth, clientWidth: s.clientWidth};
}"""


@pytest.mark.parametrize("width", [360, 1280])
def test_the_wage_chart_stays_inside_its_frame(client, world, outbox, live_server,  # noqa: F811
                                               width, tmp_path):
    project_id = _wage_site(client, world)
    with chromium(viewport={"width": width, "height": 800}) as page:
        _login(page, live_server)
        page.goto(f"{live_server}/projects/{project_id}/wages")
        page.screenshot(path=str(tmp_path / f"wages-{width}.png"), full_page=True)
        found = page.evaluate(_CHART)
    assert len(found["bars"]) == 3 and len(found["labels"]) == 1
    for bar in found["bars"]:
        assert bar["width"] > 40, bar  # a bar, not a sliver
        assert bar["frame"][0] - 0.5 <= bar["left"] and bar["right"] <= bar["frame"][1] + 0.5, bar
        assert bar["right"] <= width, bar
    [label] = found["labels"]
    assert re.fullmatch(r"\d+\.\d\d / \d+\.\d\d", label["text"]), label  # expected / paid
    assert label["height"] <= label["line"] * 1.2, label  # one line
    assert found["scrollWidth"] <= found["clientWidth"], found  # the page does not scroll sideways
    assert any(len(flags) >= 2 for flags in found["flags"])
    for flags in found["flags"]:
        for flag in flags:
            assert flag["pieces"] == 1 and flag["border"] != "none", flag  # one framed chip each
        for a, b in zip(flags, flags[1:], strict=False):
            same_line = b["top"] < a["bottom"] - 1
            assert not same_line or b["left"] - a["right"] >= 6, (a, b)  # a clear gap between
