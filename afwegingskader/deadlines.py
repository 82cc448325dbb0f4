"""Time norms of a case: start of help after a beschikking, and the crisis deadlines.

Regional agreements (DOMAIN.md section 7; seeds 001 and 004); the source each deadline cites
comes from the selected region's file (domain.regions, `basis`):
- within two weeks of a beschikking, ambulante hulp, overbruggingshulp or the placement has
  started: 14 calendar days after the beschikking date;
- after a crisis placement, start agreements at the latest the next working day (a working
  day strictly after the placement day, skipping weekends and Dutch holidays, see
  afwegingskader.workdays), and an evaluation with a perspectiefplan within 14 days.

The 14-day norms are agreements, not statutory terms, so the Algemene termijnenwet does not
extend them when they end on a weekend or holiday: the deadline stays put (the stricter
reading, in the child's interest) and the explanation says it falls on a day off.
"""

from __future__ import annotations

from datetime import date, timedelta

from pydantic import BaseModel, ConfigDict

from afwegingskader.workdays import (
    DEFAULT_CALENDAR,
    WorkingCalendar,
    day_kind_nl,
    format_date_nl,
)
from domain.places import region
from domain.vocabulary import DeadlineKind, DeadlineStatus

START_NORM_DAYS = 14
PERSPECTIEFPLAN_DAYS = 14


def _basis(agreement: str) -> str:
    """What the norm cites: the selected region's own source, else a national one."""
    return region().basis[agreement]


class Deadline(BaseModel):
    """One deadline: when it runs from, when it is due, and whether it was met."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: DeadlineKind
    from_date: date
    due: date
    done_on: date | None
    status: DeadlineStatus
    basis: str
    explanation: str


def _status(due: date, done_on: date | None, today: date | None) -> DeadlineStatus:
    if done_on is not None:
        return DeadlineStatus.GEHAALD if done_on <= due else DeadlineStatus.TE_LAAT
    if today is not None and today > due:
        return DeadlineStatus.VERLOPEN
    return DeadlineStatus.OPEN


def _status_text(
    status: DeadlineStatus, due: date, done_on: date | None, today: date | None
) -> str:
    if done_on is not None:
        late = (done_on - due).days
        suffix = f" ({late} dag(en) te laat)" if late > 0 else ""
        return f"Gedaan op {format_date_nl(done_on)}: {status.label}{suffix}."
    if status is DeadlineStatus.VERLOPEN and today is not None:
        return f"Op de peildatum {format_date_nl(today)} verlopen en nog niet gedaan."
    if today is not None:
        left = (due - today).days
        if left == 0:
            return f"De peildatum {format_date_nl(today)} is de laatste dag."
        return f"Nog {left} dag(en) na de peildatum {format_date_nl(today)}."
    return "Nog niet gedaan."


def _day_off_note(due: date, calendar: WorkingCalendar) -> str:
    kind = day_kind_nl(due, calendar)
    if kind is None:
        return ""
    return f" Die dag is geen werkdag ({kind}); de termijn schuift niet op."


def _deadline(
    kind: DeadlineKind,
    from_date: date,
    due: date,
    *,
    basis: str,
    norm: str,
    done_on: date | None,
    today: date | None,
) -> Deadline:
    """A deadline with its status; the explanation is the norm, then where it stands."""
    status = _status(due, done_on, today)
    return Deadline(
        kind=kind,
        from_date=from_date,
        due=due,
        done_on=done_on,
        status=status,
        basis=basis,
        explanation=f"{norm} {_status_text(status, due, done_on, today)}",
    )


def _within_days(
    kind: DeadlineKind,
    from_date: date,
    days: int,
    *,
    what: str,
    basis: str,
    done_on: date | None,
    today: date | None,
    calendar: WorkingCalendar,
) -> Deadline:
    """A deadline a number of calendar days after `from_date`; `what` is the norm's opening
    ("<event> op <date>: <what must happen>"), the due date and the days follow it."""
    due = from_date + timedelta(days=days)
    norm = (
        f"{what} uiterlijk {format_date_nl(due)} ({days} kalenderdagen)."
        f"{_day_off_note(due, calendar)}"
    )
    return _deadline(kind, from_date, due, basis=basis, norm=norm, done_on=done_on, today=today)


def start_deadline(
    beschikking_date: date,
    *,
    done_on: date | None = None,
    today: date | None = None,
    calendar: WorkingCalendar = DEFAULT_CALENDAR,
) -> Deadline:
    """Help (ambulant, bridging or placement) starts within 14 days of the beschikking."""
    return _within_days(
        DeadlineKind.START_HULP,
        beschikking_date,
        START_NORM_DAYS,
        what=(
            f"Beschikking op {format_date_nl(beschikking_date)}: ambulante hulp, "
            "overbruggingshulp of de plaatsing start"
        ),
        basis=_basis("start_norm"),
        done_on=done_on,
        today=today,
        calendar=calendar,
    )


def start_agreements_deadline(
    crisis_placement_date: date,
    *,
    done_on: date | None = None,
    today: date | None = None,
    calendar: WorkingCalendar = DEFAULT_CALENDAR,
) -> Deadline:
    """Start agreements after a crisis placement by the next working day."""
    due = calendar.next_working_day(crisis_placement_date)
    skipped = calendar.days_off_between(crisis_placement_date, due)
    skipped_text = ""
    if skipped:
        names = ", ".join(f"{format_date_nl(d)} ({day_kind_nl(d, calendar)})" for d in skipped)
        skipped_text = f" Overgeslagen: {names}."
    norm = (
        f"Crisisplaatsing op {format_date_nl(crisis_placement_date)}: startafspraken "
        f"uiterlijk de eerstvolgende werkdag, {format_date_nl(due)}.{skipped_text}"
    )
    return _deadline(
        DeadlineKind.STARTAFSPRAKEN,
        crisis_placement_date,
        due,
        basis=_basis("crisis"),
        norm=norm,
        done_on=done_on,
        today=today,
    )


def perspectiefplan_deadline(
    crisis_placement_date: date,
    *,
    done_on: date | None = None,
    today: date | None = None,
    calendar: WorkingCalendar = DEFAULT_CALENDAR,
) -> Deadline:
    """Evaluation and a perspectiefplan within 14 days of the crisis placement."""
    return _within_days(
        DeadlineKind.PERSPECTIEFPLAN,
        crisis_placement_date,
        PERSPECTIEFPLAN_DAYS,
        what=(
            f"Crisisplaatsing op {format_date_nl(crisis_placement_date)}: evaluatie en "
            "perspectiefplan"
        ),
        basis=_basis("crisis"),
        done_on=done_on,
        today=today,
        calendar=calendar,
    )
