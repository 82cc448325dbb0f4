"""What a scenario's children are drawn from: arrival groups, the profile mix, sibling groups.

Plain frozen dataclasses read from a scenario file (simulations.scenario_arrivals) and used
by `simulations.children.ProfileSource`, with the tables that turn a uniform into a value
(`Features`: a child's uniforms to its values, one child or many at once).
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple, TypeVar

import numpy as np

from domain import profile_vocabulary
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
    # Treatment need per level; a scenario may give one share (the old yes/no form): that
    # share is residentieel, the rest geen.
    treatment_need: Mapping[str, float]
    trauma: float
    lvb: float
    network_family_available: float
    child_agrees: float
    siblings: SiblingMix | None = None
    psychiatric: float = 0.0
    substance_use: float = 0.0
    runaway_exploitation: float = 0.0
    suicidality: Mapping[str, float] = field(default_factory=lambda: {"geen": 1.0})
    parents_problems: float = 0.0
    earlier_ambulant_help: float = 0.0
    network_safety: Mapping[str, float] = field(default_factory=lambda: {"onbekend": 1.0})


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


class Drawn(NamedTuple):
    """The discrete profile features of one child, as the Profile's values."""

    municipality: Municipality
    age: int
    sex: profile_vocabulary.Sex
    severity: profile_vocabulary.Severity
    complexity: profile_vocabulary.Complexity
    externalising: profile_vocabulary.Externalising
    treatment_need: profile_vocabulary.TreatmentNeed
    trauma: bool
    lvb: bool
    network_family_available: bool
    parents_view: profile_vocabulary.ParentsView
    perspective: profile_vocabulary.Perspective
    child_agrees: bool
    crisis: bool
    psychiatric: bool
    substance_use: bool
    runaway_exploitation: bool
    suicidality: profile_vocabulary.Suicidality
    parents_problems: bool
    earlier_ambulant_help: bool
    network_safety: profile_vocabulary.NetworkSafety


@dataclass(frozen=True)
class Features:
    """The features (`Drawn`) of children in arrival groups from their uniforms: group, age,
    sex, severity, complexity, externalising, treatment, trauma, lvb, network, parents,
    perspective, agrees, crisis, psychiatric, substance use, running away, suicidality,
    parents' problems, earlier ambulant help, network safety (u[0], the group's, is not read
    here)."""

    mix: ProfileMix
    # Per categorical feature its values and cumulative shares: the value for u is
    # values[min(bisect_right(cdf, u), len(values) - 1)]; with the last value once more at
    # the end, plain indexing gives the same.
    picks: tuple[tuple[list[Any], list[float]], ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        m, f = self.mix, "profile_mix"
        tables = (
            categorical(m.severity, f"{f}.severity", profile_vocabulary.Severity),
            categorical(m.complexity, f"{f}.complexity", profile_vocabulary.Complexity),
            categorical(m.externalising, f"{f}.externalising", profile_vocabulary.Externalising),
            categorical(m.parents_view, f"{f}.parents_view", profile_vocabulary.ParentsView),
            categorical(m.perspective, f"{f}.perspective", profile_vocabulary.Perspective),
            categorical(m.treatment_need, f"{f}.treatment_need", profile_vocabulary.TreatmentNeed),
            categorical(m.suicidality, f"{f}.suicidality", profile_vocabulary.Suicidality),
            categorical(m.network_safety, f"{f}.network_safety", profile_vocabulary.NetworkSafety),
        )
        picks = tuple(([*values, values[-1]], cdf) for values, cdf in tables)
        object.__setattr__(self, "picks", picks)

    def one(self, g: ArrivalGroup, u: Sequence[float]) -> Drawn:
        """The features of one child of group `g` from its uniforms."""
        age = g.age_min + min(int(u[1] * (g.age_max - g.age_min + 1)), g.age_max - g.age_min)
        m = self.mix
        (sev, sev_cdf), (cx, cx_cdf), (ext, ext_cdf), (par, par_cdf), *_ = self.picks
        (per, per_cdf), (tr, tr_cdf), (sui, sui_cdf), (saf, saf_cdf) = self.picks[4:]
        return Drawn(
            g.municipality,
            age,
            profile_vocabulary.Sex.M if u[2] < 0.5 else profile_vocabulary.Sex.V,
            sev[bisect_right(sev_cdf, u[3])],
            cx[bisect_right(cx_cdf, u[4])],
            ext[bisect_right(ext_cdf, u[5])],
            tr[bisect_right(tr_cdf, u[6])],
            u[7] < m.trauma,
            u[8] < m.lvb,
            u[9] < m.network_family_available,
            par[bisect_right(par_cdf, u[10])],
            per[bisect_right(per_cdf, u[11])],
            u[12] < m.child_agrees,
            u[13] < g.crisis_share,
            u[14] < m.psychiatric,
            u[15] < m.substance_use,
            u[16] < m.runaway_exploitation,
            sui[bisect_right(sui_cdf, u[17])],
            u[18] < m.parents_problems,
            u[19] < m.earlier_ambulant_help,
            saf[bisect_right(saf_cdf, u[20])],
        )

    def many(self, groups: Sequence[ArrivalGroup], g: np.ndarray, u: np.ndarray) -> list[Drawn]:
        """`one(groups[g[k]], u[k])` for every row k of `u`, worked out column by column: the
        same float products and comparisons, so the same values."""
        m = self.mix
        (sev, sev_cdf), (cx, cx_cdf), (ext, ext_cdf), (par, par_cdf), *_ = self.picks
        (per, per_cdf), (tr, tr_cdf), (sui, sui_cdf), (saf, saf_cdf) = self.picks[4:]
        low = np.asarray([x.age_min for x in groups], dtype=np.int64)[g]
        span = np.asarray([x.age_max - x.age_min for x in groups], dtype=np.int64)[g]
        crisis = np.asarray([x.crisis_share for x in groups], dtype=np.float64)[g]
        places = [x.municipality for x in groups]
        sexes = (profile_vocabulary.Sex.M, profile_vocabulary.Sex.V)

        def pick(values: list[Any], cdf: list[float], column: int) -> list[Any]:
            return [values[i] for i in np.searchsorted(cdf, u[:, column], side="right").tolist()]

        columns = (
            [places[i] for i in g.tolist()],
            (low + np.minimum((u[:, 1] * (span + 1)).astype(np.int64), span)).tolist(),
            [sexes[i] for i in (u[:, 2] >= 0.5).tolist()],
            pick(sev, sev_cdf, 3),
            pick(cx, cx_cdf, 4),
            pick(ext, ext_cdf, 5),
            pick(tr, tr_cdf, 6),
            (u[:, 7] < m.trauma).tolist(),
            (u[:, 8] < m.lvb).tolist(),
            (u[:, 9] < m.network_family_available).tolist(),
            pick(par, par_cdf, 10),
            pick(per, per_cdf, 11),
            (u[:, 12] < m.child_agrees).tolist(),
            (u[:, 13] < crisis).tolist(),
            (u[:, 14] < m.psychiatric).tolist(),
            (u[:, 15] < m.substance_use).tolist(),
            (u[:, 16] < m.runaway_exploitation).tolist(),
            pick(sui, sui_cdf, 17),
            (u[:, 18] < m.parents_problems).tolist(),
            (u[:, 19] < m.earlier_ambulant_help).tolist(),
            pick(saf, saf_cdf, 20),
        )
        return list(map(Drawn._make, zip(*columns, strict=True)))
