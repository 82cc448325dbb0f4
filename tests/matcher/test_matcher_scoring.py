"""Scoring: the hard constraints one by one, the time semantics, and the vectorised twin."""

from __future__ import annotations

import math
import random
from dataclasses import replace
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from capacity.snapshot import FamilyPreferences, UnitView
from domain.care import CareForm
from domain.places import Municipality, distance_km
from domain.profile_vocabulary import Capability, Perspective, Sex, SexPolicy
from domain.vocabulary import UnitStatus
from matcher.generate import make_advice, random_instance
from matcher.models import MatchRequest, SolverSettings
from matcher.score_table import score_units
from matcher.scoring import available, check_pair, first_available, score_pair
from matcher.session import Session
from matcher.table import build_table
from matcher.weights import TERMS, default_weights

TODAY = date(2026, 11, 23)
W = default_weights()


def _unit(**kw: object) -> UnitView:
    base: dict[str, object] = dict(
        unit_id="U1",
        provider_id="P1",
        name="Gezinshuis",
        municipality=Municipality("almere"),
        care_form=CareForm.GEZINSHUIS,
        places=4,
        occupied=3,
        held=0,
        age_min=4,
        age_max=18,
    )
    base.update(kw)
    return UnitView(**base)  # type: ignore[arg-type]


def _referral(**kw: object) -> MatchRequest:
    base: dict[str, object] = dict(
        referral_id="R1",
        age=10,
        sex=Sex.V,
        advice=make_advice(CareForm.PLEEGZORG_BESTAND, (CareForm.GEZINSHUIS,)),
        perspective=Perspective.TERUG_NAAR_HUIS,
        deadline=TODAY + timedelta(days=14),
        waiting_since=TODAY - timedelta(days=21),
        home_municipality=Municipality("lelystad"),
        responsible_municipality=Municipality("zeewolde"),
    )
    base.update(kw)
    return MatchRequest.model_validate(base)


@pytest.mark.parametrize(
    ("unit_kw", "referral_kw", "failed"),
    [
        ({"care_form": CareForm.BEHANDELGROEP}, {}, "care_form"),
        ({"age_min": 12}, {}, "age"),
        ({"sex_policy": SexPolicy.JONGENS}, {}, "sex"),
        ({}, {"advice": make_advice(CareForm.GEZINSHUIS, (), (Capability.LVB,))}, "capabilities"),
        ({"status": UnitStatus.CLOSED}, {}, "open"),
        ({"status": UnitStatus.CLOSING, "closing_date": TODAY + timedelta(days=90)}, {}, "open"),
        ({}, {"excluded_units": ("U1",)}, "exclusion"),
        ({"occupied": 4}, {}, "capacity"),
        # A place coming free after the deadline does not count.
        ({"occupied": 4, "expected_departures": (TODAY + timedelta(days=15),)}, {}, "capacity"),
        ({}, {}, None),
        # A place coming free on the deadline counts (first-best later).
        ({"occupied": 4, "expected_departures": (TODAY + timedelta(days=14),)}, {}, None),
        ({"sex_policy": SexPolicy.MEISJES}, {}, None),
    ],
)
def test_each_hard_constraint(
    unit_kw: dict[str, object], referral_kw: dict[str, object], failed: str | None
) -> None:
    result = check_pair(_referral(**referral_kw), _unit(**unit_kw), TODAY)
    assert (result[0] if result else None) == failed
    if result:
        assert result[1]  # a Dutch reason


def test_a_later_reduction_takes_the_free_place_away() -> None:
    # Free now, but a scheduled reduction in 30 days removes it: not available (conservative).
    unit = _unit(scheduled_changes=((TODAY + timedelta(days=30), -1),))
    assert unit.free_now == 1
    assert available(unit, TODAY, TODAY) == 0
    assert check_pair(_referral(), unit, TODAY) == ("capacity", check_pair_reason())


def check_pair_reason() -> str:
    return "geen plek vrij in de eenheid vóór de uiterste datum"


def test_first_available_is_the_departure_date() -> None:
    leaving = TODAY + timedelta(days=10)
    unit = _unit(occupied=4, expected_departures=(leaving,))
    assert first_available(unit, TODAY + timedelta(days=14), TODAY) == leaving
    assert first_available(unit, TODAY + timedelta(days=9), TODAY) is None
    parts = score_pair(_referral(), unit, TODAY, W)
    availability = next(t for t in parts.terms if t.term == "availability")
    assert availability.points == W["availability"]["per_day"] * 10


def test_terms_are_named_dutch_and_add_up() -> None:
    parts = score_pair(_referral(), _unit(), TODAY, W)
    assert [t.term for t in parts.terms] == list(TERMS)
    assert parts.total == sum(t.points for t in parts.terms)
    care = next(t for t in parts.terms if t.term == "care_form")
    assert care.label == "zorgvorm" and "alternatief 1" in care.explanation


