"""The real afwegingskader and matcher inside the engine: children, policies, start stock."""

from __future__ import annotations

import dataclasses
import math
import pickle
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pytest

from afwegingskader.engine import advise
from afwegingskader.models import SiblingAdvice
from capacity.snapshot import UnitView
from domain.care import CareForm
from domain.places import Municipality as M  # noqa: N817
from domain.profile_vocabulary import Capability
from simulations.children import ChildCase
from simulations.distributions import (
    ArrivalRate,
    Empirical,
    Exponential,
    Lognormal,
    PoissonArrivals,
    residual_ppf,
    uniforms,
)
from simulations.engine import simulate
from simulations.general_loop import GeneralLoop
from simulations.matching import MatcherPolicy
from simulations.model import (
    ChildNeed,
    RunSettings,
    Scenario,
    SimAssignment,
    SimUnit,
    UnitSpec,
    WaitingChild,
    single_form_demand,
)
from simulations.outputs import canonical_json
from simulations.policies import SinglePool
from simulations.scenario import parse_scenario
from simulations.streams import stream
from tests.simulations.scenario_helpers import TODAY, case, small


def _unit(unit_id: str, muni: M, caps: frozenset[Capability]) -> SimUnit:
    view = UnitView(unit_id, "p", unit_id, muni, CareForm.GEZINSHUIS, 1, 0, 0, 0, 21,
                    capabilities=caps)  # fmt: skip
    return SimUnit(unit_id, "gezinshuis", muni.value, 1, 0, 0, view)


def _waiting(child_id: int, referral_id: str, home: M, *, lvb: bool) -> WaitingChild:
    c = case(referral_id, age=14, home=home, lvb=lvb)
    need = ChildNeed(str(c.advice.first_best), tuple(map(str, c.advice.alternatives)), home, c)
    return WaitingChild(child_id, float(child_id), need, True)


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        # One at a time: the first child takes the nearby LVB home; the second needs LVB
        # and finds only the home in Urk without it.
        ("greedy_fcfs", {(0, "X-almere-lvb")}),
        # All at once: the first child goes to Urk so that the second gets the LVB home.
        ("optimizer", {(0, "Y-urk"), (1, "X-almere-lvb")}),
    ],
)
def test_optimizer_places_both_where_greedy_strands_one(
    mode: str, expected: set[tuple[int, str]]
) -> None:
    units = [_unit("X-almere-lvb", M("almere"), frozenset({Capability.LVB})),
             _unit("Y-urk", M("urk"), frozenset())]  # fmt: skip
    waiting = [_waiting(0, "K0", M("almere"), lvb=False), _waiting(1, "K1", M("urk"), lvb=True)]
    policy = MatcherPolicy(start_date=TODAY, mode=mode)
    got = policy.allocate(0.0, waiting, units)
    assert {(a.child_id, a.unit_id) for a in got} == expected


def test_a_child_waiting_for_first_best_gets_no_alternative() -> None:
    behandel = UnitView("BG", "p", "BG", M("almere"), CareForm.BEHANDELGROEP, 1, 0, 0, 0, 21)
    units = [SimUnit("BG", "behandelgroep", "almere", 1, 0, 0, behandel)]
    # Rule set 2.0.0: a behandelgroep is an alternative only with a residential treatment
    # need; below 12 it comes after the gezinshuis (and bestandspleegzorg, with no unit here).
    c = case("K0", age=10, home=M("almere"), treatment_need=True)
    assert c.advice.first_best is CareForm.GEZINSHUIS
    assert CareForm.BEHANDELGROEP in c.advice.alternatives
    need = ChildNeed(
        str(c.advice.first_best), tuple(map(str, c.advice.alternatives)), M("almere"), c
    )
    child = WaitingChild(0, 0.0, need, True)
    policy = MatcherPolicy(start_date=TODAY)
    early = WaitingChild(0, 0.0, child.need, alternatives_allowed=False)
    assert policy.allocate(0.0, [early], units) == []
    assert [a.unit_id for a in policy.allocate(30.0, [child], units)] == ["BG"]


