"""Every statistic of one replication, derived from its per-child records.

Both engine loops fill the same `ChildRecords` (simulations.records); `summarise` turns
them into totals and time series with vectorised numpy over the observation window
[warmup, horizon). Time averages are exact integrals of the piecewise-constant paths, not
samples.

Definitions (children who arrived in the window):
- blocked_fraction: placed out of region / resolved (placed or out of region);
- first_best_rate: placed in the first-best care form / resolved;
- wait: from arrival to the start of a placement (in or out of region);
- norm_compliance: placed anywhere within norm_days of arrival / arrivals;
- deviations.<reason>: children not placed in their first-best form, by reason.

In care (time averages over the window, and series): `occupancy` counts the children in
the region's places; `in_care_out_of_region` the region's children placed out of region,
each for the stay drawn for it in its first-best care form (the simulation has no units
there, so the first-best form's stay is the assumption); `in_care` is both. CBS counts a
region's youth in jeugdhulp met verblijf wherever they stay, so `in_care` is the figure to
hold against CBS. The start state has no children out of region, so their stock builds up
over the warm-up and the first measured years (a stay lasts years): `in_care` is somewhat
low early in the window.

With sibling groups (records with `group`), also for the groups (of 2 or more) that arrived
in the window: sibling_groups; sibling_groups_placed, those with every child placed in
region; sibling_groups_together_rate, the share of those placed in one unit.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from simulations.distributions import FloatArray
from simulations.fairness import group_totals
from simulations.model import RunSettings, Scenario
from simulations.records import ChildRecords
from simulations.regions import region_totals


@dataclass(frozen=True)
class ReplicationResult:
    """Totals and time series of one replication."""

    scenario: str
    policy: str
    seed: int
    replication: int
    events: int
    totals: dict[str, float]
    series_days: tuple[float, ...]
    series: dict[str, tuple[float, ...]]

    def to_dict(self) -> dict[str, Any]:
        """Plain data, for JSON."""
        return {
            "scenario": self.scenario,
            "policy": self.policy,
            "seed": self.seed,
            "replication": self.replication,
            "events": self.events,
            "totals": self.totals,
            "series": {
                "days": list(self.series_days),
                **{k: list(v) for k, v in self.series.items()},
            },
        }


def _plain(value: Any) -> Any:
    if isinstance(value, float | np.floating):
        number = float(value)
        return None if math.isnan(number) else (number if math.isfinite(number) else str(number))
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def canonical_json(data: Any) -> str:
    """JSON with sorted keys and shortest round-trip floats (NaN as null): byte-stable."""
    return json.dumps(_plain(data), sort_keys=True, separators=(",", ":"), allow_nan=False)


def _ratio(num: float, den: float) -> float:
    return num / den if den > 0 else math.nan


def _overlap(lo: FloatArray, hi: FloatArray, start: float, stop: float) -> float:
    return float(np.clip(np.minimum(hi, stop) - np.maximum(lo, start), 0.0, None).sum())


def _sorted(x: FloatArray) -> FloatArray:
    # Most inputs (arrivals, FIFO starts) are already sorted; checking is cheaper than sorting.
    return x if len(x) < 2 or bool((x[1:] >= x[:-1]).all()) else np.sort(x)


def _count_open(lo: FloatArray, hi: FloatArray, at: FloatArray) -> FloatArray:
    """How many intervals [lo, hi) contain each time in `at`."""
    started = np.searchsorted(_sorted(lo), at, side="right")
    ended = np.searchsorted(_sorted(hi), at, side="right")
    return (started - ended).astype(np.float64)


def _places_path(scenario: Scenario) -> dict[str, list[tuple[float, int]]]:
    """Per care form, (day, places from that day on), replaying the engine's clamping."""
    per_unit = {u.unit_id: [(0.0, u.places)] for u in scenario.units}
    for change in sorted(scenario.capacity_changes, key=lambda c: c.day):
        last = per_unit[change.unit_id][-1][1]
        per_unit[change.unit_id].append((change.day, max(0, last + change.delta)))
    paths: dict[str, list[tuple[float, int]]] = {}
    for form in scenario.care_forms:
        days = sorted(
            {d for u in scenario.units if u.care_form == form for d, _ in per_unit[u.unit_id]}
        )
        paths[form] = [
            (
                d,
                sum(
                    _value_at(per_unit[u.unit_id], d) for u in scenario.units if u.care_form == form
                ),
            )
            for d in days
        ]
    return paths


def _value_at(path: list[tuple[float, int]], day: float) -> int:
    value = path[0][1]
    for when, places in path:
        if when <= day:
            value = places
    return value


