"""Synthetic children for a scenario: a profile per arrival, advised by the real afwegingskader.

`ProfileSource.draw` picks an arrival group (municipality and age band, by its share of the
arrival rate on the arrival day), draws the rest of a `Profile` from the scenario's profile
mix, and calls `afwegingskader.engine.advise` on it. Every child consumes the same fixed
number of uniforms from the profiles stream, so changing one share never shifts the children
after it (common random numbers). Profiles are discrete, so an advice is computed once per
distinct profile and reused: the advice does not depend on the reference date when the age
is given.

Groups may have their own trend and season. When they all share one, every group's share is
constant and `rate` is one `ArrivalRate` (the stationary path); otherwise `rate` is the
groups' `GroupArrivalRates` and a child's group is drawn with the groups' shares of the rate
on its arrival day, so that each group arrives at exactly its own rate.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np

from afwegingskader.engine import advise
from afwegingskader.models import Advice, Complexity, Externalising, ParentsView, Profile, Severity
from domain.errors import InvalidInput
from domain.people import Perspective, Sex
from domain.places import Municipality
from matcher.models import Referral
from simulations.distributions import DAYS_PER_YEAR, ArrivalRate, GroupArrivalRates
from simulations.model import ChildNeed

# Uniforms per child: group, age, sex, severity, complexity, externalising, treatment, trauma,
# lvb, network, parents, perspective, agrees, crisis.
UNIFORMS_PER_CHILD = 14


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


@dataclass(frozen=True, slots=True)
class ChildCase:
    """The payload of one arriving child: its profile, advice and the matcher's referrals."""

    profile: Profile
    advice: Advice
    referral: Referral
    first_best_only: Referral


def _categorical(weights: Mapping[str, float], field_name: str) -> tuple[list[str], list[float]]:
    values = sorted(weights)
    total = math.fsum(weights.values())
    if not values or total <= 0:
        raise InvalidInput("de som van de gewichten moet groter dan 0 zijn", field=field_name)
    running, cdf = 0.0, []
    for v in values:
        running += weights[v]
        cdf.append(running / total)
    return values, cdf


def _pick(values: list[str], cdf: list[float], u: float) -> str:
    return values[min(bisect.bisect_right(cdf, u), len(values) - 1)]


