"""Waiting list, deviation log and the reports, as JSON or CSV."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any, Literal

from fastapi import APIRouter
from sqlmodel import Session, col, select

from api import audit
from api.accounts import User
from api.deps import NowDep, ReportReader, ServicepuntUser, SessionDep, StateDep
from api.errors import ERROR_RESPONSES
from api.exports import csv_download
from api.schemas import Limit, Offset, Page
from capacity import db
from domain.errors import NotFound
from domain.fields import PlausibleDate
from domain.places import Municipality
from domain.vocabulary import Role
from placements import (
    advice_reports,
    beschikking_norm,
    capacity_needs,
    crisis_report,
    disclosure,
    outcome_reports,
    practice_reports,
    provider_reports,
    regie,
    reports,
)
from placements.models import Deviation

router = APIRouter(prefix="/api/v1", tags=["rapportages"], responses=ERROR_RESPONSES)
Format = Literal["json", "csv"]
TABLE_OR_CSV: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "de tabel als JSON, of met format=csv als CSV (puntkomma gescheiden)",
        "content": {"application/json": {}, "text/csv": {"schema": {"type": "string"}}},
    }
}


def _municipality(value: reports.Cell) -> Municipality | None:
    try:
        return Municipality(str(value)) if value is not None else None
    except ValueError:  # a cell that is no municipality (a name or label already)
        return None


# Report columns that hold a municipality (a CBS code): a JSON row names it beside the code,
# so a client never has to show a code alone (a place of stay also by its region).
MUNICIPALITY_COLUMNS: dict[str, dict[str, Callable[[Municipality], str]]] = {
    "gemeente": {"gemeente_naam": lambda m: m.label},
    "geplaatst_in": {
        "geplaatst_in_naam": lambda m: m.label,
        "geplaatst_in_regio": lambda m: m.region_label,
    },
}


def json_table(table: reports.Table) -> dict[str, Any]:
    """A table as JSON: each municipality column followed by its name (and region)."""
    columns: list[str] = []
    for column in table.columns:
        columns += [column, *MUNICIPALITY_COLUMNS.get(column, {})]
    rows = []
    for row in table.as_dicts():
        item: dict[str, Any] = {}
        for column, value in row.items():
            item[column] = value
            place = _municipality(value)
            for extra, name in MUNICIPALITY_COLUMNS.get(column, {}).items():
                item[extra] = name(place) if place is not None else value
        rows.append(item)
    return {"name": table.name, "title": table.title, "columns": columns, "rows": rows}


def _render(table: reports.Table, fmt: Format) -> Any:
    if fmt == "csv":
        return csv_download(table)
    return json_table(table)


def _referral_table(
    session: Session, user: User, table: reports.Table, fmt: Format, via: str, now: datetime
) -> Any:
    """A table of referrals: the read or export logged per referral (the first column),
    committed, then rendered."""
    action = audit.AuditAction.READ if fmt == "json" else audit.AuditAction.EXPORT
    ids = sorted({str(row[0]) for row in table.rows})
    audit.record_referrals(session, user, action, ids, via, now, commit=True)
    return _render(table, fmt)


Period = tuple[date | None, date | None]
Report = Callable[[Session, datetime, Period], reports.Table]


def _over_period(table: Callable[..., reports.Table]) -> Report:
    """A report over the period asked for (`since`, `until`)."""
    return lambda s, now, p: table(s, since=p[0], until=p[1])


REPORTS: dict[str, Report] = {
    "afwijkingen": _over_period(reports.deviations),
    "afwijkingsredenen": _over_period(reports.deviation_reasons),
    "first_best": _over_period(reports.first_best_rate),
    "doorlooptijd": _over_period(reports.time_to_placement),
    "norm_14_dagen": lambda s, now, p: reports.start_norm_compliance(
        s, today=now.date(), since=p[0], until=p[1]
    ),
    "overbrugging": lambda s, now, p: reports.bridging_overview(s, today=now.date()),
    "buiten_regio": _over_period(reports.out_of_region),
    "beschikkingen_buiten_regio": _over_period(reports.staying_outside),
    "behoefte_aanbod": lambda s, now, p: reports.needed_vs_available(s, now=now),
    # The integral view: per month, municipality, age band, care form and capability.
    "behoefte_aanbod_integraal": lambda s, now, p: capacity_needs.needed_against_available(
        s, today=now.date()
    ),
    "crisis_kwartaal": lambda s, now, p: reports.crisis_quarter(s),
    # The crisis desk's whole quarterly table (seed 004).
    "crisis_kwartaalrapport": _over_period(crisis_report.crisis_quarter_report),
    # Advice-level deviations (gedragswetenschappers), apart from the placement deviations.
    "adviesoordelen": _over_period(advice_reports.advice_judgements),
    "adviesafwijkingen": _over_period(advice_reports.advice_deviations),
    # Both levels side by side, and why referrals were withdrawn.
    "afwijkingen_niveaus": _over_period(practice_reports.deviations_both_levels),
    "afwijkingsredenen_niveaus": _over_period(practice_reports.deviation_reasons_both_levels),
    "intrekkingsredenen": _over_period(practice_reports.withdrawal_reasons),
    # How providers answer requests for held places.
    "aanbieder_antwoorden": _over_period(provider_reports.provider_answers),
    "weigeringen": _over_period(provider_reports.refusal_reasons),
    # How stays end: planned or not, per form and provider; destinations; moves; returns.
    "uitstroom_zorgvorm": _over_period(outcome_reports.endings_per_form),
    "uitstroom_aanbieder": _over_period(outcome_reports.endings_per_provider),
    "uitstroom_bestemming": _over_period(outcome_reports.destinations),
    "verhuizingen": lambda s, now, p: outcome_reports.moves_per_child(s),
    "overplaatsingen": _over_period(outcome_reports.transfers_by_direction),
    "terugkeer_12_maanden": _over_period(outcome_reports.returns_within_a_year),
    "regie_taken": lambda s, now, p: regie.task_report(s, today=now.date()),
    # The register of beschikkingen against the two-week norm.
    "beschikkingen_norm": lambda s, now, p: beschikking_norm.start_norm(
        s, today=now.date(), since=p[0], until=p[1]
    ),
}


def for_reader(table: reports.Table, role: str, threshold: int) -> reports.Table:
    """The table as this role may see it: small counts hidden for the planner."""
    if role == Role.SERVICEPUNT.value:
        return table
    return disclosure.suppress(table, threshold=threshold)


@router.get("/reports", tags=["rapportages"])
def list_reports(user: ReportReader) -> list[str]:
    """The names of the reports."""
    return sorted(REPORTS)


@router.get("/reports/{name}", responses=TABLE_OR_CSV)
def report(
    name: str,
    user: ReportReader,
    session: SessionDep,
    state: StateDep,
    now: NowDep,
    since: PlausibleDate | None = None,
    until: PlausibleDate | None = None,
    format: Format = "json",
) -> Any:
    """One report (aggregates only), as JSON or CSV; the planner sees small counts as "<5"."""
    build = REPORTS.get(name)
    if build is None:
        raise NotFound("onbekende rapportage", field="name")
    table = build(session, now, (since, until))
    return _render(for_reader(table, user.role, state.settings.small_count_threshold), format)


@router.get("/waiting-list", responses=TABLE_OR_CSV)
def waiting_list(
    user: ServicepuntUser,
    session: SessionDep,
    now: NowDep,
    format: Format = "json",
) -> Any:
    """Every referral without a placement, with bridging care and the 14-day norm."""
    table = reports.waiting_list(session, today=now.date())
    return _referral_table(session, user, table, format, "GET /api/v1/waiting-list", now)


def _deviation_item(row: Deviation) -> dict[str, Any]:
    """A deviation as JSON, with the name and region of where the child was placed."""
    item = row.model_dump(mode="json")
    place = Municipality(row.placed_municipality) if row.placed_municipality else None
    item["placed_municipality_name"] = place.label if place else None
    item["placed_region"] = place.region_label if place else None
    return item


@router.get("/deviations")
def deviation_log(
    user: ServicepuntUser,
    session: SessionDep,
    now: NowDep,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[dict[str, Any]]:
    """The deviation log, newest first (the read is logged per referral)."""
    order = (col(Deviation.recorded_at).desc(), col(Deviation.id))
    rows, total = db.page(session, select(Deviation), *order, limit=limit, offset=offset)
    items = [_deviation_item(r) for r in rows]
    ids = [r.referral_id for r in rows]
    via = "GET /api/v1/deviations"
    audit.record_reads(session, user, ids, via, now)
    return Page[dict[str, Any]](items=items, total=total, limit=limit, offset=offset)


@router.get("/advice-deviations", responses=TABLE_OR_CSV)
def advice_deviation_log(
    user: ServicepuntUser,
    session: SessionDep,
    now: NowDep,
    format: Format = "json",
) -> Any:
    """Every change of an advice by a gedragswetenschapper, newest first, with its reason
    (apart from the placement deviations; the read is logged per referral)."""
    table = advice_reports.advice_deviation_log(session)
    return _referral_table(session, user, table, format, "GET /api/v1/advice-deviations", now)
