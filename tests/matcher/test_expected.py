"""Wait for first-best or take an alternative now (matcher.expected): per child, from the
units that fit it, their places coming free and the children ahead of it."""

from __future__ import annotations

import math
from datetime import date, timedelta

from capacity.snapshot import UnitView
from domain.care import CareForm
from domain.places import Municipality
from domain.profile_vocabulary import Capability, Perspective, Sex, SexPolicy
from matcher.expected import (
    estimate,
    live_estimate,
    more_urgent_since,
    release_days,
    unit_release_days,
    urgency_days,
)
from matcher.generate import make_advice
from matcher.models import MatchRequest
from matcher.policies import shipped_policy
from matcher.propose import propose

TODAY = date(2026, 11, 23)


def _unit(unit_id: str, **kw: object) -> UnitView:
    base: dict[str, object] = dict(
        unit_id=unit_id, provider_id="P1", name=unit_id, municipality=Municipality("almere"),
        care_form=CareForm.GEZINSHUIS, places=2, occupied=2, held=0, age_min=4, age_max=18,
    )  # fmt: skip
    base.update(kw)
    return UnitView(**base)  # type: ignore[arg-type]


def _referral(rid: str, waited: int, **kw: object) -> MatchRequest:
    base: dict[str, object] = dict(
        referral_id=rid, age=10, sex=Sex.V,
        advice=make_advice(CareForm.GEZINSHUIS, (CareForm.PLEEGZORG_BESTAND,)),
        perspective=Perspective.TERUG_NAAR_HUIS, deadline=TODAY + timedelta(days=14),
        waiting_since=TODAY - timedelta(days=waited), home_municipality=Municipality("almere"),
        responsible_municipality=Municipality("almere"),
    )  # fmt: skip
    base.update(kw)
    return MatchRequest.model_validate(base)


def test_release_days_free_places_first_then_departures_at_the_mean_stay() -> None:
    assert release_days(1, 4, 100.0, 4) == [0.0, 25.0, 50.0, 75.0]
    assert release_days(3, 4, 100.0, 2) == [0.0, 0.0]
    assert release_days(0, 0, 100.0, 3) == []


def test_the_place_after_the_children_ahead_is_the_expected_one() -> None:
    releases = [0.0, 10.0, 30.0, 50.0]
    assert estimate(releases, 0, 2, 42).days == 0.0
    assert estimate(releases, 2, 2, 42).days == 30.0 and estimate(releases, 2, 2, 42).wait
    late = estimate(releases, 3, 2, 42)
    assert late.days == 50.0 and not late.wait
    assert math.isinf(estimate(releases, 4, 2, 42).days)
    assert math.isinf(estimate((), 0, 0, 42).days) and not estimate((), 0, 0, 42).wait


def test_only_units_that_fit_this_child_count() -> None:
    """Departures in a unit of the wrong sex, age range or without a required capability
    do not make a first-best place come free for this child."""
    soon = (TODAY + timedelta(days=5),)
    later = (TODAY + timedelta(days=60),)
    units = [
        _unit("boys", sex_policy=SexPolicy.JONGENS, expected_departures=soon),
        _unit("young", age_min=0, age_max=6, expected_departures=soon),
        _unit("plain", expected_departures=soon, capabilities=()),
        _unit("fits", expected_departures=later, capabilities=(Capability.LVB,)),
        _unit("other-form", care_form=CareForm.BEHANDELGROEP, expected_departures=soon),
    ]
    child = _referral(
        "R1", 0, advice=make_advice(CareForm.GEZINSHUIS, (CareForm.PLEEGZORG_BESTAND,),
                                    (Capability.LVB,)),
    )  # fmt: skip
    est = live_estimate(child, units, [], TODAY, max_wait_days=42)
    assert (est.units, est.ahead, est.days, est.wait) == (1, 0, 60.0, False)
    plain = _referral("R2", 0)
    est = live_estimate(plain, units, [], TODAY, max_wait_days=42)
    assert (est.units, est.days, est.wait) == (2, 5.0, True)