def _mean_of_path(path: list[tuple[float, int]], start: float, stop: float) -> float:
    area = 0.0
    for k, (when, places) in enumerate(path):
        until = path[k + 1][0] if k + 1 < len(path) else stop
        area += places * max(0.0, min(until, stop) - max(when, start))
    return area / (stop - start)


def summarise(
    scenario: Scenario, settings: RunSettings, rec: ChildRecords, *, seed: int, replication: int
) -> ReplicationResult:
    """Totals and time series over the window [warmup, horizon)."""
    w, horizon = settings.warmup_days, settings.horizon_days
    span = horizon - w
    a = rec.arrival
    win = a >= w
    placed, out = rec.outcome == 1, rec.outcome == 2
    resolved = placed | out
    wait = rec.resolved - a
    n_win, n_res = int(win.sum()), int((win & resolved).sum())
    waits = wait[win & resolved]
    need = np.array(rec.need_form, dtype=object)
    t: dict[str, float] = {
        "arrivals": n_win,
        "arrival_rate": n_win / span,
        "placed": int((win & placed).sum()),
        "placed_rate": int((win & placed).sum()) / span,
        "placed_first_best": int((win & placed & (rec.rank == 0)).sum()),
        "out_of_region": int((win & out).sum()),
        "still_waiting": int((win & ~resolved).sum()),
        "declined_proposals": rec.declined,
    }
    t["blocked_fraction"] = _ratio(t["out_of_region"], n_res)
    t["first_best_rate"] = _ratio(t["placed_first_best"], n_res)
    t["waiting_probability"] = _ratio(float((waits > 0).sum()), n_res)
    t["mean_wait_days"] = float(waits.mean()) if n_res else math.nan
    t["p90_wait_days"] = float(np.quantile(waits, 0.9)) if n_res else math.nan
    norm = rec.resolved <= a + scenario.rules.norm_days
    t["norm_compliance"] = _ratio(float((win & resolved & norm).sum()), n_win)
    t["norm_compliance_in_region"] = _ratio(float((win & placed & norm).sum()), n_win)
    stays = (rec.end - rec.start)[win & placed]
    t["mean_stay_days"] = float(stays.mean()) if len(stays) else math.nan
    queue_end = np.where(resolved, rec.resolved, math.inf)
    t["mean_waiting"] = _overlap(a, queue_end, w, horizon) / span
    for code, reason in enumerate(rec.reasons):
        t[f"deviations.{reason}"] = int((win & (rec.reason == code)).sum())
    for form in sorted(set(rec.need_form) | set(rec.forms)):
        is_need = win & (need == form)
        t[f"arrivals.{form}"] = int(is_need.sum())
        t[f"out_of_region.{form}"] = int((is_need & out).sum())
        t[f"placed_first_best.{form}"] = int((is_need & placed & (rec.rank == 0)).sum())
    paths = _places_path(scenario)
    total_occupancy = 0.0
    for code, form in enumerate(rec.forms):
        mine = placed & (rec.placed_form == code)
        initial = rec.initial_end[rec.initial_form == code]
        occupancy = (
            _overlap(rec.start[mine], rec.end[mine], w, horizon)
            + _overlap(np.zeros_like(initial), initial, w, horizon)
        ) / span
        total_occupancy += occupancy
        t[f"occupancy.{form}"] = occupancy
        t[f"places.{form}"] = _mean_of_path(paths[form], w, horizon)
        t[f"utilisation.{form}"] = _ratio(occupancy, t[f"places.{form}"])
    t["occupancy"] = total_occupancy
    away = _overlap(rec.resolved[out], rec.away_end[out], w, horizon) / span
    t["in_care_out_of_region"] = away
    km = rec.away_km[win & out] if len(rec.away_km) else np.zeros(0)
    km = km[np.isfinite(km)]
    if len(km):
        t["mean_km_out_of_region"] = float(km.mean())
    t["in_care"] = total_occupancy + away
    if rec.group is not None:
        t |= _sibling_totals(rec, win, placed)
    limit = scenario.rules.max_queue_days if scenario.rules.no_place == "queue" else None
    groups = group_totals(
        home=rec.home, age=rec.age, window=win, wait=wait, resolved=resolved, out=out,
        limit=limit, horizon_left=horizon - a,
    )  # fmt: skip
    t |= groups
    if scenario.regions is not None:  # a scenario over several regions: each region's view
        t |= region_totals(
            scenario.regions, home=rec.home, unit=rec.unit, rank=rec.rank, window=win,
            placed=placed, out=out, wait=wait, within_norm=norm,
        )  # fmt: skip
    days, series = _series(scenario, settings, rec, paths)
    events = len(a) + int((placed & (rec.end <= horizon)).sum())
    return ReplicationResult(
        scenario.name, scenario.allocation.name, seed, replication, events,
        {k: float(v) for k, v in t.items()}, days, series,
    )  # fmt: skip


