"""The ordered policy's region and wait-or-take rules in the engine (issue 19).

- Out of region at once when no place in the region is expected within the policy's
  `levels.regio.expected_days` (simulations.first_best_wait.FirstBestWait.in_region).
- `first_best.take_free_alternative`: no first-best place free now and an alternative free
  now: the child takes the alternative at once.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from matcher.policies import shipped_policy
from simulations.distributions import distribution_from_dict
from simulations.engine import trace
from simulations.first_best_wait import FirstBestWait
from simulations.model import ChildNeed, SimUnit, WaitingChild
from simulations.records import NO_PLACE_EXPECTED, ChildRecords
from simulations.scenario import parse_scenario
from tests.simulations.scenario_helpers import small


def _policy(tmp_path: Path, **change: Any) -> Path:
    raw = yaml.safe_load(Path(shipped_policy().source).read_text(encoding="utf-8"))
    levels = []
    for item in raw["levels"]:
        ((name, params),) = item.items()
        levels.append({name: change.pop(name, params)})
    raw["levels"] = levels
    raw.update(change)
    path = tmp_path / "beleid.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    return path


def _run(policy: Path, **policy_changes: Any) -> ChildRecords:
    data = small()
    data["run"] = {**data["run"], "horizon_days": 720, "warmup_days": 0}
    data["arrivals"] = {**data["arrivals"], "age_bands": [
        {"ages": [6, 11], "per_year": 60, "crisis_share": 0.1},
        {"ages": [12, 17], "per_year": 90, "crisis_share": 0.2}]}  # fmt: skip
    data["policy"] = {"allocation": "optimizer", "placement_policy": str(policy),
                      **policy_changes}  # fmt: skip
    loaded = parse_scenario(data, file="t.yaml")
    records, _, _ = trace(loaded.scenario, loaded.settings, seed=loaded.seed)
    return records


def _early(records: ChildRecords) -> np.ndarray:
    if NO_PLACE_EXPECTED not in records.reasons:
        return np.zeros(len(records.arrival), dtype=bool)
    early: np.ndarray = records.reason == records.reasons.index(NO_PLACE_EXPECTED)
    return early


def test_out_of_region_at_once_when_no_place_is_expected_in_time(tmp_path: Path) -> None:
    soon = _run(_policy(tmp_path, regio={"radius_km": 0, "wait_days": 182, "expected_days": 5}))
    early = _early(soon)
    assert early.sum() > 0
    # Sent out on arrival (no wait), with its own deviation reason, never placed in region.
    assert np.array_equal(soon.resolved[early], soon.arrival[early])
    assert (soon.outcome[early] == 2).all()
    # Without the rule nobody goes out for that reason, and the long waits come back.
    late = _run(_policy(tmp_path, regio={"radius_km": 0, "wait_days": 182}))
    assert not _early(late).any()
    done = soon.outcome > 0
    assert np.nanmax(late.resolved - late.arrival) > np.nanmax((soon.resolved - soon.arrival)[done])


def test_a_free_alternative_is_taken_at_once(tmp_path: Path) -> None:
    def taken_at_once(flag: bool) -> int:
        fb = {"expected": True, "max_wait_days": 42, "take_free_alternative": flag}
        records = _run(_policy(tmp_path, first_best=fb))
        now = (records.outcome == 1) & (records.rank > 0) & (records.start == records.arrival)
        return int(now.sum())

    assert taken_at_once(True) > taken_at_once(False)


def _unit(form: str, places: int, occupied: int) -> SimUnit:
    return SimUnit(f"{form}-{places}-{occupied}", form, "almere", places, occupied, 0)


def _need() -> ChildNeed:
    return ChildNeed("gezinshuis", (), "almere", age=10)


def test_in_region_counts_a_child_ahead_for_its_share_of_the_units() -> None:
    stay = distribution_from_dict({"kind": "exponential", "mean": 100.0}, field="s")
    stays = {"gezinshuis": stay}
    views = [_unit("gezinshuis", 1, 1), _unit("gezinshuis", 1, 1), _unit("gezinshuis", 1, 1)]
    free, occupied = [0, 0, 0], [1, 1, 1]
    wait = FirstBestWait(stays, 0.0)
    mean = wait.mean_stay("gezinshuis")

    def days(child: int, bits: int, units: list[int], ahead: dict[int, WaitingChild]) -> float:
        forms = wait.forms_of(bits, units, views)
        free_mask = sum(1 << i for i, places in enumerate(free) if places > 0)
        return wait.in_region(child, bits, forms, free_mask, occupied, ahead)

    # Child 0 fits units 0 and 2 (bits 0b101), child 1 fits units 0 and 1 (bits 0b011).
    # The estimates are told who waits (join), as the engine's waiting list tells them.
    wait.per_child(0, _need(), 0.0, 0b101, [0, 2], 42, free, occupied)
    assert days(0, 0b101, [0, 2], {}) == mean / 2  # the first of two releases
    ahead = {0: WaitingChild(0, 0.0, _need(), True)}
    wait.join(0, True)
    wait.per_child(1, _need(), 1.0, 0b011, [0, 1], 42, free, occupied)
    # Child 0 is ahead and shares one of its two units with child 1: it counts for half a
    # child, so child 1 still gets the first release.
    assert days(1, 0b011, [0, 1], ahead) == mean / 2
    # A child ahead that fits only child 1's units counts whole: the second release.
    wait.per_child(2, _need(), 0.5, 0b011, [0, 1], 42, free, occupied)
    days(2, 0b011, [0, 1], ahead)
    both = {**ahead, 2: WaitingChild(2, 0.5, _need(), True)}
    wait.join(2, True)
    wait.per_child(3, _need(), 2.0, 0b011, [0, 1], 42, free, occupied)
    assert days(3, 0b011, [0, 1], both) == mean
    assert math.isinf(days(4, 0, [], both))
    # A place free now is expected now, whoever waits.
    free[1] = 1
    wait.per_child(5, _need(), 3.0, 0b011, [0, 1], 42, free, occupied)
    assert days(5, 0b011, [0, 1], both) == 0.0
