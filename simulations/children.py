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

Sibling groups (`profile_mix.siblings`, optional): a `share` of the arrival *events* is a
group of k children (k drawn from `sizes`). `per_year` keeps counting children, so the
event rate is per_year divided by the mean children per event (1 + share * (E[k] - 1)),
and adding siblings clusters the same inflow instead of raising it; the arrivals totals
count children. Per event the engine asks `group_sizes` (a separate "siblings" stream, two
uniforms per event) and calls `draw_group`, which takes the lead child's 14 uniforms from
the profiles stream (as `draw` does) and always (MAX_GROUP_SIZE - 1) * 14 more from a
separate stream for the other siblings, whether or not the event is a group: changing
`share` or `sizes` never shifts another event's children (common random numbers).
Siblings share the lead's municipality and age band, crisis (urgency), parents' view and
perspective; every other field (age, sex, severity, ...) is drawn per child. Assumption
(no source): a sibling's age is uniform over the lead's age band, so the band shares of
the children stay as in the file. Each child is advised by the real afwegingskader with
its siblings in the profile (so "samen, tenzij" and the sibling-group capability apply);
the matcher needs one advice per group (matcher.batch.sibling_groups), so every sibling's
referral, and the need the engine checks, carry the lead child's advice (`ChildCase.advice`
keeps the child's own). All referrals of a group share `sibling_group` "G" + lead index.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np

from afwegingskader.engine import advise
from afwegingskader.models import (
    Advice,
    Complexity,
    Externalising,
    ParentsView,
    Profile,
    Severity,
    SiblingLink,
)
from domain.errors import InvalidInput
from domain.people import Perspective, Sex
from domain.places import Municipality
from matcher.models import Referral
from simulations.distributions import DAYS_PER_YEAR, ArrivalRate, GroupArrivalRates
from simulations.model import ChildNeed

# Uniforms per child: group, age, sex, severity, complexity, externalising, treatment, trauma,
# lvb, network, parents, perspective, agrees, crisis.
UNIFORMS_PER_CHILD = 14
MAX_GROUP_SIZE = 6  # children in one sibling group at most


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


