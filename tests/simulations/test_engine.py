"""The event loop: exact outcomes of deterministic scenarios, both loops agreeing, rules.

Deterministic scenarios use renewal arrivals with a constant inter-arrival time and
constant stays (one-value empirical distributions), so waits can be worked out by hand.
"""

from __future__ import annotations

import math
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path

import pytest

from domain.errors import InvalidInput
from simulations.distributions import (
    ArrivalRate,
    Empirical,
    Exponential,
    PoissonArrivals,
    RenewalArrivals,
)
from simulations.engine import simulate
from simulations.errors import PolicyError
from simulations.model import (
    CapacityChange,
    DemandClass,
    DemandMix,
    PlacementRules,
    RunSettings,
    Scenario,
    SimAssignment,
    SimUnit,
    UnitSpec,
    WaitingChild,
    single_form_demand,
)
from simulations.outputs import canonical_json
from simulations.policies import greedy_fcfs, single_pool
from simulations.reference import erlang_scenario
from simulations.streams import stream

EVERY_10_DAYS = RenewalArrivals(Empirical((10.0,)))  # arrivals on days 10, 20, ..., 90
SETTINGS = RunSettings(horizon_days=100.0, warmup_days=0.0, sample_every_days=10.0)


def _one_place(rules: PlacementRules, **changes: object) -> Scenario:
    scenario = Scenario(
        "one_place",
        (UnitSpec("u", "gezinshuis", 1),),
        EVERY_10_DAYS,
        single_form_demand("gezinshuis"),
        {"gezinshuis": Empirical((25.0,))},
        single_pool(),
        rules,
    )
    return replace(scenario, **changes)  # type: ignore[arg-type]


@pytest.mark.parametrize("fast", [True, False])
def test_queue_waits_worked_out_by_hand(fast: bool) -> None:
    result = simulate(
        _one_place(PlacementRules(no_place="queue")), SETTINGS, seed=1, fast_path=fast
    )
    t = result.totals
    # Starts 10, 35, 60, 85, 110, ...: waits 0, 15, 30, ..., 120 days.
    assert t["arrivals"] == 9 and t["placed"] == 9 and t["out_of_region"] == 0
    assert t["mean_wait_days"] == pytest.approx(60.0)
    assert t["waiting_probability"] == pytest.approx(8 / 9)
    assert t["norm_compliance"] == pytest.approx(1 / 9)  # only the first within 14 days
    assert t["occupancy.gezinshuis"] == pytest.approx(90 / 100)  # busy from day 10 on
    assert result.series["waiting"][:5] == (0.0, 0.0, 1.0, 2.0, 2.0)  # [arrival, start)
    assert result.series["norm_compliance"][1:3] == (1.0, 0.0)  # days 10 and 20
    assert result.series["mean_wait_days"][4] == 15.0  # placed in (30, 40]: day 35, waited 15


@pytest.mark.parametrize("fast", [True, False])
def test_loss_outcomes_worked_out_by_hand(fast: bool) -> None:
    rules = PlacementRules(no_place="out_of_region")
    result = simulate(_one_place(rules), SETTINGS, seed=1, fast_path=fast)
    t = result.totals
    # Placed on days 10, 40, 70; the six others go out of region at once.
    assert (t["placed"], t["out_of_region"]) == (3, 6)
    assert t["blocked_fraction"] == pytest.approx(6 / 9)
    assert t["deviations.out_of_region"] == 6
    assert t["norm_compliance"] == 1.0 and t["norm_compliance_in_region"] == pytest.approx(3 / 9)
    assert result.series["out_of_region"][2:5] == (1.0, 1.0, 0.0)
    assert result.series["deviations.out_of_region"][2:5] == (1.0, 1.0, 0.0)
    assert result.series["first_best_rate"][3:5] == (0.0, 1.0)  # day 30 out, day 40 placed
    # Out of region on days 20, 30, 50, 60, 80, 90, each in care there for its drawn stay
    # (25 days): 25 + 25 + 25 + 25 + 20 + 10 child-days up to day 100, next to 75 in region.
    assert t["in_care_out_of_region"] == pytest.approx(130 / 100)
    assert t["occupancy"] == pytest.approx(75 / 100)
    assert t["in_care"] == pytest.approx(205 / 100)
    assert result.series["in_care_out_of_region"][1:6] == (0.0, 1.0, 2.0, 2.0, 2.0)
    assert result.series["in_care"][1:6] == (1.0, 2.0, 3.0, 3.0, 3.0)


