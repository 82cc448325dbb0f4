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
import textwrap
from pathlib import Path

from domain.care import CareForm
from domain.csv_export import csv_text
from domain.nl_format import csv_number, number
from simulations import fairness
from simulations.montecarlo import MonteCarloResult
from simulations.records import DEVIATION_LABELS
from simulations.regions import REGION, REGION_LABELS, region_label
from simulations.stats import Estimate, methods_used
from simulations.study import KEY_METRICS, StudyResult

SERIES_LABELS = {"waiting": "wachtenden", "first_best_rate": "aandeel first-best",
                 "in_care_out_of_region": "buiten de regio"}  # fmt: skip
# Okabe-Ito: told apart with every common colour vision deficiency.
CHART_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")


_num = csv_number


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


# The other totals of a replication (simulations.outputs), for the CSV files.
OTHER_METRICS = {
    "arrival_rate": "aanmeldingen per dag",
    "placed": "in de regio geplaatst (aantal)",
    "placed_rate": "in de regio geplaatst per dag",
    "placed_first_best": "first-best geplaatst (aantal)",
    "still_waiting": "nog wachtend aan het eind (aantal)",
    "declined_proposals": "afgewezen voorstellen (aantal)",
    "waiting_probability": "aandeel dat moest wachten",
    "norm_compliance_in_region": "binnen 14 dagen in de regio geplaatst (aandeel)",
    "mean_stay_days": "gemiddelde verblijfsduur in de regio (dagen)",
    **fairness.MEASURES,
}
# Totals per care form: `<prefix>.<form>`.
PER_FORM = {
    "occupancy": "bezetting",
    "places": "plaatsen",
    "utilisation": "benutting",
    "arrivals": "aanmeldingen met first-best",
    "placed_first_best": "first-best geplaatst in",
    "out_of_region": "buiten de regio geplaatst, first-best",
}


def metric_label(key: str) -> str:
    """The Dutch name of a metric or series key (the key itself when it has none)."""
    label = KEY_METRICS.get(key) or SERIES_LABELS.get(key) or OTHER_METRICS.get(key)
    if label is not None:
        return label
    group = fairness.split_key(key)
    if group is not None:
        kind, name, measure = group
        return f"{fairness.group_label(kind, name)}: {metric_label(measure)}"
    prefix, _, rest = key.partition(".")
    if prefix == "deviations":
        return f"afwijking: {DEVIATION_LABELS.get(rest, rest.replace('_', ' '))}"
    if prefix in PER_FORM and rest:
        return f"{PER_FORM[prefix]} {form_label(rest)}"
    return region_label(key) or key


def form_label(form: str) -> str:
    """The Dutch name of a care form code (the code itself when it is not one)."""
    try:
        return CareForm(form).label
    except ValueError:
        return form.replace("_", " ")


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
        from matplotlib.ticker import FuncFormatter  # noqa: PLC0415
    except ImportError:
        return []
    dutch = FuncFormatter(_dutch_tick)
    results = study.results
    names = [r.scenario["name"] for r in results]
    keys = [k for k in KEY_METRICS if k != "arrivals"]
    fig, axes = plt.subplots(2, 5, figsize=(17, 6.5))
    for ax, key in zip(axes.flat, keys, strict=False):
        found = [r.totals.get(key) for r in results]
        means = [math.nan if e is None else e.mean for e in found]
        below = [0.0 if e is None or not math.isfinite(e.low) else e.mean - e.low for e in found]
        above = [0.0 if e is None or not math.isfinite(e.high) else e.high - e.mean for e in found]
        ax.bar(range(len(names)), means, yerr=[below, above], capsize=4,
               color=list(CHART_COLOURS[: len(names)]))  # fmt: skip
        ax.set_xticks(range(len(names)), names, rotation=15, fontsize=8)
        ax.set_title(textwrap.fill(KEY_METRICS[key], 28), fontsize=9)
        ax.yaxis.set_major_formatter(dutch)
    fig.suptitle("Kerncijfers per scenario (gemiddelde en 95%-interval over replicaties)")
    fig.tight_layout()
    bars = out_dir / "kerncijfers.png"
    fig.savefig(bars, dpi=110, metadata={"Software": None})
    plt.close(fig)
    forms = sorted({k for r in results for k in r.series if k.startswith("occupancy.")})
    forms += [k for k in ("in_care_out_of_region",) if all(k in r.series for r in results)]
    fig, axes = plt.subplots(1, 2, figsize=(14, 5))
    for side, (r, style) in enumerate(zip(results, ["-", "--"], strict=False)):
        years = [d / 365.0 for d in r.series_days]
        for i, key in enumerate(forms):
            axes[0].plot(years, [e.mean for e in r.series[key]], style,
                         color=CHART_COLOURS[i % len(CHART_COLOURS)],
                         label=f"{r.scenario['name']}: {_line_label(key)}")  # fmt: skip
        axes[1].plot(years, [e.mean for e in r.series["waiting"]], style,
                     color=CHART_COLOURS[side], label=r.scenario["name"])  # fmt: skip
    axes[0].set_title("In zorg per zorgvorm en buiten de regio (gemiddelde over replicaties)")
    axes[1].set_title("Wachtenden (gemiddelde over replicaties)")
    axes[0].set_ylabel("jeugdigen in zorg")
    axes[1].set_ylabel("wachtende jeugdigen")
    for ax in axes:
        ax.set_xlabel("jaar vanaf de start")
        ax.xaxis.set_major_formatter(dutch)
        ax.yaxis.set_major_formatter(dutch)
        ax.legend(fontsize=8)
    fig.tight_layout()
    lines = out_dir / "verloop.png"
    fig.savefig(lines, dpi=110, metadata={"Software": None})
    plt.close(fig)
    return [bars, lines]


