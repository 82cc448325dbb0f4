"""Small-number suppression for the planner: primary and secondary (issue #16)."""

from __future__ import annotations

import pytest

from placements.disclosure import HIDDEN, suppress
from placements.reports import Cell, Table

NORM = ("maand", "beschikkingen", "gehaald", "te_laat", "nog_lopend", "percentage_gehaald")


def _one(name: str, columns: tuple[str, ...], row: tuple[Cell, ...], **kw: int) -> tuple[Cell, ...]:
    return suppress(Table(name, name, columns, [row]), **kw).rows[0]


@pytest.mark.parametrize(
    ("name", "columns", "row", "shown"),
    [
        # A count of 1..4 children is "<5"; 5 and 0 are shown.
        ("crisis_kwartaal", ("kwartaal", "aantal"), ("2026-Q4", 1), ("2026-Q4", "<5")),
        ("crisis_kwartaal", ("kwartaal", "aantal"), ("2026-Q4", 4), ("2026-Q4", "<5")),
        ("crisis_kwartaal", ("kwartaal", "aantal"), ("2026-Q4", 5), ("2026-Q4", 5)),
        ("crisis_kwartaal", ("kwartaal", "aantal"), ("2026-Q4", 0), ("2026-Q4", 0)),
        # A share of a hidden count would give it back with the shown total.
        (
            "first_best",
            ("maand", "plaatsingen", "first_best", "percentage"),
            ("2026-11", 40, 2, 0.05),
            ("2026-11", 40, "<5", HIDDEN),
        ),
        (
            "first_best",
            ("maand", "plaatsingen", "first_best", "percentage"),
            ("2026-11", 40, 38, 0.95),
            ("2026-11", 40, 38, 0.95),
        ),
        # A median of three placements is close to one child's waiting time.
        (
            "doorlooptijd",
            ("maand", "zorgvorm", "plaatsingen", "mediaan_dagen", "p90_dagen"),
            ("2026-11", "pleegzorg", 3, 12.0, 20.0),
            ("2026-11", "pleegzorg", "<5", HIDDEN, HIDDEN),
        ),
        # Secondary: one hidden part of a shown total, so the smallest other part goes too.
        (
            "norm_14_dagen",
            NORM,
            ("2026-11", 30, 20, 2, 8, 0.9091),
            ("2026-11", 30, 20, "<5", HIDDEN, HIDDEN),
        ),
        # Two hidden parts already: the total minus the rest gives only their sum.
        (
            "norm_14_dagen",
            NORM,
            ("2026-11", 30, 26, 2, 2, 0.9286),
            ("2026-11", 30, 26, "<5", "<5", HIDDEN),
        ),
        # A hidden zero part still hides what the total would give back.
        (
            "norm_14_dagen",
            NORM,
            ("2026-11", 12, 9, 3, 0, 0.75),
            ("2026-11", 12, 9, "<5", HIDDEN, HIDDEN),
        ),
        # Free places and capacity are places, not children; the gap follows the children.
        (
            "behoefte_aanbod",
            ("zorgvorm", "wachtend_first_best", "vrij_nu", "plaatsen", "tekort"),
            ("gezinshuis", 3, 1, 2, 2),
            ("gezinshuis", "<5", 1, 2, HIDDEN),
        ),
        # Every column but the month counts children in the occupancy table.
        (
            "bezetting",
            ("maand", "pleegzorg", "gezinshuis"),
            ("2026-11", 2, 9),
            ("2026-11", "<5", 9),
        ),
        # An unknown table: every number is treated as a count.
        ("nieuw", ("a", "b"), ("x", 3), ("x", "<5")),
    ],
)
def test_small_counts_and_what_gives_them_back_are_hidden(
    name: str, columns: tuple[str, ...], row: tuple[Cell, ...], shown: tuple[Cell, ...]
) -> None:
    assert _one(name, columns, row) == shown


def test_secondary_suppression_leaves_no_single_cell_recoverable_from_the_total() -> None:
    shown = _one("norm_14_dagen", NORM, ("2026-11", 30, 20, 2, 8, 0.9))
    parts = [c for c in shown[2:5] if isinstance(c, int)]
    assert isinstance(shown[1], int) and len(parts) == 1  # two unknowns: no unique answer


def test_one_hidden_reason_hides_every_share_of_the_implicit_total() -> None:
    table = Table(
        "afwijkingsredenen",
        "redenen",
        ("reden", "omschrijving", "aantal", "aandeel"),
        [("afstand", "afstand", 20, 0.8), ("crisis", "crisis", 5, 0.2)],
    )
    assert suppress(table).rows == table.rows  # nothing small: all shown
    table.rows.append(("anders", "anders", 1, 0.0385))
    assert suppress(table).rows == [
        ("afstand", "afstand", 20, HIDDEN),
        ("crisis", "crisis", 5, HIDDEN),
        ("anders", "anders", "<5", HIDDEN),
    ]


def test_the_threshold_is_configurable_and_the_input_is_unchanged() -> None:
    table = Table("overbrugging", "o", ("overbrugging", "aantal"), [("geen", 3), ("ambulant", 12)])
    assert suppress(table, threshold=10).rows == [("geen", "<10"), ("ambulant", 12)]
    assert suppress(table, threshold=2).rows == [("geen", 3), ("ambulant", 12)]
    assert table.rows == [("geen", 3), ("ambulant", 12)]


def test_a_lone_hidden_row_of_a_month_takes_the_smallest_other_row_with_it() -> None:
    # Per month the rows add up to the placements the deviation report shows.
    columns = ("maand", "zorgvorm", "plaatsingen", "mediaan_dagen", "p90_dagen")
    table = Table(
        "doorlooptijd",
        "d",
        columns,
        [
            ("2026-10", "gezinshuis", 9, 10.0, 14.0),
            ("2026-10", "pleegzorg", 3, 7.0, 9.0),
            ("2026-10", "behandelgroep", 6, 20.0, 30.0),
            ("2026-11", "gezinshuis", 8, 11.0, 15.0),
            ("2026-11", "pleegzorg", 7, 8.0, 9.0),
        ],
    )
    assert suppress(table).rows == [
        ("2026-10", "gezinshuis", 9, 10.0, 14.0),
        ("2026-10", "pleegzorg", "<5", HIDDEN, HIDDEN),
        ("2026-10", "behandelgroep", HIDDEN, HIDDEN, HIDDEN),
        ("2026-11", "gezinshuis", 8, 11.0, 15.0),
        ("2026-11", "pleegzorg", 7, 8.0, 9.0),
    ]