@pytest.mark.parametrize("fast", [True, False])
def test_patience_sends_a_child_out_of_region(fast: bool) -> None:
    rules = PlacementRules(no_place="queue", max_queue_days=20.0)
    result = simulate(_one_place(rules), SETTINGS, seed=1, fast_path=fast)
    # Day 20 waits 15 (placed 35); day 30 would wait 30 > 20: out on day 50; day 40
    # waits 20 (placed 60); day 50 out; day 60 waits 25 > 20: out; ...
    assert result.totals["placed"] + result.totals["out_of_region"] == 9
    assert result.totals["out_of_region"] >= 4
    assert result.totals["mean_wait_days"] <= 20.0


def test_hold_delays_the_start_and_declines_return_the_child() -> None:
    held = simulate(_one_place(PlacementRules(hold_days=2.0)), SETTINGS, seed=1)
    assert held.totals["mean_wait_days"] > 60.0  # every start two days later than without
    assert held.totals["declined_proposals"] == 0
    coin = simulate(
        _one_place(PlacementRules(hold_days=2.0, acceptance_probability=0.5)), SETTINGS, seed=1
    )
    assert coin.totals["declined_proposals"] > 0
    assert coin.totals["placed"] + coin.totals["still_waiting"] == 9


def test_capacity_change_opens_a_place() -> None:
    scenario = _one_place(
        PlacementRules(), units=(UnitSpec("u", "gezinshuis", 0),),
        capacity_changes=(CapacityChange(50.0, "u", 1),),
    )  # fmt: skip
    result = simulate(scenario, SETTINGS, seed=1)
    assert result.series["places.gezinshuis"][:7] == (0, 0, 0, 0, 0, 1, 1)
    assert result.series["placed"][5] == 1.0  # the first placement on day 50
    assert result.totals["places.gezinshuis"] == pytest.approx(0.5)


def _two_forms(rules: PlacementRules) -> Scenario:
    need = DemandClass("kind", 1.0, "gezinshuis", ("pleegzorg_bestand",), (("lelystad", 1.0),))
    return Scenario(
        "two_forms",
        (UnitSpec("gh", "gezinshuis", 1, "almere"), UnitSpec("pz", "pleegzorg_bestand", 1, "urk")),
        EVERY_10_DAYS,
        DemandMix((need,)),
        {"gezinshuis": Empirical((25.0,)), "pleegzorg_bestand": Empirical((40.0,))},
        greedy_fcfs(),
        rules,
    )


def test_first_best_wait_then_alternative() -> None:
    rules = PlacementRules(first_best_wait_days=5.0)
    result = simulate(_two_forms(rules), SETTINGS, seed=1)
    # Day 10 gezinshuis; day 20 waits, takes pleegzorg on day 25 (first-best full); day 30
    # waits and gets the gezinshuis place freed on day 35.
    assert result.series["placed"][1:5] == (1.0, 0.0, 1.0, 1.0)  # days 10, 25 and 35
    # Later: day 40 -> gezinshuis 60, day 50 -> pleegzorg 65, day 60 -> gezinshuis 85,
    # day 70 -> pleegzorg 105, day 80 -> gezinshuis 110, day 90 -> gezinshuis 135.
    assert result.totals["deviations.first_best_full"] == 3
    assert result.totals["mean_wait_days"] == pytest.approx(
        (0 + 5 + 5 + 20 + 15 + 25 + 35 + 30 + 45) / 9
    )
    strict = simulate(_two_forms(replace(rules, accept_alternatives=False)), SETTINGS, seed=1)
    assert strict.totals["first_best_rate"] == 1.0
    assert strict.totals["occupancy.pleegzorg_bestand"] == 0.0


