"""Allocation policies that call the real matcher (`matcher.batch.plan`) inside the engine.

Engine days become dates from the scenario's start date. Each call hands the matcher only
what can change a placement now: the waiting children whose acceptable care forms have a
free place, and the units with a free place (as `UnitView`s with their current places,
occupied and held). A child still waiting for first-best (`alternatives_allowed` False) is
passed with an advice without alternatives, so the matcher cannot offer one too early.

- `optimizer`: one batch plan over all those children at once (the exact optimum).
- `greedy_fcfs`: the same hard rules and scores, but children one at a time in order of
  arrival, each taking its best place among what the earlier ones left (no look-ahead).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from capacity.snapshot import UnitView
from matcher.batch import plan
from matcher.models import Referral, SolverSettings
from matcher.weights import Weights, default_weights
from simulations.children import ChildCase
from simulations.model import Assignment, UnitState, WaitingChild

POLICY_CHOICE_MATCHER = "matcher_choice"


@dataclass
class MatcherPolicy:
    """An `AllocationPolicy` backed by `matcher.batch.plan` (batch or one child at a time)."""

    start_date: date
    mode: str = "optimizer"
    weights: Weights = field(default_factory=default_weights)
    settings: SolverSettings = field(
        default_factory=lambda: SolverSettings(time_limit_s=10.0, workers=1, seed=0)
    )
    calls: int = 0
    _static: dict[int, tuple[ChildCase, frozenset[str]]] = field(default_factory=dict, repr=False)
    _views: dict[tuple[str, int, int, int], UnitView] = field(default_factory=dict, repr=False)

    @property
    def name(self) -> str:
        """Name recorded in the outputs."""
        return self.mode

    def allocate(
        self, now: float, waiting: Sequence[WaitingChild], units: Sequence[UnitState]
    ) -> list[Assignment]:
        """Assignments from the matcher for the waiting children that a free place could fit."""
        free_by_form: dict[str, list[UnitState]] = {}
        for u in units:
            if u.free > 0:
                free_by_form.setdefault(u.care_form, []).append(u)
        referrals: list[Referral] = []
        by_id: dict[str, int] = {}
        fitting: dict[str, UnitState] = {}
        for child in waiting:
            case = child.need.payload
            assert isinstance(case, ChildCase)  # ProfileSource puts it there
            allowed = child.alternatives_allowed
            forms = child.need.acceptable if allowed else child.need.acceptable[:1]
            entry = self._static.get(child.child_id)
            # Keyed by child number, checked by identity: replications reuse the numbers.
            static = entry[1] if entry is not None and entry[0] is case else None
            if static is None:
                if len(self._static) > 50_000:
                    self._static.clear()
                static = frozenset(
                    u.unit_id
                    for u in units
                    if u.care_form in child.need.acceptable and _fits(u, case)
                )
                self._static[child.child_id] = (case, static)
            fits = [u for f in forms for u in free_by_form.get(f, ()) if u.unit_id in static]
            if not fits:
                continue  # no free unit passes this child's static hard rules
            referral = case.referral if allowed else case.first_best_only
            referrals.append(referral)
            by_id[referral.referral_id] = child.child_id
            fitting.update((u.unit_id, u) for u in fits)
        if not referrals:
            return []
        today = self.start_date + timedelta(days=int(now))
        # Units no child can use change no plan: the matcher would never pair them.
        views = {uid: self._view(u) for uid, u in sorted(fitting.items())}
        if self.mode == "optimizer":
            return self._plan(referrals, list(views.values()), today, by_id)
        out: list[Assignment] = []
        for referral in referrals:  # arrival order: the engine passes children that way
            if not views:
                break
            chosen = self._plan([referral], list(views.values()), today, by_id)
            for a in chosen:
                view = views[a.unit_id]
                held = dataclasses.replace(view, held=view.held + 1)
                if held.free_now > 0:
                    views[a.unit_id] = held
                else:
                    del views[a.unit_id]
            out.extend(chosen)
        return out

    def _plan(
        self, referrals: list[Referral], views: list[UnitView], today: date, by_id: dict[str, int]
    ) -> list[Assignment]:
        self.calls += 1
        result = plan(referrals, views, today=today, settings=self.settings, weights=self.weights)
        return [
            Assignment(by_id[a.referral_id], a.unit_id, POLICY_CHOICE_MATCHER)
            for a in sorted(result.assignments, key=lambda a: a.referral_id)
            if a.available_from <= today
        ]

    def _view(self, unit: UnitState) -> UnitView:
        """The unit as the matcher sees it now (cached per capacity state)."""
        key = (unit.unit_id, unit.places, unit.occupied, unit.held)
        view = self._views.get(key)
        if view is None:
            template = unit.payload
            assert isinstance(template, UnitView)  # the scenario loader puts it there
            view = dataclasses.replace(
                template, places=unit.places, occupied=unit.occupied, held=unit.held
            )
            if len(self._views) > 100_000:
                self._views.clear()
            self._views[key] = view
        return view


def _fits(unit: UnitState, case: ChildCase) -> bool:
    """The static hard rules of matcher.scoring.check_pair: form, age, sex policy, skills."""
    view = unit.payload
    assert isinstance(view, UnitView)
    return (
        view.care_form in case.advice.acceptable
        and view.age_min <= case.referral.age <= view.age_max
        and view.sex_policy.admits(case.referral.sex)
        and view.capabilities.issuperset(case.advice.required_capabilities)
    )