@dataclass
class ProfileSource:
    """A `ChildSource` that draws profiles and asks the real afwegingskader for advice."""

    groups: tuple[ArrivalGroup, ...]
    mix: ProfileMix
    start_date: date
    _group_cdf: list[float] = field(init=False, repr=False)
    _rates: GroupArrivalRates | None = field(init=False, repr=False, default=None)
    _tables: dict[str, tuple[list[str], list[float]]] = field(init=False, repr=False)
    _advice: dict[tuple[object, ...], Advice] = field(init=False, repr=False, default_factory=dict)

    def __post_init__(self) -> None:
        if not self.groups:
            raise InvalidInput("minstens een groep nodig", field="arrivals.groups")
        total = math.fsum(g.per_year for g in self.groups)
        if total <= 0:
            raise InvalidInput("de som van per_year moet groter dan 0 zijn", field="arrivals")
        running, cdf = 0.0, []
        for g in self.groups:
            running += g.per_year
            cdf.append(running / total)
        self._group_cdf = cdf
        if len({g.shape for g in self.groups}) > 1:
            self._rates = GroupArrivalRates(
                tuple(g.per_year / DAYS_PER_YEAR for g in self.groups),
                tuple(g.trend_per_year for g in self.groups),
                tuple(g.season_amplitude for g in self.groups),
                tuple(g.peak_day for g in self.groups),
            )
        m = self.mix
        self._tables = {
            "severity": _categorical(m.severity, "profile_mix.severity"),
            "complexity": _categorical(m.complexity, "profile_mix.complexity"),
            "externalising": _categorical(m.externalising, "profile_mix.externalising"),
            "parents_view": _categorical(m.parents_view, "profile_mix.parents_view"),
            "perspective": _categorical(m.perspective, "profile_mix.perspective"),
        }

    @property
    def per_year(self) -> float:
        """Total arrivals per year over all groups (on day 0, before trend and season)."""
        return math.fsum(g.per_year for g in self.groups)

    @property
    def rate(self) -> ArrivalRate | GroupArrivalRates:
        """The arrival rate these groups add up to, for `PoissonArrivals`."""
        if self._rates is not None:
            return self._rates
        g = self.groups[0]
        per_day = sum(x.per_year for x in self.groups) / DAYS_PER_YEAR
        return ArrivalRate(per_day, g.trend_per_year, g.season_amplitude, g.peak_day)

    def group_index(self, u: float, day: float) -> int:
        """The group of a child arriving on `day`, from its first uniform."""
        if self._rates is not None:
            return self._rates.group(day, u)
        return min(bisect.bisect_right(self._group_cdf, u), len(self.groups) - 1)

    def profile_key(self, u: np.ndarray, day: float = 0.0) -> tuple[object, ...]:
        """The discrete profile features drawn from one child's uniforms."""
        g = self.groups[self.group_index(float(u[0]), day)]
        age = g.age_min + min(int(u[1] * (g.age_max - g.age_min + 1)), g.age_max - g.age_min)
        m, t = self.mix, self._tables
        return (
            g.municipality,
            age,
            Sex.M if u[2] < 0.5 else Sex.V,
            _pick(*t["severity"], u[3]),
            _pick(*t["complexity"], u[4]),
            _pick(*t["externalising"], u[5]),
            bool(u[6] < m.treatment_need),
            bool(u[7] < m.trauma),
            bool(u[8] < m.lvb),
            bool(u[9] < m.network_family_available),
            _pick(*t["parents_view"], u[10]),
            _pick(*t["perspective"], u[11]),
            bool(u[12] < m.child_agrees),
            bool(u[13] < g.crisis_share),
        )

    def _profile(self, key: tuple[object, ...], on: date) -> Profile:
        (
            muni,
            age,
            sex,
            sev,
            cx,
            ext,
            treat,
            trauma,
            lvb,
            network,
            parents,
            persp,
            agrees,
            crisis,
        ) = key
        return Profile(
            age=int(str(age)),
            reference_date=on,
            sex=Sex(str(sex)),
            severity=Severity(str(sev)),
            complexity=Complexity(str(cx)),
            externalising=Externalising(str(ext)),
            treatment_need=bool(treat),
            trauma=bool(trauma),
            lvb=bool(lvb),
            network_family_available=bool(network),
            parents_view=ParentsView(str(parents)),
            perspective=Perspective(str(persp)),
            child_agrees=bool(agrees),
            crisis=bool(crisis),
            home_municipality=Municipality(str(muni)),
            responsible_municipality=Municipality(str(muni)),
        )

    def draw(self, rng: np.random.Generator, index: int, day: float) -> ChildNeed:
        """The need of child number `index`, arriving on `day`, with its advice as payload."""
        u = rng.random(UNIFORMS_PER_CHILD)
        key = self.profile_key(u, day)
        on = self.start_date + timedelta(days=math.floor(day))
        profile = self._profile(key, on)
        advice = self._advice.get(key)
        if advice is None:
            advice = advise(profile)
            self._advice[key] = advice
        referral = Referral(
            referral_id=f"K{index:07d}",
            age=profile.years,
            sex=profile.sex,
            advice=advice,
            perspective=profile.perspective,
            deadline=on,
            waiting_since=on,
            crisis=profile.crisis,
            home_municipality=profile.home_municipality,
            responsible_municipality=profile.responsible_municipality,
        )
        only_first = referral.model_copy(
            update={"advice": advice.model_copy(update={"alternatives": ()})}
        )
        case = ChildCase(profile, advice, referral, only_first)
        return ChildNeed(
            str(advice.first_best),
            tuple(str(a) for a in advice.alternatives),
            str(profile.home_municipality),
            case,
        )