class _Overbooking:
    name = "overbooking"

    def allocate(
        self, now: float, waiting: Sequence[WaitingChild], units: Sequence[SimUnit]
    ) -> list[SimAssignment]:
        return [SimAssignment(c.child_id, units[0].unit_id) for c in waiting]


def test_a_policy_cannot_overbook() -> None:
    scenario = replace(_one_place(PlacementRules()), allocation=_Overbooking())
    with pytest.raises(PolicyError) as error:
        simulate(scenario, SETTINGS, seed=1)
    assert error.value.field == "unit_id"


class _Watching:
    """Greedy FCFS that is told what changed, and checks the engine's word against what it
    sees: every unit and child whose object is new since its previous call is reported."""

    name = "watching"

    def __init__(self) -> None:
        self.greedy = greedy_fcfs()
        self.units: list[SimUnit] = []
        self.waiting: dict[int, WaitingChild] = {}
        self.reported = 0

    def allocate(
        self, now: float, waiting: Sequence[WaitingChild], units: Sequence[SimUnit]
    ) -> list[SimAssignment]:
        raise AssertionError("the engine must call allocate_changed")

    def allocate_changed(
        self,
        now: float,
        waiting: Sequence[WaitingChild],
        units: Sequence[SimUnit],
        units_changed: set[int],
        children_changed: Mapping[int, WaitingChild],
    ) -> list[SimAssignment]:
        if self.units:
            new = {i for i, (a, b) in enumerate(zip(units, self.units, strict=True)) if a is not b}
            assert new <= units_changed
        fresh = {c.child_id for c in waiting if self.waiting.get(c.child_id) is not c}
        assert fresh == set(children_changed)
        assert all(children_changed[c.child_id] is c for c in waiting if c.child_id in fresh)
        self.reported += len(units_changed) + len(children_changed)
        self.units, self.waiting = list(units), {c.child_id: c for c in waiting}
        return list(self.greedy.allocate(now, waiting, units))


def test_a_change_aware_policy_is_told_every_change() -> None:
    rules = PlacementRules(first_best_wait_days=5.0, hold_days=2.0, acceptance_probability=0.6)
    watching = _Watching()
    scenario = replace(_two_forms(rules), allocation=watching)
    changes = (CapacityChange(33.0, "gh", 1), CapacityChange(61.0, "pz", -1))
    result = simulate(replace(scenario, capacity_changes=changes), SETTINGS, seed=3)
    expected = simulate(replace(scenario, allocation=greedy_fcfs(), capacity_changes=changes),
                        SETTINGS, seed=3)  # fmt: skip
    assert result.totals == expected.totals
    assert watching.reported > 10 and result.totals["declined_proposals"] > 0


@pytest.mark.parametrize(
    "rules",
    [
        PlacementRules(no_place="out_of_region"),
        PlacementRules(),
        PlacementRules(max_queue_days=0.3),
        PlacementRules(first_best_wait_days=math.inf, max_queue_days=math.inf),
    ],
)
def test_fast_and_general_loops_give_identical_bytes(rules: PlacementRules) -> None:
    scenario = replace(erlang_scenario(5, 4.0), rules=rules)
    settings = RunSettings(horizon_days=500.0, warmup_days=20.0, sample_every_days=7.0)
    fast = simulate(scenario, settings, seed=9, replication=3)
    general = simulate(scenario, settings, seed=9, replication=3, fast_path=False)
    assert canonical_json(fast.to_dict()) == canonical_json(general.to_dict())


