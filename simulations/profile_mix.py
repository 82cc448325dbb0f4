"""What a scenario's children are drawn from: arrival groups, the profile mix, sibling groups.

Plain frozen dataclasses read from a scenario file (simulations.scenario_arrivals) and used
by `simulations.children.ProfileSource`, with the tables that turn a uniform into a value.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TypeVar

from domain.errors import InvalidInput
from domain.places import Municipality

MAX_GROUP_SIZE = 6  # children in one sibling group at most
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class ArrivalGroup:
    """Children from one municipality in one age band, with their share of the arrivals.

    per_year is the rate on day 0; trend and season shape it over time as in `ArrivalRate`.
    """

    municipality: Municipality
    age_min: int
    age_max: int
    per_year: float
    crisis_share: float
    trend_per_year: float = 0.0
    season_amplitude: float = 0.0
    peak_day: float = 0.0

    @property
    def shape(self) -> tuple[float, float, float]:
        """Trend and season; the peak day only counts when there is a season."""
        peak = self.peak_day if self.season_amplitude else 0.0
        return (self.trend_per_year, self.season_amplitude, peak)


@dataclass(frozen=True, slots=True)
class SiblingMix:
    """The share of arrival events that are sibling groups, and their sizes {k: weight}."""

    share: float
    sizes: Mapping[int, float]

    @property
    def children_per_event(self) -> float:
        """Mean number of children per arrival event."""
        total = math.fsum(self.sizes.values())
        mean = math.fsum(k * w for k, w in self.sizes.items()) / total
        return 1.0 + self.share * (mean - 1.0)


@dataclass(frozen=True, slots=True)
class ProfileMix:
    """Shares of the profile features; categorical ones as {value: weight}."""

    severity: Mapping[str, float]
    complexity: Mapping[str, float]
    externalising: Mapping[str, float]
    parents_view: Mapping[str, float]
    perspective: Mapping[str, float]
    treatment_need: float
    trauma: float
    lvb: float
    network_family_available: float
    child_agrees: float
    siblings: SiblingMix | None = None


def categorical(
    weights: Mapping[str, float], field_name: str, kind: Callable[[str], T]
) -> tuple[list[T], list[float]]:
    """The values (sorted by name, as `kind`) and their cumulative shares."""
    names = sorted(weights)
    total = math.fsum(weights.values())
    if not names or total <= 0:
        raise InvalidInput("de som van de gewichten moet groter dan 0 zijn", field=field_name)
    running, cdf = 0.0, []
    for v in names:
        running += weights[v]
        cdf.append(running / total)
    try:
        values = [kind(str(v)) for v in names]
    except ValueError:
        raise InvalidInput("onbekende waarde", field=field_name) from None
    return values, cdf
