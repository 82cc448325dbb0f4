"""The planner dashboard: deviations, first-best rate, occupancy and time to placement.

Aggregates only, never a child. Every chart has its table beside it and a CSV download.
The planner sees counts of children below the threshold as "<5" (placements.disclosure)
in the tables, the charts and the CSV alike; the servicepunt sees the exact figures.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date, datetime
from functools import cache
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup
from sqlmodel import Session, col, select

from api.deps import NowDep, SessionDep, StateDep
from api.exports import csv_download
from api.routes.reports import REPORTS, for_reader
from api.web.auth import PageNotFound, PlannerOrStaff
from api.web.charts import Series, bar_chart, line_chart
from api.web.render import page
from capacity.models import Occupancy, Unit
from domain.care import CareForm
from domain.vocabulary import Role
from placements import reports
from placements.capacity_needs import month_ends
from simulations.sweep import PointRow, point_rows

router = APIRouter(include_in_schema=False)
MONTHS = 12
CHART_TABLES = ("afwijkingen", "afwijkingsredenen", "first_best", "doorlooptijd")


def occupancy_table(session: Session, *, today: date, months: int = MONTHS) -> reports.Table:
    """Children in care per care form on the last day of each month (today for this month)."""
    stays = session.exec(
        select(col(Occupancy.since), col(Occupancy.ended_on), col(Unit.care_form)).where(
            col(Occupancy.unit_id) == col(Unit.id)
        )
    ).all()
    counts: dict[tuple[str, str], int] = defaultdict(int)
    ends = month_ends(today, months)
    for since, ended_on, form in stays:
        for label, day in ends:
            if since <= day and (ended_on is None or ended_on > day):
                counts[(label, form)] += 1
    forms = sorted({form for _, form in counts})
    table = reports.Table(
        "bezetting",
        "Bezetting per zorgvorm (kinderen op de laatste dag van de maand)",
        ("maand", *forms),
    )
    for label, _ in ends:
        table.rows.append((label, *(counts[(label, form)] for form in forms)))
    return table


def _tables(session: Session, now: datetime, role: str, threshold: int) -> dict[str, reports.Table]:
    tables = {name: build(session, now, (None, None)) for name, build in REPORTS.items()}
    tables["bezetting"] = occupancy_table(session, today=now.date())
    return {name: for_reader(table, role, threshold) for name, table in tables.items()}


def _pct(value: object) -> float | None:
    return round(float(value) * 100, 1) if isinstance(value, int | float) else None


def _care_label(value: object) -> str:
    try:
        return CareForm(str(value)).label
    except ValueError:
        return str(value)


def _by_form(table: reports.Table, value_column: str) -> tuple[list[str], list[Series]]:
    """Months on the x axis and one series per care form, from a month × form table."""
    rows = table.as_dicts()
    months = sorted({str(r["maand"]) for r in rows})
    forms = sorted({str(r["zorgvorm"]) for r in rows})
    series = []
    for form in forms:
        values: dict[str, float | None] = {
            str(r["maand"]): _number(r[value_column]) for r in rows if r["zorgvorm"] == form
        }
        series.append(Series(_care_label(form), [values.get(m) for m in months]))
    return months, series


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) else None


def _monthly_percentage(title: str, rows: list[dict[str, reports.Cell]], column: str) -> Markup:
    """A bar a month of a percentage column (0-100 %)."""
    months = [str(r["maand"]) for r in rows]
    return bar_chart(title, months, [_pct(r[column]) for r in rows], unit="%", max_value=100)


# The integral view of needed against available capacity (placements.capacity_needs).
INTEGRAL = "behoefte_aanbod_integraal"
Cell = reports.Cell


def months_side_by_side(
    table: reports.Table,
) -> tuple[list[str], list[tuple[tuple[Cell, ...], list[tuple[Cell, Cell]]]]]:
    """The integral view with the months as columns, as the page shows it: per municipality,
    age band, care form and capability, (needed, free) in each month."""
    rows = table.as_dicts()
    months = sorted({str(r["maand"]) for r in rows})
    cells: dict[tuple[Cell, ...], dict[str, tuple[Cell, Cell]]] = {}
    for r in rows:
        key = (r["gemeente"], r["leeftijd"], r["zorgvorm"], r["deskundigheid"])
        cells.setdefault(key, {})[str(r["maand"])] = (r["benodigd"], r["vrij"])
    return months, [(key, [cells[key][m] for m in months]) for key in cells]


def charts(tables: dict[str, reports.Table]) -> dict[str, Markup]:
    """The four dashboard charts, keyed by the table they draw."""
    dev = tables["afwijkingen"].as_dicts()
    reasons = tables["afwijkingsredenen"].as_dicts()
    best = tables["first_best"].as_dicts()
    occupancy_rows = tables["bezetting"].rows
    months = [str(row[0]) for row in occupancy_rows]
    occupancy = [
        Series(_care_label(form), [_number(row[n]) for row in occupancy_rows])
        for n, form in enumerate(tables["bezetting"].columns[1:], start=1)
    ]
    t_months, t_series = _by_form(tables["doorlooptijd"], "mediaan_dagen")
    return {
        "afwijkingen": _monthly_percentage(
            "Afwijkingspercentage (zorgvorm) per maand", dev, "percentage_zorgvorm"
        ),
        "afwijkingsredenen": bar_chart(
            "Afwijkingen per reden",
            [str(r["omschrijving"]) for r in reasons],
            [_number(r["aantal"]) for r in reasons],
        ),
        "first_best": _monthly_percentage("First-best plaatsingen per maand", best, "percentage"),
        "bezetting": line_chart("Bezetting per zorgvorm", months, occupancy),
        "doorlooptijd": line_chart("Mediane doorlooptijd (dagen) per zorgvorm", t_months, t_series),
    }


SWEEP_CHART = (
    Path(__file__).resolve().parents[2]
    / "simulations/sweeps/uitkomst/flevoland-beleid/afweging.svg"
)


@cache  # a file shipped with the code: read once
def sweep_chart() -> Markup | None:
    """The shipped sweep's frontier chart (our own generated SVG), None when not there."""
    try:
        return Markup(SWEEP_CHART.read_text(encoding="utf-8"))
    except OSError:
        return None


