"""Monte Carlo: byte-identical results on 1 or 2 processes, paired comparisons, progress."""

from __future__ import annotations

import importlib
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import replace

import pytest
import ray
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.errors import InvalidInput
from simulations.distributions import (
    ArrivalRate,
    Distribution,
    Exponential,
    Lognormal,
    PoissonArrivals,
)
from simulations.engine import simulate
from simulations.model import (
    CapacityChange,
    DemandClass,
    DemandMix,
    PlacementRules,
    RunSettings,
    Scenario,
    UnitSpec,
)
from simulations.montecarlo import ExecutorUnavailable, compare, run, text_progress
from simulations.policies import greedy_fcfs
from simulations.reference import erlang_scenario

FORMS = ("pleegzorg_bestand", "gezinshuis", "behandelgroep")


def _region(places: tuple[int, int, int], rules: PlacementRules) -> Scenario:
    classes = (
        DemandClass("jong", 0.5, "pleegzorg_bestand", ("gezinshuis",), (("almere", 3), ("urk", 1))),
        DemandClass("midden", 0.3, "gezinshuis", ("behandelgroep",), (("lelystad", 1.0),)),
        DemandClass("zwaar", 0.2, "behandelgroep", (), (("dronten", 1.0),)),
    )
    units = tuple(
        UnitSpec(f"{form}-{town}", form, n, town)
        for form, n in zip(FORMS, places, strict=True)
        for town in ("almere", "urk")
    )
    stays: dict[str, Distribution] = {
        "pleegzorg_bestand": Lognormal(400.0, cv=1.0),
        "gezinshuis": Exponential(300.0),
        "behandelgroep": Lognormal(200.0, sigma=0.8),
    }
    return Scenario(
        "regio", units, PoissonArrivals(ArrivalRate(0.2, season_amplitude=0.2)),
        DemandMix(classes), stays, greedy_fcfs(), rules,
    )  # fmt: skip


SETTINGS = RunSettings(horizon_days=3 * 365.0, warmup_days=365.0, sample_every_days=30.0)


def test_one_and_two_processes_give_identical_bytes() -> None:
    scenario = _region((8, 6, 3), PlacementRules(first_best_wait_days=14.0))
    one = run(scenario, SETTINGS, seed=42, replications=4, workers=1)
    two = run(scenario, SETTINGS, seed=42, replications=4, workers=2)
    assert one.to_json() == two.to_json()
    assert one.to_json() == run(scenario, SETTINGS, seed=42, replications=4, workers=1).to_json()
    data = json.loads(one.to_json())
    assert data["scenario"]["policy"] == "greedy_fcfs"  # outputs name what shaped them
    assert len(data["per_replication"]) == 4
    assert set(data["series"]["waiting"]) == {"mean", "low", "high"}


def test_paired_comparison_uses_common_random_numbers() -> None:
    base = erlang_scenario(10, 8.0)
    more = erlang_scenario(11, 8.0)
    settings = RunSettings(horizon_days=520.0, warmup_days=20.0)
    result = compare(base, more, settings, seed=3, replications=12, workers=1)
    diff = result.differences["blocked_fraction"]
    assert diff.high < 0  # one place more blocks less, and the paired CI shows it
    # Pairing removes most of the noise: the difference varies far less than either arm.
    assert diff.sd < 0.5 * result.base.totals["blocked_fraction"].sd
    assert result.differences["arrivals"].sd == 0.0  # identical arrivals in both arms


def test_progress_is_reported_for_every_replication() -> None:
    seen: list[tuple[int, int]] = []
    scenario = erlang_scenario(3, 2.0)
    run(scenario, RunSettings(horizon_days=50.0), seed=1, replications=3, workers=1,
        progress=lambda done, total: seen.append((done, total)))  # fmt: skip
    assert seen == [(1, 3), (2, 3), (3, 3)]
    out = io.StringIO()
    bar = text_progress(out, width=10)
    bar(1, 4)
    bar(4, 4)
    assert "[##........] 1/4 replicaties" in out.getvalue()
    assert out.getvalue().endswith("[##########] 4/4 replicaties\n")


def test_ray_executor_without_ray_says_how_to_get_it(monkeypatch: pytest.MonkeyPatch) -> None:
    real_import = importlib.import_module

    def no_ray(name: str) -> object:
        if name == "ray":
            raise ImportError(name)
        return real_import(name)

    monkeypatch.setattr(importlib, "import_module", no_ray)
    with pytest.raises(ExecutorUnavailable) as error:
        run(erlang_scenario(2, 1.0), RunSettings(horizon_days=10.0), seed=1, replications=2,
            executor="ray")  # fmt: skip
    assert error.value.field == "executor" and "servicepunt[ray]" in error.value.detail


class _Ref:
    def __init__(self, value: object) -> None:
        self.value = value