def _dutch_tick(value: float, _position: object = None) -> str:
    return number(value)


def _line_label(key: str) -> str:
    if key.startswith("occupancy."):
        return form_label(key.split(".", 1)[1])
    return metric_label(key)


def _cell(e: Estimate | None) -> str:
    if e is None or not math.isfinite(e.mean):
        return "<td>-</td>"
    if not math.isfinite(e.half_width):
        return f"<td>{number(e.mean)}</td>"
    return f"<td>{number(e.mean)} <small>[{number(e.low)}; {number(e.high)}]</small></td>"


def _all_estimates(study: StudyResult) -> list[Estimate]:
    found = [e for r in study.results for e in r.totals.values()]
    if study.comparison is not None:
        found += study.comparison.differences.values()
    return found


def methods_html(study: StudyResult) -> str:
    """The interval methods behind the figures, as a Dutch list."""
    items = "".join(f"<li>{html.escape(m)}</li>" for m in methods_used(_all_estimates(study)))
    return f"<p>Betrouwbaarheidsintervallen (95%):</p><ul>{items}</ul>"


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


def _regions_html(study: StudyResult) -> str:
    """Per scenario over several regions: each region's measures (simulations.regions)."""
    esc = html.escape
    parts = []
    for r in study.results:
        keys = [k[len(REGION) :].rpartition(".")[0] for k in r.totals if k.startswith(REGION)]
        names = list(dict.fromkeys(keys))  # in the scenario's order
        if not names:
            continue
        head = "".join(f"<th>regio {esc(name)}</th>" for name in names)
        rows = "".join(
            f"<tr><th>{esc(label)}</th>"
            + "".join(_cell(r.totals.get(f"{REGION}{name}.{measure}")) for name in names)
            + "</tr>"
            for measure, label in REGION_LABELS.items()
        )
        parts.append(
            f"<h2>Per regio: {esc(r.scenario['name'])}</h2><p>Buiten de eigen regio: in een "
            "andere regio van het scenario of buiten alle regio's van het scenario.</p>"
            f"<table border='1' cellpadding='4'><tr><th>maat</th>{head}</tr>{rows}</table>"
        )
    return "".join(parts)


def report_title(names: list[str]) -> str:
    """The report's title, naming the scenarios by their own names."""
    if len(names) == 1:
        return f"Scenario {names[0]}"
    return f"Scenariovergelijking: {names[0]} tegen {names[1]}"


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
    title = esc(report_title([r.scenario["name"] for r in results]))
    imgs = "".join(f'<p><img src="{esc(name)}" alt="{esc(name)}"></p>' for name in images)
    return (
        "<!doctype html><html lang='nl'><head><meta charset='utf-8'>"
        f"<title>{title}</title></head><body>"
        f"<h1>{title}</h1>"
        f"<p>Replicaties: {len(results[0].replications)}; meetperiode dag "
        f"{number(settings.warmup_days)} tot {number(settings.horizon_days)}; "
        f"seed {study.first.seed}. "
        "Tussen haken het 95%-betrouwbaarheidsinterval over de replicaties; het verschil is "
        "gepaard (dezelfde toevalsgetallen in beide scenario's).</p>"
        f"{methods_html(study)}"
        f"<table border='1' cellpadding='4'><tr><th>maat</th>{head}</tr>{''.join(rows)}</table>"
        f"{_regions_html(study)}{_groups_html(study, threshold)}{imgs}</body></html>\n"
    )