def test_children_with_more_urgency_for_the_same_units_are_ahead() -> None:
    units = [
        _unit("A", expected_departures=(TODAY + timedelta(days=3), TODAY + timedelta(days=20))),
        _unit("B", care_form=CareForm.BEHANDELGROEP, occupied=0),
    ]
    child = _referral("R1", 2)
    waiting = [
        child,
        _referral("longer", 9),  # ahead: waited longer, fits A
        _referral("crisis", 0, crisis=True),  # ahead: a crisis counts as 30 days
        _referral("shorter", 1),  # behind
        _referral("elsewhere", 40, advice=make_advice(CareForm.BEHANDELGROEP, ())),  # no A
    ]
    est = live_estimate(child, units, waiting, TODAY, max_wait_days=42, crisis_days=30)
    assert est.ahead == 2
    assert math.isinf(est.days)  # two places come free, both for the children ahead
    alone = live_estimate(child, units, waiting[:1], TODAY, max_wait_days=42, crisis_days=30)
    assert (alone.ahead, alone.days) == (0, 3.0)
    text = alone.reasoning(TODAY, has_alternative=True)
    assert text.startswith("Eerste keus verwacht vrij rond 2026-11-26 (0 kinderen gaan voor)")
    assert "wachten, omdat" in text
    assert "nu een alternatief" in est.reasoning(TODAY, has_alternative=True)


def test_the_bound_on_the_day_a_child_came_in_is_the_urgency_rule() -> None:
    """A query finds the children with more urgency by the day they came in: more urgency
    than `mine` is exactly waiting since before more_urgent_since(mine - crisis bonus)."""
    for mine in range(-3, 50):
        for waited in range(0, 60):
            for crisis in (False, True):
                since = TODAY - timedelta(days=waited)
                more = urgency_days(since, crisis, TODAY, 30) > mine
                bound = more_urgent_since(mine - (30 if crisis else 0), TODAY)
                assert more == (bound is None or since < bound), (mine, waited, crisis)


def test_an_overdue_departure_counts_from_tomorrow() -> None:
    unit = _unit("A", expected_departures=(TODAY - timedelta(days=3),))
    assert unit_release_days([unit], TODAY) == [1.0]


def test_proposals_show_the_wait_or_take_reasoning() -> None:
    """propose, given the other waiting children, says on every proposal when a first-best
    place is expected and whether to wait for it (the shipped policy's max_wait_days)."""
    units = [
        _unit("A", expected_departures=(TODAY + timedelta(days=90),)),
        _unit("B", care_form=CareForm.PLEEGZORG_BESTAND, occupied=0),
    ]
    child = _referral("R1", 2)
    assert all(p.wait_or_take is None for p in propose(child, units, today=TODAY))
    alone = propose(child, units, today=TODAY, waiting=[])
    days = shipped_policy().first_best.max_wait_days
    assert days < 90
    expected = "Eerste keus verwacht vrij rond 2027-02-21 (0 kinderen gaan voor); nu een alter"
    assert all(p.wait_or_take is not None for p in alone)
    assert all(p.wait_or_take.startswith(expected) for p in alone)  # type: ignore[union-attr]
    soon = [_unit("A", expected_departures=(TODAY + timedelta(days=10),)), units[1]]
    ahead = [_referral("longer", 30)]
    waits = propose(child, soon, today=TODAY, waiting=ahead)[0].wait_or_take
    # The one place coming free goes to the child ahead: none expected, an alternative now.
    assert waits is not None and waits.startswith("Eerste keus: geen vrije plek verwacht")
    assert "nu een alternatief" in waits
    first = propose(child, soon, today=TODAY, waiting=[])[0].wait_or_take
    assert first is not None and "wachten, omdat dat binnen" in first
