"""Working days in the Netherlands, for the crisis deadlines, and Dutch date formatting.

A working day is a Monday to Friday that is not a Dutch public holiday. The holidays come
from the maintained `holidays` library (vacanza/holidays), never from a hand-made list.
What that library counts as a Dutch holiday (version 0.109, category "public", checked
against its source and the Algemene termijnenwet, Atw):

- Nieuwjaarsdag, Goede Vrijdag, Eerste en Tweede Paasdag, Koningsdag (27 April; on a
  Sunday it moves to Saturday 26 April, so it then costs no working day), Hemelvaartsdag,
  Eerste en Tweede Pinksterdag, Eerste en Tweede Kerstdag.
- Goede Vrijdag is included: the Atw (art. 3 lid 2) equates it with a holiday, although
  many employers work that day.
- Bevrijdingsdag (5 May) only in lustrum years (2025, 2030, ...), as most collective labour
  agreements do; the library puts it in the "optional" category every year. The Atw lists
  5 May every year: a region that keeps the Atw list uses
  WorkingCalendar(categories=("public", "optional")).
- Days the Minister equates with holidays once every three years (for example the Friday
  after Ascension Day) are not in the library and not counted.

Which days the crisis desk treats as working days is a regional agreement, so the calendar
is an argument with the library's public holidays as the default.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

import holidays

WEEKDAYS_NL = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")
MONTHS_NL = (
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
)

# Sundays-only holidays (Eerste Paasdag, Eerste Pinksterdag) never fall on a working day;
# skipping weekends already covers them. Sixty days is far more than any Dutch run of
# consecutive non-working days; reaching it means the calendar itself is wrong.
_MAX_SCAN_DAYS = 60


@lru_cache(maxsize=256)
def _holidays_in(year: int, categories: tuple[str, ...]) -> dict[date, str]:
    # A fresh, fully expanded mapping per year keeps lookups pure (the library's own
    # objects grow lazily as they are queried).
    found = holidays.country_holidays("NL", years=year, language="nl", categories=categories)
    return {day: str(name) for day, name in found.items()}


@dataclass(frozen=True, slots=True)
class WorkingCalendar:
    """Which days count as working days: weekdays that are not Dutch holidays."""

    categories: tuple[str, ...] = ("public",)

    def __post_init__(self) -> None:
        # "public" is the base every calendar needs; "optional" only adds 5 May.
        if "public" not in self.categories or not set(self.categories) <= {"public", "optional"}:
            raise ValueError("categories: kies 'public' en eventueel 'optional'")

    def holiday_name(self, day: date) -> str | None:
        """The Dutch name of the holiday on this day, or None."""
        return _holidays_in(day.year, self.categories).get(day)

    def is_working_day(self, day: date) -> bool:
        """True for Monday to Friday when the day is not a holiday."""
        return day.weekday() < 5 and self.holiday_name(day) is None

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after this day."""
        candidate = day
        for _ in range(_MAX_SCAN_DAYS):
            candidate += timedelta(days=1)
            if self.is_working_day(candidate):
                return candidate
        raise RuntimeError(f"geen werkdag binnen {_MAX_SCAN_DAYS} dagen na {day.isoformat()}")

    def days_off_between(self, start: date, end: date) -> tuple[date, ...]:
        """The non-working days strictly between start and end."""
        out: list[date] = []
        day = start + timedelta(days=1)
        while day < end:
            if not self.is_working_day(day):
                out.append(day)
            day += timedelta(days=1)
        return tuple(out)

    @property
    def description(self) -> str:
        """Dutch one-line description of the holidays this calendar skips."""
        if "optional" in self.categories:
            return (
                "werkdagen: maandag t/m vrijdag, behalve Nederlandse feestdagen "
                "(bibliotheek holidays, incl. Goede Vrijdag en elk jaar 5 mei)"
            )
        return (
            "werkdagen: maandag t/m vrijdag, behalve Nederlandse feestdagen "
            "(bibliotheek holidays, incl. Goede Vrijdag; 5 mei alleen in lustrumjaren)"
        )


DEFAULT_CALENDAR = WorkingCalendar()


def format_date_nl(day: date) -> str:
    """A date in Dutch, for example 'donderdag 24 december 2026'."""
    return f"{WEEKDAYS_NL[day.weekday()]} {day.day} {MONTHS_NL[day.month - 1]} {day.year}"


def day_kind_nl(day: date, calendar: WorkingCalendar = DEFAULT_CALENDAR) -> str | None:
    """Why a day is not a working day ('zaterdag', 'Tweede kerstdag'), or None."""
    name = calendar.holiday_name(day)
    if name is not None:
        return name
    if day.weekday() >= 5:
        return WEEKDAYS_NL[day.weekday()]
    return None
