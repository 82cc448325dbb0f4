"""The servicepunt's lists: the waiting list with the 14-day norm, the deviation log, and the
advice-level deviations (changes by gedragswetenschappers), kept apart from it."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session, col, select

from api import audit
from api.deps import NowDep, SessionDep, StateDep
from api.exports import csv_download
from api.web import list_filters
from api.web.auth import Staff, WebSession
from api.web.common import audit_change
from api.web.list_filters import ListFilter
from api.web.render import page
from placements import advice_reports, reports
from placements.models import OPEN_STATUSES, Deviation, Referral

router = APIRouter(include_in_schema=False)
DEVIATION_COLUMNS = (
    "referral_id",
    "kind",
    "vastgelegd_op",
    "geplaatst_op",
    "geadviseerde_zorgvorm",
    "geplaatste_zorgvorm",
    "afwijking_zorgvorm",
    "beste_voorstel",
    "gekozen_eenheid",
    "geplaatst_in",
    "afwijking_plek",
    "reden",
    "toelichting",
    "regelset",
    "wegingsversie",
)


def _audit_rows(
    session: Session,
    web: WebSession,
    table: reports.Table,
    via: str,
    now: datetime,
    action: audit.AuditAction,
) -> None:
    """Log the read or export of every referral in the table (its first column)."""
    audit_change(session, web, [str(row[0]) for row in table.rows], via=via, now=now, action=action)


OPEN = sorted(s.value for s in OPEN_STATUSES)


def _filtered(table: reports.Table, session: Session, wanted: ListFilter) -> reports.Table:
    """The table's rows whose referral (the first column) passes the filter."""
    if not wanted.active:
        return table
    ids = set(session.exec(select(Referral.id).where(wanted.where())).all())
    rows = [row for row in table.rows if row[0] in ids]
    return reports.Table(table.name, table.title, table.columns, rows)


def _shown(
    web: WebSession,
    session: Session,
    table: reports.Table,
    wanted: ListFilter,
    via: str,
    now: datetime,
) -> list_filters.Page:
    """The page of the table asked for; only the rows on it count as read."""
    shown = list_filters.paginate(table.rows, wanted)
    audit_change(session, web, [str(row[0]) for row in shown.rows], via=via, now=now,
                 action=audit.AuditAction.READ)  # fmt: skip
    return replace(shown, rows=[dict(zip(table.columns, r, strict=True)) for r in shown.rows])


def _list_page(
    template: str,
    web: WebSession,
    shown: list_filters.Page,
    wanted: ListFilter,
    errors: dict[str, str],
    statuses: list[str] | None = None,
    **context: Any,
) -> HTMLResponse:
    return page(
        template, web, status_code=422 if errors else 200, rows=shown.rows, pager=shown,
        filters=list_filters.form_context(wanted, errors, statuses),
        csv_query=wanted.link(1).removeprefix("?"), **context,
    )  # fmt: skip


@router.get("/servicepunt/wachtlijst")
def waiting_list(web: Staff, session: SessionDep, now: NowDep, request: Request) -> HTMLResponse:
    """Every referral without a placement; the 14-day norm as green, amber or red."""
    wanted, errors = list_filters.parse(request.query_params, OPEN)
    table = _filtered(reports.waiting_list(session, today=now.date()), session, wanted)
    shown = _shown(web, session, table, wanted, "GET /servicepunt/wachtlijst", now)
    return _list_page("wachtlijst.html", web, shown, wanted, errors, OPEN)


@router.get("/servicepunt/wachtlijst.csv")
def waiting_list_csv(web: Staff, session: SessionDep, now: NowDep, request: Request) -> Response:
    """The waiting list as CSV, with the page's filters (the export is logged per referral)."""
    wanted, _ = list_filters.parse(request.query_params, OPEN)
    table = _filtered(reports.waiting_list(session, today=now.date()), session, wanted)
    _audit_rows(
        session, web, table, "GET /servicepunt/wachtlijst.csv", now, audit.AuditAction.EXPORT
    )
    return csv_download(table)


def _deviation_table(session: SessionDep, wanted: ListFilter) -> reports.Table:
    query = (
        select(Deviation, Referral.child_ref)
        .where(col(Deviation.referral_id) == col(Referral.id), wanted.where())
        .order_by(col(Deviation.recorded_at).desc(), col(Deviation.id))
    )
    table = reports.Table("afwijkingenlog", "Afwijkingenlog", DEVIATION_COLUMNS)
    for d, child_ref in session.exec(query).all():
        table.rows.append(
            (
                d.referral_id,
                child_ref,
                d.recorded_at.isoformat(timespec="minutes"),
                d.placed_on.isoformat(),
                d.advised_form,
                d.placed_form,
                "ja" if d.form_deviates else "nee",
                d.top_unit_id,
                d.chosen_unit_id,
                d.placed_municipality,
                "ja" if d.place_deviates else "nee",
                d.reason_code,
                d.reason_text,
                d.rule_set,
                d.weights_version,
            )
        )
    return table


@router.get("/servicepunt/afwijkingen")
def deviation_log(
    web: Staff, session: SessionDep, state: StateDep, now: NowDep, request: Request
) -> HTMLResponse:
    """The deviation log, newest first: advice or best proposal against what was placed."""
    wanted, errors = list_filters.parse(request.query_params)
    table = _deviation_table(session, wanted)
    shown = _shown(web, session, table, wanted, "GET /servicepunt/afwijkingen", now)
    names = {v.unit_id: v.name for v in state.index.views(now=now)}
    return _list_page("afwijkingen.html", web, shown, wanted, errors, unit_names=names)


@router.get("/servicepunt/afwijkingen.csv")
def deviation_log_csv(
    web: Staff, session: SessionDep, state: StateDep, now: NowDep, request: Request
) -> Response:
    """The deviation log as CSV, with the page's filters (the export is logged per referral);
    units by name."""
    wanted, _ = list_filters.parse(request.query_params)
    table = _deviation_table(session, wanted)
    _audit_rows(
        session, web, table, "GET /servicepunt/afwijkingen.csv", now, audit.AuditAction.EXPORT
    )
    names = {v.unit_id: v.name for v in state.index.views(now=now)}

    def unit_name(value: reports.Cell) -> reports.Cell:
        return names.get(str(value), value) if value is not None else None

    return csv_download(table, {"beste_voorstel": unit_name, "gekozen_eenheid": unit_name})


@router.get("/servicepunt/adviesafwijkingen")
def advice_deviation_log(web: Staff, session: SessionDep, now: NowDep) -> HTMLResponse:
    """Advices changed by a gedragswetenschapper, newest first, with the counts per rule set."""
    table = advice_reports.advice_deviation_log(session, limit=500)
    via = "GET /servicepunt/adviesafwijkingen"
    _audit_rows(session, web, table, via, now, audit.AuditAction.READ)
    return page(
        "adviesafwijkingen.html",
        web,
        rows=table.as_dicts(),
        totals=advice_reports.advice_judgements(session),
        counts=advice_reports.advice_deviations(session),
    )


@router.get("/servicepunt/adviesafwijkingen.csv")
def advice_deviation_log_csv(web: Staff, session: SessionDep, now: NowDep) -> Response:
    """Every advice-level deviation as CSV (the export is logged per referral)."""
    table = advice_reports.advice_deviation_log(session)
    via = "GET /servicepunt/adviesafwijkingen.csv"
    _audit_rows(session, web, table, via, now, audit.AuditAction.EXPORT)
    return csv_download(table)