def _sibling_totals(rec: ChildRecords, win: np.ndarray, placed: np.ndarray) -> dict[str, float]:
    """Groups of 2 or more that arrived in the window: placed whole, and in one unit."""
    assert rec.group is not None
    n = len(rec.group)
    if n == 0:
        return {"sibling_groups": 0, "sibling_groups_placed": 0,
                "sibling_groups_together_rate": math.nan}  # fmt: skip
    first = np.flatnonzero(rec.group == np.arange(n))  # each event's children are contiguous
    size = np.diff(np.append(first, n))
    groups = (size >= 2) & win[first]
    whole = np.minimum.reduceat(placed.astype(np.int8), first).astype(bool)
    one_unit = np.minimum.reduceat(rec.unit, first) == np.maximum.reduceat(rec.unit, first)
    n_placed = int((groups & whole).sum())
    together = int((groups & whole & one_unit).sum())
    return {
        "sibling_groups": int(groups.sum()),
        "sibling_groups_placed": n_placed,
        "sibling_groups_together_rate": _ratio(together, n_placed),
    }


def _interval_sums(edges: FloatArray, times: FloatArray, values: FloatArray) -> FloatArray:
    """Sum of values per interval (edges[k-1], edges[k]] by their times."""
    bins = np.searchsorted(edges, times, side="left")
    inside = (bins >= 1) & (bins < len(edges))
    sums = np.bincount(bins[inside] - 1, weights=values[inside], minlength=len(edges) - 1)
    return sums.astype(np.float64)


def _series(
    scenario: Scenario,
    settings: RunSettings,
    rec: ChildRecords,
    paths: dict[str, list[tuple[float, int]]],
) -> tuple[tuple[float, ...], dict[str, tuple[float, ...]]]:
    step, w = settings.sample_every_days, settings.warmup_days
    count = math.floor((settings.horizon_days - w) / step + 1e-9) + 1
    at = w + step * np.arange(count, dtype=np.float64)
    placed, out = rec.outcome == 1, rec.outcome == 2
    out_series: dict[str, FloatArray] = {}
    for code, form in enumerate(rec.forms):
        mine = placed & (rec.placed_form == code)
        initial = rec.initial_end[rec.initial_form == code]
        out_series[f"occupancy.{form}"] = _count_open(
            rec.start[mine], rec.end[mine], at
        ) + _count_open(np.zeros_like(initial), initial, at)
        out_series[f"places.{form}"] = np.array([_value_at(paths[form], d) for d in at], float)
    in_region = sum(
        (v for k, v in out_series.items() if k.startswith("occupancy.")), np.zeros(len(at))
    )
    away = _count_open(rec.resolved[out], rec.away_end[out], at)
    out_series["in_care_out_of_region"] = away
    out_series["in_care"] = in_region + away
    queue_end = np.where(placed | out, rec.resolved, math.inf)
    out_series["waiting"] = _count_open(rec.arrival, queue_end, at)
    edges = np.concatenate(([at[0] - step], at))

    def per_interval(times: FloatArray) -> FloatArray:
        counts = np.searchsorted(_sorted(times), edges, side="right")
        return np.diff(counts).astype(np.float64)

    out_series["arrivals"] = per_interval(rec.arrival)
    out_series["placed"] = per_interval(rec.start[placed])
    out_series["placed_first_best"] = per_interval(rec.start[placed & (rec.rank == 0)])
    out_series["out_of_region"] = per_interval(rec.resolved[out])
    for code, reason in enumerate(rec.reasons):
        out_series[f"deviations.{reason}"] = per_interval(rec.resolved[rec.reason == code])
    done = placed | out
    resolved_in = per_interval(rec.resolved[done])
    with np.errstate(invalid="ignore", divide="ignore"):
        out_series["first_best_rate"] = out_series["placed_first_best"] / resolved_in
        # Of the children resolved in the interval: their mean wait.
        waits = _interval_sums(edges, rec.resolved[done], (rec.resolved - rec.arrival)[done])
        out_series["mean_wait_days"] = waits / resolved_in
        # Of the children arriving in the interval: placed within the norm.
        in_norm = (rec.resolved <= rec.arrival + scenario.rules.norm_days).astype(np.float64)
        in_time = _interval_sums(edges, rec.arrival, in_norm)
        out_series["norm_compliance"] = in_time / out_series["arrivals"]
    return tuple(at.tolist()), {k: tuple(v.tolist()) for k, v in out_series.items()}
