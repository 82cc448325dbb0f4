"""Small-number suppression: aggregates for the planner without a recognisable child.

In a small municipality a cell with one or two children can point at a child. For the
planner role every count of children from 1 up to the threshold (default 5) becomes "<5";
the servicepunt keeps the exact figures. A zero stays a zero: it points at no child.

What follows a hidden count is hidden too ("afgeschermd"), so that it cannot be worked
back (secondary disclosure):
- rates, medians and percentiles computed from a hidden count (a median of two placements
  is one child's waiting time; a share times a shown total gives the count back);
- parts of a shown total: when exactly one part of a row is hidden, the smallest other
  shown part is hidden as well (or, if there is none, the total), so `total - shown parts`
  no longer gives one child's cell;
- shares of a column's implicit total (the deviation reasons): when any count in the
  column is hidden, every share is, because one shown count and its share give the total;
- rows that split a total shown in another report (time to placement per month and care
  form adds up to the month's placements in the deviation report): when exactly one row of
  a group is hidden, the smallest other row of that group is hidden too.

Not handled: differences between the periods (`since`/`until`) a planner asks for one
after the other, and combinations of more than one report beyond the case above.

Columns that count places rather than children (free places, capacity) are never hidden.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from placements.reports import Cell, Table

DEFAULT_THRESHOLD = 5
HIDDEN = "afgeschermd"


@dataclass(frozen=True)
class Rule:
    """Which columns of a table count children and what depends on them."""

    counts: tuple[str, ...] | None = None  # None: every column but `keys`
    keys: tuple[str, ...] = ()
    partitions: dict[str, tuple[str, ...]] = field(default_factory=dict)  # total -> parts
    derived: dict[str, tuple[str, ...]] = field(default_factory=dict)  # column -> its counts
    column_shares: dict[str, str] = field(default_factory=dict)  # share column -> count column
    # (group columns, count column): the rows of a group add up to a total shown elsewhere.
    group: tuple[tuple[str, ...], str] | None = None


RULES: dict[str, Rule] = {
    "afwijkingen": Rule(
        counts=("plaatsingen", "afwijking_zorgvorm", "afwijking_plek"),
        derived={"percentage_zorgvorm": ("plaatsingen", "afwijking_zorgvorm")},
    ),
    "afwijkingsredenen": Rule(
        counts=("aantal",),
        derived={"aandeel": ("aantal",)},
        column_shares={"aandeel": "aantal"},
    ),
    "first_best": Rule(
        counts=("plaatsingen", "first_best"),
        derived={"percentage": ("plaatsingen", "first_best")},
    ),
    "buiten_regio": Rule(
        counts=("plaatsingen", "buiten_regio"),
        derived={"percentage": ("plaatsingen", "buiten_regio")},
    ),
    "beschikkingen_buiten_regio": Rule(counts=("beschikkingen",)),
    "doorlooptijd": Rule(
        counts=("plaatsingen",),
        derived={"mediaan_dagen": ("plaatsingen",), "p90_dagen": ("plaatsingen",)},
        group=(("maand",), "plaatsingen"),
    ),
    "norm_14_dagen": Rule(
        counts=("beschikkingen", "gehaald", "te_laat", "nog_lopend"),
        partitions={"beschikkingen": ("gehaald", "te_laat", "nog_lopend")},
        derived={"percentage_gehaald": ("gehaald", "te_laat")},
    ),
    "overbrugging": Rule(counts=("aantal",)),
    "behoefte_aanbod": Rule(
        counts=("wachtend_first_best",), derived={"tekort": ("wachtend_first_best",)}
    ),
    # This month's rows of a care form add up to its count in behoefte_aanbod.
    "behoefte_aanbod_integraal": Rule(
        counts=("benodigd",),
        derived={"tekort": ("benodigd",)},
        group=(("maand", "zorgvorm"), "benodigd"),
    ),
    "crisis_kwartaal": Rule(counts=("aantal",)),
    "crisis_kwartaalrapport": Rule(counts=("aantal",)),
    "adviesoordelen": Rule(
        counts=("oordelen", "bevestigd", "gewijzigd"),
        partitions={"oordelen": ("bevestigd", "gewijzigd")},
        derived={"percentage_gewijzigd": ("oordelen", "gewijzigd")},
    ),
    "adviesafwijkingen": Rule(counts=("aantal",)),
    "afwijkingen_niveaus": Rule(
        counts=(
            "adviesoordelen",
            "advies_gewijzigd",
            "plaatsingen",
            "afwijking_zorgvorm",
            "afwijking_plek",
        ),
        derived={
            "percentage_advies_gewijzigd": ("adviesoordelen", "advies_gewijzigd"),
            "percentage_zorgvorm": ("plaatsingen", "afwijking_zorgvorm"),
        },
    ),
    "afwijkingsredenen_niveaus": Rule(counts=("aantal",)),
    "aanbieder_antwoorden": Rule(
        counts=("verzoeken", "geaccepteerd", "geweigerd", "vervallen", "open"),
        partitions={"verzoeken": ("geaccepteerd", "geweigerd", "vervallen", "open")},
        derived={"mediaan_reactietijd_minuten": ("geaccepteerd", "geweigerd")},
    ),
    "weigeringen": Rule(counts=("aantal",)),
    "uitstroom_zorgvorm": Rule(
        counts=("uitgestroomd", "gepland", "ongepland", "onbekend"),
        partitions={"uitgestroomd": ("gepland", "ongepland", "onbekend")},
        derived={"percentage_ongepland": ("gepland", "ongepland")},
    ),
    "uitstroom_aanbieder": Rule(
        counts=("uitgestroomd", "gepland", "ongepland", "onbekend"),
        partitions={"uitgestroomd": ("gepland", "ongepland", "onbekend")},
        derived={"percentage_ongepland": ("gepland", "ongepland")},
    ),
    "uitstroom_bestemming": Rule(counts=("aantal",)),
    "verhuizingen": Rule(counts=("kinderen",)),
    "overplaatsingen": Rule(counts=("aantal",)),
    "regie_taken": Rule(
        counts=("taken", "open", "gehaald", "te_laat"),
        partitions={"taken": ("open", "gehaald", "te_laat")},
    ),
    "terugkeer_12_maanden": Rule(
        counts=("uitgestroomd", "terug_binnen_12_maanden"),
        derived={"percentage": ("uitgestroomd", "terug_binnen_12_maanden")},
    ),
    "beschikkingen_norm": Rule(
        counts=("beschikkingen", "gehaald", "te_laat", "open", "buiten_regio"),
        partitions={"beschikkingen": ("gehaald", "te_laat", "open")},
        derived={"percentage_gehaald": ("gehaald", "te_laat")},
    ),
    "intrekkingsredenen": Rule(
        counts=("aantal",),
        derived={"aandeel": ("aantal",)},
        column_shares={"aandeel": "aantal"},
    ),
    "bezetting": Rule(keys=("maand",)),
}


def _small(value: Cell, threshold: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < threshold


def _hide_one_more(row: list[Cell], hidden: set[int], total: int, parts: Sequence[int]) -> None:
    """Exactly one part hidden and the total shown: hide the smallest other part, or the total."""
    if total in hidden or sum(p in hidden for p in parts) != 1:
        return
    shown = [p for p in parts if p not in hidden and isinstance(row[p], int | float)]
    if shown:
        hidden.add(min(shown, key=lambda p: (float(row[p] or 0), p)))
    else:
        hidden.add(total)


def _hide_in_groups(
    rows: list[list[Cell]], hidden_counts: list[set[int]], keys: list[int], count: int
) -> None:
    """Within each group of rows, a lone hidden count takes the smallest other one with it."""
    groups: dict[tuple[Cell, ...], list[int]] = {}
    for n, row in enumerate(rows):
        groups.setdefault(tuple(row[k] for k in keys), []).append(n)
    for members in groups.values():
        if sum(count in hidden_counts[m] for m in members) != 1:
            continue
        shown = [m for m in members if count not in hidden_counts[m]]
        if shown:
            smallest = min(shown, key=lambda m: (float(rows[m][count] or 0), m))
            hidden_counts[smallest].add(count)


def suppress(table: Table, *, threshold: int = DEFAULT_THRESHOLD) -> Table:
    """The table as the planner may see it (see the module doc); the input is unchanged."""
    # An unknown table is treated as all counts: hiding too much is the safe mistake.
    rule = RULES.get(table.name, Rule())
    index = {name: n for n, name in enumerate(table.columns)}
    counted = (
        rule.counts
        if rule.counts is not None
        else tuple(c for c in table.columns if c not in rule.keys)
    )
    count_cols = [index[c] for c in counted if c in index]
    mark = f"<{threshold}"
    rows: list[list[Cell]] = [list(r) for r in table.rows]
    hidden_counts: list[set[int]] = []
    for row in rows:
        hidden = {n for n in count_cols if _small(row[n], threshold)}
        for total, parts in rule.partitions.items():
            _hide_one_more(row, hidden, index[total], [index[p] for p in parts])
        hidden_counts.append(hidden)
    if rule.group is not None:
        keys = [index[k] for k in rule.group[0]]
        _hide_in_groups(rows, hidden_counts, keys, index[rule.group[1]])
    any_hidden = {n for hidden in hidden_counts for n in hidden}
    for row, hidden in zip(rows, hidden_counts, strict=True):
        derived = {
            index[col]
            for col, sources in rule.derived.items()
            if any(index[s] in hidden for s in sources)
        }
        derived |= {
            index[share]
            for share, count in rule.column_shares.items()
            if index[count] in any_hidden
        }
        for n in hidden:
            row[n] = mark if _small(row[n], threshold) else HIDDEN
        for n in derived - hidden:
            if row[n] is not None:
                row[n] = HIDDEN
    return Table(table.name, table.title, table.columns, [tuple(r) for r in rows])
