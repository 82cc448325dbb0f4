"""Transfers: a placed child moves between forms or places (a step down, such as behandelgroep
to gezinshuis, or crisis to a regular place; or a step up). The move is a new placement
linked to the one before: a follow-up referral carries the child's profile, the reason and
whether the move was planned, and goes through advice, proposals, hold and decision. When it
is placed, the placement before ends on that day (placements.service). Every placement after
a child's first counts as a move.

Services flush, never commit.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from domain.care import CATEGORY, CRISIS_FORMS, HOMELIKENESS, CareForm
from domain.errors import Conflict
from domain.profile_vocabulary import DepartureOutcome
from domain.vocabulary import BridgingCare, ReferralStatus, TransferReason
from placements.lifecycle_models import TRANSFER_FIELD_LABELS
from placements.models import OPEN_STATUSES, Referral
from placements.schemas import TransferRequest
from placements.transitions import Action, changes

# What a follow-up referral carries over from the placement it continues: the child, its
# referrer, its profile and who is responsible for it; not its status, advice or proposals.
CARRIED = (
    "child_ref",
    "bsn_digest",
    "verwijzer_user_id",
    "verwijzer_type",
    "sibling_group",
    "urgency",
    "beschikking_date",
    "crisis_placement_date",
    "perspective",
    "home_municipality",
    "responsible_municipality",
    "responsibility_explanation",
    "profile_json",
    "regisseur_team",
)


def start(
    session: Session, *, previous: Referral, data: TransferRequest, now: datetime
) -> Referral:
    """The follow-up referral of a placed child (Conflict while one is still open)."""
    changes(previous, Action.TRANSFER, now=now)  # Conflict unless the child is placed
    pending = select(Referral.id).where(
        Referral.previous_referral_id == previous.id,
        col(Referral.status).in_(sorted(OPEN_STATUSES)),
    )
    if session.exec(pending).first() is not None:
        raise Conflict(
            "er loopt al een overplaatsing voor deze plaatsing",
            field="transfer_reason",
            label=TRANSFER_FIELD_LABELS["transfer_reason"],
        )
    excluded = set(filter(None, previous.excluded_units.split(",")))
    if data.transfer_reason is TransferReason.AFGEBROKEN and previous.placed_unit_id:
        excluded.add(previous.placed_unit_id)  # where it broke down is not proposed again
    follow_up = Referral(
        **{name: getattr(previous, name) for name in CARRIED},
        created_at=now,
        updated_at=now,
        # The child is in care: no start norm runs for the move.
        bridging_care=BridgingCare.GEEN.value,
        excluded_units=",".join(sorted(excluded)),
        previous_referral_id=previous.id,
        transfer_reason=data.transfer_reason.value,
        transfer_text=(data.transfer_text or "").strip() or None,
        transfer_planned=data.transfer_planned,
    )
    previous.updated_at = now
    session.add(previous)
    session.add(follow_up)
    session.flush()
    return follow_up


def previous_to_end(session: Session, referral: Referral) -> Referral | None:
    """The placement a follow-up referral moves the child from, while it is still running."""
    if referral.previous_referral_id is None:
        return None
    previous = session.get(Referral, referral.previous_referral_id)
    if previous is None or previous.status is not ReferralStatus.GEPLAATST:
        return None
    return previous


def destination_of(form: str) -> DepartureOutcome:
    """The follow-up category of a move into this care form (seed 004's categories)."""
    care = CareForm(form)
    if care in (CareForm.PLEEGZORG_NETWERK,):
        return DepartureOutcome.NETWERKPLAATSING
    if care.value.startswith("pleegzorg"):
        return DepartureOutcome.PLEEGZORG
    if care is CareForm.GESLOTEN:
        return DepartureOutcome.GESLOTEN
    if care is CareForm.KAMERTRAINING:
        return DepartureOutcome.ZELFSTANDIGHEIDSTRAINING
    if care is CareForm.BEGELEID_WONEN:
        return DepartureOutcome.BEGELEID_WONEN
    if care is CareForm.GEZINSHUIS:
        return DepartureOutcome.OVERIG  # the seed's categories have no gezinshuis
    return DepartureOutcome.GROEP


def direction(from_form: str, to_form: str) -> str:
    """afschalen (more home-like), opschalen (less), van_crisis (crisis to a regular form of
    the same weight) or gelijk."""
    before, after = CareForm(from_form), CareForm(to_form)
    rank_before, rank_after = HOMELIKENESS[CATEGORY[before]], HOMELIKENESS[CATEGORY[after]]
    if rank_after < rank_before:
        return "afschalen"
    if rank_after > rank_before:
        return "opschalen"
    if before in CRISIS_FORMS and after not in CRISIS_FORMS:
        return "van_crisis"
    return "gelijk"
