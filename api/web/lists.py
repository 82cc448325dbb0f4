"""The servicepunt's lists: the waiting list with the 14-day norm, the deviation log, and the
advice-level deviations (changes by gedragswetenschappers), kept apart from it."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session, col, select

from api import audit
from api.accounts import Role
from api.deps import NowDep, SessionDep, StateDep
from api.exports import csv_download
from api.web.auth import WebSession, page_for
from api.web.common import audit_change
from api.web.render import page
from placements import advice_reports, reports
from placements.models import Deviation, Referral

router = APIRouter(include_in_schema=False)
Staff = Annotated[WebSession, Depends(page_for(Role.SERVICEPUNT))]
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


@router.get("/servicepunt/wachtlijst")
def waiting_list(web: Staff, session: SessionDep, now: NowDep) -> HTMLResponse:
    """Every referral without a placement; the 14-day norm as green, amber or red."""
    table = reports.waiting_list(session, today=now.date())
    _audit_rows(session, web, table, "GET /servicepunt/wachtlijst", now, audit.AuditAction.READ)
    return page("wachtlijst.html", web, rows=table.as_dicts())


@router.get("/servicepunt/wachtlijst.csv")
def waiting_list_csv(web: Staff, session: SessionDep, now: NowDep) -> Response:
    """The waiting list as CSV (the export is logged per referral)."""
    table = reports.waiting_list(session, today=now.date())
    _audit_rows(
        session, web, table, "GET /servicepunt/wachtlijst.csv", now, audit.AuditAction.EXPORT
    )
    return csv_download(table)


def _deviation_table(session: SessionDep, limit: int | None) -> reports.Table:
    query = (
        select(Deviation, Referral.child_ref)
        .where(col(Deviation.referral_id) == col(Referral.id))
        .order_by(col(Deviation.recorded_at).desc(), col(Deviation.id))
    )
    if limit is not None:
        query = query.limit(limit)
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
def deviation_log(web: Staff, session: SessionDep, state: StateDep, now: NowDep) -> HTMLResponse:
    """The deviation log, newest first: advice or best proposal against what was placed."""
    table = _deviation_table(session, limit=500)
    _audit_rows(session, web, table, "GET /servicepunt/afwijkingen", now, audit.AuditAction.READ)
    names = {v.unit_id: v.name for v in state.index.views(now=now)}
    return page("afwijkingen.html", web, rows=table.as_dicts(), unit_names=names)


@router.get("/servicepunt/afwijkingen.csv")
def deviation_log_csv(web: Staff, session: SessionDep, state: StateDep, now: NowDep) -> Response:
    """The whole deviation log as CSV (the export is logged per referral); units by name."""
    table = _deviation_table(session, limit=None)
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
