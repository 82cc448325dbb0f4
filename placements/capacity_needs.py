"""The integral view of needed against available capacity (issue #21 item 1): per month, per
municipality, age band, care form and capability, the children waiting against the free
places that could take them.

On the last day of each month (today for this month):
- needed: children waiting that day (registered, not yet placed or withdrawn) with an
  advice, counted by their responsible municipality, their age band, the first-best care form
  of the advice in force, and each capability the advice requires ("geen" when it requires
  none). A child that needs two capabilities counts in both rows.
- available: free places that day (places less the children staying) in open units, by the
  unit's municipality, each age band its age range overlaps (as the availability board
  counts them), its care form, and each capability it offers. Every free place counts in the
  row "geen" too: any place serves a child with no particular need. The places of a day
  before today follow the unit's current registration, less the places opened since and
  plus the places closed since (the ledger keeps no date of a unit's registration: a unit
  counts in the months before it too).

Rows are those of a municipality, band, form and capability where a child waited in at least
one of the months, so each need shows the places that could meet it over the whole period.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import date, datetime

from sqlmodel import Session, col, select

from capacity.models import CapacityChange, Location, Occupancy, Unit
from capacity.views import parse_capabilities
from domain import nl_format
from domain.people import age_band
from domain.profile_vocabulary import AgeBand
from domain.vocabulary import ChangeKind
from placements.match import advice_of, profile_of
from placements.models import OPEN_STATUSES, Referral
from placements.reports import Table

MONTHS = 12
NO_CAPABILITY = "geen"
Key = tuple[str, str, str, str]  # municipality, age band, care form, capability
BAND_AGES = {AgeBand.TOT_12: (0, 11), AgeBand.VAN_12_TOT_18: (12, 17), AgeBand.VANAF_18: (18, 99)}


def month_ends(today: date, months: int = MONTHS) -> list[tuple[str, date]]:
    """The last `months` months up to this one: (YYYY-MM, the day counted: month end or today)."""
    out = []
    year, month = today.year, today.month
    for _ in range(months):
        nxt = date(year + (month == 12), month % 12 + 1, 1)
        last = min(today, date.fromordinal(nxt.toordinal() - 1))
        out.append((f"{year:04d}-{month:02d}", last))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return list(reversed(out))


def _day(moment: datetime | None) -> date | None:
    return None if moment is None else nl_format.local_day(moment)


def _waiting_span(r: Referral) -> tuple[date, date | None] | None:
    """From which day to which day (exclusive; None: still) the child waited, if advised."""
    if r.first_best is None:
        return None
    ended = r.placed_on or _day(r.withdrawn_at)
    if ended is None and r.status not in OPEN_STATUSES:
        ended = _day(r.updated_at)  # closed without a date of its own
    start = _day(r.created_at)
    assert start is not None
    return start, ended


def _needs(session: Session, days: list[tuple[str, date]]) -> Counter[tuple[str, Key]]:
    needed: Counter[tuple[str, Key]] = Counter()
    for r in session.exec(select(Referral).where(col(Referral.first_best).is_not(None))).all():
        span = _waiting_span(r)
        if span is None:
            continue
        months = [
            label for label, day in days if span[0] <= day and (span[1] is None or day < span[1])
        ]
        if not months:
            continue
        band = age_band(profile_of(r).years).value
        caps = [c.value for c in advice_of(r).required_capabilities] or [NO_CAPABILITY]
        for label in months:
            for cap in caps:
                key = (r.responsible_municipality, band, str(r.first_best), cap)
                needed[(label, key)] += 1
    return needed


def _bands(age_min: int, age_max: int) -> Iterator[str]:
    for band, (low, high) in BAND_AGES.items():
        if age_min <= high and low <= age_max:
            yield band.value


def _free(session: Session, days: list[tuple[str, date]]) -> Counter[tuple[str, Key]]:
    stays: dict[str, list[tuple[date, date | None]]] = defaultdict(list)
    for unit_id, since, ended_on in session.exec(
        select(col(Occupancy.unit_id), col(Occupancy.since), col(Occupancy.ended_on))
    ).all():
        stays[unit_id].append((since, ended_on))
    changes: dict[str, list[CapacityChange]] = defaultdict(list)
    for change in session.exec(select(CapacityChange).where(col(CapacityChange.applied))).all():
        changes[change.unit_id].append(change)
    free: Counter[tuple[str, Key]] = Counter()
    units = session.exec(select(Unit, Location).where(Unit.location_id == Location.id)).all()
    for unit, location in units:
        own_stays, own_changes = stays[unit.id], changes[unit.id]
        caps = [c.value for c in parse_capabilities(unit.capabilities)] + [NO_CAPABILITY]
        for label, day in days:
            if unit.closing_date is not None and unit.closing_date <= day:
                continue
            places = unit.places
            for change in own_changes:
                if change.effective_on > day and change.kind == ChangeKind.PLACES_OPENED.value:
                    places -= change.places
                elif change.effective_on > day and change.kind == ChangeKind.PLACES_CLOSED.value:
                    places += change.places - change.remaining
            staying = sum(1 for s, e in own_stays if s <= day and (e is None or e > day))
            count = max(0, places - staying)
            for band in _bands(unit.age_min, unit.age_max):
                for cap in caps:
                    free[(label, (location.municipality, band, unit.care_form, cap))] += count
    return free


def needed_against_available(session: Session, *, today: date, months: int = MONTHS) -> Table:
    """The integral view, one row per month and municipality, age band, care form and
    capability where children waited (see the module doc)."""
    days = month_ends(today, months)
    needed = _needs(session, days)
    free = _free(session, days)
    keys = sorted({key for _, key in needed})
    table = Table(
        "behoefte_aanbod_integraal",
        "Benodigde tegenover beschikbare capaciteit per maand, gemeente, leeftijd, zorgvorm "
        "en deskundigheid",
        ("maand", "gemeente", "leeftijd", "zorgvorm", "deskundigheid", "benodigd", "vrij",
         "tekort"),
    )  # fmt: skip
    for label, _ in days:
        for key in keys:
            need, places = needed[(label, key)], free[(label, key)]
            table.rows.append((label, *key, need, places, max(0, need - places)))
    return table
