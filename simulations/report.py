"""Write a study's outputs: JSON, CSV, PNG charts and one HTML page, scenarios side by side.

- resultaat.json: everything (canonical JSON, byte-identical for the same seed);
- totalen.csv: per scenario and metric the mean and 95% interval over replications;
- verschillen.csv (comparison only): paired differences (second minus first) with intervals;
- reeksen.csv: the time series (mean per sample day) per scenario;
- kerncijfers.png and verloop.png (when matplotlib is installed) and rapport.html.
Labels and titles are Dutch; the HTML embeds the charts and the tables. The CSV files are
written by domain.csv_export, the one writer of every CSV a user downloads (formula-like
cells neutralised, a BOM for Excel, semicolons), with Dutch headers and metric labels.
"""

from __future__ import annotations

import html
import math
from pathlib import Path

from domain.care import CareForm
from domain.csv_export import csv_text
from simulations import fairness
from simulations.montecarlo import MonteCarloResult
from simulations.stats import Estimate
from simulations.study import KEY_METRICS, StudyResult

SERIES_LABELS = {"waiting": "wachtenden", "first_best_rate": "aandeel first-best"}


def _num(x: float) -> str:
    return "" if not math.isfinite(x) else f"{x:.6g}"


def write_outputs(
    study: StudyResult, out_dir: Path, *, charts: bool = True, small_count_threshold: int = 5
) -> list[Path]:
    """Write JSON, CSV, PNG (if matplotlib is available) and HTML; returns the paths.

    The HTML page is for planners: its group tables hide counts below the threshold."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = [out_dir / "resultaat.json", out_dir / "totalen.csv", out_dir / "reeksen.csv"]
    paths[0].write_text(study.to_json() + "\n", encoding="utf-8")
    paths[1].write_text(_totals_csv(study.results), encoding="utf-8")
    paths[2].write_text(_series_csv(study.results), encoding="utf-8")
    if study.comparison is not None:
        diff = out_dir / "verschillen.csv"
        diff.write_text(_estimates_csv(study.comparison.differences), encoding="utf-8")
        paths.append(diff)
    pngs = _charts(study, out_dir) if charts else []
    paths += pngs
    page = out_dir / "rapport.html"
    page.write_text(_html(study, [p.name for p in pngs], small_count_threshold), encoding="utf-8")
    paths.append(page)
    return paths


LOW, HIGH = "ondergrens 95%", "bovengrens 95%"


def metric_label(key: str) -> str:
    """The Dutch name of a metric or series key (the key itself when it has none)."""
    if key in KEY_METRICS:
        return KEY_METRICS[key]
    if key in SERIES_LABELS:
        return SERIES_LABELS[key]
    if key.startswith("occupancy."):
        form = key.split(".", 1)[1]
        try:
            return f"bezetting {CareForm(form).label}"
        except ValueError:
            return f"bezetting {form}"
    return key


def _totals_csv(results: list[MonteCarloResult]) -> str:
    header = ["scenario", "maat", "gemiddelde", LOW, HIGH, "replicaties"]
    rows = []
    for r in results:
        for key, e in sorted(r.totals.items()):
            rows.append([r.scenario["name"], metric_label(key), _num(e.mean), _num(e.low),
                         _num(e.high), str(e.n)])  # fmt: skip
    return csv_text(header, rows)


def _estimates_csv(estimates: dict[str, Estimate]) -> str:
    header = ["maat", "verschil", LOW, HIGH, "replicaties"]
    rows = [
        [metric_label(key), _num(e.mean), _num(e.low), _num(e.high), str(e.n)]
        for key, e in sorted(estimates.items())
    ]
    return csv_text(header, rows)


def _series_csv(results: list[MonteCarloResult]) -> str:
    header = ["scenario", "reeks", "dag", "gemiddelde", LOW, HIGH]
    rows = []
    for r in results:
        for key, points in sorted(r.series.items()):
            for day, e in zip(r.series_days, points, strict=True):
                rows.append([r.scenario["name"], metric_label(key), _num(day), _num(e.mean),
                             _num(e.low), _num(e.high)])  # fmt: skip
    return csv_text(header, rows)


def _charts(study: StudyResult, out_dir: Path) -> list[Path]:
    """Bar charts of the key metrics and line charts of the stock over time (PNG)."""
    try:
        import matplotlib  # noqa: PLC0415 - optional: the report works without it

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt  # noqa: PLC0415
    except ImportError:
        return []
    results = study.results
    names = [r.scenario["name"] for r in results]
    keys = [k for k in KEY_METRICS if k != "arrivals"]
    fig, axes = plt.subplots(2, 5, figsize=(17, 6.5))
    for ax, key in zip(axes.flat, keys, strict=False):
        means = [r.totals[key].mean if key in r.totals else math.nan for r in results]
        errs = [r.totals[key].half_width if key in r.totals else 0.0 for r in results]
        ax.bar(range(len(names)), means, yerr=errs, capsize=4, color=["#1f77b4", "#ff7f0e"])
        ax.set_xticks(range(len(names)), names, rotation=15, fontsize=7)
        ax.set_title(KEY_METRICS[key], fontsize=9)
    fig.suptitle("Kerncijfers per scenario (gemiddelde en 95%-interval over replicaties)")
    fig.tight_layout()
    bars = out_dir / "kerncijfers.png"
    fig.savefig(bars, dpi=110, metadata={"Software": None})
    plt.close(fig)
    forms = sorted({k for r in results for k in r.series if k.startswith("occupancy.")})
    forms += [k for k in ("in_care_out_of_region",) if all(k in r.series for r in results)]
    fig, axes = plt.subplots(1, 2, figsize=(14, 5))
    for r, style in zip(results, ["-", "--"], strict=False):
        years = [d / 365.0 for d in r.series_days]
        for key in forms:
            axes[0].plot(years, [e.mean for e in r.series[key]], style,
                         label=f"{r.scenario['name']}: {key.split('.', 1)[-1]}")  # fmt: skip
        axes[1].plot(years, [e.mean for e in r.series["waiting"]], style,
                     label=r.scenario["name"])  # fmt: skip
    axes[0].set_title("In zorg per zorgvorm en buiten de regio (gemiddelde over replicaties)")
    axes[1].set_title("Wachtenden (gemiddelde over replicaties)")
    for ax in axes:
        ax.set_xlabel("jaar vanaf de start")
        ax.legend(fontsize=6)
    fig.tight_layout()
    lines = out_dir / "verloop.png"
    fig.savefig(lines, dpi=110, metadata={"Software": None})
    plt.close(fig)
    return [bars, lines]


def _cell(e: Estimate | None) -> str:
    if e is None or not math.isfinite(e.mean):
        return "<td>-</td>"
    if not math.isfinite(e.half_width):
        return f"<td>{e.mean:.4g}</td>"
    return f"<td>{e.mean:.4g} <small>[{e.low:.4g}; {e.high:.4g}]</small></td>"


def _table(header: list[str], rows: list[list[str]]) -> str:
    esc = html.escape
    head = "".join(f"<th>{esc(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table border='1' cellpadding='4'><tr>{head}</tr>{body}</table>"


def _groups_html(study: StudyResult, threshold: int) -> str:
    """Per scenario the results per group; with a comparison, the fairness table."""
    esc = html.escape
    parts = [
        "<h2>Per gemeente en leeftijdsgroep</h2>"
        f"<p>Gemiddelden over de replicaties. Aantallen onder {threshold} staan als "
        f"&lt;{threshold}; wat daaruit volgt is {fairness.HIDDEN}. De wachtgrens is "
        "max_queue_days van het scenario.</p>"
    ]
    for r in study.results:
        rows = fairness.group_cells(r.totals, threshold)
        if rows:
            parts.append(f"<h3>{esc(r.scenario['name'])}</h3>")
            parts.append(_table(fairness.GROUP_HEADER, rows))
    rows_f = fairness.study_fairness(study, threshold)
    if rows_f:
        policies = [r.scenario["name"] for r in study.results]
        ref = fairness.reference_side(tuple(r.scenario["policy"] for r in study.results))
        parts.append(
            "<h2>Eerlijkheid: beleid tegen referentie</h2>"
            f"<p>Beleid: {esc(policies[1 - ref])}; referentie: {esc(policies[ref])}. "
            "Verschil = beleid min referentie, gepaard, met 95%-interval; bij alle drie de "
            "maten is meer slechter. SLECHTER: het hele interval ligt aan de slechte kant. "
            f"{esc(fairness.fairness_note(rows_f))}</p>"
        )
        parts.append(
            _table(fairness.FAIRNESS_HEADER, [fairness.row_cells(x, threshold) for x in rows_f])
        )
    return "".join(parts)


def _html(study: StudyResult, images: list[str], threshold: int = 5) -> str:
    results = study.results
    esc = html.escape
    head = "".join(f"<th>{esc(r.scenario['name'])}</th>" for r in results)
    if study.comparison is not None:
        head += "<th>verschil (2e - 1e), gepaard</th>"
    rows = []
    for key, label in KEY_METRICS.items():
        cells = "".join(_cell(r.totals.get(key)) for r in results)
        if study.comparison is not None:
            cells += _cell(study.comparison.differences.get(key))
        rows.append(f"<tr><th>{esc(label)}</th>{cells}</tr>")
    settings = study.first.settings
    imgs = "".join(f'<p><img src="{esc(name)}" alt="{esc(name)}"></p>' for name in images)
    return (
        "<!doctype html><html lang='nl'><head><meta charset='utf-8'>"
        "<title>Scenariovergelijking jeugdhulp met verblijf</title></head><body>"
        "<h1>Scenariovergelijking jeugdhulp met verblijf</h1>"
        f"<p>Replicaties: {len(results[0].replications)}; meetperiode dag "
        f"{settings.warmup_days:g} tot {settings.horizon_days:g}; seed {study.first.seed}. "
        "Tussen haken het 95%-betrouwbaarheidsinterval over de replicaties; het verschil is "
        "gepaard (dezelfde toevalsgetallen in beide scenario's).</p>"
        f"<table border='1' cellpadding='4'><tr><th>maat</th>{head}</tr>{''.join(rows)}</table>"
        f"{_groups_html(study, threshold)}{imgs}</body></html>\n"
    )
