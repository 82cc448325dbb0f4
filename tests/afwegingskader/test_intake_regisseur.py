"""Perspectiefregisseur: team per municipality and perspective, and when to assign."""

from __future__ import annotations

from datetime import date

import pytest

from afwegingskader.regisseur import assign_regisseur
from domain.errors import InvalidInput
from domain.places import Municipality, region_municipalities
from domain.profile_vocabulary import Perspective
from domain.vocabulary import AssignMoment, RegieAssignment

TEAMS = [
    (Municipality("almere"), "jeugdgezondheidszorg"),
    (Municipality("dronten"), "de gidsen"),
    (Municipality("lelystad"), "jeugd- en gezinsteams"),
    (Municipality("noordoostpolder"), "Doenteams"),
    (Municipality("urk"), "sociale zorgteams"),
    (Municipality("zeewolde"), "het ondersteuningshuis"),
]
HOME_PERSPECTIVES = [Perspective.TERUG_NAAR_HUIS, Perspective.ZELFSTANDIG_WONEN]
BESCHIKKING = date(2026, 11, 12)


@pytest.mark.region("flevoland")
def test_every_region_municipality_has_a_team_in_the_table() -> None:
    assert {m for m, _ in TEAMS} == set(region_municipalities())


@pytest.mark.region("flevoland")
@pytest.mark.parametrize("perspective", HOME_PERSPECTIVES)
@pytest.mark.parametrize(("municipality", "team"), TEAMS)
def test_home_or_independent_goes_to_local_access_team_where_the_child_will_live(
    perspective: Perspective, municipality: Municipality, team: str
) -> None:
    result = assign_regisseur(
        perspective=perspective,
        future_municipality=municipality,
        # The paying municipality differs on purpose: the team follows the future home.
        responsible_municipality=Municipality.BUITEN_REGIO,
        crisis=False,
        beschikking_date=BESCHIKKING,
        crisis_placement_date=None,
    )
    assert result.assignment is RegieAssignment.LOKALE_TOEGANG
    assert (result.municipality, result.team) == (municipality, team)
    assert team in result.explanation[0]


@pytest.mark.parametrize("responsible", region_municipalities())
def test_long_term_stay_is_a_local_choice_of_the_responsible_municipality(
    responsible: Municipality,
) -> None:
    result = assign_regisseur(
        perspective=Perspective.LANGDURIG_VERBLIJF,
        future_municipality=Municipality("urk"),
        responsible_municipality=responsible,
        crisis=False,
        beschikking_date=BESCHIKKING,
        crisis_placement_date=None,
    )
    assert result.assignment is RegieAssignment.LOKALE_KEUZE
    assert result.municipality is responsible
    assert result.team is None
    assert "samenspraak met de verblijfsinstelling" in result.explanation[0]


@pytest.mark.parametrize(
    ("perspective", "future", "responsible"),
    [
        (Perspective.TERUG_NAAR_HUIS, Municipality.BUITEN_REGIO, Municipality("almere")),
        (Perspective.ZELFSTANDIG_WONEN, Municipality.BUITEN_REGIO, Municipality("urk")),
        (Perspective.LANGDURIG_VERBLIJF, None, Municipality.BUITEN_REGIO),
    ],
)
def test_outside_region_must_be_arranged_with_that_municipality(
    perspective: Perspective, future: Municipality | None, responsible: Municipality
) -> None:
    result = assign_regisseur(
        perspective=perspective,
        future_municipality=future,
        responsible_municipality=responsible,
        crisis=False,
        beschikking_date=BESCHIKKING,
        crisis_placement_date=None,
    )
    assert result.assignment is RegieAssignment.BUITEN_REGIO
    assert result.team is None
    assert "regel de perspectiefregie met die gemeente" in result.explanation[0]


def test_unknown_perspective_is_reported_not_guessed() -> None:
    result = assign_regisseur(
        perspective=None,
        future_municipality=Municipality("almere"),
        responsible_municipality=Municipality("almere"),
        crisis=False,
        beschikking_date=BESCHIKKING,
        crisis_placement_date=None,
    )
    assert result.assignment is RegieAssignment.PERSPECTIEF_ONBEKEND
    assert result.team is None


