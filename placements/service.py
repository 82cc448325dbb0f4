"""Workflow steps: each flushes, never commits; the caller owns the transaction."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlmodel import Session, col, select

from afwegingskader import engine as afwegingskader_engine
from afwegingskader import intake as intake_rules
from afwegingskader.models import Advice
from capacity import db
from capacity import holds as capacity_holds
from capacity import service as capacity_service
from capacity.models import Hold, Unit
from capacity.models import Location as CapacityLocation
from capacity.schemas import DepartureRequest
from domain.bsn import bsn_digest
from domain.errors import Conflict, InvalidInput, NotFound
from domain.profile_vocabulary import VerwijzerType
from domain.vocabulary import BridgingCare, DeadlineKind, DecisionOutcome, ReferralStatus, Urgency
from placements import hold_endings, provider_requests, regie, transfers
from placements import judgement as judgements
from placements.match import advice_of, original_advice_of, profile_of
from placements.models import Decision, Deviation, Referral
from placements.schemas import DecisionCreate, Departure, ReferralCreate, WithdrawRequest
from placements.transitions import Action, advance, changes


def _now_date(now: datetime) -> date:
    return now.date()


def get_referral(session: Session, referral_id: str) -> Referral:
    """The referral, or NotFound."""
    referral = session.get(Referral, referral_id) if isinstance(referral_id, str) else None
    if referral is None:
        raise NotFound("onbekende aanmelding", field="referral_id")
    return referral


def decisions_of(session: Session, referral_id: str) -> list[Decision]:
    """The referral's placement decisions, oldest first."""
    query = select(Decision).where(Decision.referral_id == referral_id)
    return list(session.exec(query.order_by(col(Decision.decided_at))).all())


def list_referrals(
    session: Session,
    *,
    verwijzer_user_id: str | None,
    status: str | None,
    limit: int,
    offset: int,
) -> tuple[list[Referral], int]:
    """One page of referrals, oldest first, and how many there are in all.

    `verwijzer_user_id` narrows it to one verwijzer's own; `status` to one status.
    """
    query = select(Referral)
    if verwijzer_user_id is not None:
        query = query.where(Referral.verwijzer_user_id == verwijzer_user_id)
    if status is not None:
        query = query.where(Referral.status == status)
    order = (col(Referral.created_at), col(Referral.id))
    return db.page(session, query, *order, limit=limit, offset=offset)


def settle_if_ended(session: Session, referral: Referral, now: datetime) -> bool:
    """Move a referral whose hold ended (expired, unit closed) back to 'voorgesteld' first."""
    if referral.status is not ReferralStatus.VASTGEHOUDEN:
        return False
    hold = hold_endings.held_on(session, referral)
    if not hold_endings.has_ended(hold, now):
        return False
    if not hold_endings.settle(session, referral, hold, now):
        raise Conflict("aanmelding is intussen gewijzigd; probeer het opnieuw", field="status")
    return True


def settle_hold(session: Session, *, referral_id: str, now: datetime) -> bool:
    """If the referral's hold has ended by itself, move it back to 'voorgesteld' (True)."""
    return settle_if_ended(session, get_referral(session, referral_id), now)


def settle_ended_holds(session: Session, *, now: datetime, unit_id: str | None = None) -> list[str]:
    """Move every referral whose hold ended (of one unit, if given); returns their ids."""
    return hold_endings.settle_all(session, now=now, unit_id=unit_id)


def referrer_type(own: str | None, stated: VerwijzerType | None) -> VerwijzerType:
    """The type of verwijzer of a new referral: a verwijzer's own (`own`, from the account),
    else the type the servicepunt states when it registers the referral."""
    if own is not None:
        return VerwijzerType(own)
    if stated is None:
        raise InvalidInput(
            "kies het type verwijzer (COD327): verplicht als de servicepunt aanmeldt",
            field="verwijzer_type",
        )
    return stated


