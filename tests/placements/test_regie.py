"""Perspectiefregie tasks without the API: working days skip weekends and Dutch holidays
(the `holidays` library), and a task is open, met or late."""

from __future__ import annotations

from datetime import UTC, date, datetime

from afwegingskader.workdays import DEFAULT_CALENDAR
from domain.vocabulary import DueState
from placements.lifecycle_models import RegieTask
from placements.regie import view, working_days_between

NOW = datetime(2026, 12, 1, tzinfo=UTC)


def _task(due: date, done_on: date | None = None) -> RegieTask:
    return RegieTask(
        referral_id="r", kind="perspectiefplan", due=due, done_on=done_on, created_at=NOW
    )


def test_working_days_skip_christmas_and_the_weekend() -> None:
    # 25 and 26 December 2026 are holidays (a Friday and a Saturday), 27 a Sunday.
    assert working_days_between(date(2026, 12, 24), date(2026, 12, 29), DEFAULT_CALENDAR) == 2
    assert working_days_between(date(2026, 12, 29), date(2026, 12, 24), DEFAULT_CALENDAR) == -2
    assert working_days_between(date(2026, 12, 1), date(2026, 12, 1), DEFAULT_CALENDAR) == 0


def test_a_task_is_open_met_or_late() -> None:
    due = date(2026, 12, 24)
    assert view(_task(due), date(2026, 12, 22)).status is DueState.OPEN
    assert view(_task(due), date(2026, 12, 22)).working_days == 2
    assert view(_task(due, date(2026, 12, 24)), date(2027, 1, 5)).status is DueState.GEHAALD
    late = view(_task(due), date(2026, 12, 29))
    assert (late.status, late.working_days) == (DueState.TE_LAAT, -2)
    done_late = view(_task(due, date(2026, 12, 28)), date(2027, 1, 5))
    assert (done_late.status, done_late.working_days) == (DueState.TE_LAAT, -1)
