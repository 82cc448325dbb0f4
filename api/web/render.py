"""Jinja2 rendering of the Dutch pages, with the vocabulary's labels and safe headers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from api.web.auth import WebSession
from api.web.field_labels import label_of
from domain import nl_format
from domain.care import CareForm
from domain.places import Municipality, region
from domain.profile_vocabulary import (
    Capability,
    DepartureOutcome,
    Perspective,
    RiskLevel,
    VerwijzerType,
)
from domain.vocabulary import (
    BridgingCare,
    JudgementReason,
    JudgementState,
    ProposalKind,
    ReasonCode,
    ReferralStatus,
    RefusalReason,
    TaskKind,
    TransferReason,
    WithdrawalReason,
)

TEMPLATES = Path(__file__).parent / "templates"

# Pages carry data about children: never cached, never framed, scripts only from here.
SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
    ),
}

# The enums' Dutch labels by stored value, for the template filters and the forms.
STATUS_LABEL = {status.value: status.label for status in ReferralStatus}
PERSPECTIVE_LABEL = {perspective.value: perspective.label for perspective in Perspective}
BRIDGING_LABEL = {bridging.value: bridging.label for bridging in BridgingCare}
# The 14-day norm as a traffic light: the text always says it too, colour is never alone.
NORM_BADGE = {
    "gehaald": ("groen", "gehaald"),
    "op_tijd": ("groen", "op tijd"),
    "risico": ("oranje", "dreigt te laat"),
    "te_laat": ("rood", "te laat"),
    "geen_beschikking": ("grijs", "geen beschikking"),
}


# Places that are no municipality: where a child lives or stays, when not in one of them.
PLACE_LABEL = {"buitenland": "buitenland", "onbekend": "onbekend (niet vast te stellen)"}


def place_name(value: object) -> str:
    """The display name of a municipality value (or abroad, or unknown): the one helper
    every page, list and filter uses, whatever the municipality codes become."""
    text = str(value)
    return PLACE_LABEL.get(text) or enum_label(Municipality, text)


def enum_label(kind: type[Any], value: object) -> str:
    """A LabelledEnum value by its Dutch label; a value it does not know as it is."""
    try:
        return str(kind(value).label)
    except ValueError:
        return str(value)


def _label_of(value: object, kind: str) -> str:
    try:
        return str(getattr(Municipality(value), kind))
    except ValueError:
        return str(value)


def _place(value: object) -> str:
    """A municipality with its region: 'Harderwijk (jeugdregio Noord-Veluwe)'."""
    return _label_of(value, "place_label")


def _outside_region(value: object) -> bool:
    try:
        return not Municipality(value).in_region
    except ValueError:
        return False


_date = nl_format.day
_percent = nl_format.percent


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["care"] = lambda v: enum_label(CareForm, v)
    env.filters["municipality"] = place_name
    env.filters["place"] = _place
    env.filters["outside_region"] = _outside_region
    env.filters["region_of"] = lambda v: _label_of(v, "region_label")
    env.filters["capability"] = lambda v: enum_label(Capability, v)
    env.filters["outcome"] = lambda v: enum_label(DepartureOutcome, v)
    env.filters["reason"] = lambda v: enum_label(ReasonCode, v)
    env.filters["judgement_reason"] = lambda v: enum_label(JudgementReason, v)
    # No judgement state yet (before any advice) reads as such, not as "None".
    env.filters["judgement"] = lambda v: enum_label(JudgementState, v) if v else "nog geen advies"
    env.filters["verwijzer"] = lambda v: enum_label(VerwijzerType, v)
    env.filters["status"] = lambda v: STATUS_LABEL.get(str(v), str(v))
    env.filters["perspective"] = lambda v: PERSPECTIVE_LABEL.get(str(v), str(v))
    env.filters["bridging"] = lambda v: BRIDGING_LABEL.get(str(v), str(v))
    env.filters["risk"] = lambda v: enum_label(RiskLevel, v)
    env.filters["proposal_kind"] = lambda v: enum_label(ProposalKind, v)
    env.filters["withdrawal"] = lambda v: enum_label(WithdrawalReason, v)
    env.filters["refusal"] = lambda v: enum_label(RefusalReason, v)
    env.filters["transfer"] = lambda v: enum_label(TransferReason, v)
    env.filters["task"] = lambda v: enum_label(TaskKind, v)
    env.filters["datum"] = _date
    env.filters["procent"] = _percent
    env.filters["moment"] = nl_format.moment
    env.filters["getal"] = nl_format.number
    env.globals["veldlabel"] = label_of
    env.globals.update(
        CARE_FORMS=list(CareForm),
        CARE_FORM_VALUES={c.value for c in CareForm},
        # A call, not a value: the region is selected when the app starts, after this import.
        REGION_NAME=lambda: region().name,
        CAPABILITIES=list(Capability),
        OUTCOMES=list(DepartureOutcome),
        REASONS=list(ReasonCode),
        WITHDRAWAL_OPTIONS=[(r.value, r.label) for r in WithdrawalReason],
        TRANSFER_OPTIONS=[(r.value, r.label) for r in TransferReason],
        VERWIJZER_TYPES=list(VerwijzerType),
        BRIDGING=BRIDGING_LABEL,
        PERSPECTIVES=PERSPECTIVE_LABEL,
        NORM_BADGE=NORM_BADGE,
    )
    return env


ENV = _environment()


def render_text(template: str, **context: Any) -> str:
    """A template rendered to text (for fragments such as the live board)."""
    return ENV.get_template(template).render(**context)


def page(
    template: str, web: WebSession | None, *, status_code: int = 200, **context: Any
) -> HTMLResponse:
    """A full page for the signed-in user (or an anonymous visitor)."""
    html = render_text(
        template,
        user=web.user if web else None,
        role=web.role if web else None,
        csrf=web.csrf if web else "",
        unread=web.unread if web else 0,
        **context,
    )
    return HTMLResponse(html, status_code=status_code, headers=SECURITY_HEADERS)


def error_page(web: WebSession | None, status_code: int, title: str, message: str) -> HTMLResponse:
    """The readable error page: what went wrong, in Dutch, with its status."""
    return page("error.html", web, status_code=status_code, title=title, message=message)


@dataclass(frozen=True)
class FormState:
    """What a page shows of a form just posted: messages beside the fields, the values
    typed, the HTTP status, and what was done (the ?gedaan= note after a redirect)."""

    errors: Mapping[str, str] = field(default_factory=dict)
    values: Mapping[str, str | list[str]] = field(default_factory=dict)
    status_code: int = 200
    done: str = ""


NO_FORM = FormState()


def form_page(template: str, web: WebSession, shown: FormState, **context: Any) -> HTMLResponse:
    """A full page with forms on it, showing the state of the one just posted."""
    return page(
        template,
        web,
        status_code=shown.status_code,
        errors=shown.errors,
        values=shown.values,
        done=shown.done,
        **context,
    )
