"""Accessibility checks of a page in headless Chromium, reusable by every surface's tests.

``audit(page)`` runs axe-core (the npm package pinned in package-lock.json, installed by
``make test`` with ``npm ci``) inside the page as it is, measures every visible tap target and
checks the page at 200 % zoom for sideways scrolling. A missing axe-core fails in CI and skips
elsewhere (tests/needs.py).
"""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path

from tests.needs import need

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
IMPACTS = ("critical", "serious", "moderate", "minor")
MIN_TARGET = 44  # px, WCAG 2.5.5 (target size, enhanced)
# A 360×640 touch phone, for ``chromium(**PHONE_360)`` (tests/app/test_phone_browser.py).
PHONE_360 = {"viewport": {"width": 360, "height": 640}, "device_scale_factor": 2,
             "is_mobile": True, "has_touch": True}

# Everything a finger may need to hit. A checkbox or radio inside a <label> is hit through
# its label (the label toggles it), so the label's box is its target.
_TARGETS = """() => {
  const sel = 'a[href], button, input:not([type=hidden]), select, textarea, summary, ' +
              '[role=button], [tabindex]:not([tabindex="-1"])';
  const out = [];
  for (const el of document.querySelectorAll(sel)) {
    let box = el;
    if ((el.type === 'checkbox' || el.type === 'radio') && el.closest('label')) box = el.closest('label');
    const r = box.getBoundingClientRect(), style = getComputedStyle(el);
    if (!r.width || !r.height || style.visibility === 'hidden' || el.closest('[hidden]')) continue;
    const name = (el.id ? '#' + el.id : el.tagName.toLowerCase()) + ' ' +
      (el.innerText || el.value || el.getAttribute('aria-label') || el.name || '').trim().slice(0, 30);
    out.push({target: name, width: Math.round(r.width * 10) / 10, height: Math.round(r.height * 10) / 10});
  }
  return out;
}"""

_OVERFLOW = """() => {
  const s = document.scrollingElement;
  const wide = [];
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width && r.right > s.clientWidth + 1 && !el.closest('[hidden]')) {
      wide.push((el.id ? '#' + el.id : el.tagName.toLowerCase() + (el.className ? '.' + el.className : ''))
                + ' right=' + Math.round(r.right));
    }
  }
  return {scrollWidth: s.scrollWidth, clientWidth: s.clientWidth, wide: wide.slice(0, 10)};
}"""


@cache
def _axe_source() -> str:
    return AXE.read_text("utf-8")


def need_axe() -> None:
    """Stop the test when axe-core is not installed (failure in CI, skip elsewhere)."""
    need(AXE.exists(), f"axe-core not installed at {AXE} (`npm ci` at the repository root; "
                       "make test runs it)")


def axe_violations(page) -> dict[str, list[dict]]:
    """axe-core's violations on the page as shown now, grouped by impact.

    The script goes in through the DevTools protocol (``page.evaluate``), so the page's own
    Content-Security-Policy stays as it is for the page's scripts.

    :returns: ``{impact: [{"id", "help", "nodes": [selector, ...]}]}`` for every impact level.
    """
    need_axe()
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(_axe_source())
    found = page.evaluate("""() => axe.run(document, {resultTypes: ['violations']})
        .then(r => r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.map(n => n.target.join(' '))})))""")
    grouped: dict[str, list[dict]] = {impact: [] for impact in IMPACTS}
    for violation in found:
        grouped.setdefault(violation.pop("impact") or "minor", []).append(violation)
    return grouped


def small_targets(page, minimum: int = MIN_TARGET) -> list[dict]:
    """Visible tap targets (links, buttons, inputs …) narrower or lower than ``minimum`` px."""
    return [t for t in page.evaluate(_TARGETS)
            if t["width"] < minimum - 0.5 or t["height"] < minimum - 0.5]


def overflow_at_zoom(page, zoom: int = 2) -> dict:
    """The page at ``zoom`` × (200 % by default) on its current phone width: the CSS viewport
    shrinks to width / zoom, as a browser zoom does. Returns the scrolling element's
    ``scrollWidth`` and ``clientWidth`` and up to ten elements sticking out on the right."""
    size = page.viewport_size
    page.set_viewport_size({"width": size["width"] // zoom, "height": size["height"] // zoom})
    try:
        page.wait_for_timeout(50)
        return page.evaluate(_OVERFLOW)
    finally:
        page.set_viewport_size(size)


def audit(page) -> dict:
    """Everything :mod:`tests.app.a11y` checks, on the page as shown now.

    :returns: ``{"violations": {impact: [...]}, "counts": {impact: n}, "small_targets": [...],
        "overflow": {...}, "scrolls_sideways": bool}``; :func:`problems` says what fails.
    """
    violations = axe_violations(page)
    overflow = overflow_at_zoom(page)
    return {"violations": violations,
            "counts": {impact: len(violations.get(impact, [])) for impact in IMPACTS},
            "small_targets": small_targets(page), "overflow": overflow,
            "scrolls_sideways": overflow["scrollWidth"] > overflow["clientWidth"]}


def problems(result: dict) -> list[str]:
    """What fails the targets: serious or critical axe violations, tap targets under 44 px,
    sideways scrolling at 200 %. An empty list means the page passes."""
    found = [f"{impact}: {v['id']} ({v['help']}) at {v['nodes'][:3]}"
             for impact in ("critical", "serious") for v in result["violations"][impact]]
    found += [f"tap target {t['target']!r} is {t['width']}×{t['height']} px"
              for t in result["small_targets"]]
    if result["scrolls_sideways"]:
        found.append(f"scrolls sideways at 200 %: {result['overflow']}")
    return found


class Findings:
    """Audits the pages of a path one after another (``check(name)``), prints each page's
    axe counts (seen with ``pytest -s``) and fails at the end (``assert_clean()``) naming every
    problem of every page, so that one run shows them all."""

    def __init__(self, page, lang: str):
        self.page, self.lang, self.found = page, lang, {}

    def check(self, name: str) -> dict:
        """Audit the page as shown now under ``name``; returns :func:`audit`'s result. With
        ``A11Y_REPORT`` set, also appends one JSON line (page, counts, problems) to that file."""
        result = audit(self.page)
        label = f"{name} [{self.lang}]"
        self.found[label] = problems(result)
        minor = [f"({impact}: {v['id']} at {v['nodes'][:2]})" for impact in ("moderate", "minor")
                 for v in result["violations"][impact]]
        print(f"axe {label}: {result['counts']}", *self.found[label], *minor, sep="\n    ")
        if os.environ.get("A11Y_REPORT"):
            with open(os.environ["A11Y_REPORT"], "a", encoding="utf-8") as out:
                row = {"page": label, "counts": result["counts"],
                       "problems": self.found[label], "other": minor}
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
        return result

    def assert_clean(self) -> None:
        """Fail naming every problem found on every page checked so far."""
        bad = [f"{name}: {problem}" for name, found in self.found.items() for problem in found]
        assert not bad, "\n".join(bad)