class _FakeRay:
    """Just enough of Ray's API; finishes tasks in reverse order to test the reordering."""

    def __init__(self) -> None:
        self.started = False

    def is_initialized(self) -> bool:
        return self.started

    def init(self, **_: object) -> None:
        self.started = True

    def remote(self, function: Callable[[object], object]) -> object:
        class _Remote:
            def remote(self, task: object) -> _Ref:
                return _Ref(function(task))

        return _Remote()

    def wait(self, pending: list[_Ref], num_returns: int) -> tuple[list[_Ref], list[_Ref]]:
        return pending[-num_returns:], pending[:-num_returns]

    def get(self, ref: _Ref) -> object:
        return ref.value


def test_ray_executor_puts_results_back_in_replication_order(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake = _FakeRay()
    real_import = importlib.import_module
    monkeypatch.setattr(
        importlib,
        "import_module",
        lambda name: fake if name == "ray" else real_import(name),
    )
    scenario = _region((8, 6, 3), PlacementRules())
    seen: list[tuple[int, int]] = []
    remote = run(scenario, SETTINGS, seed=8, replications=3, executor="ray",
                 progress=lambda done, total: seen.append((done, total)))  # fmt: skip
    local = run(scenario, SETTINGS, seed=8, replications=3, workers=1)
    assert fake.started and seen == [(1, 3), (2, 3), (3, 3)]
    assert remote.to_json() == local.to_json()


@pytest.fixture(scope="module")
def local_ray() -> Iterator[None]:
    """A real local Ray on two CPUs (Ray is a dev dependency), shut down after this module."""
    assert not ray.is_initialized()
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        yield
    finally:
        ray.shutdown()


def test_ray_gives_the_same_bytes_as_local_processes(local_ray: None) -> None:
    scenario = _region((8, 6, 3), PlacementRules())
    local = run(scenario, SETTINGS, seed=8, replications=3, workers=2)
    seen: list[tuple[int, int]] = []
    remote = run(scenario, SETTINGS, seed=8, replications=3, executor="ray",
                 progress=lambda done, total: seen.append((done, total)))  # fmt: skip
    assert ray.is_initialized()  # the executor used this module's Ray, not one of its own
    assert seen == [(1, 3), (2, 3), (3, 3)]
    assert local.to_json() == remote.to_json()
    # The same seed gives the same bytes; another seed does not (the check can fail).
    other = run(scenario, SETTINGS, seed=9, replications=3, executor="ray")
    assert other.to_json() != remote.to_json()


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"replications": 0}, "replications"),
        ({"workers": 0}, "workers"),
        ({"executor": "dask"}, "executor"),
        ({"seed": -3}, "seed"),
    ],
)
def test_bad_monte_carlo_arguments(kwargs: dict[str, object], field: str) -> None:
    arguments: dict[str, object] = {"seed": 1, "replications": 2, "workers": 1, **kwargs}
    with pytest.raises(InvalidInput) as error:
        run(erlang_scenario(2, 1.0), RunSettings(horizon_days=10.0), **arguments)  # type: ignore[arg-type]
    assert error.value.field == field


@settings(max_examples=25, deadline=None)
@given(
    places=st.tuples(st.integers(0, 6), st.integers(0, 4), st.integers(0, 3)),
    queue=st.booleans(),
    wait=st.sampled_from([0.0, 14.0, 60.0]),
    patience=st.sampled_from([None, 30.0]),
    extra=st.integers(0, 3),
    hold=st.sampled_from([0.0, 3.0]),
    seed=st.integers(0, 2**31),
)
def test_invariants_of_any_small_region(
    places: tuple[int, int, int],
    queue: bool,
    wait: float,
    patience: float | None,
    extra: int,
    hold: float,
    seed: int,
) -> None:
    rules = PlacementRules(
        no_place="queue" if queue else "out_of_region",
        first_best_wait_days=wait,
        max_queue_days=patience,
        hold_days=hold,
        acceptance_probability=0.7 if hold else 1.0,
    )
    scenario = _region(places, rules)
    scenario = replace(scenario, capacity_changes=(CapacityChange(500.0, "gezinshuis-urk", extra),))
    result = simulate(scenario, RunSettings(horizon_days=900.0, warmup_days=100.0), seed=seed)
    t, s = result.totals, result.series
    # Every child who arrived is placed, out of region, or still waiting.
    assert t["arrivals"] == t["placed"] + t["out_of_region"] + t["still_waiting"]
    # Every child not placed first-best is counted once under a deviation reason.
    deviations = sum(v for k, v in t.items() if k.startswith("deviations."))
    assert deviations == t["placed"] - t["placed_first_best"] + t["out_of_region"]
    # Never more children in a care form than it has places (places only grow here).
    for form in FORMS:
        assert all(o <= p for o, p in zip(s[f"occupancy.{form}"], s[f"places.{form}"], strict=True))
    if not queue:
        assert t["still_waiting"] == 0
        # Out of region at once, or after the hold: placed or declined, never later.
        assert t["mean_wait_days"] <= hold
