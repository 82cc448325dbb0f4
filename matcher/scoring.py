"""Pure scoring of one (referral, unit) pair: the hard constraints and the integer score terms.

This module is the readable specification. matcher.score_table computes the same thing for many
units at once with numpy; a property test keeps the two equal.

Time semantics (documented in the README):
- A place counts for a child when it is free by the child's deadline and no scheduled
  reduction of places later takes it away again. For a unit that is `available(d)` =
  the minimum of the free places on d and on every known later change date; it never
  decreases with d, so "free by the deadline" is a monotone, exact capacity per deadline.
- Days on or before today use `free_now`; later days use `UnitView.free_by`.
- An expected departure on or before today is overdue: the child has not left yet, so the
  place is not free today (`free_now`), and it is due: `free_by` counts it as gone on every
  later day. Its place therefore changes on the day after today (`change_dates`), so that
  `check_pair` and `first_available` agree.
- A unit is open when its status is open and it has no closing date: a unit that is closing
  takes no new children, who would otherwise have to move again.
"""

from __future__ import annotations

import math
from datetime import date, timedelta

from capacity.snapshot import UnitView
from domain.places import Municipality, distance_km, neighbours
from domain.profile_vocabulary import SexPolicy
from domain.vocabulary import UnitStatus
from matcher.models import MatchRequest, PairScore, ScoreTerm
from matcher.weights import LABELS, Weights

# The hard constraints in the order they are checked; the Dutch text says why a pair fails.
CHECKS: tuple[tuple[str, str], ...] = (
    ("care_form", "de zorgvorm past niet bij het advies"),
    ("age", "de leeftijd valt buiten het bereik van de eenheid"),
    ("sex", "de eenheid neemt alleen {policy} op"),
    ("capabilities", "de eenheid mist vereiste expertise: {missing}"),
    ("open", "de eenheid is gesloten of gaat sluiten"),
    ("exclusion", "de eenheid is voor dit kind uitgesloten (bijv. eerdere afgebroken plaatsing)"),
    ("capacity", "geen plek vrij in de eenheid vóór de uiterste datum"),
)
CHECK_INDEX = {name: i for i, (name, _) in enumerate(CHECKS)}


def change_dates(unit: UnitView, today: date) -> tuple[date, ...]:
    """The dates after today on which the unit's free places can change, sorted (an overdue
    expected departure: the day after today)."""
    if not unit.expected_departures and not unit.scheduled_changes:
        return ()
    due = today + timedelta(days=1)
    days = {max(d, due) for d in unit.expected_departures}
    days |= {d for d, _ in unit.scheduled_changes if d > today}
    return tuple(sorted(days))


def free_on(unit: UnitView, day: date, today: date) -> int:
    """Free places on a day: free_now up to today, the expected picture after it."""
    return unit.free_now if day <= today else unit.free_by(day)


def available(unit: UnitView, day: date, today: date) -> int:
    """Places free by `day` that no later scheduled change takes away (never decreasing)."""
    if not is_open(unit):
        return 0
    later = [free_on(unit, d, today) for d in change_dates(unit, today) if d > day]
    return max(0, min([free_on(unit, day, today), *later]))


def first_available(unit: UnitView, deadline: date, today: date) -> date | None:
    """The first day in [today, deadline] from which a place is available, or None."""
    for day in (today, *change_dates(unit, today)):
        if day > deadline and day > today:
            return None
        if available(unit, day, today) > 0:
            return day
    return None


def is_open(unit: UnitView) -> bool:
    """Open and not announced to close."""
    return unit.status is UnitStatus.OPEN and unit.closing_date is None


def check_pair(referral: MatchRequest, unit: UnitView, today: date) -> tuple[str, str] | None:
    """The first hard constraint the pair breaks, as (check, Dutch reason), or None."""
    broken = static_check(referral, unit)
    if broken is not None:
        return broken
    if available(unit, max(referral.deadline, today), today) <= 0:
        return CHECKS[6]
    return None


def static_check(referral: MatchRequest, unit: UnitView) -> tuple[str, str] | None:
    """The first hard constraint before capacity that the pair breaks, or None.

    These checks read neither the date nor the unit's places, occupied and held.
    """
    advice = referral.advice
    if advice.rank(unit.care_form) is None:
        return CHECKS[0]
    if not unit.age_min <= referral.age <= unit.age_max:
        return CHECKS[1]
    if not unit.sex_policy.admits(referral.sex):
        who = "jongens" if unit.sex_policy is SexPolicy.JONGENS else "meisjes"
        return CHECKS[2][0], CHECKS[2][1].format(policy=who)
    missing = [c for c in advice.required_capabilities if c not in unit.capabilities]
    if missing:
        labels = ", ".join(c.label for c in missing)
        return CHECKS[3][0], CHECKS[3][1].format(missing=labels)
    if not is_open(unit):
        return CHECKS[4]
    if unit.unit_id in referral.excluded_units:
        return CHECKS[5]
    return None


def _round_km(km: float) -> int:
    return math.floor(km + 0.5)


def distance_points(km: float, weights: Weights) -> int:
    """Points for a distance: per whole km (rounded half up)."""
    return weights["distance"]["per_km"] * _round_km(km)


