"""Perspectiefregie: the perspectiefregisseur assigned to a child, and their tasks with time
limits (seed 001, Handreiking perspectiefregie):

- a crisis placement: start agreements at the latest the next working day, and an evaluation
  with a perspectiefplan within 14 days;
- a regular placement: a perspectiefplan within 14 days of the start (the same 14 days, a
  local choice where the seed names crisis only) and a first evaluation after 3 months
  (a local choice);
- every evaluation done may plan the next one;
- the perspective after 18: talked through when the child is 16½ and again at 17½ (so that
  a continuation to 21 in foster care or a gezinshuis, or what else follows, is arranged in
  time). Without a birth date the earliest one the age allows is taken: never too late.

A task is open, met (gehaald) or late (te laat); how far it is from its due date is counted
in working days (weekdays that are not Dutch holidays, afwegingskader.workdays, from the
`holidays` library). One regisseur per family where possible: assigning one to a child
assigns them to the child's siblings too. Services flush, never commit.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlmodel import Session, col, select

from afwegingskader.workdays import DEFAULT_CALENDAR, WorkingCalendar
from capacity import service as capacity_service
from domain.care import CATEGORY, CareCategory, CareForm
from domain.errors import Conflict, InvalidInput, NotFound
from domain.vocabulary import DueState, ReferralStatus, TaskKind, Urgency
from placements.lifecycle_models import REGIE_FIELD_LABELS, RegieTask
from placements.match import profile_of
from placements.models import LIFECYCLE_FIELD_LABELS, Referral
from placements.regie_schemas import TaskDone
from placements.reports import Table
from placements.transitions import Action, advance

PLAN_DAYS = 14
FIRST_EVALUATION_DAYS = 91
# Children a regisseur no longer follows.
ENDED = frozenset({ReferralStatus.UITGESTROOMD, ReferralStatus.INGETROKKEN})


@dataclass(frozen=True)
class TaskView:
    """A task with its status and the working days left (negative: late by that many)."""

    task: RegieTask
    status: DueState
    working_days: int


def working_days_between(start: date, end: date, calendar: WorkingCalendar) -> int:
    """Working days after `start` up to and including `end` (negative when end < start)."""
    if end < start:
        return -working_days_between(end, start, calendar)
    return sum(
        calendar.is_working_day(start + timedelta(days=n)) for n in range(1, (end - start).days + 1)
    )


def view(task: RegieTask, today: date, calendar: WorkingCalendar = DEFAULT_CALENDAR) -> TaskView:
    """The task's status on `today`, and its distance from the due date in working days."""
    status = DueState.on(today, task.due, task.done_on)
    days = working_days_between(task.done_on or today, task.due, calendar)
    return TaskView(task, status, days)


def _plan(
    referral: Referral, today: date, now: datetime, calendar: WorkingCalendar
) -> list[RegieTask]:
    """The first tasks of a child newly assigned to a regisseur."""
    if referral.urgency == Urgency.CRISIS.value:
        start = referral.crisis_placement_date or referral.placed_on or today
        due = {
            TaskKind.STARTAFSPRAKEN: calendar.next_working_day(start),
            TaskKind.PERSPECTIEFPLAN: start + timedelta(days=PLAN_DAYS),
            TaskKind.EVALUATIE: start + timedelta(days=PLAN_DAYS),
        }
    else:
        start = referral.placed_on or today
        due = {
            TaskKind.PERSPECTIEFPLAN: start + timedelta(days=PLAN_DAYS),
            TaskKind.EVALUATIE: start + timedelta(days=FIRST_EVALUATION_DAYS),
        }
    born = earliest_birth_date(referral)
    for kind, months in ((TaskKind.PERSPECTIEF_165, 198), (TaskKind.PERSPECTIEF_175, 210)):
        day = _add_months(born, months)
        if day >= today:
            due[kind] = day
    return [
        RegieTask(referral_id=referral.id, kind=kind.value, due=day, created_at=now)
        for kind, day in due.items()
    ]


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(
        year, month, min(day.day, 28 if month == 2 else 30 if month in (4, 6, 9, 11) else 31)
    )


def earliest_birth_date(referral: Referral) -> date:
    """The child's birth date, or without one the earliest the age on the reference date
    allows (the day after the reference date, age + 1 years before it)."""
    profile = profile_of(referral)
    if profile.birth_date is not None:
        return profile.birth_date
    ref = profile.reference_date
    year = ref.year - profile.years - 1
    day = min(ref.day, 28) if ref.month == 2 else ref.day
    return date(year, ref.month, day) + timedelta(days=1)


def plan_tasks(
    session: Session,
    referral: Referral,
    *,
    now: datetime,
    calendar: WorkingCalendar = DEFAULT_CALENDAR,
) -> None:
    """Give a child with a regisseur its first tasks, once."""
    planned = select(RegieTask.id).where(RegieTask.referral_id == referral.id)
    if referral.regisseur_user_id is None or session.exec(planned).first() is not None:
        return
    session.add_all(_plan(referral, now.date(), now, calendar))


def assign(
    session: Session, *, referral_id: str, regisseur_user_id: str, now: datetime
) -> list[Referral]:
    """Assign the regisseur to the child and to its siblings still in care (one per family);
    each gets its first tasks. Returns the referrals assigned."""
    referral = session.get(Referral, referral_id) if isinstance(referral_id, str) else None
    if referral is None:
        raise NotFound("onbekende aanmelding", field="referral_id")
    if referral.status in ENDED:
        raise Conflict(
            "dit kind is niet meer in zorg",
            field="regisseur_user_id",
            label=REGIE_FIELD_LABELS["regisseur_user_id"],
        )
    family = [referral]
    if referral.sibling_group is not None:
        siblings = select(Referral).where(
            Referral.sibling_group == referral.sibling_group, Referral.id != referral.id
        )
        family += [s for s in session.exec(siblings).all() if s.status not in ENDED]
    for member in family:
        member.regisseur_user_id = regisseur_user_id
        member.updated_at = now
        session.add(member)
        session.flush()
        plan_tasks(session, member, now=now)
    session.flush()
    return family


