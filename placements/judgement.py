"""Professional judgement: a gedragswetenschapper confirms or changes each advice.

Judgement runs beside the referral's status, not as a status of its own: the servicepunt
may propose and hold while an ordinary advice waits for its judge (a status step would
stop every referral until a judge has looked). Two things wait for it all the same:
- an advice that needs a second gedragswetenschapper (gesloten jeugdhulp as first-best, or
  an advice that asks for one itself): no proposals until two different people agree;
- a place in gesloten jeugdhulp: held only with an advice two people agree on.

Every advice starts a round (`Referral.advice_round`). In a round each person judges once.
A confirmation endorses the advice in force; a change endorses the advice it makes, which is
then in force: proposals are scored for it and a placement's deviation is measured against
it, while the afwegingskader's own advice stays stored (`advice_json`). The judgement is
complete when the advice in force has as many endorsements as it needs (one, or two).
A change is an advice-level deviation, reported apart from the placement deviations.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, select

from afwegingskader.models import Advice, Profile, Reason
from domain.care import CareForm
from domain.errors import Conflict, InvalidInput, NotFound
from domain.vocabulary import JudgementState, Verdict
from placements.match import advice_of, original_advice_of
from placements.models import JUDGEMENT_FIELD_LABELS, AdviceJudgement, Referral
from placements.schemas import JudgementCreate, JudgementPublic, JudgementView
from placements.transitions import TRANSITIONS, Action, changes

JUDGED_RULE = "OORDEEL-GW"
JUDGED_SOURCE = (
    "professionele afweging van een gedragswetenschapper "
    "(Richtlijnen jeugdhulp en jeugdbescherming: Richtlijn Uithuisplaatsing)"
)
CLOSED_CARE_SOURCE = "Jeugdwet art. 6.1.2 (instemming van een gedragswetenschapper)"
JUDGEABLE = sorted(TRANSITIONS[Action.CONFIRM_ADVICE].sources)


def endorsements_needed(referral: Referral) -> int:
    """Two for gesloten jeugdhulp as first-best, or an advice that asks for a second; else one."""
    in_force = advice_of(referral)
    two = (
        in_force.first_best is CareForm.GESLOTEN
        or in_force.second_opinion_required
        or original_advice_of(referral).second_opinion_required
    )
    return 2 if two else 1


def judgements(session: Session, referral: Referral) -> list[AdviceJudgement]:
    """The judgements of the referral's current advice round, in order."""
    query = (
        select(AdviceJudgement)
        .where(
            AdviceJudgement.referral_id == referral.id,
            AdviceJudgement.advice_round == referral.advice_round,
        )
        .order_by(col(AdviceJudgement.seq))
    )
    return list(session.exec(query).all())


def history(session: Session, referral_id: str) -> list[AdviceJudgement]:
    """Every judgement of the referral, of every round, oldest first."""
    query = (
        select(AdviceJudgement)
        .where(AdviceJudgement.referral_id == referral_id)
        .order_by(col(AdviceJudgement.advice_round), col(AdviceJudgement.seq))
    )
    return list(session.exec(query).all())


def endorsements(rows: list[AdviceJudgement]) -> list[AdviceJudgement]:
    """The judgements that agree with the advice in force: the last change and what follows."""
    changed = [n for n, row in enumerate(rows) if row.verdict == Verdict.CHANGE.value]
    return rows[changed[-1] :] if changed else rows


def state_of(referral: Referral) -> JudgementState | None:
    """The referral's judgement state; None before any advice."""
    return JudgementState(referral.judgement) if referral.judgement else None


