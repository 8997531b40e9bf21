"""Inline SVG charts: no plotting library, no image files, nothing fetched when the page opens."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

WIDTH, HEIGHT, PAD = 320, 260, 40
COLOURS = ("#2563eb", "#d97706", "#6b7280")
Series = tuple[str, Sequence[float], Sequence[float]]


def _x(value: float) -> float:
    return PAD + value * (WIDTH - PAD - 10)


def _y(value: float) -> float:
    return HEIGHT - PAD - value * (HEIGHT - PAD - 10)


def _axes(x_label: str, y_label: str) -> str:
    ticks = "".join(
        f'<text x="{_x(t):.0f}" y="{HEIGHT - PAD + 14}" text-anchor="middle">{t:g}</text>'
        f'<text x="{PAD - 6}" y="{_y(t) + 4:.0f}" text-anchor="end">{t:g}</text>'
        f'<line x1="{_x(0)}" x2="{_x(1)}" y1="{_y(t):.1f}" y2="{_y(t):.1f}" class="grid"/>'
        for t in (0, 0.5, 1)
    )
    return (
        f'<rect x="{_x(0)}" y="{_y(1)}" width="{_x(1) - _x(0)}" height="{_y(0) - _y(1)}" class="frame"/>'
        f"{ticks}"
        f'<text x="{(_x(0) + _x(1)) / 2}" y="{HEIGHT - 6}" text-anchor="middle">{escape(x_label)}</text>'
        f'<text transform="translate(12 {(_y(0) + _y(1)) / 2}) rotate(-90)" text-anchor="middle">'
        f"{escape(y_label)}</text>"
    )


def line_chart(title: str, series: Sequence[Series], x_label: str, y_label: str, *, diagonal: bool) -> str:
    """Curves on the unit square; `diagonal` draws the chance / perfect-calibration line."""
    parts = [_axes(x_label, y_label)]
    if diagonal:
        parts.append(f'<line x1="{_x(0)}" y1="{_y(0)}" x2="{_x(1)}" y2="{_y(1)}" class="diagonal"/>')
    for index, (label, xs, ys) in enumerate(series):
        points = " ".join(f"{_x(x):.1f},{_y(y):.1f}" for x, y in zip(xs, ys, strict=True))
        colour = COLOURS[index % len(COLOURS)]
        parts.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2"/>')
        parts.append(
            f'<text x="{_x(0.55)}" y="{_y(0.12) + 14 * index:.0f}" fill="{colour}">{escape(label)}</text>'
        )
    return _svg(title, WIDTH, HEIGHT, "".join(parts))


def bar_chart(title: str, items: Sequence[tuple[str, float]], value_format: str = "{:.3g}") -> str:
    """Horizontal bars, largest first; the height grows with the number of items."""
    row, label_width, width = 22, 130, 360
    largest = max((value for _, value in items), default=0.0) or 1.0
    parts = []
    for index, (name, value) in enumerate(items):
        y = 8 + index * row
        length = (width - label_width - 60) * value / largest
        parts.append(
            f'<text x="{label_width - 6}" y="{y + 14}" text-anchor="end">{escape(name)}</text>'
            f'<rect x="{label_width}" y="{y + 3}" width="{length:.1f}" height="{row - 8}" '
            f'fill="{COLOURS[0]}"/>'
            f'<text x="{label_width + length + 4:.1f}" y="{y + 14}">{value_format.format(value)}</text>'
        )
    return _svg(title, width, 16 + row * len(items), "".join(parts))


def shap_strip(title: str, features: Sequence[dict[str, Any]]) -> str:
    """One row per feature: a dot per sampled row at its SHAP value, blue (low value) to red (high)."""
    row, label_width, width = 26, 130, 380
    values = [abs(float(dot[0])) for f in features for dot in f["dots"]]
    extent = max(values, default=0.0) or 1.0
    centre, half = label_width + (width - label_width - 10) / 2, (width - label_width - 10) / 2
    parts = [f'<line x1="{centre}" x2="{centre}" y1="4" y2="{8 + row * len(features)}" class="grid"/>']
    for index, feature in enumerate(features):
        y = 8 + index * row
        parts.append(
            f'<text x="{label_width - 6}" y="{y + 15}" text-anchor="end">'
            f"{escape(str(feature['feature']))}</text>"
        )
        for n, (shap, scaled) in enumerate(feature["dots"]):
            colour = "#9ca3af" if scaled is None else f"rgb({int(255 * scaled)},60,{int(255 * (1 - scaled))})"
            jitter = (n * 7919 % 13) - 6  # deterministic spread so dots do not hide each other
            parts.append(
                f'<circle cx="{centre + half * shap / extent:.1f}" cy="{y + 11 + jitter * 0.8:.1f}" r="2" '
                f'fill="{colour}" fill-opacity="0.7"/>'
            )
    axis_y = 20 + row * len(features)
    parts.append(
        f'<text x="{centre}" y="{axis_y}" text-anchor="middle">SHAP value (log-odds), '
        f"±{extent:.2f}; blue: low value, red: high, grey: missing</text>"
    )
    return _svg(title, width, axis_y + 8, "".join(parts))


def _svg(title: str, width: int, height: float, body: str) -> str:
    return (
        f'<svg viewBox="0 0 {width} {height:.0f}" role="img" aria-label="{escape(title)}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>{body}</svg>'
    )