def test_distance_is_from_home_when_returning_home_else_responsible() -> None:
    home = score_pair(_referral(), _unit(municipality=Municipality("lelystad")), TODAY, W)
    assert next(t for t in home.terms if t.term == "distance").points == 0
    other = _referral(perspective=Perspective.LANGDURIG_VERBLIJF)
    resp = score_pair(other, _unit(municipality=Municipality("zeewolde")), TODAY, W)
    assert next(t for t in resp.terms if t.term == "distance").points == 0
    far = score_pair(other, _unit(municipality=Municipality("urk")), TODAY, W)
    assert next(t for t in far.terms if t.term == "distance").points < 0


def test_family_preferences_score_matches_and_mismatches() -> None:
    prefs = FamilyPreferences(age_min=0, age_max=6, sex=Sex.V, max_children=4)
    parts = score_pair(_referral(), _unit(preferences=prefs), TODAY, W)
    term = next(t for t in parts.terms if t.term == "preferences")
    # age does not fit (10), sex fits, room fits (3 + 1 <= 4)
    assert term.points == 2 * W["preferences"]["per_match"] + W["preferences"]["per_mismatch"]


def test_crisis_and_waiting_raise_the_score() -> None:
    calm = score_pair(_referral(), _unit(), TODAY, W).total
    crisis = score_pair(_referral(crisis=True), _unit(), TODAY, W).total
    longer = score_pair(_referral(waiting_since=TODAY - timedelta(days=70)), _unit(), TODAY, W)
    assert crisis == calm + W["urgency"]["crisis"]
    assert longer.total == calm + 7 * W["waiting"]["per_week"]


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 20), st.integers(1, 25))
def test_vectorised_scoring_equals_the_scalar_spec(seed: int, n_ref: int, n_units: int) -> None:
    referrals, units = random_instance(seed, n_ref, n_units, TODAY, sibling_share=0.2)
    rng = random.Random(seed)
    # Shift some deadlines into the past and add scheduled changes to stress the time rules.
    referrals = [
        r.model_copy(update={"deadline": TODAY - timedelta(days=1)}) if rng.random() < 0.1 else r
        for r in referrals
    ]
    units = [
        replace(u, scheduled_changes=((TODAY + timedelta(days=rng.randint(1, 60)), -1),))
        if rng.random() < 0.2
        else u
        for u in units
    ]
    table = build_table(units, TODAY)
    for referral in referrals:
        scores = score_units(referral, table, W)
        feasible = {table.units[int(i)].unit_id for i in scores.index}
        expected = {u.unit_id for u in units if check_pair(referral, u, TODAY) is None}
        assert feasible == expected
        for k, i in enumerate(scores.index):
            unit = table.units[int(i)]
            spec = score_pair(referral, unit, TODAY, W)
            assert int(scores.total[k]) == spec.total
            assert [int(v) for v in scores.terms[k]] == [t.points for t in spec.terms]
            first = first_available(unit, max(referral.deadline, TODAY), TODAY)
            assert first is not None and int(scores.available_ord[k]) == first.toordinal()


def test_an_overdue_departure_frees_its_place_tomorrow() -> None:
    # Expected three days ago, not recorded yet: not free today, due from tomorrow on. The
    # checks, the score and the vectorised twin agree on it.
    tomorrow = TODAY + timedelta(days=1)
    unit = _unit(occupied=4, expected_departures=(TODAY - timedelta(days=3),))
    referral = _referral()
    assert unit.free_now == 0
    assert check_pair(referral, unit, TODAY) is None
    assert first_available(unit, referral.deadline, TODAY) == tomorrow
    parts = score_pair(referral, unit, TODAY, W)
    availability = next(t for t in parts.terms if t.term == "availability")
    assert availability.points == W["availability"]["per_day"]
    scores = score_units(referral, build_table([unit], TODAY), W)
    assert scores.index.tolist() == [0] and scores.available_ord.tolist() == [tomorrow.toordinal()]
    assert int(scores.total[0]) == parts.total
    session = Session([unit], weights=W, settings=SolverSettings())
    assert session.pair_scores(referral, [unit], TODAY) == {unit.unit_id: (parts.total, tomorrow)}
    # A child whose place must be free today does not get it.
    today_only = _referral(deadline=TODAY)
    assert check_pair(today_only, unit, TODAY) == ("capacity", check_pair_reason())


@pytest.mark.region("flevoland")
@pytest.mark.parametrize("place", ["GM0243", "GM0193", "GM0935", "buiten_regio"])
def test_a_unit_anywhere_in_the_country_costs_its_real_distance(place: str) -> None:
    # Harderwijk (next door), Zwolle, Maastricht (far), and an old unrecorded place outside.
    unit = _unit(municipality=Municipality(place))
    referral = _referral()  # home Lelystad, perspective terug naar huis
    parts = score_pair(referral, unit, TODAY, W)
    distance = next(t for t in parts.terms if t.term == "distance")
    km = math.floor(distance_km("GM0995", place) + 0.5)
    assert distance.points == W["distance"]["per_km"] * km
    assert f"{km} km van Lelystad" in distance.explanation
    region = next(t for t in parts.terms if t.term == "region")
    assert region.explanation == "buiten de regio"
    scores = score_units(referral, build_table([unit], TODAY), W)
    assert int(scores.total[0]) == parts.total