def _changed_advice(in_force: Advice, data: JudgementCreate) -> Advice:
    assert data.chosen_first_best is not None  # the schema requires it for a change
    chosen = data.chosen_first_best
    if data.chosen_alternatives is None:
        alternatives = tuple(f for f in in_force.acceptable if f is not chosen)
    else:
        alternatives = data.chosen_alternatives
    kept = {chosen, *alternatives}
    reason = Reason(
        rule_id=JUDGED_RULE,
        text=(
            f"Een gedragswetenschapper koos {chosen.label} als first-best in plaats van "
            f"{in_force.first_best.label}: {data.reason_code.label}."
        ),
        source=JUDGED_SOURCE,
    )
    return in_force.model_copy(
        update={
            "first_best": chosen,
            "alternatives": alternatives,
            "excluded": tuple(e for e in in_force.excluded if e.care_form not in kept),
            "reasons": (*in_force.reasons, reason),
        }
    )


def judge(
    session: Session, *, referral_id: str, data: JudgementCreate, user_id: str, now: datetime
) -> AdviceJudgement:
    """Record one gedragswetenschapper's confirmation or change of the advice in force.

    Conflict when the table does not allow it now, when this person already judged this
    advice, or when another judgement came first; InvalidInput when a change keeps the
    first-best. The referral is written with one UPDATE that holds only while it still has
    the status and round it was read with.
    """
    referral = session.get(Referral, referral_id)
    if referral is None:
        raise NotFound("onbekende aanmelding", field="referral_id")
    action = Action.CHANGE_ADVICE if data.verdict is Verdict.CHANGE else Action.CONFIRM_ADVICE
    moved = changes(referral, action, now=now)
    rows = judgements(session, referral)
    if any(row.judged_by == user_id for row in rows):
        raise Conflict(
            "u heeft dit advies al beoordeeld; een tweede oordeel komt van een andere "
            "gedragswetenschapper",
            field="judged_by",
            label=JUDGEMENT_FIELD_LABELS["judged_by"],
        )
    in_force = advice_of(referral)
    original = original_advice_of(referral)
    values: dict[str, Any] = dict(moved)
    if data.verdict is Verdict.CHANGE:
        if data.chosen_first_best is in_force.first_best:
            raise InvalidInput(
                "is al de first-best van het advies; kies een andere zorgvorm of bevestig",
                field="chosen_first_best",
                label=JUDGEMENT_FIELD_LABELS["chosen_first_best"],
            )
        judged = _changed_advice(in_force, data)
        values |= {
            "judged_advice_json": judged.model_dump_json(),
            "first_best": judged.first_best.value,
            # Proposals of the old advice are void: the servicepunt proposes again.
            "proposals_json": None,
            "top_unit_id": None,
        }
        agreeing = 1
        chosen, alternatives = judged.first_best, judged.alternatives
    else:
        agreeing = len(endorsements(rows)) + 1
        chosen, alternatives = in_force.first_best, in_force.alternatives
    needed = 2 if chosen is CareForm.GESLOTEN or original.second_opinion_required else 1
    state = JudgementState.AFGEROND if agreeing >= needed else JudgementState.TWEEDE_NODIG
    values["judgement"] = state.value
    row = AdviceJudgement(
        referral_id=referral.id,
        advice_round=referral.advice_round,
        seq=len(rows) + 1,
        judged_by=user_id,
        judged_at=now,
        verdict=data.verdict.value,
        original_form=original.first_best.value,
        judged_form=in_force.first_best.value,
        chosen_form=chosen.value,
        chosen_alternatives=",".join(f.value for f in alternatives),
        reason_code=data.reason_code.value,
        reason_text=(data.reason_text or "").strip() or None,
        rule_set=referral.rule_set or "",
        state_after=state.value,
    )
    _write(session, referral, values)
    session.add(row)
    try:
        session.flush()
    except IntegrityError:
        raise Conflict(
            "het advies is intussen door een andere gedragswetenschapper beoordeeld; "
            "open de aanmelding opnieuw",
            field="judgement",
            label=JUDGEMENT_FIELD_LABELS["judgement"],
        ) from None
    return row


