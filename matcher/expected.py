"""Wait for a first-best place, or take an alternative now? (issue 19, item 2)

Per child, from the units that fit THIS child in its first-best care form (the hard checks
before capacity: care form, age, sex, capabilities, open, not excluded), the places that
come free there and the children ahead of it for those units:

- the places that come free, in order: a free place now (day 0), then each expected
  departure (live: the units' expected departure dates; in a simulation, where no end
  dates are known: the occupied places leaving one by one at the care form's mean stay,
  the k-th after k * mean_stay / occupied days);
- the children ahead: waiting children with a higher priority for at least one of those
  units (in the ordered policy: more urgency, i.e. longer waited or crisis);
- the expected date is the release after theirs: release number `ahead + 1`.

The child waits when that date is within the policy's `max_wait_days` of today; otherwise
it may take an alternative at once. Pure code: `matcher.propose` and the simulations use
the same functions.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from capacity.snapshot import UnitView
from matcher.models import MatchRequest
from matcher.scoring import static_check


@dataclass(frozen=True, slots=True)
class FirstBestEstimate:
    """When a first-best place is expected for one child, and whether it should wait."""

    units: int  # units that fit the child in its first-best care form
    ahead: int  # children with a higher priority for those units
    days: float  # days from today until the expected place (inf: none expected)
    wait: bool  # wait for it (else an alternative may be taken now)
    max_wait_days: int

    def expected_date(self, today: date) -> date | None:
        """The expected date (None: no first-best place expected)."""
        if math.isinf(self.days):
            return None
        return today + timedelta(days=math.ceil(self.days))

    def reasoning(self, today: date, *, has_alternative: bool) -> str:
        """The Dutch reasoning shown in a proposal."""
        when = self.expected_date(today)
        kinderen = "kind gaat" if self.ahead == 1 else "kinderen gaan"
        if self.units == 0:
            head = "Geen eenheid in de regio past bij dit kind in de eerste keus"
        elif when is None:
            head = "Eerste keus: geen vrije plek verwacht"
        else:
            head = (
                f"Eerste keus verwacht vrij rond {when.isoformat()} ({self.ahead} {kinderen} voor)"
            )
        if self.wait:
            why = (
                f"wachten, omdat dat binnen {self.max_wait_days} dagen is"
                " (beleid: lokale keuze van de regio)"
            )
        elif has_alternative:
            why = (
                f"nu een alternatief, omdat dat niet binnen {self.max_wait_days} dagen is"
                " (beleid: lokale keuze van de regio)"
            )
        else:
            why = "geen alternatief in het advies: wachten op de eerste keus of buiten de regio"
        return f"{head}; {why}."


def release_days(free_now: int, occupied: int, mean_stay_days: float, count: int) -> list[float]:
    """The first `count` days on which a place comes free, without known end dates: the free
    places now (day 0), then the occupied places leaving one by one at the mean stay."""
    out = [0.0] * min(free_now, count)
    if occupied > 0 and mean_stay_days > 0:
        step = mean_stay_days / occupied
        out += [step * k for k in range(1, count - len(out) + 1)]
    return out


def unit_release_days(units: Iterable[UnitView], today: date) -> list[float]:
    """Days from today on which a place comes free in these units (live: free places now,
    then each expected departure; an overdue departure counts as tomorrow)."""
    days: list[float] = []
    for unit in units:
        days += [0.0] * unit.free_now
        for when in unit.expected_departures:
            days.append(float(max(1, (when - today).days)))
    return sorted(days)


def estimate(
    releases: Sequence[float], ahead: int, units: int, max_wait_days: int
) -> FirstBestEstimate:
    """The expected first-best place: release number ahead + 1 (sorted `releases`)."""
    days = releases[ahead] if units and ahead < len(releases) else math.inf
    return FirstBestEstimate(units, ahead, days, days <= max_wait_days, max_wait_days)


def fits_first_best(referral: MatchRequest, unit: UnitView) -> bool:
    """Whether the unit fits the referral in its first-best care form (checks before
    capacity)."""
    return unit.care_form is referral.advice.first_best and static_check(referral, unit) is None


def fitting_units(referral: MatchRequest, units: Iterable[UnitView]) -> list[UnitView]:
    """The units that fit the referral in its first-best care form (checks before capacity)."""
    return [u for u in units if fits_first_best(referral, u)]


def urgency_days(waiting_since: date, crisis: bool, today: date, crisis_days: int) -> int:
    """Days of urgency (days waited, a crisis counting `crisis_days` more): who goes first."""
    return (today - waiting_since).days + (crisis_days if crisis else 0)


def more_urgent_since(days: int, today: date) -> date | None:
    """Who has more than `days` days of urgency without a crisis: the children waiting since
    before the returned day (None: every child, when `days` is negative). For a crisis,
    pass `days - crisis_days`. The same rule as `urgency_days`, as a bound a query can use."""
    return None if days < 0 else today - timedelta(days=days)


def priority(referral: MatchRequest, today: date, crisis_days: int) -> int:
    """The referral's days of urgency."""
    return urgency_days(referral.waiting_since, referral.crisis, today, crisis_days)


def live_estimate(
    referral: MatchRequest,
    units: Sequence[UnitView],
    waiting: Sequence[MatchRequest],
    today: date,
    *,
    max_wait_days: int,
    crisis_days: int = 0,
) -> FirstBestEstimate:
    """For `propose`: the referral's estimate from the units and the other waiting referrals
    (those with more urgency that fit one of the same units are ahead)."""
    fits = fitting_units(referral, units)
    mine = priority(referral, today, crisis_days)
    ahead = sum(
        1
        for other in waiting
        if other.referral_id != referral.referral_id
        and priority(other, today, crisis_days) > mine
        and any(fits_first_best(other, u) for u in fits)
    )
    return estimate(unit_release_days(fits, today), ahead, len(fits), max_wait_days)
