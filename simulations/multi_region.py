"""The allocation policy of a scenario over several regions (simulations.regions).

`MultiRegionPolicy` holds one `simulations.matching.MatcherPolicy` per region, each over
its own region's units only, and hands each the waiting children whose home lies in that
region: in region means the home region's units, for the plans as for the wait-or-take
and out-of-region rules (`first_best_fits` answers with the home region's units). The
engine sees one policy; each region's policy sees a list of its units that is kept in step
with the engine's (the same unit state objects), so its own caches work as in a
single-region run. The session bits `first_best_fits` returns are the engine's unit
indices (bit g: unit g), so the children of different regions never share a bit.

`place_elsewhere` is the engine's seam for a child about to leave its region: the free
units of the other regions that pass the child's hard rules in an acceptable care form,
and of those the one the matcher picks for it alone, with the placement policy's weights
except the region term (every candidate is out of the child's region; the deployment's
selected region must not favour one of them): care form, then distance and the rest of
the policy's fine print. None when no such unit is free: the child goes outside every
modelled region as in a single-region run. Children of a sibling group never move to
another region alone (they go out of region as before).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from capacity.snapshot import UnitView
from matcher.session import Session
from matcher.weights import Weights
from simulations.children import ChildCase
from simulations.matching import MatcherPolicy
from simulations.matching_run import template, unit_view
from simulations.model import ChildNeed, SimAssignment, SimUnit, WaitingChild
from simulations.regions import ScenarioRegions


@dataclass
class _Run:
    """One engine run: its units list, and each region's list of its units, kept in step."""

    units: Sequence[SimUnit]
    day: float
    local: list[list[SimUnit]]
    # Per engine child id: its home region (a child keeps its home).
    home: dict[int, int] = field(default_factory=dict)
    cross: bool = False  # the cross session has been checked against these units
    # Per region: its units (indices in its list) changed since its policy was last asked.
    pending: list[set[int]] = field(default_factory=list)