def _write(session: Session, referral: Referral, values: dict[str, Any]) -> None:
    """Update the referral only while its status and advice round are as read."""
    statement = (
        update(Referral)
        .where(
            col(Referral.id) == referral.id,
            col(Referral.status) == referral.status,
            col(Referral.advice_round) == referral.advice_round,
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if cast(CursorResult[Any], session.execute(statement)).rowcount != 1:
        raise Conflict("aanmelding is intussen gewijzigd; open haar opnieuw", field="status")
    for name, value in values.items():
        set_committed_value(referral, name, value)


def require_for_proposals(referral: Referral) -> None:
    """Conflict while an advice that needs two gedragswetenschappers lacks their judgement."""
    if endorsements_needed(referral) == 2 and state_of(referral) is not JudgementState.AFGEROND:
        raise Conflict(
            _two_needed(referral), field="judgement", label=JUDGEMENT_FIELD_LABELS["judgement"]
        )


def require_for_hold(session: Session, referral: Referral, care_form: str) -> None:
    """Conflict for a place in gesloten jeugdhulp without an advice two people agree on
    (and for any place while the advice waits for its second gedragswetenschapper)."""
    require_for_proposals(referral)
    if care_form != CareForm.GESLOTEN.value:
        return
    agreeing = len(endorsements(judgements(session, referral)))
    if state_of(referral) is not JudgementState.AFGEROND or agreeing < 2:
        raise Conflict(
            "een plek in gesloten jeugdhulp vraagt een advies waar twee verschillende "
            f"gedragswetenschappers mee instemmen ({CLOSED_CARE_SOURCE})",
            field="judgement",
            label=JUDGEMENT_FIELD_LABELS["judgement"],
        )


def _two_needed(referral: Referral) -> str:
    if advice_of(referral).first_best is CareForm.GESLOTEN:
        why = f"gesloten jeugdhulp vraagt een tweede gedragswetenschapper ({CLOSED_CARE_SOURCE})"
    else:
        why = "het advies vraagt zelf om een tweede gedragswetenschapper"
    return f"eerst het oordeel van twee verschillende gedragswetenschappers: {why}"


def awaiting(session: Session, *, limit: int = 200) -> list[Referral]:
    """Open referrals whose advice waits for a (second) gedragswetenschapper, oldest first."""
    waiting = [JudgementState.OPEN.value, JudgementState.TWEEDE_NODIG.value]
    query = (
        select(Referral)
        .where(col(Referral.status).in_(JUDGEABLE), col(Referral.judgement).in_(waiting))
        .order_by(col(Referral.created_at), col(Referral.id))
        .limit(limit)
    )
    return list(session.exec(query).all())


def judged_open(session: Session, *, limit: int = 200) -> list[Referral]:
    """Open referrals whose judgement is complete but can still be revised, newest first."""
    query = (
        select(Referral)
        .where(
            col(Referral.status).in_(JUDGEABLE),
            Referral.judgement == JudgementState.AFGEROND.value,
        )
        .order_by(col(Referral.updated_at).desc(), col(Referral.id))
        .limit(limit)
    )
    return list(session.exec(query).all())


def reset_for_new_advice(referral: Referral) -> None:
    """A new advice starts a new round: earlier judgements were of another advice."""
    referral.advice_round += 1
    referral.judged_advice_json = None
    referral.judgement = JudgementState.OPEN.value


def view(session: Session, referral: Referral) -> JudgementView:
    """The referral as a gedragswetenschapper judges it (see JudgementView)."""
    stored = Profile.model_validate_json(referral.profile_json)
    profile = stored.model_dump(mode="json", exclude={"birth_date"})
    profile["responsible_municipality"] = referral.responsible_municipality
    return JudgementView(
        referral_id=referral.id,
        child_ref=referral.child_ref,
        status=referral.status,
        urgency=referral.urgency,
        judgement=referral.judgement,
        endorsements_needed=endorsements_needed(referral),
        profile=profile,
        original_advice=original_advice_of(referral).model_dump(mode="json"),
        advice_in_force=advice_of(referral).model_dump(mode="json"),
        judgements=[JudgementPublic.model_validate(row) for row in history(session, referral.id)],
    )
