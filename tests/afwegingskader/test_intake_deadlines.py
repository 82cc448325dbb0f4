"""Deadlines across weekends and Dutch holidays, and the working-day calendar behind them."""

from __future__ import annotations

from datetime import date

import pytest

from afwegingskader.deadlines import (
    perspectiefplan_deadline,
    start_agreements_deadline,
    start_deadline,
)
from afwegingskader.workdays import (
    DEFAULT_CALENDAR,
    WorkingCalendar,
    day_kind_nl,
    format_date_nl,
)
from domain.vocabulary import DeadlineKind, DeadlineStatus

ATW_CALENDAR = WorkingCalendar(categories=("public", "optional"))

# (why, crisis placement date, next working day)
NEXT_WORKING_DAY = [
    ("kerst 2026: donderdag -> maandag", date(2026, 12, 24), date(2026, 12, 28)),
    ("gewone vrijdag -> maandag", date(2026, 11, 20), date(2026, 11, 23)),
    ("zaterdag -> maandag", date(2026, 11, 21), date(2026, 11, 23)),
    ("zondag -> maandag", date(2026, 11, 22), date(2026, 11, 23)),
    ("gewone maandag -> dinsdag", date(2026, 11, 23), date(2026, 11, 24)),
    ("Goede Vrijdag en Tweede paasdag 2026", date(2026, 4, 2), date(2026, 4, 7)),
    ("op Goede Vrijdag zelf", date(2026, 4, 3), date(2026, 4, 7)),
    ("Tweede paasdag 2027", date(2027, 3, 28), date(2027, 3, 30)),
    ("Koningsdag op maandag 2026", date(2026, 4, 24), date(2026, 4, 28)),
    ("Koningsdag op dinsdag 2027", date(2027, 4, 26), date(2027, 4, 28)),
    ("Koningsdag 2025 naar zaterdag verplaatst", date(2025, 4, 25), date(2025, 4, 28)),
    ("Hemelvaartsdag 2026", date(2026, 5, 13), date(2026, 5, 15)),
    ("Tweede pinksterdag 2026", date(2026, 5, 22), date(2026, 5, 26)),
    ("Bevrijdingsdag in lustrumjaar 2025", date(2025, 5, 2), date(2025, 5, 6)),
    ("Bevrijdingsdag 2026 is geen lustrum: werkdag", date(2026, 5, 4), date(2026, 5, 5)),
    ("Nieuwjaarsdag 2026 op donderdag", date(2025, 12, 31), date(2026, 1, 2)),
    ("kerst 2027 in het weekend: geen vervangende maandag", date(2027, 12, 24), date(2027, 12, 27)),
]


@pytest.mark.parametrize(
    ("why", "placed", "expected"), NEXT_WORKING_DAY, ids=[c[0] for c in NEXT_WORKING_DAY]
)
def test_start_agreements_by_next_working_day(why: str, placed: date, expected: date) -> None:
    deadline = start_agreements_deadline(placed)
    assert deadline.kind is DeadlineKind.STARTAFSPRAKEN
    assert deadline.due == expected
    assert DEFAULT_CALENDAR.is_working_day(deadline.due)


def test_christmas_2026_explanation_names_the_skipped_days() -> None:
    deadline = start_agreements_deadline(date(2026, 12, 24))
    assert "donderdag 24 december 2026" in deadline.explanation
    assert "maandag 28 december 2026" in deadline.explanation
    assert "Eerste kerstdag" in deadline.explanation
    assert "Tweede kerstdag" in deadline.explanation
    assert "zondag 27 december 2026 (zondag)" in deadline.explanation


def test_atw_calendar_counts_5_may_every_year() -> None:
    assert start_agreements_deadline(date(2026, 5, 4), calendar=ATW_CALENDAR).due == date(
        2026, 5, 6
    )


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (date(2026, 1, 1), "Nieuwjaarsdag"),
        (date(2026, 4, 3), "Goede vrijdag"),
        (date(2026, 4, 6), "Tweede paasdag"),
        (date(2026, 4, 27), "Koningsdag"),
        (date(2026, 5, 14), "Hemelvaartsdag"),
        (date(2026, 5, 25), "Tweede pinksterdag"),
        (date(2026, 12, 25), "Eerste kerstdag"),
        (date(2026, 12, 26), "Tweede kerstdag"),
        (date(2030, 5, 6), None),
        (date(2030, 5, 5), "Bevrijdingsdag"),
        (date(2026, 5, 5), None),
        (date(2026, 12, 24), None),
        (date(2026, 12, 31), None),
    ],
)
def test_library_holidays_as_documented(day: date, name: str | None) -> None:
    assert DEFAULT_CALENDAR.holiday_name(day) == name