@dataclass(frozen=True, slots=True)
class ChildCase:
    """The payload of one arriving child: its profile, advice and the matcher's referrals.

    `advice` is the child's own; a sibling's referrals carry its group's (the lead's) advice.
    """

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
                tuple(self._events(g.per_year) / DAYS_PER_YEAR for g in self.groups),
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

    def _events(self, children: float) -> float:
        """Arrival events for this many children (fewer when some events are groups)."""
        siblings = self.mix.siblings
        return children if siblings is None else children / siblings.children_per_event

    @property
    def per_year(self) -> float:
        """Total arrivals (children) per year over all groups (on day 0, before trend and
        season)."""
        return math.fsum(g.per_year for g in self.groups)

    @property
    def rate(self) -> ArrivalRate | GroupArrivalRates:
        """The rate of arrival events these groups add up to, for `PoissonArrivals`."""
        if self._rates is not None:
            return self._rates
        g = self.groups[0]
        per_day = self._events(sum(x.per_year for x in self.groups)) / DAYS_PER_YEAR
        return ArrivalRate(per_day, g.trend_per_year, g.season_amplitude, g.peak_day)

    def group_index(self, u: float, day: float) -> int:
        """The group of a child arriving on `day`, from its first uniform."""
        if self._rates is not None:
            return self._rates.group(day, u)
        return min(bisect.bisect_right(self._group_cdf, u), len(self.groups) - 1)

    def profile_key(self, u: np.ndarray, day: float = 0.0) -> tuple[object, ...]:
        """The discrete profile features drawn from one child's uniforms."""
        return self._key(self.groups[self.group_index(float(u[0]), day)], u)

    def _key(self, g: ArrivalGroup, u: np.ndarray) -> tuple[object, ...]:
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

    def _profile(
        self, key: tuple[object, ...], on: date, siblings: tuple[SiblingLink, ...] = ()
    ) -> Profile:
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
            siblings=siblings,
            home_municipality=Municipality(str(muni)),
            responsible_municipality=Municipality(str(muni)),
        )

    def draw(self, rng: np.random.Generator, index: int, day: float) -> ChildNeed:
        """The need of child number `index`, arriving on `day`, with its advice as payload."""
        u = rng.random(UNIFORMS_PER_CHILD)
        key = self.profile_key(u, day)
        on = self.start_date + timedelta(days=math.floor(day))
        return self._child(index, key, on, (), None, None)

    def group_sizes(self, rng: np.random.Generator, events: int) -> np.ndarray | None:
        """Children per arrival event (None without `siblings`), two uniforms per event."""
        siblings = self.mix.siblings
        if siblings is None:
            return None
        u = rng.random((events, 2))
        values = sorted(siblings.sizes)
        total = math.fsum(siblings.sizes.values())
        cdf = np.cumsum([siblings.sizes[k] / total for k in values])
        pick = np.minimum(np.searchsorted(cdf, u[:, 1], side="right"), len(values) - 1)
        sizes = np.asarray(values, dtype=np.int64)[pick]
        return np.where(u[:, 0] < siblings.share, sizes, 1).astype(np.int64)

    def draw_group(
        self,
        rng: np.random.Generator,
        extra: np.random.Generator,
        index: int,
        day: float,
        size: int,
    ) -> tuple[ChildNeed, ...]:
        """The needs of the `size` children of one arrival event (numbered from `index`):
        the lead from `rng` as in `draw`, the siblings from `extra` (see the module doc)."""
        u = rng.random(UNIFORMS_PER_CHILD)
        w = extra.random((MAX_GROUP_SIZE - 1, UNIFORMS_PER_CHILD))
        g = self.groups[self.group_index(float(u[0]), day)]
        lead = self._key(g, u)
        on = self.start_date + timedelta(days=math.floor(day))
        if size == 1:
            return (self._child(index, lead, on, (), None, None),)
        keys = [lead]
        for j in range(size - 1):
            own = list(self._key(g, w[j]))
            for shared in (10, 11, 13):  # parents' view, perspective, crisis
                own[shared] = lead[shared]
            keys.append(tuple(own))
        ids = [f"K{index + j:07d}" for j in range(size)]
        group = f"G{index:07d}"
        children, advice = [], None
        for j, key in enumerate(keys):
            links = tuple(SiblingLink(id=x) for x in ids if x != ids[j])
            need = self._child(index + j, key, on, links, advice, group)
            if advice is None:
                assert isinstance(need.payload, ChildCase)
                advice = need.payload.advice
            children.append(need)
        return tuple(children)

    def _child(
        self,
        index: int,
        key: tuple[object, ...],
        on: date,
        links: tuple[SiblingLink, ...],
        group_advice: Advice | None,
        group: str | None,
    ) -> ChildNeed:
        """One child's need; a sibling's referral carries `group_advice` (None: its own)."""
        profile = self._profile(key, on, links)
        cache = (*key, len(links)) if links else key
        advice = self._advice.get(cache)
        if advice is None:
            advice = advise(profile)
            self._advice[cache] = advice
        placed_on = advice if group_advice is None else group_advice
        referral = Referral(
            referral_id=f"K{index:07d}",
            age=profile.years,
            sex=profile.sex,
            advice=placed_on,
            perspective=profile.perspective,
            deadline=on,
            waiting_since=on,
            crisis=profile.crisis,
            sibling_group=group,
            home_municipality=profile.home_municipality,
            responsible_municipality=profile.responsible_municipality,
        )
        only_first = referral.model_copy(
            update={"advice": placed_on.model_copy(update={"alternatives": ()})}
        )
        case = ChildCase(profile, advice, referral, only_first)
        return ChildNeed(
            str(placed_on.first_best),
            tuple(str(a) for a in placed_on.alternatives),
            str(profile.home_municipality),
            case,
            group,
        )
