"""Charts drawn on the server as inline SVG: no CDN, no script, and they print.

Each chart is an image with a title and a description for screen readers (`role="img"`,
`<title>`, `<desc>`); the page always sets the data table beside it, which is the accessible
form of the same numbers. Colours are the Okabe–Ito palette, told apart by people with
colour-vision deficiencies, and lines carry different marker shapes as well.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#56B4E9", "#E69F00", "#000000", "#882255")
WIDTH = 720
LABEL_WIDTH = 200
VALUE_ROOM = 90
FONT = 'font-family="system-ui, sans-serif" font-size="12"'
MAX_LABEL = 30


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | Decimal | int | None]


def _short(text: str, limit: int = MAX_LABEL) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _nice_max(value: float) -> float:
    """A round axis end at or above `value` (1, 2, 2.5 or 5 times a power of ten)."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power


def _fmt(value: float, unit: str) -> str:
    if unit == "%":
        return f"{value:,.1f}%"
    if float(value).is_integer():
        return f"{value:,.0f}{unit}"
    return f"{value:,.2f}{unit}"


def _open(key: str, title: str, desc: str, height: int) -> list[str]:
    return [
        f'<svg class="impact-chart" xmlns="http://www.w3.org/2000/svg" role="img" '
        f'viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" '
        f'preserveAspectRatio="xMinYMin meet" '
        f'aria-labelledby="{key}-title {key}-desc" {FONT}>',
        f'<title id="{key}-title">{escape(title)}</title>',
        f'<desc id="{key}-desc">{escape(desc)}</desc>',
    ]


def _legend(series: Sequence[Series], y: int, *, markers: bool = False) -> tuple[list[str], int]:
    """Legend entries flowing left to right, wrapping; returns the SVG and the height used."""
    parts, x, row = [], LABEL_WIDTH, 0
    for i, s in enumerate(series):
        width = 28 + 7 * len(_short(s.name, 40))
        if x + width > WIDTH and x > LABEL_WIDTH:
            x, row = LABEL_WIDTH, row + 1
        top = y + row * 18
        colour = PALETTE[i % len(PALETTE)]
        if markers:
            parts.append(_marker(i, x + 6, top + 6, colour))
        else:
            parts.append(f'<rect x="{x}" y="{top}" width="12" height="12" fill="{colour}"/>')
        parts.append(f'<text x="{x + 17}" y="{top + 10}">{escape(_short(s.name, 40))}</text>')
        x += width
    return parts, (row + 1) * 18 + 6


def _marker(i: int, x: float, y: float, colour: str) -> str:
    shape = i % 3
    if shape == 0:
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colour}"/>'
    if shape == 1:
        return f'<rect x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" fill="{colour}"/>'
    return (
        f'<polygon points="{x:.1f},{y - 5:.1f} {x + 5:.1f},{y + 4:.1f} {x - 5:.1f},{y + 4:.1f}" '
        f'fill="{colour}"/>'
    )


