"""The national municipality list: counts, codes, jeugdregio's, mergers and distances."""

from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path

import pytest

from domain.errors import ConfigError, InvalidInput, NotFound
from domain.municipalities import (
    DATA_DIR,
    FormerMunicipality,
    distance_km,
    load_municipalities,
    national_list,
)

# CBS, Gebieden in Nederland: 342 municipalities on 1 January 2025, and no herindeling took
# effect on 1 January 2026, so 342 on 1 January 2026 as well.
MUNICIPALITIES_2026 = 342
JEUGDREGIOS = 42
# Former municipalities (since 1 January 2016) listed in herindelingen.csv.
FORMER_SINCE_2016 = 72


def test_the_list_holds_the_2026_count_with_unique_well_formed_codes() -> None:
    national = national_list()
    codes = [m.code for m in national]
    assert len(national) == MUNICIPALITIES_2026
    assert len(set(codes)) == len(codes)
    assert all(re.fullmatch(r"GM\d{4}", c) for c in codes)
    assert "Gebieden in Nederland 2026" in national.source


def test_all_42_jeugdregios_are_present_and_each_has_municipalities() -> None:
    national = national_list()
    assert len(national.jeugdregios) == JEUGDREGIOS
    assert {m.jeugdregio.code for m in national} == set(national.jeugdregios)


@pytest.mark.parametrize(
    ("code", "name", "province", "jeugdregio"),
    [
        ("GM0034", "Almere", "Flevoland", "Flevoland"),
        ("GM0303", "Dronten", "Flevoland", "Flevoland"),
        ("GM0995", "Lelystad", "Flevoland", "Flevoland"),
        ("GM0171", "Noordoostpolder", "Flevoland", "Flevoland"),
        ("GM0184", "Urk", "Flevoland", "Flevoland"),
        ("GM0050", "Zeewolde", "Flevoland", "Noord-Veluwe"),
        ("GM0193", "Zwolle", "Overijssel", "IJsselland"),
        ("GM0363", "Amsterdam", "Noord-Holland", "Amsterdam-Amstelland"),
        ("GM0944", "Mook en Middelaar", "Limburg", "Rijk van Nijmegen"),
        ("GM1900", "Súdwest-Fryslân", "Fryslân", "Friesland (Fryslân)"),
        ("GM1992", "Voorne aan Zee", "Zuid-Holland", "Rijnmond"),
    ],
)
def test_spot_checks(code: str, name: str, province: str, jeugdregio: str) -> None:
    m = national_list().get(code)
    assert (m.name, m.province, m.jeugdregio.name) == (name, province, jeugdregio)


def test_the_jeugdregio_ijsselland_has_its_eleven_municipalities() -> None:
    names = [m.name for m in national_list().in_jeugdregio("JZ07")]
    assert names == [
        "Dalfsen", "Deventer", "Hardenberg", "Kampen", "Olst-Wijhe", "Ommen",
        "Raalte", "Staphorst", "Steenwijkerland", "Zwartewaterland", "Zwolle",
    ]  # fmt: skip


def test_former_municipalities_resolve_to_their_successor() -> None:
    national = national_list()
    assert len(national.former) == FORMER_SINCE_2016
    assert national.resolve("GM0381").name == "Gooise Meren"
    assert national.resolve("Bussum").code == "GM1942"
    assert national.resolve("GM1921").name == "De Fryske Marren"
    assert national.resolve("Weesp").name == "Amsterdam"


def test_before_the_merger_the_former_municipality_is_itself() -> None:
    national = national_list()
    before = national.resolve("Weesp", on=date(2022, 3, 23))
    assert isinstance(before, FormerMunicipality) and before.code == "GM0457"
    assert national.resolve("Weesp", on=date(2022, 3, 24)).code == "GM0363"


def test_a_split_municipality_names_its_successors() -> None:
    national = national_list()
    with pytest.raises(InvalidInput, match=r"Haaren \(GM0788\).*Boxtel.*Vught"):
        national.resolve("Haaren")
    assert [m.name for m in national.successors("GM0788")] == [
        "Boxtel", "Oisterwijk", "Tilburg", "Vught",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("given", "code"),
    [
        ("almere", "GM0034"),
        (" ALMERE ", "GM0034"),
        ("gm0034", "GM0034"),
        ("Sudwest-Fryslan", "GM1900"),
        ("Den Haag", "GM0518"),
        ("Beek", "GM0888"),
        ("Beek (L.)", "GM0888"),
    ],
)
def test_names_and_codes_resolve_forgivingly(given: str, code: str) -> None:
    assert national_list().resolve(given).code == code


@pytest.mark.parametrize("given", ["Atlantis", "GM9999", "Bergen", ""])
def test_unknown_or_ambiguous_names_are_refused(given: str) -> None:
    with pytest.raises(NotFound, match="onbekende gemeente"):
        national_list().resolve(given)


