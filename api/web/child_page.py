"""What the referral page shows of the child beside the workflow: the profile as it was
entered, and a timeline of every step from the audit log (what, who, when).

The timeline reads the audit log's changes of this referral (not the reads or exports): each
entry's `via` (the route or command that made the change) names the step, its user the person
and role, its moment the time, shown in the region's time.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from api.accounts import User
from api.audit import AuditAction, AuditEntry
from api.steps import step_label
from api.web.field_labels import FIELD_LABELS
from api.web.referral_form import CHOICES
from api.web.referral_form import LABELS as FORM_LABELS
from api.web.render import PERSPECTIVE_LABEL, enum_label, place_name
from domain import nl_format
from domain.care import CareForm
from domain.vocabulary import Role
from placements import edits

# Profile fields that are not the child's: set by the service, or shown elsewhere.
_NOT_SHOWN = {"reference_date", "responsible_municipality", "siblings", "crisis"}


@dataclass(frozen=True)
class Step:
    """One entry of the timeline."""

    at: str
    what: str
    who: str


def timeline(session: Session, referral_id: str) -> list[Step]:
    """Every change of the referral, oldest first: what, who (name and role), when."""
    entries = session.exec(
        select(AuditEntry)
        .where(
            col(AuditEntry.entity) == "referral",
            col(AuditEntry.entity_id) == referral_id,
            col(AuditEntry.action).in_([AuditAction.CREATE.value, AuditAction.UPDATE.value]),
        )
        .order_by(col(AuditEntry.at), col(AuditEntry.id))
    ).all()
    ids = sorted({e.user_id for e in entries})
    users = session.exec(select(User).where(col(User.id).in_(ids))).all() if ids else []
    names = {u.id: u.display_name for u in users}
    return [
        Step(
            at=nl_format.moment(e.at),
            what=step_label(e.via),
            who=f"{names.get(e.user_id, 'onbekende gebruiker')} ({enum_label(Role, e.role)})",
        )
        for e in entries
    ]


def _value(name: str, value: Any) -> str:
    if value is None or value == []:
        return "-"
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if name.endswith("_date"):
        return nl_format.day(str(value))
    if name == "sex":
        return dict(CHOICES["sex"]).get(str(value), str(value))
    if name == "perspective":
        return PERSPECTIVE_LABEL.get(str(value), str(value))
    if name.endswith("municipality"):
        return place_name(value)
    if name == "current_care_form":
        return CareForm(str(value)).label
    return str(value).replace("_", " ")


@dataclass(frozen=True)
class Version:
    """An earlier profile of the child: when it was replaced, by whom, and what it said."""

    number: int
    replaced_at: str
    replaced_by: str
    first_best: str
    rows: list[tuple[str, str]]


def earlier_versions(session: Session, referral_id: str) -> list[Version]:
    """The profiles an edit replaced, newest first."""
    kept = edits.versions(session, referral_id)
    ids = sorted({v.replaced_by for v in kept})
    users = session.exec(select(User).where(col(User.id).in_(ids))).all() if ids else []
    names = {u.id: u.display_name for u in users}
    return [
        Version(
            number=v.version,
            replaced_at=nl_format.moment(v.replaced_at),
            replaced_by=names.get(v.replaced_by, "onbekende gebruiker"),
            first_best=CareForm(v.first_best).label if v.first_best else "nog geen advies",
            rows=profile_rows(v.profile_json),
        )
        for v in reversed(kept)
    ]


def profile_rows(profile_json: str) -> list[tuple[str, str]]:
    """The profile as entered, as (Dutch label, value) in the order of the form."""
    data: dict[str, Any] = json.loads(profile_json)
    rows = []
    for name, value in data.items():
        if name in _NOT_SHOWN:
            continue
        label = FORM_LABELS.get(f"profile.{name}") or FIELD_LABELS.get(name, name)
        rows.append((label, _value(name, value)))
    return rows