def _preferences(referral: MatchRequest, unit: UnitView, weights: Weights) -> tuple[int, str]:
    prefs = unit.preferences
    if prefs is None:
        return 0, "geen wensen van het gezin opgegeven"
    met: list[str] = []
    unmet: list[str] = []
    if prefs.age_min is not None or prefs.age_max is not None:
        low = prefs.age_min if prefs.age_min is not None else 0
        high = prefs.age_max if prefs.age_max is not None else 99
        (met if low <= referral.age <= high else unmet).append("leeftijd")
    if prefs.sex is not None:
        (met if prefs.sex is referral.sex else unmet).append("jongen/meisje")
    if prefs.max_children is not None:
        fits = unit.occupied + unit.held + 1 <= prefs.max_children
        (met if fits else unmet).append("aantal kinderen")
    if prefs.capabilities:
        fits = set(referral.advice.required_capabilities) <= prefs.capabilities
        (met if fits else unmet).append("expertise")
    w = weights["preferences"]
    points = w["per_match"] * len(met) + w["per_mismatch"] * len(unmet)
    parts = []
    if met:
        parts.append("past bij wens(en): " + ", ".join(met))
    if unmet:
        parts.append("past niet bij wens(en): " + ", ".join(unmet))
    return points, "; ".join(parts) or "geen wensen van het gezin opgegeven"


def _nearness(
    place: str, wanted: tuple[str, ...], unit: UnitView, w: dict[str, int]
) -> tuple[int, str]:
    """Same or neighbouring municipality as the best of `wanted` (school or network)."""
    if not wanted:
        return 0, f"gemeente van {place} onbekend"
    if unit.municipality.value in wanted:
        return w["same_municipality"], f"in de gemeente van {place}"
    if any(neighbours(unit.municipality, Municipality(m)) for m in wanted):
        return w["neighbouring"], f"in een buurgemeente van {place}"
    return 0, f"niet bij {place}"


def _region(anchor: Municipality | None, unit: UnitView, w: dict[str, int]) -> tuple[int, str]:
    """In the region (within radius_km of the anchor, when set): in_region points."""
    if not unit.municipality.in_region:
        return 0, "buiten de regio"
    if w["radius_km"] > 0 and anchor is not None:
        km = _round_km(distance_km(anchor, unit.municipality))
        if km > w["radius_km"]:
            return 0, f"in de regio, maar verder dan {w['radius_km']} km"
    return w["in_region"], "in de regio"


def score_pair(referral: MatchRequest, unit: UnitView, today: date, weights: Weights) -> PairScore:
    """The pair's integer score split into named terms with Dutch explanations.

    Call it for feasible pairs only (see check_pair); the availability term uses the first
    day a place is available before the deadline.
    """
    advice = referral.advice
    terms: list[tuple[str, int, str]] = []
    terms.append(("base", weights["base"]["points"], "basispunten voor een plaatsing"))

    rank = advice.rank(unit.care_form)
    assert rank is not None, "score_pair needs a feasible pair"
    cf = weights["care_form"]
    cf_points = max(0, cf["first_best"] - cf["per_rank_lower"] * rank)
    what = "eerste keus" if rank == 0 else f"alternatief {rank}"
    terms.append(("care_form", cf_points, f"{unit.care_form.label}: {what} van het advies"))

    anchor, why = referral.anchor
    if anchor is None:
        terms.append(("distance", 0, "geen gemeente bekend om afstand vanaf te meten"))
    else:
        km = distance_km(anchor, unit.municipality)
        text = f"{_round_km(km)} km van {anchor.label} ({why})"
        terms.append(("distance", distance_points(km, weights), text))

    school = (referral.school_municipality.value,) if referral.school_municipality else ()
    terms.append(("school", *_nearness("de school", school, unit, weights["school"])))
    network = tuple(m.value for m in referral.network_municipalities)
    terms.append(("network", *_nearness("het netwerk", network, unit, weights["network"])))
    terms.append(("preferences", *_preferences(referral, unit, weights)))

    crisis = weights["urgency"]["crisis"] if referral.crisis else 0
    terms.append(("urgency", crisis, "crisis" if referral.crisis else "geen crisis"))

    waited = (today - referral.waiting_since).days
    if weights.deadlines:
        near = [d.name for d in weights.deadlines if d.points(waited)]
        text = f"{max(0, waited)} dagen wachttijd; " + (
            "termijn nadert of is verstreken: " + ", ".join(near) if near else "geen termijn nabij"
        )
        terms.append(("waiting", weights.waited_points(waited), text))
    else:
        w = weights["waiting"]
        weeks = min(max(0, waited) // 7, w["max_weeks"])
        text = f"{weeks} weken wachttijd (telt tot max)"
        terms.append(("waiting", w["per_week"] * weeks, text))

    first = first_available(unit, max(referral.deadline, today), today)
    assert first is not None, "score_pair needs a feasible pair"
    a = weights["availability"]
    days = min((first - today).days, a["max_days"])
    text = "plek nu vrij" if first <= today else f"plek vrij vanaf {first.isoformat()}"
    terms.append(("availability", a["per_day"] * days, text))

    terms.append(("region", *_region(anchor, unit, weights["region"])))

    parts = tuple(ScoreTerm(term=t, label=LABELS[t], points=p, explanation=e) for t, p, e in terms)
    return PairScore(total=sum(p.points for p in parts), terms=parts)
