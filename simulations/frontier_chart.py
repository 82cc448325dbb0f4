"""The sweep's frontier as an SVG scatter: first-best share against out-of-region share.

Each point is a policy setting: its colour and size show the mean wait, bars its 95 %
intervals (shares clipped to [0, 1]); the Pareto-optimal points (more first-best, less out
of region, shorter wait) are joined; the shipped policy is ringed and labelled. Plain SVG
text, Dutch labels, no dependencies; the axes leave room so no label is clipped.
"""

from __future__ import annotations

import math
from html import escape
from typing import Any

from domain.nl_format import number

W, H = 760, 500
LEFT, RIGHT, TOP, BOTTOM = 80, 200, 60, 90  # the legend sits in the right margin
CURRENT_MARK = "huidig-beleid"


def _clip(x: float) -> float:
    return min(1.0, max(0.0, x))


def _fmt(x: float) -> str:
    return number(x, 3)


def _range(values: list[float]) -> tuple[float, float]:
    lo, hi = min(values), max(values)
    pad = max((hi - lo) * 0.15, 0.01)
    return max(0.0, lo - pad), min(1.0, hi + pad)


def _colour(t: float) -> str:
    """Short wait (t=0) blue, long wait (t=1) orange-red."""
    a, b = (31, 119, 180), (214, 39, 40)
    r, g, bl = (round(a[i] + (b[i] - a[i]) * t) for i in range(3))
    return f"#{r:02x}{g:02x}{bl:02x}"


def frontier_svg(data: dict[str, Any]) -> str:
    """The frontier chart of a sweep result (`simulations.sweep.sweep_dict`)."""
    pts = data["points"]
    m = [p["measures"] for p in pts]
    xs = [_clip(v["blocked_fraction"]["mean"]) for v in m]
    ys = [_clip(v["first_best_rate"]["mean"]) for v in m]
    lows_x = [_clip(v["blocked_fraction"]["low"] if _ok(v["blocked_fraction"]["low"]) else x)
              for v, x in zip(m, xs, strict=True)]  # fmt: skip
    highs_x = [_clip(v["blocked_fraction"]["high"] if _ok(v["blocked_fraction"]["high"]) else x)
               for v, x in zip(m, xs, strict=True)]  # fmt: skip
    lows_y = [_clip(v["first_best_rate"]["low"] if _ok(v["first_best_rate"]["low"]) else y)
              for v, y in zip(m, ys, strict=True)]  # fmt: skip
    highs_y = [_clip(v["first_best_rate"]["high"] if _ok(v["first_best_rate"]["high"]) else y)
               for v, y in zip(m, ys, strict=True)]  # fmt: skip
    waits = [v["mean_wait_days"]["mean"] for v in m]
    x0, x1 = _range(lows_x + highs_x)
    y0, y1 = _range(lows_y + highs_y)
    w0, w1 = min(waits), max(waits)
    pw, ph = W - LEFT - RIGHT, H - TOP - BOTTOM

    def px(x: float) -> float:
        return LEFT + (x - x0) / (x1 - x0) * pw

    def py(y: float) -> float:
        return TOP + ph - (y - y0) / (y1 - y0) * ph

    def t_wait(w: float) -> float:
        return 0.0 if w1 <= w0 else (w - w0) / (w1 - w0)

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" width="{W}" '
        f'height="{H}" role="img" aria-labelledby="afweging-titel" font-family="sans-serif" '
        'font-size="12">',
        f'<title id="afweging-titel">{escape(_title(data))}</title>',
        f'<text x="{LEFT}" y="24" font-size="15" font-weight="bold">'
        "Afweging plaatsingsbeleid: first-best tegen buiten de regio</text>",
        f'<text x="{LEFT}" y="42" font-size="11">{escape(_subtitle(data))}</text>',
        f'<rect x="{LEFT}" y="{TOP}" width="{pw}" height="{ph}" fill="none" stroke="#999"/>',
    ]
    for k in range(5):  # ticks
        xv, yv = x0 + (x1 - x0) * k / 4, y0 + (y1 - y0) * k / 4
        out.append(f'<text x="{px(xv):.1f}" y="{TOP + ph + 16}" text-anchor="middle">'
                   f"{_fmt(100 * xv)}%</text>")  # fmt: skip
        out.append(f'<text x="{LEFT - 6}" y="{py(yv) + 4:.1f}" text-anchor="end">'
                   f"{_fmt(100 * yv)}%</text>")  # fmt: skip
    out.append(f'<text x="{LEFT + pw / 2}" y="{TOP + ph + 36}" text-anchor="middle">'
               "aandeel buiten de regio geplaatst (minder is beter)</text>")  # fmt: skip
    out.append(f'<text transform="translate(18 {TOP + ph / 2}) rotate(-90)" '
               'text-anchor="middle">'
               "aandeel first-best geplaatst (meer is beter)</text>")  # fmt: skip
    front = sorted((xs[i], ys[i]) for i, p in enumerate(pts) if p["pareto"])
    if len(front) > 1:
        path = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in front)
        out.append(f'<polyline class="pareto" points="{path}" fill="none" stroke="#2ca02c" '
                   'stroke-width="2" stroke-dasharray="6 3"/>')  # fmt: skip
    for i, p in enumerate(pts):
        cx, cy = px(xs[i]), py(ys[i])
        out.append(f'<line x1="{px(lows_x[i]):.1f}" y1="{cy:.1f}" x2="{px(highs_x[i]):.1f}" '
                   f'y2="{cy:.1f}" stroke="#bbb"/>')  # fmt: skip
        out.append(f'<line x1="{cx:.1f}" y1="{py(lows_y[i]):.1f}" x2="{cx:.1f}" '
                   f'y2="{py(highs_y[i]):.1f}" stroke="#bbb"/>')  # fmt: skip
        t = t_wait(waits[i])
        r = 6 + 8 * t
        tip = f"{p['label']}: gemiddelde wachttijd {_fmt(waits[i])} dagen"
        out.append(f'<circle class="punt" data-punt="{p["index"]}" cx="{cx:.1f}" cy="{cy:.1f}" '
                   f'r="{r:.1f}" fill="{_colour(t)}" fill-opacity="0.8" stroke="#333">'
                   f"<title>{escape(tip)}</title></circle>")  # fmt: skip
        label = str(p["index"])
        if p["index"] == 0 and not p["parameters"]:
            out.append(f'<circle class="{CURRENT_MARK}" cx="{cx:.1f}" cy="{cy:.1f}" '
                       f'r="{r + 5:.1f}" fill="none" stroke="#000" stroke-width="2"/>')  # fmt: skip
            label = "huidig beleid"
        anchor = "end" if cx > LEFT + pw * 0.7 else "start"
        dx = -(r + 4) if anchor == "end" else r + 4
        out.append(f'<text x="{cx + dx:.1f}" y="{cy - r - 2:.1f}" text-anchor="{anchor}" '
                   f'font-size="11">{escape(label)}</text>')  # fmt: skip
    out += _legend(w0, w1)
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _ok(x: Any) -> bool:
    return isinstance(x, int | float) and math.isfinite(x)


