"""The CAP-J code list: the shipped list, roll-up, unknown codes, a replacement list."""

from __future__ import annotations

from pathlib import Path

import pytest

from afwegingskader.facts import _roll_ups
from domain.codelist import (
    DEFAULT_CODELIST,
    LEVELS,
    UNDOCUMENTED_TERM,
    default_codelist,
    load_codelist,
)
from domain.errors import InvalidInput

EXAMPLE = Path(__file__).with_name("data") / "example_classification.yaml"


@pytest.mark.parametrize(
    ("code", "level", "group", "axis"),
    [
        ("A201", "rubriek", "A200", "A"),
        ("A104", "rubriek", "A100", "A"),
        ("A405", "rubriek", "A400", "A"),
        ("C104", "rubriek", "C100", "C"),
        ("D209", "rubriek", "D200", "D"),
        ("D302", "rubriek", "D300", "D"),
        ("D510", "rubriek", "D500", "D"),
        ("D601", "rubriek", "D600", "D"),
        ("E205", "rubriek", "E200", "E"),
        ("D100", "groep", "D100", "D"),
        ("E", "as", None, "E"),
        (" d102 ", "rubriek", "D100", "D"),
    ],
)
def test_code_rolls_up_to_group_and_axis(
    code: str, level: str, group: str | None, axis: str
) -> None:
    resolved = default_codelist().resolve(code)
    assert (resolved.level, resolved.group, resolved.axis) == (level, group, axis)


def test_shipped_list_has_five_axes_and_every_code_rolls_up() -> None:
    codes = default_codelist()
    assert [c.code for c in codes.codes("as")] == ["A", "B", "C", "D", "E"]
    assert {"A200", "A201"} <= {c.code for c in codes.codes()}
    for group in codes.codes("groep"):
        assert codes.resolve(group.code).axis == group.code[0] == group.parent
    for rubriek in codes.codes("rubriek"):
        resolved = codes.resolve(rubriek.code)
        assert resolved.group == rubriek.parent, rubriek.code
        assert codes.resolve(str(resolved.group)).level == "groep"
        assert resolved.axis == rubriek.code[0]
        assert rubriek in codes.children(str(rubriek.parent))


def test_shipped_list_names_its_edition_and_sources() -> None:
    codes = default_codelist()
    assert (codes.name, codes.version, codes.read) == ("CAP-J", "2016", "2026-12-06")
    assert "Nederlands Jeugdinstituut" in codes.publisher
    assert all(s.url.startswith("https://www.nji.nl/") for s in codes.sources)
    assert codes.source.startswith("CAP-J 2016; Nederlands Jeugdinstituut")
    assert "https://www.nji.nl/cap-j" in codes.source
    assert "gelezen 2026-12-06" in codes.source
    # Every entry says where it came from, and every page cited is an NJi page.
    assert all(c.source in {s.key for s in codes.sources} for c in codes.codes())
    assert all(
        c.url is None or c.url.startswith("https://www.nji.nl/cap-j/") for c in codes.codes()
    )


def test_shipped_list_says_what_it_does_not_know() -> None:
    codes = default_codelist()
    assert [c.code for c in codes.undocumented()] == ["D200"]
    d200 = codes.resolve("D200")
    assert d200.term == UNDOCUMENTED_TERM
    assert codes.undocumented()[0].label == f"D200 ({UNDOCUMENTED_TERM})"
    assert {g.where for g in codes.gaps} >= {"B", "subrubriek"}
    assert codes.children("B") == []


def test_unknown_code_names_the_field_but_not_the_code() -> None:
    with pytest.raises(InvalidInput) as caught:
        default_codelist().resolve("Z999", field="capj[2]")
    assert caught.value.field == "capj[2]"
    assert "Z999" not in str(caught.value)
    assert "Z999" not in default_codelist()


def test_within_and_roll_up_answer_group_questions() -> None:
    codes = default_codelist()
    assert codes.roll_up("A201") == {"A201", "A200", "A"}
    assert codes.within("a201", "A200") and codes.within("A201", "a")
    assert not codes.within("A201", "A100")


def test_a_replacement_classification_loads_and_rolls_up_subrubrieken() -> None:
    codes = load_codelist(EXAMPLE)
    assert (codes.name, codes.version) == ("Voorbeeldclassificatie", "0.1")
    assert codes.source.startswith("Voorbeeldclassificatie 0.1; Servicepunt (testgegevens)")
    sub = codes.resolve("a110.2")
    assert (sub.level, sub.rubriek, sub.group, sub.axis) == ("subrubriek", "A110", "A100", "A")
    assert codes.roll_up("A110.1") == {"A110.1", "A110", "A100", "A"}
    assert codes.within("A110.1", "A110")
    assert [c.code for c in codes.children("A110")] == ["A110.1", "A110.2"]
    assert [c.code for c in codes.undocumented()] == ["B200"]
    with pytest.raises(InvalidInput):
        codes.resolve("A201")  # a CAP-J code is not in the replacement


def test_the_rules_see_a_code_with_everything_above_it() -> None:
    # The engine's facts for `capj` hold each code plus its rubriek, groep and as.
    assert _roll_ups(load_codelist(EXAMPLE))["A110.2"] == {"A110.2", "A110", "A100", "A"}
    assert _roll_ups(default_codelist())["D302"] == {"D302", "D300", "D"}


def test_levels_run_from_axis_to_subrubriek() -> None:
    assert LEVELS == ("as", "groep", "rubriek", "subrubriek")
    assert DEFAULT_CODELIST.name == "capj.yaml"