@dataclass
class MultiRegionPolicy:
    """An `AllocationPolicy` (and `ChangeAware`) over several regions; see the module doc."""

    regions: ScenarioRegions
    policies: tuple[MatcherPolicy, ...]
    _run: _Run | None = field(default=None, repr=False)
    _cross: Session | None = field(default=None, repr=False)
    _views: dict[tuple[str, int, int, int], UnitView] = field(default_factory=dict, repr=False)
    # Per (region, bits of its policy's session): the engine's units and bits.
    _bits: dict[tuple[int, int], tuple[list[int], int]] = field(default_factory=dict, repr=False)
    # Per row of the cross session: the engine's unit index.
    _cross_unit: list[int] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        if len(self.policies) != len(self.regions.names):
            raise ValueError("one policy per region")
        # Per engine unit: its index in its region's list.
        local = [0] * len(self.regions.unit_region)
        for units in self.regions.units_of:
            for k, unit in enumerate(units):
                local[unit] = k
        self._local = local

    @property
    def name(self) -> str:
        """Name recorded in the outputs (the regions' policies share their mode)."""
        return self.policies[0].name

    def __getstate__(self) -> dict[str, object]:
        """Pickled (to a worker process) without the run state and caches."""
        return {**self.__dict__, "_run": None, "_cross": None, "_views": {}, "_bits": {},
                "_cross_unit": []}  # fmt: skip

    def allocate(
        self, now: float, waiting: Sequence[WaitingChild], units: Sequence[SimUnit]
    ) -> list[SimAssignment]:
        """Each region's assignments for its own waiting children in its own units."""
        return self.allocate_changed(now, waiting, units, None, None)

    def allocate_changed(
        self,
        now: float,
        waiting: Sequence[WaitingChild],
        units: Sequence[SimUnit],
        units_changed: set[int] | None,
        children_changed: Mapping[int, WaitingChild] | None,
    ) -> list[SimAssignment]:
        """`allocate`, told what changed (simulations.policies.ChangeAware). A region's
        policy is asked when one of its units or waiting children changed since it was
        last asked (the units that changed meanwhile are kept for it), or when the engine
        does not say what changed."""
        run = self._state(now, units)
        home, regions = run.home, range(len(self.policies))
        if units_changed is None or children_changed is None:
            for child in waiting:
                self._home(run, child.child_id, child.need)
            self._copy_all(run, units)
            for pending_units in run.pending:  # each region's policy now looks at every unit
                pending_units.clear()
            ask = list(regions)
            news: list[dict[int, WaitingChild] | None] = [None] * len(self.policies)
        else:
            unit_region, local, pending = self.regions.unit_region, self._local, run.pending
            for g in units_changed:
                r, k = unit_region[g], local[g]
                run.local[r][k] = units[g]
                pending[r].add(k)
            news = [{} for _ in regions]
            for cid, child in children_changed.items():
                news[self._home(run, cid, child.need)][cid] = child  # type: ignore[index]
            ask = [r for r in regions if pending[r] or news[r]]
        out: list[SimAssignment] = []
        for r in ask:
            mine = [c for c in waiting if home[c.child_id] == r]
            changed: set[int] | None = None
            if news[r] is not None:
                changed, run.pending[r] = run.pending[r], set()
            out += self.policies[r].allocate_changed(now, mine, run.local[r], changed, news[r])
        return out

    def first_best_fits(
        self, now: float, units: Sequence[SimUnit], case: object
    ) -> tuple[int, list[int], int, list[int]]:
        """`MatcherPolicy.first_best_fits` over the units of the child's home region, as
        engine unit indices and bits (bit g: engine unit g)."""
        assert isinstance(case, ChildCase)
        run = self._state(now, units)
        r = self._region_of_case(case)
        bits, first, every, any_form = self.policies[r].first_best_fits(now, run.local[r], case)
        first_units, first_bits = self._engine(r, bits, first)
        every_units, every_bits = self._engine(r, every, any_form)
        return first_bits, first_units, every_bits, every_units

    def place_elsewhere(
        self, now: float, need: ChildNeed, units: Sequence[SimUnit], unit_free: Sequence[int]
    ) -> int | None:
        """The engine index of the unit of another region that this child, about to leave
        its region, is placed in now; None: none is free (see the module doc)."""
        case = need.payload
        if not isinstance(case, ChildCase) or case.referral.sibling_group is not None:
            return None
        run = self._state(now, units)
        session = self._session(run)
        home = self._region_of_case(case)
        unit_region, fits = self.regions.unit_region, session.fits(case.referral)
        candidates = []
        while fits:
            low = fits & -fits
            g = self._cross_unit[low.bit_length() - 1]
            if unit_region[g] != home and unit_free[g] > 0:
                candidates.append(g)
            fits ^= low
        if not candidates:
            return None
        candidates.sort()
        views = [unit_view(units[g], self._views) for g in candidates]
        today = self.policies[home].start_date + timedelta(days=int(now))
        for placement in session.assign([case.referral], views, today=today):
            if placement.available_from <= today:
                return candidates[[v.unit_id for v in views].index(placement.unit_id)]
        return None

    def _state(self, now: float, units: Sequence[SimUnit]) -> _Run:
        """This run's state; a new units list (or time going back) starts a new run."""
        run = self._run
        if run is None or run.units is not units or now < run.day:
            local = [[units[g] for g in group] for group in self.regions.units_of]
            run = self._run = _Run(units, now, local, pending=[set() for _ in local])
            self._bits.clear()  # the regions' sessions may be new
        run.day = now
        return run

    def _copy_all(self, run: _Run, units: Sequence[SimUnit]) -> None:
        for group, mine in zip(self.regions.units_of, run.local, strict=True):
            for k, g in enumerate(group):
                mine[k] = units[g]

    def _home(self, run: _Run, child: int, need: ChildNeed) -> int:
        region = run.home.get(child)
        if region is None:
            region = run.home[child] = self._region_of_home(need.home)
        return region

    def _region_of_case(self, case: ChildCase) -> int:
        return self._region_of_home(str(case.referral.home_municipality))

    def _region_of_home(self, home: str) -> int:
        region = self.regions.region_of(home)
        if region < 0:
            raise ValueError(f"gemeente {home} hoort bij geen regio van het scenario")
        return region

    def _engine(self, r: int, bits: int, local: list[int]) -> tuple[list[int], int]:
        """Region r's session bits and units as engine units and bits (cached)."""
        found = self._bits.get((r, bits))
        if found is None:
            group = self.regions.units_of[r]
            units = [group[k] for k in local]
            found = (units, sum(1 << g for g in set(units)))
            if len(self._bits) > 10_000:
                self._bits.clear()
            self._bits[(r, bits)] = found
        return found

    def _session(self, run: _Run) -> Session:
        """The session over every unit, for `place_elsewhere` (checked once per run)."""
        session = self._cross
        if run.cross:
            assert session is not None
            return session
        templates = [template(u) for u in run.units]
        if session is None or session.units != templates:
            first = self.policies[0]
            session = Session(templates, weights=_without_region(first.weights),
                              settings=first.settings)  # fmt: skip
            self._cross = session
            at = [0] * len(templates)
            for g, view in enumerate(templates):
                row = session.row(view.unit_id)
                assert row is not None  # the session is built from these units
                at[row] = g
            self._cross_unit = at
        session.forget_referrals()  # the previous run's children are gone
        run.cross = True
        return session


def _without_region(weights: Weights) -> Weights:
    """The weights without the region term (every candidate is outside the child's region)."""
    params = {**weights.params, "region": {**weights.params["region"], "in_region": 0}}
    return dataclasses.replace(weights, params=params)
