"""The one CSV writer: formula-like text neutralised, a BOM, semicolons (issue #16)."""

from __future__ import annotations

import csv
import io

import pytest

from domain.csv_export import csv_text, safe_cell


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+2", "'=1+2"),
        ("+31612345678", "'+31612345678"),
        ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("residentiële behandelgroep", "residentiële behandelgroep"),
        ("a=b", "a=b"),
        ("-0.25", "-0.25"),  # a plain number is no formula
        ("1e-05", "1e-05"),
        (-3, -3),
        (0.5, 0.5),
        (None, ""),
        (True, "ja"),
    ],
)
def test_cells_that_would_run_as_a_formula_get_an_apostrophe(
    value: object, written: object
) -> None:
    assert safe_cell(value) == written


def test_the_text_starts_with_a_bom_and_reads_back_with_semicolons() -> None:
    text = csv_text(["zorgvorm", "toelichting"], [["residentiële", '=HYPERLINK("x";"y")']])
    assert text.startswith("\ufeffzorgvorm;toelichting\r\n")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))
    assert rows == [["zorgvorm", "toelichting"], ["residentiële", '\'=HYPERLINK("x";"y")']]
    assert text.encode("utf-8").startswith(b"\xef\xbb\xbf")
