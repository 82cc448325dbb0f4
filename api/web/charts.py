"""Server-side SVG charts (bar and line) for the planner dashboard; no JavaScript needed.

Each chart has a title and a description for screen readers, and every page shows the same
numbers in a table beside it, so the chart is never the only way to read them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

from domain.nl_format import number

# Series colours: the Okabe-Ito hues (told apart with every common colour vision deficiency),
# darkened where needed to at least 3:1 contrast on white (WCAG 1.4.11, graphics). Beyond
# the colours, each series also has its own dash pattern, so no two lines look the same.
PALETTE = ("#0072b2", "#c44e00", "#007a5e", "#a8508a", "#8a6100", "#000000")
DASHES = ("", "6 3", "2 3")
WIDTH, HEIGHT = 640, 290
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 16, 96
AXIS_LABEL_CHARS = 22  # longer labels are shortened on the axis; the title and table have all


@dataclass(frozen=True)
class Series:
    """One named line of a line chart; None where there is no value."""

    name: str
    values: Sequence[float | None]


def style(n: int) -> tuple[str, str]:
    """Colour and dash pattern of series n: distinct for the first len(PALETTE)*len(DASHES)."""
    return PALETTE[n % len(PALETTE)], DASHES[(n // len(PALETTE)) % len(DASHES)]


def _dash(pattern: str) -> str:
    return f' stroke-dasharray="{pattern}"' if pattern else ""


def _scale_max(values: Sequence[float | None], fixed: float | None) -> float:
    """The axis maximum: fixed, else a multiple of 4 above the data so ticks are whole."""
    if fixed is not None:
        return fixed
    top = max((v for v in values if v is not None), default=0.0)
    return float(max(4, math.ceil(top * 1.05 / 4) * 4))


def _y(value: float, top: float) -> float:
    return TOP + (HEIGHT - TOP - BOTTOM) * (1 - value / top)


def _frame(title: str, desc: str, body: str, top: float, unit: str) -> Markup:
    ticks = []
    for i in range(5):
        value = top * i / 4
        y = _y(value, top)
        label = f"{number(value, 3)}{unit}"
        ticks.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="#d0d4d9" stroke-width="1"/>'
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" '
            f'fill="#1f2933">{escape(label)}</text>'
        )
    svg = (
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{escape(title)}</title><desc>{escape(desc)}</desc>"
        f"{''.join(ticks)}{body}</svg>"
    )
    return Markup(svg)


def _x_labels(labels: Sequence[str], step: float, offset: float) -> str:
    every = max(1, len(labels) // 12)
    out = []
    for i, label in enumerate(labels):
        if i % every:
            continue
        x = LEFT + step * i + offset
        y = HEIGHT - BOTTOM + 14
        short = label if len(label) <= AXIS_LABEL_CHARS else label[: AXIS_LABEL_CHARS - 1] + "…"
        out.append(
            f'<text x="{x:.1f}" y="{y}" font-size="12" fill="#1f2933" text-anchor="end" '
            f'transform="rotate(-35 {x:.1f} {y})"><title>{escape(label)}</title>'
            f"{escape(short)}</text>"
        )
    return "".join(out)


def bar_chart(
    title: str,
    labels: Sequence[str],
    values: Sequence[float | None],
    *,
    unit: str = "",
    max_value: float | None = None,
) -> Markup:
    """Vertical bars, one per label; an empty chart says there are no data."""
    if not labels:
        return empty(title)
    top = _scale_max(values, max_value)
    step = (WIDTH - LEFT - RIGHT) / len(labels)
    bars = []
    for i, value in enumerate(values):
        if value is None:
            continue
        y = _y(value, top)
        x = LEFT + step * i + step * 0.15
        bars.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{step * 0.7:.1f}" '
            f'height="{HEIGHT - BOTTOM - y:.1f}" fill="{PALETTE[0]}">'
            f"<title>{escape(labels[i])}: {number(value)}{escape(unit)}</title></rect>"
        )
    desc = "; ".join(
        f"{label}: {'-' if v is None else f'{number(v)}{unit}'}"
        for label, v in zip(labels, values, strict=True)
    )
    body = "".join(bars) + _x_labels(labels, step, step / 2)
    return _frame(title, desc, body, top, unit)


def line_chart(
    title: str,
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    unit: str = "",
    max_value: float | None = None,
) -> Markup:
    """One line per series over the labels, with a legend below the axis."""
    if not labels or not series:
        return empty(title)
    top = _scale_max([v for s in series for v in s.values], max_value)
    step = (WIDTH - LEFT - RIGHT) / max(1, len(labels) - 1)
    body = []
    for n, line in enumerate(series):
        colour, dash = style(n)
        points = [(LEFT + step * i, _y(v, top)) for i, v in enumerate(line.values) if v is not None]
        if points:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
            body.append(
                f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2.5"'
                f"{_dash(dash)}/>"
            )
            body.extend(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}"/>' for x, y in points
            )
    legend = "".join(
        f'<li><svg width="28" height="12" aria-hidden="true"><line x1="0" y1="6" x2="28" y2="6" '
        f'stroke="{style(n)[0]}" stroke-width="3"{_dash(style(n)[1])}/></svg> '
        f"{escape(line.name)}</li>"
        for n, line in enumerate(series)
    )
    desc = " | ".join(
        f"{line.name}: " + ", ".join("-" if v is None else number(v) for v in line.values)
        for line in series
    )
    chart = _frame(title, desc, "".join(body) + _x_labels(labels, step, 0), top, unit)
    return chart + Markup(f'<ul class="legenda">{legend}</ul>')


def empty(title: str) -> Markup:
    """A placeholder saying there are no data yet."""
    return Markup('<p class="leeg">Nog geen gegevens voor: {}.</p>').format(title)
