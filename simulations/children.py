"""Synthetic children for a scenario: a profile per arrival, advised by the real afwegingskader.

`ProfileSource.draw` picks an arrival group (municipality and age band, by its share of the
arrival rate on the arrival day), draws the rest of a `Profile` from the scenario's profile
mix, and advises it with `afwegingskader.advisor.Advisor` (exactly
`afwegingskader.engine.advise`, with its memos). `draw_all` does that for every child of a
run at once (the engine's path without sibling groups): the uniforms in one block, the
features column by column (`Features.many`), then each child's advice; `draw` is `draw_all`
for one child. Every child consumes the same fixed number of uniforms from the profiles
stream, so changing one share never shifts the children after it (common random numbers).
The advice does not depend on the reference date when the age is given.

Groups may have their own trend and season. When they all share one, every group's share is
constant and `rate` is one `ArrivalRate` (the stationary path); otherwise `rate` is the
groups' `GroupArrivalRates` and a child's group is drawn with the groups' shares of the rate
on its arrival day, so that each group arrives at exactly its own rate.

Sibling groups (`profile_mix.siblings`, optional): a `share` of the arrival *events* is a
group of k children (k drawn from `sizes`). `per_year` keeps counting children, so the
event rate is per_year divided by the mean children per event (1 + share * (E[k] - 1)),
and adding siblings clusters the same inflow instead of raising it; the arrivals totals
count children. Per event the engine asks `group_sizes` (a separate "siblings" stream, two
uniforms per event) and calls `draw_group`, which takes the lead child's 21 uniforms from
the profiles stream (as `draw` does) and always (MAX_GROUP_SIZE - 1) * 21 more from a
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

import math
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import numpy as np

from afwegingskader.advisor import Advisor
from afwegingskader.models import Advice, Profile, SiblingLink
from domain.errors import InvalidInput
from domain.trusted import check, replaced, trusted
from matcher.models import MatchRequest
from simulations.distributions import DAYS_PER_YEAR, ArrivalRate, GroupArrivalRates
from simulations.model import ChildNeed
from simulations.profile_mix import MAX_GROUP_SIZE, ArrivalGroup, Drawn, Features, ProfileMix

# The fields given to Profile and MatchRequest (the others keep their defaults): their fields set.
_PROFILE_SET = frozenset(Profile.model_fields) - {
    "birth_date",
    "capj",
    "earlier_placements",
    "earlier_breakdowns",
    "continuation_of_current_placement",
    "current_care_form",
    "religion_wish",
    "culture_wish",
}
_REFERRAL_SET = frozenset(MatchRequest.model_fields) - {
    "school_municipality",
    "network_municipalities",
    "excluded_units",
}
check(Profile)
check(MatchRequest)
check(Advice)

# Uniforms per child: group, age, sex, severity, complexity, externalising, treatment, trauma,
# lvb, network, parents, perspective, agrees, crisis, psychiatric, substance use, running
# away, suicidality, parents' problems, earlier ambulant help, network safety.
UNIFORMS_PER_CHILD = 21


@dataclass(frozen=True, slots=True)
class ChildCase:
    """The payload of one arriving child: its profile, advice and the matcher's referrals.

    `advice` is the child's own; a sibling's referrals carry its group's (the lead's) advice.
    """

    profile: Profile
    advice: Advice
    referral: MatchRequest
    first_best_only: MatchRequest


@dataclass
class ProfileSource:
    """A `ChildSource` that draws profiles and asks the real afwegingskader for advice."""

    groups: tuple[ArrivalGroup, ...]
    mix: ProfileMix
    start_date: date
    _group_cdf: list[float] = field(init=False, repr=False)
    _rates: GroupArrivalRates | None = field(init=False, repr=False, default=None)
    _features: Features = field(init=False, repr=False)
    # The afwegingskader with its advice per distinct outcome (built on first use, not
    # pickled), and per advice the same without alternatives (the first-best-only
    # referral's); neither counts when sources are compared.
    _advisor: Advisor | None = field(init=False, repr=False, default=None, compare=False)
    _first_only: dict[int, tuple[Advice, Advice, str, tuple[str, ...]]] = field(
        init=False, repr=False, default_factory=dict, compare=False
    )

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
        self._features = Features(self.mix)

    def __getstate__(self) -> dict[str, object]:
        """Pickled (to a worker process) without the afwegingskader and the caches."""
        return {**self.__dict__, "_advisor": None, "_first_only": {}}

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
        return min(bisect_right(self._group_cdf, u), len(self.groups) - 1)

    def profile_key(self, u: np.ndarray, day: float = 0.0) -> Drawn:
        """The discrete profile features drawn from one child's uniforms (as the Profile's
        values: enum members, int, bool)."""
        values = u.tolist()
        return self._features.one(self.groups[self.group_index(values[0], day)], values)

    def _group_indices(self, u: np.ndarray, days: np.ndarray) -> np.ndarray:
        """`group_index` of each child, from its first uniform and its arrival day."""
        if self._rates is None:
            found = np.searchsorted(self._group_cdf, u, side="right")
            return np.minimum(found, len(self.groups) - 1)
        rates = self._rates
        return np.asarray(
            [rates.group(day, x) for day, x in zip(days.tolist(), u.tolist(), strict=True)],
            dtype=np.int64,
        )

    @staticmethod
    def _profile(key: Drawn, on: date, siblings: tuple[SiblingLink, ...]) -> Profile:
        """The child's Profile, without validation: every value is valid by construction
        (enum members from the mix's tables, the age within its band: scenario_arrivals)."""
        muni = key.municipality
        return trusted(
            Profile,
            {
                "birth_date": None,
                "age": key.age,
                "reference_date": on,
                "sex": key.sex,
                "capj": (),
                "severity": key.severity,
                "complexity": key.complexity,
                "externalising": key.externalising,
                "treatment_need": key.treatment_need,
                "trauma": key.trauma,
                "lvb": key.lvb,
                "psychiatric": key.psychiatric,
                "substance_use": key.substance_use,
                "runaway_exploitation": key.runaway_exploitation,
                "suicidality": key.suicidality,
                "parents_problems": key.parents_problems,
                "earlier_ambulant_help": key.earlier_ambulant_help,
                "earlier_placements": 0,
                "earlier_breakdowns": 0,
                "parents_view": key.parents_view,
                "child_agrees": key.child_agrees,
                "network_family_available": key.network_family_available,
                "network_safety": key.network_safety,
                "perspective": key.perspective,
                "crisis": key.crisis,
                "siblings": siblings,
                "home_municipality": muni,
                "responsible_municipality": muni,
                "continuation_of_current_placement": False,
                "current_care_form": None,
                "religion_wish": None,
                "culture_wish": None,
            },
            _PROFILE_SET,
        )

    def draw(self, rng: np.random.Generator, index: int, day: float) -> ChildNeed:
        """The need of child number `index`, arriving on `day`, with its advice as payload."""
        return self.draw_all(rng, np.asarray([day], dtype=np.float64), first=index)[0]

    def draw_all(
        self, rng: np.random.Generator, days: np.ndarray, *, first: int = 0
    ) -> list[ChildNeed]:
        """The needs of children `first`, `first` + 1, ... arriving on `days`: what `draw`
        gives for each in turn (the same uniforms, in the same order), drawn at once."""
        u = rng.random((len(days), UNIFORMS_PER_CHILD))
        keys = self._features.many(self.groups, self._group_indices(u[:, 0], days), u)
        whole = np.floor(days).astype(np.int64).tolist()
        dates = {d: self._date(d) for d in set(whole)}
        child = self._child
        return [
            child(first + k, key, dates[d], (), None, None)
            for k, (key, d) in enumerate(zip(keys, whole, strict=True))
        ]

    def _date(self, day: float) -> date:
        """The date of arrival day `day`."""
        return self.start_date + timedelta(days=math.floor(day))

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
        u = rng.random(UNIFORMS_PER_CHILD).tolist()
        w = extra.random((MAX_GROUP_SIZE - 1, UNIFORMS_PER_CHILD))
        g = self.groups[self.group_index(u[0], day)]
        features = self._features
        lead = features.one(g, u)
        on = self._date(day)
        if size == 1:
            return (self._child(index, lead, on, (), None, None),)
        keys = [lead]
        others = w.tolist()
        for j in range(size - 1):
            own = features.one(g, others[j])
            keys.append(
                own._replace(
                    parents_view=lead.parents_view, perspective=lead.perspective, crisis=lead.crisis
                )
            )
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
        key: Drawn,
        on: date,
        links: tuple[SiblingLink, ...],
        group_advice: Advice | None,
        group: str | None,
    ) -> ChildNeed:
        """One child's need; a sibling's referral carries `group_advice` (None: its own)."""
        profile = self._profile(key, on, links)
        advisor = self._advisor
        if advisor is None:
            advisor = self._advisor = Advisor()
        advice = advisor.advise(profile)
        placed_on = advice if group_advice is None else group_advice
        # Referrals without validation too: the values come from the profile and advice.
        fields: dict[str, Any] = {
            "referral_id": f"K{index:07d}",
            "age": key.age,
            "sex": key.sex,
            "advice": placed_on,
            "perspective": key.perspective,
            "deadline": on,
            "waiting_since": on,
            "crisis": key.crisis,
            "sibling_group": group,
            "home_municipality": key.municipality,
            "responsible_municipality": key.municipality,
            "school_municipality": None,
            "network_municipalities": (),
            "excluded_units": (),
        }
        _, only, first_best, alternatives = self._forms(placed_on)
        referral = trusted(MatchRequest, fields, _REFERRAL_SET)
        only_first = trusted(MatchRequest, {**fields, "advice": only}, _REFERRAL_SET)
        case = ChildCase(profile, advice, referral, only_first)
        return ChildNeed(first_best, alternatives, str(key.municipality), case, group, age=key.age)

    def _forms(self, advice: Advice) -> tuple[Advice, Advice, str, tuple[str, ...]]:
        """The advice, the same without alternatives (the first-best-only referral's), and
        its first-best form and alternatives as strings (kept per advice object)."""
        hit = self._first_only.get(id(advice))
        if hit is not None and hit[0] is advice:
            return hit
        only = replaced(advice, {"alternatives": ()})
        alternatives = tuple(str(a) for a in advice.alternatives)
        hit = (advice, only, str(advice.first_best), alternatives)
        if len(self._first_only) >= 20_000:
            self._first_only.clear()
        self._first_only[id(advice)] = hit
        return hit
