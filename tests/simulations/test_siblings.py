"""Sibling groups in the simulated arrivals (issue #7): drawn together, placed together.

A `profile_mix.siblings.share` of the arrival events is a group of k children; the children
of a group arrive at once with a shared home, urgency and sibling id, the matcher places
a "together" group in one unit or not at all (optimizer and greedy), and a group that
waits too long leaves the region together.
"""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from domain.errors import ConfigError
from domain.profile_vocabulary import Capability
from simulations.children import ChildCase, ProfileSource
from simulations.distributions import GroupArrivalRates, uniforms
from simulations.engine import simulate
from simulations.events import Event, Kind
from simulations.general_loop import GeneralLoop
from simulations.matching import MatcherPolicy
from simulations.model import ChildNeed, SimUnit, WaitingChild
from simulations.outputs import canonical_json
from simulations.policies import GreedyFCFS
from simulations.scenario import LoadedScenario, load_scenario, parse_scenario
from simulations.streams import stream
from tests.simulations.scenario_helpers import small

Z = 4.0
SIBLING_TOTALS = ("sibling_groups", "sibling_groups_placed", "sibling_groups_together_rate")
CAPS = ["trauma", "lvb", "jonge_kinderen", "gedragsproblematiek", "zelfstandigheidstraining",
        "sibling_group_2", "sibling_group_3"]  # fmt: skip


def _siblings(share: float, sizes: dict[int, float]) -> dict[str, Any]:
    data = small()
    data["profile_mix"]["siblings"] = {"share": share, "sizes": sizes}
    return data


def _tiny(
    allocation: str = "optimizer",
    *,
    places: tuple[int, int] = (1, 2),
    queue: float = 400.0,
    share: float = 1.0,
    bestand: int = 0,
) -> LoadedScenario:
    """Two gezinshuizen: one place in Almere (home of every child), `places[1]` in Urk; or
    with `bestand`, only a foster family of that many places in Urk."""
    units = [
        {
            "unit_id": f"GH-{muni}",
            "municipality": muni,
            "care_form": "gezinshuis",
            "places": n,
            "capabilities": CAPS,
        }
        for muni, n in zip(("almere", "urk"), places, strict=True)
    ]
    form = "pleegzorg_bestand" if bestand else "gezinshuis"
    if bestand:
        units = [{**units[1], "unit_id": "PB-urk", "care_form": form, "places": bestand}]
    data = small(
        run={"horizon_days": 300, "warmup_days": 0, "replications": 1, "seed": 3},
        start_state={"units": units},
        arrivals={"municipalities": {"almere": 1.0},
                  "age_bands": [{"ages": [12, 14], "per_year": 12, "crisis_share": 0.0}]},
        profile_mix={"severity": {"ernstig": 1}, "complexity": {"complex": 1},
                     "siblings": {"share": share, "sizes": {2: 1.0}}},
        stays={form: {"kind": "lognormal", "mean": 5000, "cv": 0.5}},
        policy={"allocation": allocation, "first_best_wait_days": 0, "max_queue_days": queue},
    )  # fmt: skip
    return parse_scenario(data, file="test.yaml")


def _source(data: dict[str, Any]) -> ProfileSource:
    source = parse_scenario(data, file="test.yaml").scenario.demand
    assert isinstance(source, ProfileSource)
    return source


def _loop(loaded: LoadedScenario, seed: int = 0) -> GeneralLoop:
    """The engine's general loop for one replication, set up as `simulate` does."""
    sc = loaded.scenario
    times = sc.arrivals.times(stream(seed, 0, "arrivals"), loaded.settings.horizon_days)
    assert isinstance(sc.demand, ProfileSource)
    sizes = sc.demand.group_sizes(stream(seed, 0, "siblings"), len(times))
    assert sizes is not None
    arrivals = np.repeat(times, sizes)
    return GeneralLoop(sc, arrivals, uniforms(stream(seed, 0, "stays"), len(arrivals)), seed, 0,
                        sizes)  # fmt: skip


