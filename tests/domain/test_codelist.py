"""The CAP-J code list: roll-up to group and axis, unknown codes, malformed list files."""

from __future__ import annotations

from pathlib import Path

import pytest

from domain.codelist import default_codelist, load_codelist
from domain.errors import ConfigError, InvalidInput


@pytest.mark.parametrize(
    ("code", "level", "group", "axis"),
    [
        ("A201", "rubriek", "A200", "A"),
        ("A104", "rubriek", "A100", "A"),
        ("C104", "rubriek", "C100", "C"),
        ("D510", "rubriek", "D500", "D"),
        ("D601", "rubriek", "D600", "D"),
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


def test_shipped_list_is_consistent() -> None:
    codes = {c.code: c for c in default_codelist().codes()}
    assert {"A", "B", "C", "D", "E", "A200", "A201"} <= set(codes)
    for entry in codes.values():
        if entry.level == "as":
            continue
        parent = codes[str(entry.parent)]
        expected_parent = {"groep": "as", "rubriek": "groep", "subrubriek": "rubriek"}[entry.level]
        assert parent.level == expected_parent, entry.code
        assert entry.code[0] == parent.code[0], entry.code
        assert entry.term.strip()


def test_unknown_code_names_the_field_but_not_the_code() -> None:
    with pytest.raises(InvalidInput) as caught:
        default_codelist().resolve("Z999", field="capj[2]")
    assert caught.value.field == "capj[2]"
    assert "Z999" not in str(caught.value)
    assert "Z999" not in default_codelist()


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        ("name: x\nversion: '1'\n", "veld 'codes' ontbreekt"),
        ("version: '1'\ncodes: [{code: A, level: as, term: t}]\n", "veld 'name' ontbreekt"),
        ("name: x\nversion: '1'\ncodes: []\n", "niet-lege lijst"),
        (
            "name: x\nversion: '1'\ncodes:\n  - {code: A100, level: groep, parent: A, term: t}\n"
            "  - {code: A, level: as, term: t}\n",
            "parent A staat niet eerder",
        ),
        (
            "name: x\nversion: '1'\ncodes:\n  - {code: A, level: as, term: t}\n"
            "  - {code: A, level: as, term: t}\n",
            "dubbel",
        ),
        ("name: x\nversion: '1'\ncodes:\n  - {code: A, level: klasse, term: t}\n", "level"),
        ("name: x\nversion: '1'\ncodes:\n  - {code: A1, level: groep, term: t}\n", "parent"),
        ("- a\n- b\n", "verwacht een mapping"),
        ("name: [x\n", "kan bestand niet lezen"),
    ],
)
def test_malformed_code_list_is_a_config_error(tmp_path: Path, text: str, detail: str) -> None:
    path = tmp_path / "codes.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_codelist(path)
    assert str(caught.value).startswith(str(path))
    assert detail in str(caught.value)
