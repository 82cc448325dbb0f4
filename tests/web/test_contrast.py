"""Readable contrast: the palette in style.css meets WCAG AA (4.5:1) for text and badges."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from api.web.charts import PALETTE

CSS = (Path(__file__).resolve().parents[2] / "api" / "web" / "static" / "style.css").read_text()
VARS = dict(re.findall(r"--([a-z-]+):\s*(#[0-9a-fA-F]{6})", CSS))


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two #rrggbb colours."""
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_contrast_formula_matches_known_values() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


@pytest.mark.parametrize(
    ("text", "background"),
    [
        ("tekst", "achtergrond"),
        ("tekst", "vlak"),
        ("link", "achtergrond"),
        ("link", "vlak"),
        ("fout", "achtergrond"),
        ("groen-tekst", "groen-bg"),
        ("oranje-tekst", "oranje-bg"),
        ("rood-tekst", "rood-bg"),
        ("grijs-tekst", "grijs-bg"),
    ],
)
def test_text_colours_reach_4_5_to_1(text: str, background: str) -> None:
    assert contrast(VARS[text], VARS[background]) >= 4.5


@pytest.mark.parametrize("background", ["kop", "knop"])
def test_white_text_on_header_and_buttons_reaches_4_5_to_1(background: str) -> None:
    assert contrast("#ffffff", VARS[background]) >= 4.5


def test_chart_colours_reach_3_to_1_on_white() -> None:
    assert all(contrast(colour, "#ffffff") >= 3.0 for colour in PALETTE)


def test_literal_text_colours_in_the_css_are_readable() -> None:
    # Hints and footers use literal greys: each must read on white and on the panel colour.
    for colour in set(re.findall(r"[^-]color:\s*(#[0-9a-fA-F]{6})", CSS)):
        assert contrast(colour, VARS["achtergrond"]) >= 4.5, colour
        assert contrast(colour, VARS["vlak"]) >= 4.5, colour