def children_of(session: Session, *, regisseur_user_id: str | None) -> list[Referral]:
    """The children of one regisseur still in care (None: of every regisseur)."""
    query = select(Referral).where(col(Referral.regisseur_user_id).is_not(None))
    if regisseur_user_id is not None:
        query = query.where(Referral.regisseur_user_id == regisseur_user_id)
    rows = session.exec(query.order_by(col(Referral.created_at), col(Referral.id))).all()
    return [r for r in rows if r.status not in ENDED]


def tasks_of(session: Session, referral_ids: list[str]) -> dict[str, list[RegieTask]]:
    """The tasks of these children, by referral, earliest due first."""
    out: dict[str, list[RegieTask]] = {rid: [] for rid in referral_ids}
    if not referral_ids:
        return out
    query = (
        select(RegieTask)
        .where(col(RegieTask.referral_id).in_(referral_ids))
        .order_by(col(RegieTask.due), col(RegieTask.id))
    )
    for task in session.exec(query).all():
        out[task.referral_id].append(task)
    return out


def complete(
    session: Session,
    *,
    task_id: str,
    regisseur_user_id: str,
    data: TaskDone,
    now: datetime,
) -> RegieTask:
    """Record a task as done; an evaluation may plan the next one. Another regisseur's task
    is not found."""
    done_on, next_evaluation = data.done_on, data.next_evaluation
    task = session.get(RegieTask, task_id) if isinstance(task_id, str) else None
    referral = session.get(Referral, task.referral_id) if task is not None else None
    if task is None or referral is None or referral.regisseur_user_id != regisseur_user_id:
        raise NotFound("onbekende taak", field="task_id")
    if task.done_on is not None:
        raise Conflict(
            "deze taak is al afgerond", field="done_on", label=REGIE_FIELD_LABELS["done_on"]
        )
    if done_on > now.date():
        raise InvalidInput(
            "ligt in de toekomst", field="done_on", label=REGIE_FIELD_LABELS["done_on"]
        )
    if next_evaluation is not None:
        if task.kind != TaskKind.EVALUATIE.value:
            raise InvalidInput(
                "alleen na een evaluatie",
                field="next_evaluation",
                label=REGIE_FIELD_LABELS["next_evaluation"],
            )
        if next_evaluation <= done_on:
            raise InvalidInput(
                "ligt niet na deze evaluatie",
                field="next_evaluation",
                label=REGIE_FIELD_LABELS["next_evaluation"],
            )
        session.add(
            RegieTask(
                referral_id=task.referral_id,
                kind=TaskKind.EVALUATIE.value,
                due=next_evaluation,
                created_at=now,
            )
        )
    task.done_on = done_on
    task.done_by = regisseur_user_id
    session.add(task)
    session.flush()
    return task


def task_report(session: Session, *, today: date) -> Table:
    """Per task kind: open, met and late, of children still in care or not."""
    counts: dict[str, Counter[DueState]] = {k.value: Counter() for k in TaskKind}
    for task in session.exec(select(RegieTask)).all():
        counts[task.kind][view(task, today).status] += 1
    table = Table(
        "regie_taken",
        "Taken van perspectiefregisseurs: open, gehaald en te laat",
        ("taak", "taken", "open", "gehaald", "te_laat"),
    )
    for kind in TaskKind:
        c = counts[kind.value]
        total = sum(c.values())
        if total:
            table.rows.append(
                (
                    kind.value,
                    total,
                    c[DueState.OPEN],
                    c[DueState.GEHAALD],
                    c[DueState.TE_LAAT],
                )
            )
    return table


# Care forms that may continue to 21 (Jeugdwet: pleegzorg and gezinshuis, "verlengde jeugdhulp").
CONTINUABLE = frozenset({CareCategory.PLEEGZORG, CareCategory.GEZINSHUIS})


def continue_to_21(
    session: Session, *, referral_id: str, continued_until: date, now: datetime
) -> Referral:
    """Record foster care or a gezinshuis continued after 18 as the same placement, up to a
    day after the 18th and at the latest on the 21st birthday (both from the earliest birth
    date the age allows); the stay's expected end moves with it."""
    referral = session.get(Referral, referral_id) if isinstance(referral_id, str) else None
    if referral is None:
        raise NotFound("onbekende aanmelding", field="referral_id")
    advance(referral, Action.CONTINUE, now=now)
    label = LIFECYCLE_FIELD_LABELS["continued_until"]
    form = CareForm(referral.placed_form) if referral.placed_form else None
    if form is None or CATEGORY[form] not in CONTINUABLE:
        raise Conflict(
            "alleen pleegzorg en een gezinshuis lopen door na 18",
            field="continued_until",
            label=label,
        )
    born = earliest_birth_date(referral)
    if continued_until <= _add_months(born, 18 * 12):
        raise InvalidInput("ligt niet na de 18e verjaardag", field="continued_until", label=label)
    if continued_until > _add_months(born, 21 * 12):
        raise InvalidInput("ligt na de 21e verjaardag", field="continued_until", label=label)
    assert referral.occupancy_id is not None  # set with the placement
    capacity_service.record_expected_departure(
        session, occupancy_id=referral.occupancy_id, expected_end=continued_until, now=now
    )
    referral.continued_until = continued_until
    session.add(referral)
    session.flush()
    return referral