def test_profile_source_uses_the_real_afwegingskader() -> None:
    source = parse_scenario(small(), file="t.yaml").scenario.demand
    rng = np.random.default_rng(3)
    for i in range(50):
        need = source.draw(rng, i, float(i))
        payload = need.payload
        assert payload is not None
        assert advise(payload.profile) == payload.advice  # type: ignore[attr-defined]
        assert need.first_best == payload.advice.first_best  # type: ignore[attr-defined]
        assert payload.referral.referral_id == f"K{i:07d}"  # type: ignore[attr-defined]


def test_profile_source_draws_the_same_child_from_the_same_stream() -> None:
    source = parse_scenario(small(), file="t.yaml").scenario.demand
    a = [source.draw(np.random.default_rng(9), i, 0.0).payload for i in range(20)]
    b = [source.draw(np.random.default_rng(9), i, 0.0).payload for i in range(20)]
    assert [x.profile for x in a] == [y.profile for y in b]  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("dist", "expected"),
    [
        (Exponential(10.0), 10.0),
        # Lognormal residual mean: E[S^2] / (2 E[S]) = mean (1 + cv^2) / 2.
        (Lognormal(10.0, cv=1.0), 10.0),
        (Lognormal(10.0, cv=0.5), 10.0 * 1.25 / 2),
        (Empirical((1.0, 3.0)), (1.0 + 9.0) / 2 / (2 * 2.0)),
    ],
)
def test_residual_stays_have_the_renewal_theory_mean(dist: object, expected: float) -> None:
    rng = np.random.default_rng(1)
    left = residual_ppf(dist, uniforms(rng, 200_000), uniforms(rng, 200_000))  # type: ignore[arg-type]
    assert abs(float(left.mean()) - expected) < 0.02 * expected + 0.01


def test_a_region_started_at_its_stock_stays_there() -> None:
    # M/G/inf with lambda W = 50: started full (50 in care), the mean stock over the first
    # 20 days is 50; started empty it would be about 50 (1 - (1 - e^-2) / 2) = 28.6.
    def mean_stock(occupied: int) -> float:
        sc = Scenario("stock", (UnitSpec("u", "f", 500, occupied=occupied),),
                      PoissonArrivals(ArrivalRate(5.0)), single_form_demand("f"),
                      {"f": Lognormal(10.0, cv=1.0)}, SinglePool())  # fmt: skip
        settings = RunSettings(horizon_days=20.0, sample_every_days=5.0)
        runs = [simulate(sc, settings, seed=4, replication=r) for r in range(20)]
        return float(np.mean([r.totals["occupancy"] for r in runs]))

    assert abs(mean_stock(50) - 50.0) < 3.0
    assert abs(mean_stock(0) - 28.6) < 3.0


def test_matcher_in_the_loop_is_reproducible_and_keeps_every_rule() -> None:
    loaded = parse_scenario(small(), file="t.yaml")
    first = simulate(loaded.scenario, loaded.settings, seed=11, replication=1)
    again = simulate(loaded.scenario, loaded.settings, seed=11, replication=1)
    assert canonical_json(first.to_dict()) == canonical_json(again.to_dict())  # NaN-safe
    t = first.totals
    assert t["arrivals"] > 10 and t["placed"] > 0
    assert 0.0 <= t["first_best_rate"] <= 1.0
    for form in ("gezinshuis", "behandelgroep"):
        assert t[f"occupancy.{form}"] <= t[f"places.{form}"] + 1e-9
    assert math.isfinite(t["mean_wait_days"])


def test_a_used_policy_pickles_without_its_caches_and_plans_the_same() -> None:
    loaded = parse_scenario(small(), file="t.yaml")
    first = simulate(loaded.scenario, loaded.settings, seed=5)
    policy = loaded.scenario.allocation
    assert isinstance(policy, MatcherPolicy) and policy.calls > 0
    shipped = pickle.loads(pickle.dumps(policy))
    assert len(pickle.dumps(policy)) < len(pickle.dumps(vars(policy))) // 5  # caches stay
    assert shipped._run is None and shipped._session is None
    again = simulate(dataclasses.replace(loaded.scenario, allocation=shipped), loaded.settings,
                     seed=5)  # fmt: skip
    assert canonical_json(first.to_dict()) == canonical_json(again.to_dict())


def test_start_date_turns_engine_days_into_dates() -> None:
    policy = MatcherPolicy(start_date=date(2030, 6, 1))
    assert policy.name == "optimizer"
    assert parse_scenario(small(), file="t.yaml").start_date == date(2026, 1, 1)