def test_home_perspective_without_future_municipality_names_the_field() -> None:
    with pytest.raises(InvalidInput) as caught:
        assign_regisseur(
            perspective=Perspective.TERUG_NAAR_HUIS,
            future_municipality=None,
            responsible_municipality=Municipality("almere"),
            crisis=False,
            beschikking_date=BESCHIKKING,
            crisis_placement_date=None,
        )
    assert caught.value.field == "future_municipality"


def test_regular_placement_assigns_at_the_beschikking() -> None:
    result = assign_regisseur(
        perspective=Perspective.TERUG_NAAR_HUIS,
        future_municipality=Municipality("dronten"),
        responsible_municipality=Municipality("dronten"),
        crisis=False,
        beschikking_date=BESCHIKKING,
        crisis_placement_date=None,
    )
    assert (result.moment, result.assign_on) == (AssignMoment.BIJ_BESCHIKKING, BESCHIKKING)
    assert "donderdag 12 november 2026" in result.explanation[1]


def test_regular_placement_without_beschikking_yet() -> None:
    result = assign_regisseur(
        perspective=Perspective.TERUG_NAAR_HUIS,
        future_municipality=Municipality("dronten"),
        responsible_municipality=Municipality("dronten"),
        crisis=False,
        beschikking_date=None,
        crisis_placement_date=None,
    )
    assert (result.moment, result.assign_on) == (AssignMoment.BIJ_BESCHIKKING, None)
    assert "nog niet afgegeven" in result.explanation[1]


def test_crisis_assigns_afterwards_with_the_crisis_deadlines() -> None:
    result = assign_regisseur(
        perspective=Perspective.TERUG_NAAR_HUIS,
        future_municipality=Municipality("lelystad"),
        responsible_municipality=Municipality("lelystad"),
        crisis=True,
        beschikking_date=BESCHIKKING,
        crisis_placement_date=date(2026, 12, 24),
    )
    assert (result.moment, result.assign_on) == (AssignMoment.NA_CRISISPLAATSING, None)
    assert "achteraf" in result.explanation[1]
    assert "maandag 28 december 2026" in result.explanation[1]
    assert "donderdag 7 januari 2027" in result.explanation[1]


def test_crisis_without_placement_date_names_the_field() -> None:
    with pytest.raises(InvalidInput) as caught:
        assign_regisseur(
            perspective=None,
            future_municipality=None,
            responsible_municipality=Municipality("urk"),
            crisis=True,
            beschikking_date=None,
            crisis_placement_date=None,
        )
    assert caught.value.field == "crisis_placement_date"


@pytest.mark.parametrize(("siblings", "noted"), [(0, False), (1, True), (3, True)])
def test_one_regisseur_per_family_is_mentioned_when_siblings_are_given(
    siblings: int, noted: bool
) -> None:
    result = assign_regisseur(
        perspective=Perspective.TERUG_NAAR_HUIS,
        future_municipality=Municipality("urk"),
        responsible_municipality=Municipality("urk"),
        crisis=False,
        beschikking_date=BESCHIKKING,
        crisis_placement_date=None,
        siblings=siblings,
    )
    assert (result.family_note is not None) is noted
    if noted:
        assert result.family_note is not None
        assert "één regisseur voor het hele gezin" in result.family_note
        assert result.family_note in result.explanation


def test_child_protection_measure_is_a_local_choice() -> None:
    result = assign_regisseur(
        perspective=Perspective.TERUG_NAAR_HUIS,
        future_municipality=Municipality("urk"),
        responsible_municipality=Municipality("urk"),
        crisis=False,
        beschikking_date=BESCHIKKING,
        crisis_placement_date=None,
        child_protection_measure=True,
    )
    assert result.voluntary_framework is False
    assert any("jeugdbeschermingsmaatregel" in line for line in result.explanation)