def test_same_seed_same_bytes_other_seed_other_result() -> None:
    scenario = _two_forms(PlacementRules())
    scenario = replace(scenario, arrivals=PoissonArrivals(ArrivalRate(0.1)))
    settings = RunSettings(horizon_days=2000.0, warmup_days=100.0)
    first = canonical_json(simulate(scenario, settings, seed=5).to_dict())
    assert first == canonical_json(simulate(scenario, settings, seed=5).to_dict())
    assert first != canonical_json(simulate(scenario, settings, seed=6).to_dict())
    assert first != canonical_json(simulate(scenario, settings, seed=5, replication=1).to_dict())


def test_streams_are_keyed_by_seed_replication_and_name() -> None:
    draw = [stream(1, 0, "arrivals").random(), stream(1, 0, "stays").random()]
    draw += [stream(1, 1, "arrivals").random(), stream(2, 0, "arrivals").random()]
    assert len(set(draw)) == 4
    assert stream(1, 0, "arrivals").random() == draw[0]


def test_common_random_numbers_across_scenarios() -> None:
    # More places change outcomes, never the arrivals each child brings.
    small, large = erlang_scenario(3, 2.5), erlang_scenario(4, 2.5)
    settings = RunSettings(horizon_days=300.0, sample_every_days=10.0)
    a, b = simulate(small, settings, seed=4), simulate(large, settings, seed=4)
    assert a.series["arrivals"] == b.series["arrivals"]
    assert a.totals["out_of_region"] > b.totals["out_of_region"]


def test_bad_input_names_the_field() -> None:
    cases: list[tuple[Callable[[], object], str]] = [
        (lambda: RunSettings(horizon_days=10.0, warmup_days=20.0), "horizon_days"),
        (lambda: RunSettings(horizon_days=10.0, warmup_days=-1.0), "warmup_days"),
        (lambda: RunSettings(horizon_days=10.0, sample_every_days=0.0), "sample_every_days"),
        (lambda: UnitSpec("u", "gezinshuis", -1), "places"),
        (lambda: PlacementRules(acceptance_probability=0.0), "acceptance_probability"),
        (lambda: PlacementRules(max_queue_days=-1.0), "max_queue_days"),
        (lambda: PlacementRules(no_place="wachten"), "no_place"),  # type: ignore[arg-type]
        (lambda: _one_place(PlacementRules(), stays={"pleegzorg": Exponential(1.0)}),
         "units[0].care_form"),
        (lambda: _one_place(PlacementRules(), capacity_changes=(CapacityChange(1.0, "x", 1),)),
         "capacity_changes[0].unit_id"),
        (lambda: DemandMix(()), "classes"),
        (lambda: stream(-1, 0, "arrivals"), "seed"),
    ]  # fmt: skip
    for make, field in cases:
        with pytest.raises(InvalidInput) as error:
            make()
        assert error.value.field == field


_CYCLIC_GARBAGE_OF_A_RUN = """
import gc, sys
from simulations.engine import simulate
from simulations.scenario import load_scenario

loaded = load_scenario(sys.argv[1])
simulate(loaded.scenario, loaded.settings, seed=loaded.seed)  # caches filled once
gc.collect()
gc.disable()
result = simulate(loaded.scenario, loaded.settings, seed=loaded.seed, replication=1)
print(len(result.totals), gc.collect())
"""


def test_a_run_with_the_real_matcher_leaves_no_cyclic_garbage() -> None:
    # simulate pauses the cyclic collector (it only re-scanned what lives through the run);
    # that is safe only if a run frees everything it drops by reference counting. In a fresh
    # interpreter: in this one, threads of other tests (a job runner) may allocate meanwhile.
    root = Path(__file__).parents[2]
    scenario = root / "simulations" / "scenarios" / "snel.yaml"
    done = subprocess.run(
        [sys.executable, "-c", _CYCLIC_GARBAGE_OF_A_RUN, str(scenario)],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    totals, unreachable = (int(n) for n in done.stdout.split())
    assert totals > 0  # the run did place children
    assert unreachable == 0