def _records(scenario: Scenario, horizon: float, seed: int) -> list[list[float | None]]:
    """Per child: arrival, start, end, outcome, unit and rank (the engine's own records)."""
    arrivals = scenario.arrivals.times(stream(seed, 0, "arrivals"), horizon)
    stay_u = uniforms(stream(seed, 0, "stays"), len(arrivals))
    rec = GeneralLoop(scenario, arrivals, stay_u, seed, 0).run()
    columns = (rec.arrival, rec.start, rec.end, rec.outcome, rec.unit, rec.rank, rec.reason)
    rows = zip(*columns, strict=True)
    return [[None if math.isnan(x) else float(x) for x in row] for row in rows]  # NaN != NaN


@dataclass
class _Plain:
    """The policy without `allocate_changed`: the engine then calls `allocate`, and the
    policy compares every unit itself (no hint from the engine)."""

    policy: MatcherPolicy

    @property
    def name(self) -> str:
        return self.policy.name

    def allocate(
        self, now: float, waiting: Sequence[WaitingChild], units: Sequence[SimUnit]
    ) -> list[SimAssignment]:
        return self.policy.allocate(now, waiting, units)


BUSY = {"municipalities": {"almere": 0.6, "urk": 0.4},
        "age_bands": [{"ages": [4, 11], "per_year": 60, "crisis_share": 0.1},
                      {"ages": [12, 17], "per_year": 90, "crisis_share": 0.2}]}  # fmt: skip