@pytest.mark.parametrize(
    ("siblings", "field"),
    [
        ({"share": 1.5, "sizes": {2: 1.0}}, "profile_mix.siblings.share"),
        ({"share": -0.1, "sizes": {2: 1.0}}, "profile_mix.siblings.share"),
        ({"sizes": {2: 1.0}}, "profile_mix.siblings.share"),
        ({"share": 0.1}, "profile_mix.siblings.sizes"),
        ({"share": 0.1, "sizes": {}}, "profile_mix.siblings.sizes"),
        ({"share": 0.1, "sizes": {1: 1.0}}, "profile_mix.siblings.sizes"),
        ({"share": 0.1, "sizes": {7: 1.0}}, "profile_mix.siblings.sizes"),
        ({"share": 0.1, "sizes": {"twee": 1.0}}, "profile_mix.siblings.sizes"),
        ({"share": 0.1, "sizes": {2: 0.5, 3: 0.3}}, "profile_mix.siblings.sizes"),
        ({"share": 0.1, "sizes": {2: 1.5, 3: -0.5}}, "profile_mix.siblings.sizes.3"),
        ({"share": 0.1, "sizes": {2: 1.0}, "size": 2}, "profile_mix.siblings.size"),
        ("veel", "profile_mix.siblings"),
    ],
)
def test_bad_siblings_name_the_field(siblings: Any, field: str) -> None:
    data = small()
    data["profile_mix"]["siblings"] = siblings
    with pytest.raises(ConfigError) as info:
        parse_scenario(data, file="test.yaml")
    assert info.value.field == field and field in str(info.value)


@pytest.mark.parametrize(
    "siblings",
    [{"share": 1.2345, "sizes": {2: 1.0}}, {"share": 0.1, "sizes": {17: 1.0}},
     {"share": 0.1, "sizes": {2: 0.4321, 3: 0.4}}],
)  # fmt: skip
def test_sibling_errors_do_not_echo_the_values(siblings: dict[str, Any]) -> None:
    data = small()
    data["profile_mix"]["siblings"] = siblings
    with pytest.raises(ConfigError) as info:
        parse_scenario(data, file="test.yaml")
    text = str(info.value)
    assert "1.2345" not in text and "17" not in text and "0.4321" not in text


def test_a_group_shares_home_urgency_view_and_id_and_one_advice() -> None:
    source = _source(_siblings(1.0, {3: 1.0}))
    rng, extra = np.random.default_rng(1), np.random.default_rng(2)
    for event in range(30):
        needs = source.draw_group(rng, extra, 10 * event, 5.0 * event, 3)
        cases = [n.payload for n in needs]
        assert all(isinstance(c, ChildCase) for c in cases) and len(needs) == 3
        assert {n.sibling_group for n in needs} == {f"G{10 * event:07d}"}
        refs = [c.referral for c in cases if isinstance(c, ChildCase)]
        assert [r.referral_id for r in refs] == [f"K{10 * event + j:07d}" for j in range(3)]
        assert len({r.sibling_group for r in refs}) == 1 and refs[0].sibling_group
        profiles = [c.profile for c in cases if isinstance(c, ChildCase)]
        for attr in ("home_municipality", "crisis", "parents_view", "perspective"):
            assert len({getattr(p, attr) for p in profiles}) == 1, attr
        assert all(len(p.siblings) == 2 for p in profiles)
        assert len({p.years <= 11 for p in profiles}) == 1  # the lead's band: 6-11 or 12-17
        # One advice per group for the matcher: the lead's, which saw its two siblings.
        lead = cases[0]
        assert isinstance(lead, ChildCase)
        assert all(r.advice == lead.advice for r in refs)
        assert {n.acceptable for n in needs} == {needs[0].acceptable}
        if lead.advice.siblings.together:
            assert Capability.SIBLING_GROUP_3 in lead.advice.required_capabilities


def test_children_of_a_group_arrive_at_the_same_time_and_are_counted() -> None:
    loaded = _tiny()
    loop = _loop(loaded)
    rec = loop.run()
    assert rec.group is not None and len(rec.group) == len(rec.arrival) >= 4
    assert np.array_equal(rec.arrival, rec.arrival[rec.group])
    for child, need in enumerate(loop.needs):
        first = loop.needs[int(rec.group[child])]
        assert need.sibling_group == first.sibling_group is not None
        assert need.home == first.home
    result = simulate(loaded.scenario, loaded.settings, seed=0)
    assert result.totals["arrivals"] == len(rec.arrival)  # children, not events
    assert result.totals["sibling_groups"] == len(rec.arrival) / 2


