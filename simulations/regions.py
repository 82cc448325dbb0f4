"""A scenario over several regions: which region each unit and each child belongs to.

A multi-region scenario (`regions:` in a scenario file, simulations.scenario_regions) is
compiled into the ordinary model: every unit carries its municipality and the region whose
block listed it, every child its home municipality, and `ScenarioRegions` maps both to a
region. "In region" for a child means the units of its home region: the allocation policy
(simulations.multi_region) plans each region's children over that region's units with the
placement policy of the scenario. When a child would go out of region (nothing fits in its
region, no place expected in time, the waiting limit passed), it is placed in a free
fitting unit of another region of the scenario if there is one (chosen by the policy's
own scoring, distance included), else it goes outside every modelled region as before.

For its home region such a child is placed out of region (a deviation with its reason,
`other_region`); for the region it went to it is a placement received. `region_totals`
gives, per region, the figures the single-region totals give for the whole (first-best
rate, waits, out of region, norm), plus `to_other_region` and `received`. The scenario's
own totals stay those of the whole scenario: a child placed in another region's unit is
placed there (it occupies a modelled place), and `deviations.other_region` counts them;
the results per municipality (simulations.fairness) count only the children placed outside
every modelled region as out of region. A child placed in another region starts there at
once (no hold: scenario files set none), for the stay drawn for it in that care form.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

OTHER_REGION = "other_region"
OTHER_REGION_LABEL = (
    "buiten de eigen regio geplaatst, in een andere regio van het scenario: geen passende"
    " plaats in de eigen regio"
)
REGION = "region."
# The measures per region, with their Dutch labels (report, CSV).
REGION_LABELS: dict[str, str] = {
    "arrivals": "aanmeldingen in de meetperiode",
    "placed_in_region": "in de eigen regio geplaatst (aantal)",
    "first_best_rate": "aandeel first-best in de eigen regio geplaatst",
    "mean_wait_days": "gemiddelde wachttijd (dagen)",
    "p90_wait_days": "90e percentiel wachttijd (dagen)",
    "out_of_region": "buiten de eigen regio geplaatst (aantal)",
    "blocked_fraction": "aandeel buiten de eigen regio",
    "to_other_region": "waarvan in een andere regio van het scenario (aantal)",
    "outside_all_regions": "waarvan buiten alle regio's van het scenario (aantal)",
    "norm_compliance": "binnen de norm geplaatst (aandeel)",
    "received": "ontvangen uit andere regio's (aantal)",
}


def region_label(key: str) -> str | None:
    """The Dutch label of a `region.<name>.<measure>` key (None: not such a key)."""
    if not key.startswith(REGION):
        return None
    name, _, measure = key[len(REGION) :].rpartition(".")
    label = REGION_LABELS.get(measure)
    return None if label is None or not name else f"regio {name}: {label}"


@dataclass(frozen=True)
class ScenarioRegions:
    """The regions of a scenario, in file order, and where each unit and municipality lies.

    names: the regions' names (as in the results: `region.<name>.*`);
    unit_region: per scenario unit (in the scenario's order), the index of its region;
    home_region: per municipality (CBS code) where children come from, its region's index.
    """

    names: tuple[str, ...]
    unit_region: tuple[int, ...]
    home_region: Mapping[str, int]
    # Per region: the indices of its units, in scenario order.
    units_of: tuple[tuple[int, ...], ...] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        count = len(self.names)
        if len(set(self.names)) != count:
            raise ValueError("region names must be unique")
        if any(not 0 <= r < count for r in (*self.unit_region, *self.home_region.values())):
            raise ValueError("region index out of range")
        groups: list[list[int]] = [[] for _ in self.names]
        for unit, region in enumerate(self.unit_region):
            groups[region].append(unit)
        object.__setattr__(self, "units_of", tuple(tuple(g) for g in groups))

    def region_of(self, home: str) -> int:
        """The region of a home municipality (CBS code); -1 when no region holds it."""
        return self.home_region.get(home, -1)


def region_totals(
    regions: ScenarioRegions,
    *,
    home: list[str],
    unit: np.ndarray,
    rank: np.ndarray,
    window: np.ndarray,
    placed: np.ndarray,
    out: np.ndarray,
    wait: np.ndarray,
    within_norm: np.ndarray,
) -> dict[str, float]:
    """Per region, for the children of that region who arrived in the window (see the
    module doc): `region.<name>.<measure>`."""
    n = len(home)
    home_of = np.fromiter((regions.region_of(h) for h in home), dtype=np.int64, count=n)
    unit_region = np.asarray(regions.unit_region, dtype=np.int64)
    # The region of the unit each child was placed in (-1: not placed in a modelled unit).
    placed_in = np.where(placed, unit_region[np.maximum(unit, 0)], -1)
    crossed = placed & (placed_in != home_of)
    at_home = placed & ~crossed
    resolved = placed | out
    t: dict[str, float] = {}
    for r, name in enumerate(regions.names):
        key = f"{REGION}{name}."
        mine = window & (home_of == r)
        n_win = int(mine.sum())
        done = mine & resolved
        n_res = int(done.sum())
        waits = wait[done]
        away = int((mine & (out | crossed)).sum())
        t[key + "arrivals"] = n_win
        t[key + "placed_in_region"] = int((mine & at_home).sum())
        t[key + "first_best_rate"] = _ratio(int((mine & at_home & (rank == 0)).sum()), n_res)
        t[key + "mean_wait_days"] = float(waits.mean()) if n_res else math.nan
        t[key + "p90_wait_days"] = float(np.quantile(waits, 0.9)) if n_res else math.nan
        t[key + "out_of_region"] = away
        t[key + "blocked_fraction"] = _ratio(away, n_res)
        t[key + "to_other_region"] = int((mine & crossed).sum())
        t[key + "outside_all_regions"] = int((mine & out).sum())
        t[key + "norm_compliance"] = _ratio(int((mine & resolved & within_norm).sum()), n_win)
        # Children of other regions placed in this region's units.
        t[key + "received"] = int((window & crossed & (placed_in == r)).sum())
    return t


def _ratio(num: float, den: float) -> float:
    return num / den if den > 0 else math.nan
