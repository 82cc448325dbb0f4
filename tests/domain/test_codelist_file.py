"""A malformed code list file is refused on load, naming the file, the entry and the code."""

from __future__ import annotations

from pathlib import Path

import pytest

from domain.codelist import load_codelist
from domain.errors import ConfigError

HEAD = "name: x\nversion: '1'\n"
AXIS = "  - {code: A, level: as, term: t}\n"
GROUP = "  - {code: A200, level: groep, parent: A, term: t}\n"
RUBRIEK = "  - {code: A201, level: rubriek, parent: A200, term: t}\n"


def codes(*lines: str, head: str = HEAD) -> str:
    return head + "codes:\n" + "".join(lines)


# Each case: the file's text, the entry the error names, and what the message must say.
CASES = [
    ("unreadable", "name: [x\n", None, "kan bestand niet lezen"),
    ("not a mapping", "- a\n- b\n", None, "verwacht een mapping"),
    ("no name", "version: '1'\ncodes: []\n", "name", "veld 'name' ontbreekt"),
    ("no version", "name: x\ncodes: []\n", "version", "veld 'version' ontbreekt"),
    ("no codes", HEAD, "codes", "veld 'codes' ontbreekt"),
    ("empty codes", HEAD + "codes: []\n", "codes", "niet-lege lijst"),
    ("entry not a mapping", codes("  - A\n"), "codes[0]", "verwacht een mapping"),
    ("no code", codes("  - {level: as, term: t}\n"), "codes[0]", "veld 'code' ontbreekt"),
    ("no level", codes("  - {code: A, term: t}\n"), "codes[0].level", "veld 'level'"),
    ("unknown level", codes("  - {code: A, level: klasse, term: t}\n"), "codes[0]", "A: level"),
    ("duplicate", codes(AXIS, AXIS), "codes[1]", "code A staat dubbel"),
    (
        "parent after child",
        codes(GROUP, AXIS),
        "codes[0]",
        "A200: parent A staat niet eerder",
    ),
    (
        "group without parent",
        codes("  - {code: A100, level: groep, term: t}\n"),
        "codes[0]",
        "A100: alleen een as",
    ),
    (
        "axis with parent",
        codes(AXIS, "  - {code: B, level: as, parent: A, term: t}\n"),
        "codes[1]",
        "B: een as heeft geen parent",
    ),
    (
        "rubriek under an axis",
        codes(AXIS, "  - {code: A201, level: rubriek, parent: A, term: t}\n"),
        "codes[1]",
        "A201 is een rubriek: de parent moet een groep zijn, maar A is een as",
    ),
    (
        "subrubriek under a group",
        codes(AXIS, GROUP, "  - {code: A201.1, level: subrubriek, parent: A200, term: t}\n"),
        "codes[2]",
        "A201.1 is een subrubriek: de parent moet een rubriek zijn, maar A200 is een groep",
    ),
    (
        "axis shape",
        codes("  - {code: AB, level: as, term: t}\n"),
        "codes[0]",
        "code AB heeft niet de vorm van een as (zoals A)",
    ),
    (
        "group shape",
        codes(AXIS, "  - {code: A201, level: groep, parent: A, term: t}\n"),
        "codes[1]",
        "code A201 heeft niet de vorm van een groep",
    ),
    (
        "rubriek shape",
        codes(AXIS, GROUP, "  - {code: A200.1, level: rubriek, parent: A200, term: t}\n"),
        "codes[2]",
        "code A200.1 heeft niet de vorm van een rubriek",
    ),
    (
        "other axis letter",
        codes(AXIS, "  - {code: B200, level: groep, parent: A, term: t}\n"),
        "codes[1]",
        "code B200 begint niet met A, de code van parent A",
    ),
    (
        "other group number",
        codes(AXIS, GROUP, "  - {code: A301, level: rubriek, parent: A200, term: t}\n"),
        "codes[2]",
        "code A301 begint niet met A2, de code van parent A200",
    ),
    (
        "subrubriek of another rubriek",
        codes(
            AXIS, GROUP, RUBRIEK, "  - {code: A202.1, level: subrubriek, parent: A201, term: t}\n"
        ),
        "codes[3]",
        "code A202.1 begint niet met A201",
    ),
    ("no term", codes("  - {code: A, level: as}\n"), "codes[0]", "veld 'term' ontbreekt"),
    ("empty term", codes("  - {code: A, level: as, term: ''}\n"), "codes[0]", "'term' is leeg"),
    (
        "undocumented with a term",
        codes("  - {code: A, level: as, documented: false, term: t}\n"),
        "codes[0]",
        "A: documented: false gaat niet samen met een term",
    ),
    (
        "documented not a bool",
        codes("  - {code: A, level: as, documented: nee, term: t}\n"),
        "codes[0]",
        "A: documented moet true of false",
    ),
    (
        "unknown source",
        codes("  - {code: A, level: as, source: Q, term: t}\n"),
        "codes[0]",
        "A: bron 'Q' staat niet onder sources",
    ),
    (
        "plain http url",
        codes("  - {code: A, level: as, url: 'http://x', term: t}\n"),
        "codes[0]",
        "A: url moet met https://",
    ),
    (
        "source without url",
        codes(AXIS, head=HEAD + "sources:\n  S: {title: t}\n"),
        "sources.S",
        "veld 'url' ontbreekt",
    ),
    (
        "gap without note",
        codes(AXIS) + "gaps:\n  - {where: B}\n",
        "gaps[0]",
        "veld 'note' ontbreekt",
    ),
    (
        "bad shape regex",
        codes(AXIS, head=HEAD + "shapes: {as: '['}\n"),
        "shapes.as",
        "geen geldige regex",
    ),
    (
        "shape of unknown level",
        codes(AXIS, head=HEAD + "shapes: {klasse: x}\n"),
        None,
        "shapes moet",
    ),
]


@pytest.mark.parametrize(
    ("text", "where", "detail"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_malformed_code_list_is_a_config_error(
    tmp_path: Path, text: str, where: str | None, detail: str
) -> None:
    path = tmp_path / "codes.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_codelist(path)
    assert caught.value.file == str(path)
    assert caught.value.field == where
    assert detail in caught.value.detail


def test_a_file_may_set_its_own_code_shapes(tmp_path: Path) -> None:
    path = tmp_path / "codes.yaml"
    shapes = "shapes: {as: 'K[0-9]', groep: 'K[0-9]-[0-9]'}\n"
    path.write_text(
        codes(
            "  - {code: K1, level: as, term: t}\n",
            "  - {code: K1-2, level: groep, parent: K1, term: t}\n",
            head=HEAD + shapes,
        ),
        encoding="utf-8",
    )
    assert load_codelist(path).resolve("k1-2").axis == "K1"