def _legend(w0: float, w1: float) -> list[str]:
    lx = W - RIGHT + 20
    out = [f'<text x="{lx}" y="{TOP + 10}" font-weight="bold">Legenda</text>',
           f'<text x="{lx}" y="{TOP + 30}">gemiddelde wachttijd</text>']  # fmt: skip
    for k, t in enumerate((0.0, 0.5, 1.0)):
        y = TOP + 52 + k * 30
        w = w0 + (w1 - w0) * t
        out.append(f'<circle cx="{lx + 12}" cy="{y}" r="{6 + 8 * t:.1f}" fill="{_colour(t)}" '
                   'fill-opacity="0.8" stroke="#333"/>')  # fmt: skip
        out.append(f'<text x="{lx + 32}" y="{y + 4}">{_fmt(w)} dagen</text>')
    y = TOP + 150
    out.append(f'<line x1="{lx}" y1="{y}" x2="{lx + 24}" y2="{y}" stroke="#2ca02c" '
               'stroke-width="2" stroke-dasharray="6 3"/>')  # fmt: skip
    out.append(f'<text x="{lx + 32}" y="{y + 4}">Pareto-optimaal</text>')
    out.append(f'<circle cx="{lx + 12}" cy="{y + 28}" r="9" fill="none" stroke="#000" '
               'stroke-width="2"/>')  # fmt: skip
    out.append(f'<text x="{lx + 32}" y="{y + 32}">huidig beleid</text>')
    out.append(f'<line x1="{lx}" y1="{y + 56}" x2="{lx + 24}" y2="{y + 56}" stroke="#bbb"/>')
    out.append(f'<text x="{lx + 32}" y="{y + 60}">95%-interval</text>')
    return out


def _title(data: dict[str, Any]) -> str:
    return f"Afweging plaatsingsbeleid ({data['sweep']}, {data['policy']})"


def _subtitle(data: dict[str, Any]) -> str:
    s = data["settings"]
    years = (s["horizon_days"] - s["warmup_days"]) / 365
    return (
        f"{len(data['points'])} punten x {data['replications']} replicaties, "
        f"{_fmt(years)} jaar gemeten na {_fmt(s['warmup_days'] / 365)} jaar inloop; "
        "getallen bij de punten: zie de tabel"
    )
