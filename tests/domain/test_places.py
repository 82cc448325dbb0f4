"""domain.places: a municipality is its CBS code; the region is a setting."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, ValidationError

from domain.errors import ConfigError, InvalidInput
from domain.places import (
    Municipality,
    all_municipalities,
    distance_km,
    distance_matrix_km,
    max_distance_km,
    municipality_index,
    neighbour_matrix,
    neighbours,
    region,
    region_mask,
    region_municipalities,
    region_name,
    select_region,
)


class Form(BaseModel):
    place: Municipality


@pytest.mark.parametrize(
    ("given", "code"),
    [
        ("GM0034", "GM0034"),
        ("gm0034", "GM0034"),
        ("almere", "GM0034"),  # the values of the old enum keep working
        ("Noordoostpolder", "GM0171"),
        ("  Súdwest-Fryslân ", "GM1900"),
        ("Weesp", "GM0363"),  # merged into Amsterdam in 2022: its successor
        ("buiten_regio", "buiten_regio"),
    ],
)
def test_codes_and_unambiguous_names_give_the_code(given: str, code: str) -> None:
    assert Municipality(given) == code
    assert Form.model_validate({"place": given}).place == code
    assert Form(place=Municipality(given)).model_dump(mode="json") == {"place": code}


@pytest.mark.parametrize("given", ["Atlantis", "GM9999", "", "GM03633"])
def test_an_unknown_municipality_is_refused_without_repeating_it(given: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        Municipality(given)
    assert "onbekende gemeente" in caught.value.detail
    assert not given or given not in caught.value.detail
    with pytest.raises(ValidationError) as invalid:
        Form.model_validate({"place": given})
    assert "onbekende gemeente" in invalid.value.errors()[0]["msg"]


def test_a_split_municipality_asks_for_the_address() -> None:
    with pytest.raises(
        InvalidInput, match="verdeeld over Boxtel en Oisterwijk en Tilburg en Vught"
    ):
        Municipality("Haaren")


def test_a_number_is_not_a_municipality() -> None:
    with pytest.raises(ValidationError):
        Form.model_validate({"place": 34})


@pytest.mark.region("flevoland")
def test_names_regions_and_labels() -> None:
    harderwijk = Municipality("GM0243")
    assert harderwijk.label == "Harderwijk"
    assert not harderwijk.in_region
    assert harderwijk.place_label == "Harderwijk (jeugdregio Noord-Veluwe)"
    almere = Municipality("GM0034")
    assert (almere.label, almere.in_region, almere.place_label) == (
        "Almere",
        True,
        "Almere (regio Flevoland)",
    )
    # Zeewolde is in this servicepunt's region although CBS counts it in Noord-Veluwe.
    assert Municipality("zeewolde").in_region
    assert Municipality.BUITEN_REGIO.label == "buiten de regio (gemeente niet vastgelegd)"
    assert not Municipality.BUITEN_REGIO.in_region


def test_distances_use_the_national_centroids() -> None:
    # Almere to Amsterdam (centroids about 24 km apart), Almere to Maastricht far more.
    assert distance_km("GM0034", "GM0363") == pytest.approx(24, rel=0.15)
    assert distance_km("GM0034", "GM0935") > 150
    index = municipality_index()
    matrix = distance_matrix_km()
    for a, b in [("GM0034", "GM0363"), ("GM0184", "GM0243"), ("GM0034", "buiten_regio")]:
        assert matrix[index[a], index[b]] == pytest.approx(distance_km(a, b))
    assert 150 < max_distance_km() < 285  # the weights' bound must stay positive (#matcher)


@pytest.mark.region("flevoland")
def test_region_tables_follow_the_region_file() -> None:
    members = set(region_municipalities())
    assert members == set(region().codes)
    mask = region_mask()
    assert {m for m in all_municipalities() if mask[municipality_index()[m]]} == members
    near = neighbour_matrix()
    index = municipality_index()
    assert near[index["GM0050"], index["GM0243"]]  # Zeewolde and Harderwijk share a border
    assert neighbours("GM0050", "GM0243") and not neighbours("GM0184", "GM0034")


@pytest.mark.region("flevoland")
def test_another_region_can_be_selected_and_an_unknown_one_is_refused() -> None:
    before = region_name()
    try:
        select_region("ijsselland")
        assert Municipality("Zwolle").in_region and not Municipality("almere").in_region
        assert Municipality("almere").region_label == "jeugdregio Flevoland"
        with pytest.raises(ConfigError) as caught:
            select_region("atlantis")
        assert caught.value.field == "SERVICEPUNT_REGION"
        assert region_name() == "ijsselland"
    finally:
        select_region(before)
    assert Municipality("almere").in_region