def test_without_siblings_the_results_are_those_of_share_zero() -> None:
    """share 0 draws every event as one child through the sibling path: the same leads,
    stays and placements, byte for byte, plus the sibling totals."""

    def run(data: dict[str, Any]) -> dict[str, Any]:
        loaded = parse_scenario(data, file="test.yaml")
        return simulate(loaded.scenario, loaded.settings, seed=11).to_dict()

    plain, zero, some = run(small()), run(_siblings(0.0, {2: 1.0})), run(_siblings(0.4, {2: 1.0}))
    assert not set(SIBLING_TOTALS) & set(plain["totals"])
    assert zero["totals"].pop("sibling_groups") == 0
    assert zero["totals"].pop("sibling_groups_placed") == 0
    assert math.isnan(zero["totals"].pop("sibling_groups_together_rate"))
    assert canonical_json(zero) == canonical_json(plain)
    for key in SIBLING_TOTALS:
        some["totals"].pop(key)
    assert canonical_json(some) != canonical_json(plain)  # the comparison can fail


def test_changing_the_share_never_shifts_another_events_children() -> None:
    """Common random numbers: each event's lead, and a group's siblings, are the same
    children whatever the share (a fixed number of uniforms per event)."""
    drawn = []
    for share in (0.2, 0.6):
        source = _source(_siblings(share, {2: 0.5, 3: 0.5}))
        sizes = source.group_sizes(np.random.default_rng(3), 60)
        assert sizes is not None
        rng, extra = np.random.default_rng(1), np.random.default_rng(2)
        index, events = 0, []
        for event, size in enumerate(sizes.tolist()):
            needs = source.draw_group(rng, extra, index, float(event), size)
            index += size
            events.append([_plain(n) for n in needs])
        drawn.append(events)
    low, high = drawn
    assert sum(len(e) > 1 for e in high) > sum(len(e) > 1 for e in low) > 0
    for a, b in zip(low, high, strict=True):
        assert a[0] == b[0]
        if len(a) > 1:
            assert a == b  # a group at the lower share is the same group at the higher


def _plain(need: ChildNeed) -> dict[str, Any]:
    assert isinstance(need.payload, ChildCase)
    return need.payload.profile.model_dump(exclude={"siblings"})


@pytest.mark.parametrize("allocation", ["optimizer", "greedy_fcfs"])
def test_a_group_goes_to_the_unit_with_room_for_both(allocation: str) -> None:
    """Home is Almere, whose gezinshuis has one place; Urk's has two. Placed one by one,
    the first sibling would take Almere; together, both go to Urk."""
    loaded = _tiny(allocation)
    loop = _loop(loaded)
    rec = loop.run()
    urk = rec.units.index("GH-urk")
    first = rec.group == 0
    assert (rec.outcome[first] == 1).all() and (rec.unit[first] == urk).all()
    result = simulate(loaded.scenario, loaded.settings, seed=0)
    assert result.totals["sibling_groups_placed"] >= 1
    assert result.totals["sibling_groups_together_rate"] == 1.0


def test_greedy_fcfs_keeps_a_group_together_or_lets_it_wait() -> None:
    def child(cid: int, group: str | None) -> WaitingChild:
        return WaitingChild(cid, float(cid), ChildNeed("gh", (), "almere", None, group), True)

    def units(urk: int) -> list[SimUnit]:
        return [SimUnit("A", "gh", "almere", 1, 0, 0), SimUnit("B", "gh", "urk", urk, 0, 0)]

    waiting = [child(0, "G1"), child(1, "G1"), child(2, None)]
    got = {(a.child_id, a.unit_id) for a in GreedyFCFS().allocate(0.0, waiting, units(2))}
    assert got == {(0, "B"), (1, "B"), (2, "A")}
    got = {(a.child_id, a.unit_id) for a in GreedyFCFS().allocate(0.0, waiting, units(1))}
    assert got == {(2, "A")}  # no unit has room for both: they wait, the next child goes on


def test_a_group_that_waits_too_long_leaves_the_region_together() -> None:
    loaded = _tiny(places=(1, 1), queue=30.0)
    rec = _loop(loaded).run()
    assert rec.group is not None and (rec.outcome != 1).all()  # no unit has room for two
    gone = rec.outcome == 2
    assert gone.sum() >= 4
    assert np.array_equal(rec.resolved[gone], rec.arrival[gone] + 30.0)
    result = simulate(loaded.scenario, loaded.settings, seed=0)
    assert result.totals["out_of_region"] == gone.sum()  # counted per child
    # When one sibling's patience runs out first, the other leaves with it.
    loop = _loop(loaded)
    loop._arrive_event(0, 0.0)
    assert set(loop.waiting) == {0, 1}
    loop._patience_expired(Event(10.0, 0, Kind.PATIENCE_EXPIRED, child=1))
    assert not loop.waiting and (loop.records.outcome[:2] == 2).all()