def bar_chart(
    *,
    key: str,
    title: str,
    desc: str,
    categories: Sequence[str],
    series: Sequence[Series],
    stacked: bool = False,
    unit: str = "",
    axis_max: float | None = None,
) -> SafeString:
    """Horizontal bars, one group (or one stacked bar) per category. Missing values (None, or
    protected small counts the caller passes as None) draw nothing. Counts (all whole
    numbers) get whole-number ticks; `axis_max` fixes the scale (100 for shares)."""
    plot = WIDTH - LABEL_WIDTH - VALUE_ROOM
    bar = 16 if stacked else 12
    group = bar if stacked else bar * len(series)
    gap = 12
    legend, legend_height = _legend(series, 8)
    top = 8 + legend_height + 16
    height = top + len(categories) * (group + gap) + 8

    def number(v) -> float:
        return max(0.0, float(v)) if v is not None else 0.0

    if stacked:
        totals = [sum(number(s.values[c]) for s in series) for c in range(len(categories))]
    else:
        totals = [number(v) for s in series for v in s.values]
    if axis_max is None:
        axis_max = _nice_max(max(totals, default=0.0))
        if all(float(t).is_integer() for t in totals):
            axis_max = max(4, math.ceil(axis_max / 4) * 4)  # ticks at quarters: whole numbers
    scale = plot / axis_max

    parts = _open(key, title, desc, height)
    parts += legend
    for tick in range(5):
        value = axis_max * tick / 4
        x = LABEL_WIDTH + value * scale
        parts.append(
            f'<line x1="{x:.1f}" y1="{top - 6}" x2="{x:.1f}" y2="{height - 8}" '
            f'stroke="#d0d4d9" stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{x:.1f}" y="{top - 9}" text-anchor="middle" fill="#495057">'
            f"{escape(_fmt(value, unit))}</text>"
        )
    for c, category in enumerate(categories):
        y = top + c * (group + gap)
        parts.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{y + group / 2 + 4:.1f}" text-anchor="end">'
            f"{escape(_short(category))}</text>"
        )
        x = float(LABEL_WIDTH)
        for i, s in enumerate(series):
            value = s.values[c]
            colour = PALETTE[i % len(PALETTE)]
            length = number(value) * scale
            bar_y = y if stacked else y + i * bar
            if length > 0:
                parts.append(
                    f'<rect x="{x:.1f}" y="{bar_y}" width="{length:.1f}" height="{bar - 1}" '
                    f'fill="{colour}"/>'
                )
            if stacked:
                x += length
            elif value is not None:
                parts.append(
                    f'<text x="{x + length + 4:.1f}" y="{bar_y + bar - 2}" fill="#212529">'
                    f"{escape(_fmt(float(value), unit))}</text>"
                )
        if stacked:
            parts.append(
                f'<text x="{x + 4:.1f}" y="{y + bar - 3}" fill="#212529">'
                f"{escape(_fmt(totals[c], unit))}</text>"
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 — every text above went through escape()


def line_chart(
    *,
    key: str,
    title: str,
    desc: str,
    points: Sequence[str],
    series: Sequence[Series],
    unit: str = "%",
) -> SafeString:
    """Lines across `points` (e.g. baseline, 6, 12, 18 months); a missing value breaks the
    line. The zero line is drawn, so growth below the baseline reads as such."""
    left, right = 70, 30
    plot_w = WIDTH - left - right
    plot_h = 220
    legend, legend_height = _legend(series, 8, markers=True)
    top = 8 + legend_height + 12
    height = top + plot_h + 40
    values = [float(v) for s in series for v in s.values if v is not None]
    high = _nice_max(max([0.0, *values]))
    low = -_nice_max(-min(values)) if values and min(values) < 0 else 0.0
    span = (high - low) or 1.0

    def x_of(i: int) -> float:
        return left + (plot_w * i / max(1, len(points) - 1))

    def y_of(v: float) -> float:
        return top + plot_h - (v - low) / span * plot_h

    parts = _open(key, title, desc, height)
    parts += legend
    for tick in range(5):
        value = low + span * tick / 4
        y = y_of(value)
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{WIDTH - right}" y2="{y:.1f}" '
            f'stroke="{"#6c757d" if abs(value) < 1e-9 else "#d0d4d9"}" stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#495057">'
            f"{escape(_fmt(value, unit))}</text>"
        )
    for i, point in enumerate(points):
        parts.append(
            f'<text x="{x_of(i):.1f}" y="{top + plot_h + 20}" text-anchor="middle">'
            f"{escape(point)}</text>"
        )
    for n, s in enumerate(series):
        colour = PALETTE[n % len(PALETTE)]
        run: list[str] = []
        for i, v in enumerate(s.values):
            if v is None:
                if len(run) > 1:
                    parts.append(_polyline(run, colour))
                run = []
                continue
            run.append(f"{x_of(i):.1f},{y_of(float(v)):.1f}")
            parts.append(_marker(n, x_of(i), y_of(float(v)), colour))
        if len(run) > 1:
            parts.append(_polyline(run, colour))
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 — every text above went through escape()


def _polyline(points: list[str], colour: str) -> str:
    return f'<polyline points="{" ".join(points)}" fill="none" stroke="{colour}" stroke-width="2"/>'
