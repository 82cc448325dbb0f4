"""Region files: the shipped regions load, and bad region or units files are refused."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import pytest

from domain import places, regions
from domain.errors import ConfigError
from domain.region_units import load_demo_units
from domain.regions import NATIONAL_BASIS, REGIONS_DIR, load_region, shipped_regions

FLEVOLAND = REGIONS_DIR / "flevoland.yaml"
IJSSELLAND = REGIONS_DIR / "ijsselland.yaml"

GOOD = """\
name: Proef
version: "1"
sources: ["CBS, Gebieden in Nederland 2026"]
municipalities:
  - {code: GM0034, team: team a}
  - {code: GM0050, team: team b}
crisis_desk:
  hours:
    ma: "09:00-17:00"
    za: ["10:00-12:00", "13:00-24:00"]
neighbours:
  GM0034: [GM0050, GM1942]
  GM0050: [GM0034]
"""


def test_both_shipped_regions_load() -> None:
    assert sorted(shipped_regions()) == ["flevoland", "ijsselland"]
    for path in shipped_regions().values():
        assert load_region(path).municipalities


def test_flevoland_has_its_six_municipalities_and_their_teams() -> None:
    region = load_region(FLEVOLAND)
    assert region.codes == {"GM0034", "GM0303", "GM0995", "GM0171", "GM0184", "GM0050"}
    assert region.team_for("GM0171") == "Doenteams"
    assert region.team_for("GM0050") == "het ondersteuningshuis"
    assert not region.examples


def test_flevoland_neighbours_reach_outside_the_region() -> None:
    region = load_region(FLEVOLAND)
    assert region.are_neighbours("GM0184", "GM0171")
    assert region.are_neighbours("GM0050", "GM0243")  # Zeewolde and Harderwijk
    assert not region.are_neighbours("GM0184", "GM0034")


def test_flevoland_crisis_desk_is_open_on_working_days_from_nine_to_five() -> None:
    region = load_region(FLEVOLAND)
    assert region.crisis_desk_open(datetime(2026, 12, 7, 9, 0))  # a Monday
    assert not region.crisis_desk_open(datetime(2026, 12, 7, 17, 0))
    assert not region.crisis_desk_open(datetime(2026, 12, 12, 11, 0))  # a Saturday


def test_the_crisis_desk_hours_read_as_text() -> None:
    hours = load_region(FLEVOLAND).crisis_desk_hours()
    assert hours == ", ".join(f"{day} 09:00-17:00" for day in ("ma", "di", "wo", "do", "vr"))
    assert load_region(IJSSELLAND).crisis_desk_hours().startswith("ma 08:30-17:00")


def test_the_example_region_says_what_is_invented() -> None:
    region = load_region(IJSSELLAND)
    assert region.examples == {"teams", "crisis_desk"}
    assert len(region.municipalities) == 11
    assert {m.jeugdregio.code for m in region.municipalities} == {"JZ07"}


def test_the_example_units_are_synthetic_and_may_lie_outside_the_region() -> None:
    units = load_demo_units(REGIONS_DIR / "ijsselland_units.yaml")
    region = load_region(IJSSELLAND)
    assert units.region == "ijsselland"
    assert any(not region.contains(u.municipality.code) for u in units.units)
    assert all("fictief" in u.name for u in units.units)


def test_a_region_cites_its_own_basis_and_the_national_one_where_it_names_none() -> None:
    flevoland, ijsselland = load_region(FLEVOLAND), load_region(IJSSELLAND)
    assert set(flevoland.basis) == set(ijsselland.basis) == set(NATIONAL_BASIS)
    assert flevoland.basis["perspectiefregie"].startswith("Handreiking perspectiefregie")
    assert all("Flevoland" in text for text in flevoland.basis.values())
    assert ijsselland.basis == NATIONAL_BASIS
    assert not any("Flevoland" in text for text in NATIONAL_BASIS.values())


def test_a_well_formed_file_loads(tmp_path: Path) -> None:
    path = tmp_path / "proef.yaml"
    path.write_text(GOOD, encoding="utf-8")
    region = load_region(path)
    assert region.crisis_desk_open(datetime(2026, 12, 12, 23, 59))
    assert not region.crisis_desk_open(datetime(2026, 12, 12, 12, 30))


BAD = [
    ("twice", ("  - {code: GM0050, team: team b}", "  - {code: GM0034, team: team b}"),
     "municipalities[1].code", "staat dubbel"),
    ("unknown code", ("GM0050, team: team b", "GM9999, team: team b"),
     "municipalities[1].code", "onbekende gemeentecode"),
    ("former code", ("GM0050, team: team b", "GM0241, team: team b"),
     "municipalities[1].code", r"Groesbeek \(GM0241\) bestaat niet meer.*Berg en Dal"),
    ("name for a code", ("GM0050, team: team b", "Zeewolde, team: team b"),
     "municipalities[1].code", r"'Zeewolde' is geen gemeentecode.*schrijf GM0050 voor Zeewolde"),
    ("unknown name", ("GM0050, team: team b", "Atlantis, team: team b"),
     "municipalities[1].code", r"'Atlantis' is geen gemeentecode .*; geen bekende gemeentenaam"),
    ("unknown neighbour", ("[GM0050, GM1942]", "[GM0050, GM9998]"), "neighbours.GM0034",
     "onbekende gemeentecode"),
    ("former neighbour", ("[GM0050, GM1942]", "[GM0050, GM0241]"), "neighbours.GM0034",
     "Groesbeek.*bestaat niet meer"),
    ("no municipalities", ("municipalities:\n  - {code: GM0034, team: team a}\n"
     "  - {code: GM0050, team: team b}\n", "municipalities: []\n"), "municipalities",
     "niet-lege lijst"),
    ("no team", ("GM0050, team: team b}", "GM0050}"),
     "municipalities[1].team", r"team.*ontbreekt bij Zeewolde \(GM0050\)"),
    ("empty team", ("team: team b", "team: ' '"), "municipalities[1].team", "ontbreekt"),
    ("bad day", ('    ma: "09:00-17:00"', '    maandag: "09:00-17:00"'),
     "crisis_desk.hours.maandag", "onbekende dag"),
    ("bad hours", ('"09:00-17:00"', '"9-17"'), "crisis_desk.hours.ma", "geen periode"),
    ("backwards", ('"09:00-17:00"', '"17:00-09:00"'), "crisis_desk.hours.ma", "sluit niet na"),
    ("overlap", ('"10:00-12:00"', '"10:00-14:00"'), "crisis_desk.hours.za", "overlapt"),
    ("no desk", ("crisis_desk:\n  hours:", "desk:\n  hours:"), "crisis_desk", "mapping"),
    ("one-sided", ("  GM0050: [GM0034]\n", "  GM0050: [GM0995]\n"), "neighbours.GM0050", "noemt"),
    ("self", ("[GM0050, GM1942]", "[GM0034]"), "neighbours.GM0034", "eigen buurlijst"),
    ("outside key", ("  GM0050: [GM0034]\n", "  GM0050: [GM0034]\n  GM0995: [GM0034]\n"),
     "neighbours.GM0995", "hoort niet bij de regio"),
    ("no sources", ('sources: ["CBS, Gebieden in Nederland 2026"]', "sources: []"),
     "sources", "bronnen"),
    ("unknown basis", ("sources:", "basis: {perspectief: Handreiking}\nsources:"),
     "basis.perspectief", "onbekend onderdeel"),
    ("empty basis", ("sources:", "basis: {crisis: ' '}\nsources:"), "basis.crisis", "leeg"),
    ("bad examples", ("sources:", "examples: [units]\nsources:"), "examples", "examples mag"),
]  # fmt: skip


@pytest.mark.parametrize(("case", "edit", "field", "message"), BAD, ids=[b[0] for b in BAD])
def test_a_bad_region_file_is_refused_naming_file_and_field(
    tmp_path: Path, case: str, edit: tuple[str, str], field: str, message: str
) -> None:
    assert edit[0] in GOOD, case
    path = tmp_path / "proef.yaml"
    path.write_text(GOOD.replace(edit[0], edit[1], 1), encoding="utf-8")
    with pytest.raises(ConfigError, match=message) as caught:
        load_region(path)
    assert (caught.value.file, caught.value.field) == ("proef.yaml", field)


def test_a_units_file_that_does_not_say_synthetic_is_refused(tmp_path: Path) -> None:
    source = (REGIONS_DIR / "ijsselland_units.yaml").read_text(encoding="utf-8")
    path = tmp_path / "units.yaml"
    path.write_text(source.replace("synthetic: true", "synthetic: false"), encoding="utf-8")
    with pytest.raises(ConfigError, match="synthetic: true") as caught:
        load_demo_units(path)
    assert caught.value.field == "synthetic"


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("municipality: GM0193, care_form: behandelgroep",
         "municipality: GM0000, care_form: behandelgroep", "providers[0].units[0].municipality"),
        ("care_form: behandelgroep, places: 8}",
         "care_form: villa, places: 8}", "providers[0].units[0].care_form"),
        ("care_form: behandelgroep, places: 8}",
         "care_form: behandelgroep, places: 0}", "providers[0].units[0].places"),
    ],
)  # fmt: skip
def test_a_bad_unit_is_refused_naming_the_field(
    tmp_path: Path, old: str, new: str, field: str
) -> None:
    source = (REGIONS_DIR / "ijsselland_units.yaml").read_text(encoding="utf-8")
    assert old in source
    path = tmp_path / "units.yaml"
    path.write_text(source.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_demo_units(path)
    assert caught.value.field == field


def test_a_bad_region_file_leaves_the_selection_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = places.region_name()
    (tmp_path / "proef.yaml").write_text(GOOD.replace("team: team b", "team: ''"), "utf-8")
    monkeypatch.setattr(regions, "REGIONS_DIR", tmp_path)
    with pytest.raises(ConfigError) as caught:
        places.select_region("proef")
    assert (caught.value.file, caught.value.field) == ("proef.yaml", "municipalities[1].team")
    assert places.region_name() == before
    assert os.environ[places.REGION_ENV] == before