def create_referral(
    session: Session,
    *,
    data: ReferralCreate,
    verwijzer_user_id: str,
    verwijzer_type: VerwijzerType,
    bsn_key: str,
    now: datetime,
) -> Referral:
    """Register an aanmelding with its responsible municipality and deadlines."""
    assessment = intake_rules.assess(data.intake)
    deadlines = {d.kind: d.due for d in assessment.deadlines}
    sibling_group = None
    regisseur = None
    if data.sibling_of is not None:
        sibling = get_referral(session, data.sibling_of)
        sibling_group = sibling.sibling_group or sibling.id
        regisseur = sibling.regisseur_user_id  # one regisseur per family (seed 001)
        if sibling.sibling_group is None:
            sibling.sibling_group = sibling_group
            session.add(sibling)
    referral = Referral(
        child_ref=data.child_ref,
        bsn_digest=bsn_digest(data.bsn, key=bsn_key) if data.bsn else None,
        verwijzer_user_id=verwijzer_user_id,
        verwijzer_type=verwijzer_type.value,
        sibling_group=sibling_group,
        urgency=(Urgency.CRISIS if data.profile.crisis else Urgency.REGULIER).value,
        beschikking_date=data.intake.beschikking_date,
        crisis_placement_date=data.intake.crisis_placement_date,
        perspective=data.profile.perspective.value,
        home_municipality=(
            data.profile.home_municipality.value if data.profile.home_municipality else None
        ),
        responsible_municipality=assessment.municipality.municipality.value,
        responsibility_explanation="\n".join(assessment.municipality.explanation),
        profile_json=data.profile.model_dump_json(),
        created_at=now,
        updated_at=now,
        start_deadline=deadlines.get(DeadlineKind.START_HULP),
        perspectiefplan_deadline=deadlines.get(DeadlineKind.PERSPECTIEFPLAN),
        bridging_care=data.bridging_care.value,
        excluded_units=",".join(sorted(set(data.excluded_units))),
        bridging_since=_now_date(now) if data.bridging_care is not BridgingCare.GEEN else None,
        regisseur_team=assessment.regisseur.team,
        regisseur_user_id=regisseur,
    )
    session.add(referral)
    session.flush()
    regie.plan_tasks(session, referral, now=now)
    return referral


def advise(session: Session, *, referral_id: str, now: datetime) -> Advice:
    """Run the afwegingskader on the referral and store the advice with its rule set.

    A new advice waits for its own professional judgement (placements.judgement).
    """
    referral = get_referral(session, referral_id)
    advance(referral, Action.ADVISE, now=now)
    advice = afwegingskader_engine.advise(profile_of(referral))
    judgements.reset_for_new_advice(referral)
    referral.advice_json = advice.model_dump_json()
    referral.first_best = advice.first_best.value
    referral.rule_set = f"{advice.rule_set.name} {advice.rule_set.version}"
    session.add(referral)
    session.flush()
    return advice


def hold_place(
    session: Session,
    *,
    referral_id: str,
    unit_id: str,
    ttl: timedelta,
    user_id: str,
    now: datetime,
) -> Hold:
    """Hold a place of a unit for the referral and ask its provider (placements.
    provider_requests).

    A place in gesloten jeugdhulp needs an advice two gedragswetenschappers agree on.
    """
    referral = get_referral(session, referral_id)
    settle_if_ended(session, referral, now)
    advance(referral, Action.HOLD, now=now)
    unit = session.get(Unit, unit_id) if isinstance(unit_id, str) else None
    if unit is not None:  # an unknown unit is the holds module's NotFound
        judgements.require_for_hold(session, referral, unit.care_form)
    hold = capacity_holds.place_hold(
        session, unit_id=unit_id, referral_ref=referral.id, now=now, ttl=ttl
    )
    referral.hold_id = hold.id
    provider_requests.ask(session, referral=referral, hold=hold, user_id=user_id, now=now)
    session.add(referral)
    session.flush()
    return hold


def decide(
    session: Session, *, referral_id: str, data: DecisionCreate, user_id: str, now: datetime
) -> Decision:
    """Decline (release the hold) or accept (place the child, log any deviation): one step.

    A hold that has ended (expired, or released by its unit's closure) is neither accepted
    nor declined: the referral goes back to 'voorgesteld' and the answer is a Conflict.
    """
    referral = get_referral(session, referral_id)
    settle_if_ended(session, referral, now)
    action = Action.DECLINE if data.outcome is DecisionOutcome.DECLINE else Action.ACCEPT
    advance(referral, action, now=now)
    assert referral.hold_id is not None  # set together with the status
    hold = session.get(Hold, referral.hold_id)
    if hold is None:
        raise NotFound("onbekende reservering", field="hold_id")
    decision = Decision(
        referral_id=referral.id,
        unit_id=hold.unit_id,
        hold_id=hold.id,
        outcome=data.outcome.value,
        reason_code=data.reason_code.value if data.reason_code else None,
        reason_text=data.reason_text,
        decided_by=user_id,
        decided_at=now,
    )
    if data.outcome is DecisionOutcome.DECLINE:
        capacity_holds.release_hold(session, hold_id=hold.id, now=now)
        referral.hold_id = None
    else:
        _place(session, referral=referral, hold=hold, data=data, now=now)
    session.add(decision)
    session.add(referral)
    session.flush()
    return decision