def test_calendar_rejects_unknown_categories() -> None:
    with pytest.raises(ValueError, match="categories"):
        WorkingCalendar(categories=("school",))
    with pytest.raises(ValueError, match="categories"):
        WorkingCalendar(categories=("optional",))


def test_day_kind_and_dutch_dates() -> None:
    assert day_kind_nl(date(2026, 11, 21)) == "zaterdag"
    assert day_kind_nl(date(2026, 12, 25)) == "Eerste kerstdag"
    assert day_kind_nl(date(2026, 11, 23)) is None
    assert format_date_nl(date(2026, 12, 24)) == "donderdag 24 december 2026"


# (why, beschikking date, due date, day-off name in the explanation or None)
START_NORM = [
    ("gewone weekdag", date(2026, 11, 12), date(2026, 11, 26), None),
    ("eindigt op zondag: schuift niet op", date(2026, 12, 13), date(2026, 12, 27), "zondag"),
    ("eindigt op Eerste kerstdag", date(2026, 12, 11), date(2026, 12, 25), "Eerste kerstdag"),
    ("over de jaarwisseling", date(2026, 12, 24), date(2027, 1, 7), None),
    ("over Pasen", date(2026, 3, 27), date(2026, 4, 10), None),
]


@pytest.mark.parametrize(
    ("why", "beschikking", "due", "day_off"), START_NORM, ids=[c[0] for c in START_NORM]
)
def test_help_starts_within_14_calendar_days_of_the_beschikking(
    why: str, beschikking: date, due: date, day_off: str | None
) -> None:
    deadline = start_deadline(beschikking)
    assert deadline.kind is DeadlineKind.START_HULP
    assert deadline.due == due
    if day_off is None:
        assert "geen werkdag" not in deadline.explanation
    else:
        assert f"geen werkdag ({day_off}); de termijn schuift niet op" in deadline.explanation


@pytest.mark.parametrize(
    ("placed", "due"),
    [
        (date(2026, 12, 24), date(2027, 1, 7)),
        (date(2026, 4, 2), date(2026, 4, 16)),
        (date(2026, 2, 20), date(2026, 3, 6)),
    ],
)
def test_perspectiefplan_within_14_days_of_the_crisis_placement(placed: date, due: date) -> None:
    deadline = perspectiefplan_deadline(placed)
    assert deadline.kind is DeadlineKind.PERSPECTIEFPLAN
    assert deadline.due == due


DUE = date(2026, 11, 26)  # 14 days after a beschikking on 12 November 2026

STATUS = [
    ("op de laatste dag gedaan", date(2026, 11, 26), None, DeadlineStatus.GEHAALD),
    ("eerder gedaan", date(2026, 11, 13), date(2026, 12, 1), DeadlineStatus.GEHAALD),
    ("een dag te laat", date(2026, 11, 27), None, DeadlineStatus.TE_LAAT),
    ("open, peildatum ervoor", None, date(2026, 11, 25), DeadlineStatus.OPEN),
    ("open op de laatste dag", None, DUE, DeadlineStatus.OPEN),
    ("verlopen", None, date(2026, 11, 27), DeadlineStatus.VERLOPEN),
    ("zonder peildatum open", None, None, DeadlineStatus.OPEN),
]


@pytest.mark.parametrize(("why", "done_on", "today", "status"), STATUS, ids=[c[0] for c in STATUS])
def test_status(why: str, done_on: date | None, today: date | None, status: DeadlineStatus) -> None:
    deadline = start_deadline(date(2026, 11, 12), done_on=done_on, today=today)
    assert deadline.due == DUE
    assert deadline.status is status


def test_late_explanation_counts_the_days() -> None:
    deadline = start_deadline(date(2026, 11, 12), done_on=date(2026, 11, 30))
    assert "4 dag(en) te laat" in deadline.explanation


def test_crisis_deadline_status_uses_working_day_due() -> None:
    placed = date(2026, 12, 24)
    on_time = start_agreements_deadline(placed, done_on=date(2026, 12, 28))
    late = start_agreements_deadline(placed, done_on=date(2026, 12, 29))
    overdue = start_agreements_deadline(placed, today=date(2026, 12, 29))
    assert on_time.status is DeadlineStatus.GEHAALD
    assert late.status is DeadlineStatus.TE_LAAT
    assert overdue.status is DeadlineStatus.VERLOPEN
