"""The shared vocabulary: care forms, municipalities, sex policy, referrer codes, bands."""

from __future__ import annotations

import pytest

from domain.care import CATEGORY, CBS_HULPVORM, IJW_PRODUCT_CATEGORY, CareCategory, CareForm
from domain.people import age_band, sibling_capability
from domain.places import Municipality, distance_km, neighbours, region_municipalities
from domain.profile_vocabulary import AgeBand, Capability, Sex, SexPolicy, VerwijzerType


def test_every_care_form_has_a_category_and_codes() -> None:
    for form in CareForm:
        assert form in CATEGORY
        assert form.label
        assert IJW_PRODUCT_CATEGORY[form] in {"43", "44", "46"}
        assert CBS_HULPVORM[form.category] in {"11", "12", "13", "14"}


@pytest.mark.parametrize(
    ("form", "category", "crisis"),
    [
        (CareForm.PLEEGZORG_NETWERK, CareCategory.PLEEGZORG, False),
        (CareForm.PLEEGZORG_CRISIS, CareCategory.PLEEGZORG, True),
        (CareForm.GEZINSHUIS, CareCategory.GEZINSHUIS, False),
        (CareForm.CRISISGROEP_12PLUS, CareCategory.BEHANDELGROEP, True),
        (CareForm.GESLOTEN, CareCategory.GESLOTEN, False),
    ],
)
def test_care_form_category(form: CareForm, category: CareCategory, crisis: bool) -> None:
    assert form.category is category
    assert form.is_crisis is crisis


def test_distances_are_symmetric_zero_on_the_diagonal_and_plausible() -> None:
    for a in region_municipalities():
        assert distance_km(a, a) == 0
        for b in region_municipalities():
            assert distance_km(a, b) == distance_km(b, a)
    # Distances run between the municipalities' centroids (domain/data/gemeenten.csv):
    # Almere's and Lelystad's lie about 20 km apart; Urk lies much further from Almere.
    assert distance_km(Municipality("almere"), Municipality("lelystad")) == pytest.approx(
        20, rel=0.10
    )
    assert distance_km(Municipality("urk"), Municipality("almere")) > distance_km(
        Municipality("lelystad"), Municipality("almere")
    )


@pytest.mark.region("flevoland")
def test_neighbours() -> None:
    assert neighbours(Municipality("urk"), Municipality("noordoostpolder"))
    assert neighbours(Municipality("almere"), Municipality("almere"))
    assert not neighbours(Municipality("urk"), Municipality("almere"))
    assert not Municipality.BUITEN_REGIO.in_region


@pytest.mark.parametrize(
    ("policy", "sex", "admitted"),
    [
        (SexPolicy.GEMENGD, Sex.X, True),
        (SexPolicy.JONGENS, Sex.M, True),
        (SexPolicy.JONGENS, Sex.V, False),
        (SexPolicy.MEISJES, Sex.V, True),
        (SexPolicy.MEISJES, Sex.X, False),
    ],
)
def test_sex_policy(policy: SexPolicy, sex: Sex, admitted: bool) -> None:
    assert policy.admits(sex) is admitted


@pytest.mark.parametrize(
    ("age", "band"),
    [
        (0, AgeBand.TOT_12),
        (11, AgeBand.TOT_12),
        (12, AgeBand.VAN_12_TOT_18),
        (18, AgeBand.VANAF_18),
    ],
)
def test_age_band(age: int, band: AgeBand) -> None:
    assert age_band(age) is band


def test_sibling_capability() -> None:
    assert sibling_capability(1) is None
    assert sibling_capability(2) is Capability.SIBLING_GROUP_2
    assert sibling_capability(3) is Capability.SIBLING_GROUP_3
    assert sibling_capability(5) is Capability.SIBLING_GROUP_4


def test_cod327_codes() -> None:
    assert VerwijzerType("04") is VerwijzerType.GECERTIFICEERDE_INSTELLING
    assert VerwijzerType.RECHTER_OM.label.startswith("rechter")
    with pytest.raises(ValueError):
        VerwijzerType("07")