def _place(
    session: Session, *, referral: Referral, hold: Hold, data: DecisionCreate, now: datetime
) -> None:
    unit = session.get(Unit, hold.unit_id)
    assert unit is not None  # a hold always has its unit (foreign key)
    location = session.get(CapacityLocation, unit.location_id)
    assert location is not None
    # Measured against the advice in force (as judged); the original is logged beside it.
    advice = advice_of(referral)
    original = original_advice_of(referral)
    placed_on = data.placed_on or _now_date(now)
    form_deviates = unit.care_form != advice.first_best.value
    place_deviates = referral.top_unit_id is not None and unit.id != referral.top_unit_id
    if (form_deviates or place_deviates) and data.reason_code is None:
        raise InvalidInput(
            "verplicht: de plaatsing wijkt af van het advies of het beste voorstel",
            field="reason_code",
        )
    previous = transfers.previous_to_end(session, referral)
    if previous is not None:  # a transfer: the placement before ends as the new one starts
        departure = DepartureRequest(
            left_on=placed_on,
            outcome=transfers.destination_of(unit.care_form),
            planned=referral.transfer_planned,
        )
        discharge(session, referral_id=previous.id, data=departure, now=now)
    stay = capacity_holds.confirm_hold(
        session,
        hold_id=hold.id,
        child_ref=referral.child_ref,
        since=placed_on,
        expected_end=data.expected_end,
        now=now,
    )
    referral.occupancy_id = stay.id
    referral.placed_unit_id = unit.id
    referral.placed_form = unit.care_form
    referral.placed_municipality = location.municipality
    referral.placed_on = placed_on
    referral.hold_id = None
    if form_deviates or place_deviates:
        assert data.reason_code is not None
        session.add(
            Deviation(
                referral_id=referral.id,
                recorded_at=now,
                placed_on=placed_on,
                advised_form=advice.first_best.value,
                original_form=original.first_best.value,
                placed_form=unit.care_form,
                form_deviates=form_deviates,
                top_unit_id=referral.top_unit_id,
                chosen_unit_id=unit.id,
                placed_municipality=location.municipality,
                place_deviates=place_deviates,
                reason_code=data.reason_code.value,
                reason_text=data.reason_text,
                rule_set=referral.rule_set or "",
                weights_version=referral.weights_version,
            )
        )


def update_bridging(
    session: Session, *, referral_id: str, bridging_care: BridgingCare, now: datetime
) -> Referral:
    """Record the bridging care a waiting child gets (it counts for the 14-day norm)."""
    referral = get_referral(session, referral_id)
    settle_if_ended(session, referral, now)
    if bridging_care.value == referral.bridging_care:
        # Nothing changes, but only a referral the table allows it for is answered so.
        changes(referral, Action.BRIDGING, now=now)
    else:
        advance(referral, Action.BRIDGING, now=now)
        referral.bridging_care = bridging_care.value
        referral.bridging_since = None if bridging_care is BridgingCare.GEEN else _now_date(now)
    session.add(referral)
    session.flush()
    return referral


def withdraw(
    session: Session, *, referral_id: str, data: WithdrawRequest, now: datetime
) -> Referral:
    """Withdraw a referral that has not been placed, with its reason; a held place is given
    back."""
    referral = get_referral(session, referral_id)
    settle_if_ended(session, referral, now)
    advance(referral, Action.WITHDRAW, now=now)
    referral.withdrawal_reason = data.withdrawal_reason.value
    referral.withdrawal_text = (data.withdrawal_text or "").strip() or None
    referral.withdrawn_at = now
    if referral.hold_id is not None:
        capacity_holds.release_hold(session, hold_id=referral.hold_id, now=now)
        referral.hold_id = None
    session.add(referral)
    session.flush()
    return referral


def discharge(
    session: Session,
    *,
    referral_id: str,
    data: Departure,
    now: datetime,
) -> Referral:
    """The child leaves the placement: record the outcome and whether the end was planned
    (None: not known, as in a provider's departure without it); the place comes free."""
    referral = get_referral(session, referral_id)
    advance(referral, Action.DISCHARGE, now=now)
    occupancy_id = referral.occupancy_id
    assert occupancy_id is not None  # set together with the status
    capacity_service.record_departure(
        session, occupancy_id=occupancy_id, left_on=data.left_on, outcome=data.outcome, now=now
    )
    referral.discharged_on = data.left_on
    referral.discharge_outcome = data.outcome.value
    referral.discharge_planned = data.planned
    session.add(referral)
    session.flush()
    return referral