def test_get_refuses_a_former_code_naming_its_successor() -> None:
    with pytest.raises(NotFound, match=r"Groesbeek \(GM0241\).*Berg en Dal \(GM1945\)"):
        national_list().get("GM0241")


# Reference straight-line distances between town centres (great circle, WGS84 centres:
# Almere Stad 52.373,5.218; Amsterdam Centraal 52.379,4.900; Lelystad 52.508,5.475;
# Zwolle 52.512,6.094; Groningen 53.219,6.567; Maastricht 50.851,5.691). Centroids sit a few
# km from the centres, hence the 10 % margin.
@pytest.mark.parametrize(
    ("a", "b", "km"),
    [("GM0034", "GM0363", 21.7), ("GM0995", "GM0193", 42.1), ("GM0014", "GM0935", 269.0)],
)
def test_distances_match_known_straight_line_distances(a: str, b: str, km: float) -> None:
    national = national_list()
    assert distance_km(national.get(a), national.get(b)) == pytest.approx(km, rel=0.10)
    assert distance_km(national.get(a), national.get(a)) == 0.0


def test_every_municipality_has_coordinates_inside_the_country() -> None:
    for m in national_list():
        assert 50.7 < m.lat < 53.6 and 3.3 < m.lon < 7.3, m.label


# -- bad files: each is refused with the file, the row and the code --------------------------


def _copy(tmp_path: Path) -> Path:
    for name in ("gemeenten.csv", "jeugdregios.csv", "herindelingen.csv"):
        shutil.copy(DATA_DIR / name, tmp_path / name)
    return tmp_path


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


BAD = [
    ("gemeenten.csv", "GM0050,Zeewolde", "GM0034,Zeewolde", "GM0034", "staat dubbel"),
    ("gemeenten.csv", "GM0050,Zeewolde", "G0050,Zeewolde", None, "niet GM plus vier cijfers"),
    (
        "gemeenten.csv",
        "Zeewolde,Flevoland",
        "Zeewolde,Flevopolder",
        "GM0050",
        "onbekende provincie",
    ),
    (
        "gemeenten.csv",
        "Zeewolde,Flevoland,JZ12",
        "Zeewolde,Flevoland,JZ99",
        "GM0050",
        "onbekende jeugdregio",
    ),
    ("gemeenten.csv", "JZ12,52.3463", "JZ12,152.3463", "GM0050", "ligt niet in Nederland"),
    ("gemeenten.csv", "Zeewolde,", "Almere,", "GM0050", "naam 'Almere' staat bij GM0034 en GM0050"),
    ("jeugdregios.csv", "JZ12,Noord-Veluwe", "JZ1,Noord-Veluwe", None, "niet JZ plus twee cijfers"),
    ("herindelingen.csv", "2016-01-01,GM1942,\n", "2016-01-01,,\n", "GM0381", "opvolger ontbreekt"),
    (
        "herindelingen.csv",
        "2016-01-01,GM1942,\n",
        "2016-01-01,GM0424,\n",
        "GM0381",
        "hield eerder op",
    ),
    ("herindelingen.csv", "2016-01-01,GM1942,\n", "2016-01-01,GM0381,\n", "GM0381", "kring"),
    (
        "herindelingen.csv",
        "2016-01-01,GM1942,\n",
        "2016-01-01,GM4242,\n",
        "GM0381",
        "op geen van beide",
    ),
    ("herindelingen.csv", "GM0381,Bussum", "GM0034,Bussum", "GM0034", "ook op de lijst"),
    (
        "herindelingen.csv",
        "Bussum,Noord-Holland,2016-01-01",
        "Bussum,Noord-Holland,1-1-2016",
        "GM0381",
        "JJJJ-MM-DD",
    ),
]


@pytest.mark.parametrize(("file", "old", "new", "code", "message"), BAD)
def test_a_bad_file_is_refused_naming_file_row_and_code(
    tmp_path: Path, file: str, old: str, new: str, code: str | None, message: str
) -> None:
    _edit(_copy(tmp_path) / file, old, new)
    with pytest.raises(ConfigError, match=message) as caught:
        load_municipalities(tmp_path)
    assert caught.value.file == file
    assert caught.value.field is not None and caught.value.field.startswith("regel ")
    if code:
        assert code in caught.value.field


def test_a_file_without_its_source_is_refused(tmp_path: Path) -> None:
    path = _copy(tmp_path) / "jeugdregios.csv"
    path.write_text(
        "".join(ln for ln in path.read_text(encoding="utf-8").splitlines(True) if ln[0] != "#"),
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match="bron en datum ontbreken"):
        load_municipalities(tmp_path)