def test_the_share_of_events_that_are_groups_and_the_children_per_year() -> None:
    loaded = parse_scenario(_siblings(0.3, {2: 0.7, 3: 0.3}), file="test.yaml")
    source = loaded.scenario.demand
    assert isinstance(source, ProfileSource)
    events = groups = pairs = 0
    children = []
    horizon = 3650.0
    for seed in range(20):
        times = loaded.scenario.arrivals.times(stream(seed, 0, "arrivals"), horizon)
        sizes = source.group_sizes(stream(seed, 0, "siblings"), len(times))
        assert sizes is not None
        events += len(sizes)
        groups += int((sizes > 1).sum())
        pairs += int((sizes == 2).sum())
        children.append(int(sizes.sum()))
    share = groups / events
    assert abs(share - 0.3) <= Z * math.sqrt(0.3 * 0.7 / events)
    assert abs(share - 0.25) > Z * math.sqrt(0.25 * 0.75 / events)  # a wrong share fails
    assert abs(pairs / groups - 0.7) <= Z * math.sqrt(0.7 * 0.3 / groups)
    # per_year counts children: 50 a year, in events of mean size 1 + 0.3 * 0.3 = 1.09.
    expected = 50 * horizon / 365
    sd = math.sqrt(expected / 1.09 * (0.7 + 0.3 * (0.7 * 4 + 0.3 * 9)) / len(children))
    assert abs(np.mean(children) - expected) <= Z * sd
    assert abs(np.mean(children) - expected * 1.09) > Z * sd  # events at per_year would fail


def test_the_growth_example_ships_siblings_and_the_baseline_none() -> None:
    scenarios = Path(__file__).parents[2] / "simulations" / "scenarios"
    base = load_scenario(scenarios / "flevoland.yaml").scenario.demand
    grow = load_scenario(scenarios / "flevoland-groei.yaml").scenario.demand
    assert isinstance(base, ProfileSource) and isinstance(grow, ProfileSource)
    assert base.mix.siblings is None and grow.mix.siblings is not None
    assert grow.mix.siblings.share == 0.10 and dict(grow.mix.siblings.sizes) == {2: 0.7, 3: 0.3}
    assert dataclasses.replace(grow.mix, siblings=None) == base.mix
    # The children per year stay those of the baseline: fewer, larger arrival events.
    assert grow.per_year == base.per_year
    rates = grow.rate
    assert isinstance(rates, GroupArrivalRates)
    events = sum(rates.per_day) * 365
    assert events * (1 + 0.10 * (0.7 * 2 + 0.3 * 3 - 1)) == pytest.approx(base.per_year)


@pytest.mark.parametrize("allocation", ["optimizer", "greedy_fcfs"])
def test_a_group_takes_an_alternative_only_when_every_member_may(allocation: str) -> None:
    """Each sibling's first-best wait is estimated on its own, so one may end before the
    other's; the matcher plans a group with one advice, so until both may take an
    alternative the group waits for first-best (here: a gezinshuis, and there is none)."""
    loaded = _tiny(allocation, bestand=2)
    loop = _loop(loaded)
    demand = loaded.scenario.demand
    assert isinstance(demand, ProfileSource) and loop.siblings is not None
    needs = demand.draw_group(loop.profiles, loop.siblings, 0, 0.0, 2)
    assert all(n.acceptable == ("gezinshuis", "pleegzorg_bestand") for n in needs)
    got: dict[tuple[bool, bool], set[tuple[int, str]]] = {}
    for flags in ((True, True), (True, False), (False, True)):
        kids = [
            WaitingChild(i, 0.0, n, f) for i, (n, f) in enumerate(zip(needs, flags, strict=True))
        ]
        policy = loaded.scenario.allocation
        assert isinstance(policy, MatcherPolicy)
        policy = dataclasses.replace(policy, _run=None, _session=None)  # a fresh run
        got[flags] = {(a.child_id, a.unit_id) for a in policy.allocate(0.0, kids, loop.units.views)}
    assert got[(True, True)] == {(0, "PB-urk"), (1, "PB-urk")}
    assert got[(True, False)] == got[(False, True)] == set()
