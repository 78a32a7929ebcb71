"""Server-side SVG bar charts for the bureau pages: geometry only, drawn by the template
(no script, no image library): each bar's position and height in a fixed view box."""

from __future__ import annotations

from dataclasses import dataclass

WIDTH, HEIGHT, BASE = 600, 160, 130  # view box; bars stand on y = BASE


@dataclass(frozen=True)
class Bar:
    """One bar: its label, value, series (CSS class) and rectangle."""

    label: str
    value: int
    series: str
    x: float
    y: float
    width: float
    height: float


def _scale(values: list[int]) -> float:
    top = max(values, default=0) or 1
    return (BASE - 10) / top


def bars(items: list[tuple[str, int]]) -> list[Bar]:
    """One bar per (label, value), side by side across the chart."""
    if not items:
        return []
    k, step = _scale([v for _, v in items]), WIDTH / len(items)
    return [Bar(label, v, "value", i * step + step * 0.15, BASE - v * k, step * 0.7, v * k)
            for i, (label, v) in enumerate(items)]


def pairs(items: list[tuple[str, int, int]]) -> list[Bar]:
    """Two bars per (label, first, second): hires and leavers of a month, side by side."""
    if not items:
        return []
    k = _scale([v for _, a, b in items for v in (a, b)])
    step = WIDTH / len(items)
    out = []
    for i, (label, a, b) in enumerate(items):
        x = i * step + step * 0.1
        out.append(Bar(label, a, "hires", x, BASE - a * k, step * 0.4, a * k))
        out.append(Bar(label, b, "leavers", x + step * 0.4, BASE - b * k, step * 0.4, b * k))
    return out