@cache  # a file shipped with the code: read once
def sweep_points() -> tuple[PointRow, ...]:
    """The shipped sweep's points, as the table beside its chart (none when not there)."""
    try:
        data = json.loads(SWEEP_CHART.with_name("afweging.json").read_text(encoding="utf-8"))
    except OSError:
        return ()
    return tuple(point_rows(data))


@router.get("/planner")
def dashboard(
    web: PlannerOrStaff, session: SessionDep, state: StateDep, now: NowDep
) -> HTMLResponse:
    """Charts with their tables and CSV links; the other reports as tables below."""
    threshold = state.settings.small_count_threshold
    tables = _tables(session, now, web.role, threshold)
    shown = (*CHART_TABLES, "bezetting", INTEGRAL)
    others = {name: table for name, table in sorted(tables.items()) if name not in shown}
    months, integral = months_side_by_side(tables[INTEGRAL])
    return page(
        "planner.html",
        web,
        tables=tables,
        charts=charts(tables),
        others=others,
        integral_months=months,
        integral=integral,
        sweep_chart=sweep_chart(),
        sweep_points=sweep_points(),
        suppressed_below=threshold if web.role == Role.PLANNER.value else None,
    )


@router.get("/planner/csv/{name}")
def table_csv(
    name: str, web: PlannerOrStaff, session: SessionDep, state: StateDep, now: NowDep
) -> Response:
    """Any dashboard table as CSV (small counts hidden for the planner, as on the page)."""
    if name == "bezetting":
        table = occupancy_table(session, today=now.date())
    else:
        build = REPORTS.get(name)
        if build is None:
            raise PageNotFound
        table = build(session, now, (None, None))
    return csv_download(for_reader(table, web.role, state.settings.small_count_threshold))