VARIANTS: dict[str, dict[str, Any]] = {
    "queue": {"arrivals": BUSY},
    "out_of_region": {"arrivals": BUSY, "policy": {"allocation": "optimizer",
                                                   "no_place": "out_of_region"}},
    "capacity": {"arrivals": BUSY, "capacity": [
        {"kind": "close", "unit": "GH-2", "day": 150},
        {"kind": "scale_linear", "care_form": "behandelgroep", "to_fraction": 0.5,
         "from_day": 50, "until_day": 300},
        {"kind": "add_units", "care_form": "gezinshuis", "per_year": 6, "from_day": 100,
         "until_day": 400, "places_each": 2}]},
    "holds": {"arrivals": BUSY},
}  # fmt: skip


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("mode", ["optimizer", "greedy_fcfs"])
@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_incremental_calls_give_the_runs_of_full_calls(
    variant: str, mode: str, seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Finding the children with an open pair incrementally (see simulations.matching) hands
    the matcher exactly the instances of looking at every waiting child, and the session
    plans what the plain batch matcher plans: the same runs, child by child."""
    data = small(**VARIANTS[variant])
    data["policy"] = {**data["policy"], "allocation": mode}
    loaded = parse_scenario(data, file="t.yaml")
    scenario = loaded.scenario
    if variant == "holds":  # proposals held for a few days, a third declined
        rules = dataclasses.replace(scenario.rules, hold_days=3.0, acceptance_probability=0.7)
        scenario = dataclasses.replace(scenario, rules=rules)
    inputs: dict[bool, list[tuple[list[str], list[str], date]]] = {True: [], False: []}
    plan = MatcherPolicy._plan

    def spy(self: MatcherPolicy, referrals: Any, views: Any, today: date, by_id: Any) -> Any:
        ids = [r.referral_id for r in referrals], [v.unit_id for v in views]
        inputs[self.incremental].append((*ids, today))
        return plan(self, referrals, views, today, by_id)

    monkeypatch.setattr(MatcherPolicy, "_plan", spy)
    full = _Plain(MatcherPolicy(start_date=TODAY, mode=mode, incremental=False, cached=False))
    fast = _records(scenario, 500.0, seed)
    slow = _records(dataclasses.replace(scenario, allocation=full), 500.0, seed)
    assert fast == slow
    assert inputs[True] == inputs[False]
    assert sum(1 for row in fast if row[3] == 1) > 50  # placed in region
    assert len(inputs[True]) > 50


def _sibling(child_id: int, group: str | None = "G1", *, together: bool = True) -> WaitingChild:
    c = case(f"K{child_id}", age=14, home=M("almere"))
    advice = c.advice.model_copy(update={"siblings": SiblingAdvice(together=together, reason="")})
    only_first = advice.model_copy(update={"alternatives": ()})
    c = ChildCase(
        c.profile,
        advice,
        c.referral.model_copy(update={"sibling_group": group, "advice": advice}),
        c.first_best_only.model_copy(update={"sibling_group": group, "advice": only_first}),
    )
    need = ChildNeed(
        str(advice.first_best), tuple(map(str, advice.alternatives)), "almere", c, group
    )
    return WaitingChild(child_id, 0.0, need, True)


ALMERE = M("almere")


def _gezinshuis(
    unit_id: str,
    free: int,
    *,
    muni: M = ALMERE,
    leaving: tuple[date, ...] = (),
    form: CareForm = CareForm.GEZINSHUIS,
) -> SimUnit:
    view = UnitView(unit_id, "p", unit_id, muni, form, 4, 4 - free, 0, 0, 21,
                    expected_departures=leaving)  # fmt: skip
    return SimUnit(unit_id, str(form), muni.value, 4, 4 - free, 0, view)


def _both_ways(
    steps: list[tuple[list[WaitingChild], list[SimUnit]]],
) -> list[set[tuple[int, str]]]:
    """The assignments of each step, incrementally; the same as with full calls (checked)."""
    got: list[list[set[tuple[int, str]]]] = []
    for fast in (True, False):
        policy = MatcherPolicy(start_date=TODAY, incremental=fast, cached=fast)
        units: list[SimUnit] = []
        got.append([])
        for waiting, now in steps:
            units[:] = now  # one engine run: the same list, its units replaced
            got[-1].append({(x.child_id, x.unit_id) for x in policy.allocate(1.0, waiting, units)})
    assert got[0] == got[1]
    return got[0]


@pytest.mark.parametrize("leaving", [(), (date(2027, 1, 1),)])
def test_siblings_left_waiting_are_planned_again_when_room_comes(leaving: tuple[date, ...]) -> None:
    """Two siblings who go together, with one free place in each of two homes: nothing
    fits, yet both keep open pairs; when one home has room for both, they go there."""
    a, b = _sibling(0), _sibling(1)
    got = _both_ways([
        ([a, b], [_gezinshuis("A", 1, leaving=leaving), _gezinshuis("B", 1)]),
        ([a, b, _sibling(2, None)], [_gezinshuis("A", 1, leaving=leaving), _gezinshuis("B", 1)]),
        ([a, b], [_gezinshuis("A", 1, leaving=leaving), _gezinshuis("B", 2)]),
    ])  # fmt: skip
    assert got[0] == set() and [c for c, _ in got[1]] == [2]
    assert got[2] == {(0, "B"), (1, "B")}


def test_a_group_takes_an_alternative_form_only_when_every_sibling_may() -> None:
    """Each child's first-best wait is its own estimate, so siblings may differ: the group
    has one advice, with alternatives only when every sibling may take one (the matcher
    refuses a group with two advices)."""
    a = _sibling(0)
    waiting = dataclasses.replace(_sibling(1), alternatives_allowed=False)
    pleeg = [_gezinshuis("P", 2, form=CareForm.PLEEGZORG_BESTAND)]
    got = _both_ways([([a, waiting], pleeg), ([a, _sibling(1)], pleeg)])
    assert got == [set(), {(0, "P"), (1, "P")}]


def test_a_sibling_left_with_an_open_pair_is_planned_again_without_any_change() -> None:
    """Apart siblings may not live in Almere and Urk: one gets the place in Almere, the
    other stays unplaced although Urk has room. Once alone, the next call places it."""
    a, b = _sibling(0, together=False), _sibling(1, together=False)
    first = _both_ways([([a, b], [_gezinshuis("A", 1), _gezinshuis("B", 1, muni=M("urk"))])])[0]
    ((placed, unit),) = first
    other = b if placed == 0 else a
    got = _both_ways([
        ([a, b], [_gezinshuis("A", 1), _gezinshuis("B", 1, muni=M("urk"))]),
        ([other], [_gezinshuis("A", 0), _gezinshuis("B", 1, muni=M("urk"))]),
    ])  # fmt: skip
    assert unit == "A" and got == [first, {(other.child_id, "B")}]
