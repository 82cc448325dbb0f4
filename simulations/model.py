"""What a simulation runs: the scenario (units, demand, stays, rules) and the run settings.

Plain frozen dataclasses, validated on construction with errors that name the field. Care
forms and locations are strings so the engine works with `domain.care.CareForm` and
`domain.places.Municipality` (both StrEnum) as well as with abstract test models.

Two seams for the real afwegingskader and matcher:
- `ChildSource.draw` is called once per arrival (from its own random stream) and returns
  the child's need: first-best care form, acceptable alternatives, home, and an opaque
  payload (for example the Profile and the Advice).
- `AllocationPolicy.allocate` is called only when a placement can change (an arrival, a
  departure, a hold ending, a first-best wait expiring, a capacity change) with the
  waiting children and the units' current capacity; it returns assignments.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol, runtime_checkable

import numpy as np

from domain.errors import InvalidInput
from simulations.distributions import ArrivalProcess, Distribution
from simulations.out_of_region import OutOfRegion
from simulations.regions import ScenarioRegions


@dataclass(frozen=True, slots=True)
class UnitSpec:
    """A unit with places of one care form at one location; payload is for the matcher."""

    unit_id: str
    care_form: str
    places: int
    location: str = ""
    payload: object = None
    # Children already in care on day 0; their remaining stays are drawn from the
    # equilibrium residual of the care form's stay distribution.
    occupied: int = 0

    def __post_init__(self) -> None:
        if not self.unit_id:
            raise InvalidInput("mag niet leeg zijn", field="unit_id")
        if self.places < 0:
            raise InvalidInput(f"mag niet negatief zijn, niet {self.places}", field="places")
        if not 0 <= self.occupied <= self.places:
            raise InvalidInput(
                f"moet tussen 0 en places liggen, niet {self.occupied}", field="occupied"
            )


@dataclass(frozen=True, slots=True)
class CapacityChange:
    """From `day` on, unit `unit_id` has `delta` more (or fewer) places."""

    day: float
    unit_id: str
    delta: int


@dataclass(frozen=True, slots=True)
class ChildNeed:
    """What one arriving child needs: first-best form first, then acceptable alternatives.

    Children of one sibling group arrive together and share `sibling_group` (else None).
    `home` (municipality) and `age` are recorded for the results per group ("": unknown,
    None: no age).
    """

    first_best: str
    alternatives: tuple[str, ...] = ()
    home: str = ""
    payload: object = None
    sibling_group: str | None = None
    age: int | None = None

    @property
    def acceptable(self) -> tuple[str, ...]:
        """First-best followed by the alternatives, in order of preference."""
        return (self.first_best, *self.alternatives)


class ChildSource(Protocol):
    """Draws the need of each arriving child, in arrival order, from its own stream."""

    def draw(self, rng: np.random.Generator, index: int, day: float) -> ChildNeed:
        """The need of child number `index`, arriving on `day`."""
        ...


@runtime_checkable
class BlockSource(Protocol):
    """A ChildSource that can draw every child of a run at once (children.ProfileSource)."""

    def draw_all(
        self, rng: np.random.Generator, days: np.ndarray, *, first: int = 0
    ) -> list[ChildNeed]:
        """What `draw` gives for children `first`, `first` + 1, ... arriving on `days`."""
        ...


@runtime_checkable
class GroupedSource(Protocol):
    """A ChildSource whose arrival events may be sibling groups (children.ProfileSource).

    The engine asks `group_sizes` once per run (from the "siblings" stream); when it is
    not None, every arrival event is drawn with `draw_group` instead of `draw`.
    """

    def group_sizes(self, rng: np.random.Generator, events: int) -> np.ndarray | None:
        """Children per arrival event, or None when every event is one child."""
        ...

    def draw_group(
        self,
        rng: np.random.Generator,
        extra: np.random.Generator,
        index: int,
        day: float,
        size: int,
    ) -> tuple[ChildNeed, ...]:
        """The needs of the `size` children of one event, numbered from `index`."""
        ...


@dataclass(frozen=True, slots=True)
class DemandClass:
    """A kind of child with its share of arrivals and, optionally, home weights."""

    name: str
    share: float
    first_best: str
    alternatives: tuple[str, ...] = ()
    homes: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True, slots=True)
class DemandMix:
    """A ChildSource drawing a DemandClass by share, then a home by weight."""

    classes: tuple[DemandClass, ...]
    _class_cdf: tuple[float, ...] = field(init=False, repr=False, compare=False)
    _home_cdfs: tuple[tuple[float, ...], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.classes:
            raise InvalidInput("minstens een klasse nodig", field="classes")
        for i, cls in enumerate(self.classes):
            if not math.isfinite(cls.share) or cls.share < 0:
                raise InvalidInput("moet 0 of groter zijn", field=f"classes[{i}].share")
            if any(w < 0 or not math.isfinite(w) for _, w in cls.homes):
                raise InvalidInput("gewichten moeten 0 of groter zijn", field=f"classes[{i}].homes")
            if cls.homes and sum(w for _, w in cls.homes) <= 0:
                raise InvalidInput("de som moet groter dan 0 zijn", field=f"classes[{i}].homes")
        if sum(c.share for c in self.classes) <= 0:
            raise InvalidInput("de som van de aandelen moet groter dan 0 zijn", field="classes")
        object.__setattr__(self, "_class_cdf", _cdf([c.share for c in self.classes]))
        homes = tuple(_cdf([w for _, w in c.homes]) for c in self.classes)
        object.__setattr__(self, "_home_cdfs", homes)

    def draw(self, rng: np.random.Generator, index: int, day: float) -> ChildNeed:
        """The need of child number `index`, arriving on `day`."""
        # Always two uniforms per child, so changing the mix never shifts later children.
        u_class, u_home = rng.random(), rng.random()
        k = min(bisect.bisect_right(self._class_cdf, u_class), len(self.classes) - 1)
        cls = self.classes[k]
        home = ""
        if cls.homes:
            cdf = self._home_cdfs[k]
            home = cls.homes[min(bisect.bisect_right(cdf, u_home), len(cdf) - 1)][0]
        return ChildNeed(cls.first_best, cls.alternatives, home)


def _cdf(weights: list[float]) -> tuple[float, ...]:
    total = math.fsum(weights)
    running, out = 0.0, []
    for w in weights:
        running += w
        out.append(running / total)
    return tuple(out)


def single_form_demand(care_form: str) -> DemandMix:
    """Every child needs `care_form` and accepts nothing else (the Erlang models)."""
    return DemandMix((DemandClass("alle", 1.0, care_form),))


@dataclass(frozen=True, slots=True)
class PlacementRules:
    """What happens to a child without a place, and how long first-best is waited for.

    no_place: "queue" waits in a queue (FIFO order of arrival is the policy's business);
      "out_of_region" places the child outside the region at once (a loss system).
    accept_alternatives: whether an alternative care form may be taken at all.
    first_best_wait_days: in a queue, days waited for first-best before alternatives count.
    max_queue_days: in a queue, days after which the child is placed out of region (None:
      waits as long as it takes).
    hold_days / acceptance_probability: a proposal holds the place for hold_days; then the
      placement starts with this probability, else the place frees and the child waits on.
    norm_days: the norm for the start of a placement (14 days after the beschikking).
    first_best_expected: decide per child whether to wait for first-best: wait while a
      first-best place is expected within first_best_wait_days (from the places of that
      form, their expected departures and the children ahead in the queue), else take an
      alternative at once (False: always wait first_best_wait_days). With an allocation
      policy that knows the units that fit each child (simulations.matching.MatcherPolicy):
      from the units that fit THIS child, and a child that no unit in the region fits in
      any acceptable care form goes out of region at once (a deviation, not a wait of
      max_queue_days); see matcher.expected.
    crisis_priority_days: for that estimate, a crisis counts as this many days waited
      (the policy's crisis urgency): waiting children with less are not ahead of it.
    region_expected_days: with first_best_expected and such a policy, a child for whom no
      place in the region (any acceptable care form that fits it) is expected within this
      many days goes out of region at once (a deviation with its reason), instead of
      waiting in vain until max_queue_days (None: no such rule).
    take_free_alternative: with first_best_expected and such a policy, a child for whom no
      first-best place is free now takes a free place in an alternative form at once (else
      it does so only when no first-best place is expected within first_best_wait_days).
    """

    no_place: Literal["queue", "out_of_region"] = "queue"
    accept_alternatives: bool = True
    first_best_wait_days: float = 0.0
    max_queue_days: float | None = None
    hold_days: float = 0.0
    acceptance_probability: float = 1.0
    norm_days: float = 14.0
    first_best_expected: bool = False
    crisis_priority_days: float = 0.0
    region_expected_days: float | None = None
    take_free_alternative: bool = False

    def __post_init__(self) -> None:
        if self.no_place not in ("queue", "out_of_region"):
            raise InvalidInput("kies 'queue' of 'out_of_region'", field="no_place")
        for name in ("first_best_wait_days", "hold_days", "norm_days"):
            value = getattr(self, name)
            if math.isnan(value) or value < 0:
                raise InvalidInput("mag niet negatief zijn", field=name)
        if self.max_queue_days is not None and (
            math.isnan(self.max_queue_days) or self.max_queue_days < 0
        ):
            raise InvalidInput("mag niet negatief zijn", field="max_queue_days")
        if not 0.0 < self.acceptance_probability <= 1.0:
            raise InvalidInput("moet in (0, 1] liggen", field="acceptance_probability")


@dataclass(frozen=True, slots=True)
class RunSettings:
    """The clock of one run: horizon, warm-up and sampling interval, all in days."""

    horizon_days: float
    warmup_days: float = 0.0
    sample_every_days: float = 30.0

    def __post_init__(self) -> None:
        if not math.isfinite(self.warmup_days) or self.warmup_days < 0:
            raise InvalidInput("mag niet negatief zijn", field="warmup_days")
        if not math.isfinite(self.horizon_days) or self.horizon_days <= self.warmup_days:
            raise InvalidInput(
                f"moet groter zijn dan warmup_days ({self.warmup_days}), niet {self.horizon_days}",
                field="horizon_days",
            )
        if not math.isfinite(self.sample_every_days) or self.sample_every_days <= 0:
            raise InvalidInput("moet groter dan 0 zijn", field="sample_every_days")


@dataclass(frozen=True, slots=True)
class WaitingChild:
    """A waiting child as a policy sees it; `alternatives_allowed` says if rank > 0 may go."""

    child_id: int
    arrival_day: float
    need: ChildNeed
    alternatives_allowed: bool


@dataclass(frozen=True, slots=True)
class SimUnit:
    """A unit's capacity now, as a policy sees it."""

    unit_id: str
    care_form: str
    location: str
    places: int
    occupied: int
    held: int
    payload: object = None

    @property
    def free(self) -> int:
        """Places neither occupied nor held (never negative)."""
        return max(0, self.places - self.occupied - self.held)


@dataclass(frozen=True, slots=True)
class SimAssignment:
    """Place child `child_id` in unit `unit_id`; reason explains a non-first-best choice."""

    child_id: int
    unit_id: str
    reason: str | None = None


@runtime_checkable
class AllocationPolicy(Protocol):
    """Decides where waiting children go, given the units' current free capacity."""

    @property
    def name(self) -> str:
        """Name recorded in the outputs."""
        ...

    def allocate(
        self, now: float, waiting: Sequence[WaitingChild], units: Sequence[SimUnit]
    ) -> Sequence[SimAssignment]:
        """Assignments for some of the waiting children (each to a unit with a free place)."""
        ...


@dataclass(frozen=True)
class Scenario:
    """The world a simulation runs: units, arrivals, child needs, stays and rules."""

    name: str
    units: tuple[UnitSpec, ...]
    arrivals: ArrivalProcess
    demand: ChildSource
    stays: Mapping[str, Distribution]
    allocation: AllocationPolicy
    rules: PlacementRules = field(default_factory=PlacementRules)
    capacity_changes: tuple[CapacityChange, ...] = ()
    # Where children placed out of region go (None: unknown; simulations.out_of_region).
    out_of_region: OutOfRegion | None = None
    # Several regions (simulations.regions): where each unit and home lies (None: one region).
    regions: ScenarioRegions | None = None

    def __post_init__(self) -> None:
        if not self.units:
            raise InvalidInput("minstens een unit nodig", field="units")
        ids = [u.unit_id for u in self.units]
        if len(set(ids)) != len(ids):
            raise InvalidInput("unit_id komt dubbel voor", field="units")
        for i, unit in enumerate(self.units):
            if unit.care_form not in self.stays:
                raise InvalidInput(
                    f"geen verblijfsduur voor zorgvorm {unit.care_form!r}",
                    field=f"units[{i}].care_form",
                )
        for i, change in enumerate(self.capacity_changes):
            if change.unit_id not in ids:
                raise InvalidInput(
                    f"onbekende unit {change.unit_id!r}", field=f"capacity_changes[{i}].unit_id"
                )
            if not math.isfinite(change.day) or change.day < 0:
                raise InvalidInput("mag niet negatief zijn", field=f"capacity_changes[{i}].day")
        if self.regions is not None and len(self.regions.unit_region) != len(self.units):
            raise InvalidInput("geef van elke unit de regio", field="regions")

    @property
    def care_forms(self) -> tuple[str, ...]:
        """The care forms of the units, sorted, each once."""
        return tuple(sorted({u.care_form for u in self.units}))
