"""A sweep over a placement policy's parameters: the trade-offs a planner chooses between.

A sweep file (`simulations/sweeps/*.yaml`) names the policy (matcher/policies) and, per
parameter of that file, the values to try; every combination is a point, and the shipped
policy itself is always point 0 ("huidig beleid"):

    name: flevoland-beleid
    description: ...
    policy: regio-volgorde
    run: {replications: 3, horizon_days: 1825, warmup_days: 365}   # optional overrides
    parameters:
      levels.regio.wait_days: [91, 182]        # a level by its name in `levels`
      levels.urgentie.deadlines.wachtgrens.lead_days: [30, 60]   # a deadline by its name
      first_best.max_wait_days: [0, 42]

Each point's policy is written to the output dir (beleid/punt-NN.yaml, version
"<version>+punt-NN") and loaded like any policy file, so it is validated the same way and
named in the point's results. The scenario's own weights and waiting days give way to the
policy's. All points x replications run in one batch on the local pool or on Ray
(simulations.montecarlo.execute); point p's replication r shares random numbers with every
other point's replication r.
"""

from __future__ import annotations

import copy
import dataclasses
import itertools
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from domain.errors import ConfigError
from domain.nl_format import number, percent
from matcher.policies import policy_path
from simulations.montecarlo import Executor, MonteCarloResult, Progress, aggregate, execute, tasks
from simulations.outputs import canonical_json
from simulations.scenario import LoadedScenario, parse_scenario, read_scenario_data
from simulations.stats import Estimate

CURRENT = "huidig beleid"
# The scenario's policy fields that the placement policy decides in a sweep.
_POLICY_DECIDES = ("weights", "first_best_wait_days", "max_queue_days")
MEASURES = ("first_best_rate", "blocked_fraction", "out_of_region", "mean_wait_days")


@dataclass(frozen=True)
class Sweep:
    """A validated sweep file."""

    name: str
    description: str
    policy_file: Path
    policy_raw: dict[str, Any]
    parameters: dict[str, tuple[float, ...]]
    run: dict[str, float]
    source: str


def _fail(file: str, field: str, text: str) -> ConfigError:
    return ConfigError(text, file=file, field=field)


def _named(item: Any, name: str) -> Any:
    """A list item found by its name: a level (a one-key mapping, `levels.regio`) is its
    value, a deadline (a mapping with `name`, `levels.urgentie.deadlines.wachtgrens`) is
    itself; None when the item has another name."""
    if not isinstance(item, dict):
        return None
    if len(item) == 1 and name in item:
        return item[name]
    return item if item.get("name") == name else None


def _locate(raw: dict[str, Any], path: str) -> tuple[dict[str, Any], str] | None:
    """The mapping holding the policy parameter `path` and its key; None when absent."""
    *parents, leaf = path.split(".")
    node: Any = raw
    for part in parents:
        if isinstance(node, list):
            node = next((found for x in node if (found := _named(x, part)) is not None), None)
        elif isinstance(node, dict):
            node = node.get(part)
        else:
            return None
    if not isinstance(node, dict) or leaf not in node:
        return None
    return node, leaf


def load_sweep(path: Path | str) -> Sweep:
    """Read and validate a sweep file; every error names the file and the field."""
    file = str(path)
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except OSError:
        raise ConfigError("kan bestand niet lezen", file=file) from None
    except yaml.YAMLError:
        raise ConfigError("geen geldige YAML", file=file) from None
    if not isinstance(raw, dict):
        raise _fail(file, "", "verwacht een mapping met name, policy en parameters")
    unknown = sorted(set(raw) - {"name", "description", "policy", "run", "parameters"})
    if unknown:
        raise _fail(file, unknown[0], "onbekend veld")
    if not isinstance(raw.get("name"), str) or not raw["name"]:
        raise _fail(file, "name", "verplicht: een naam voor de sweep")
    policy_file = policy_path(str(raw.get("policy", "regio-volgorde")))
    try:
        policy_raw = yaml.safe_load(policy_file.read_text(encoding="utf-8"))
    except OSError:
        raise _fail(file, "policy", f"onbekend beleid: {raw.get('policy')}") from None
    params = raw.get("parameters")
    if not isinstance(params, dict) or not params:
        raise _fail(file, "parameters", "verwacht een niet-lege mapping: parameter -> waarden")
    parameters: dict[str, tuple[float, ...]] = {}
    for key, values in params.items():
        where = f"parameters.{key}"
        spot = _locate(policy_raw, str(key))
        if spot is None:
            raise _fail(file, where, f"het beleid {policy_file.stem} heeft deze parameter niet")
        if not isinstance(spot[0][spot[1]], int | float) or isinstance(spot[0][spot[1]], bool):
            raise _fail(file, where, "geen getal in het beleid: alleen getallen zijn te variëren")
        if not isinstance(values, list) or not values:
            raise _fail(file, where, "verwacht een niet-lege lijst met getallen")
        for i, v in enumerate(values):
            if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
                raise _fail(file, f"{where}[{i}]", f"verwacht een getal, niet {v!r}")
            if v < 0:
                raise _fail(file, f"{where}[{i}]", f"mag niet negatief zijn, niet {v}")
        parameters[str(key)] = tuple(values)
    run = raw.get("run", {})
    if not isinstance(run, dict):
        raise _fail(file, "run", "verwacht een mapping")
    for key, value in run.items():
        if key not in ("replications", "horizon_days", "warmup_days"):
            raise _fail(file, f"run.{key}", "onbekend veld (replications, horizon_days, "
                        "warmup_days)")  # fmt: skip
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise _fail(file, f"run.{key}", f"verwacht een getal van 0 of meer, niet {value!r}")
    if run.get("replications", 1) < 1:
        raise _fail(file, "run.replications", "moet minstens 1 zijn")
    return Sweep(str(raw["name"]), str(raw.get("description", "")), policy_file, policy_raw,
                 parameters, dict(run), file)  # fmt: skip


def points(sweep: Sweep) -> list[dict[str, float]]:
    """The parameter settings to run: the shipped policy first ({}), then every combination."""
    keys = list(sweep.parameters)
    combos = [dict(zip(keys, values, strict=True))
              for values in itertools.product(*sweep.parameters.values())]  # fmt: skip
    shipped = {k: _locate(sweep.policy_raw, k) for k in keys}
    current = {k: spot[0][spot[1]] for k, spot in shipped.items() if spot is not None}
    return [{}] + [c for c in combos if c != current]


def policy_for(sweep: Sweep, overrides: dict[str, float], index: int) -> dict[str, Any]:
    """The policy file's data with these parameter values and a version naming the point."""
    data = copy.deepcopy(sweep.policy_raw)
    for key, value in overrides.items():
        spot = _locate(data, key)
        assert spot is not None  # validated on load
        spot[0][spot[1]] = int(value) if float(value).is_integer() else value
    if overrides:
        data["version"] = f"{data.get('version', '')}+punt-{index:02d}"
    return data


@dataclass(frozen=True)
class SweepPoint:
    """One point of the sweep: its parameters, the policy it ran, and its results."""

    index: int
    label: str
    parameters: dict[str, float]
    policy: str
    result: MonteCarloResult

    def measure(self, key: str) -> Estimate:
        """The estimate of a total (nan when absent)."""
        return self.result.totals.get(key, Estimate(math.nan, math.nan, math.nan, 0))


def prepare(
    sweep: Sweep, scenario: Path, out_dir: Path
) -> list[tuple[int, dict[str, float], LoadedScenario, str]]:
    """Write each point's policy file and load the scenario with it (and the policy label)."""
    base = read_scenario_data(scenario)
    folder = out_dir / "beleid"
    folder.mkdir(parents=True, exist_ok=True)
    prepared = []
    for index, overrides in enumerate(points(sweep)):
        policy_file = folder / f"punt-{index:02d}.yaml"
        policy_data = policy_for(sweep, overrides, index)
        policy_file.write_text(
            yaml.safe_dump(policy_data, allow_unicode=True,
                           sort_keys=False), encoding="utf-8")  # fmt: skip
        data = copy.deepcopy(base)
        policy = {k: v for k, v in data.get("policy", {}).items() if k not in _POLICY_DECIDES}
        data["policy"] = {**policy, "placement_policy": str(policy_file.resolve())}
        data["run"] = {**data.get("run", {}), **{k: v for k, v in sweep.run.items()
                                                  if k != "replications"}}  # fmt: skip
        loaded = parse_scenario(data, file=str(scenario), base_dir=scenario.parent)
        label = f"{policy_data.get('name', '')} {policy_data.get('version', '')}"
        prepared.append((index, overrides, loaded, label))
    return prepared


def run_sweep(
    sweep: Sweep,
    scenario: Path,
    out_dir: Path,
    *,
    replications: int | None = None,
    workers: int | None = None,
    executor: Executor = "local",
    progress: Progress | None = None,
    ray_address: str | None = None,
) -> list[SweepPoint]:
    """Run every point x replication in one batch and aggregate per point."""
    prepared = prepare(sweep, scenario, out_dir)
    first = prepared[0][2]
    reps = replications or int(sweep.run.get("replications", first.replications))
    batch = tasks([p[2].scenario for p in prepared], first.settings, first.seed, reps)
    results = execute(
        batch, workers=workers, executor=executor, progress=progress, ray_address=ray_address
    )
    out = []
    for k, (index, overrides, loaded, policy) in enumerate(prepared):
        mine = results[k * reps : (k + 1) * reps]
        agg = aggregate(loaded.scenario, loaded.settings, loaded.seed, mine)
        label = CURRENT if not overrides else f"punt {index}"
        out.append(SweepPoint(index, label, overrides, policy, agg))
    return out


def pareto(values: list[tuple[float, float, float]]) -> list[bool]:
    """Which points are Pareto-optimal for (first-best: more, out of region: less, wait: less)."""

    def dominates(a: tuple[float, float, float], b: tuple[float, float, float]) -> bool:
        no_worse = a[0] >= b[0] and a[1] <= b[1] and a[2] <= b[2]
        return no_worse and (a[0] > b[0] or a[1] < b[1] or a[2] < b[2])

    finite = [all(math.isfinite(x) for x in v) for v in values]
    return [
        finite[i] and not any(finite[j] and dominates(values[j], v) for j in range(len(values)))
        for i, v in enumerate(values)
    ]


def sweep_dict(sweep: Sweep, scenario: str, found: list[SweepPoint]) -> dict[str, Any]:
    """Plain data for afweging.json: the sweep, each point's parameters and measures."""
    optimal = pareto([_triple(p) for p in found])
    settings = found[0].result.settings
    return {
        "format": "servicepunt-sweep/1",
        "sweep": sweep.name,
        "description": sweep.description,
        "file": sweep.source,
        "scenario": scenario,
        "policy": found[0].policy,
        "replications": len(found[0].result.replications),
        "settings": dataclasses.asdict(settings),
        "points": [
            {
                "index": p.index,
                "label": p.label,
                "policy": p.policy,
                "parameters": p.parameters,
                "pareto": opt,
                "measures": {k: p.measure(k).to_dict() for k in MEASURES},
            }
            for p, opt in zip(found, optimal, strict=True)
        ],
    }


def _triple(p: SweepPoint) -> tuple[float, float, float]:
    return (
        p.measure("first_best_rate").mean,
        p.measure("blocked_fraction").mean,
        p.measure("mean_wait_days").mean,
    )


def write_sweep(sweep: Sweep, scenario: str, found: list[SweepPoint], out_dir: Path) -> list[Path]:
    """Write afweging.json (canonical) and afweging.svg (the frontier chart)."""
    from simulations.frontier_chart import frontier_svg  # noqa: PLC0415 - chart on demand

    data = sweep_dict(sweep, scenario, found)
    out_dir.mkdir(parents=True, exist_ok=True)
    json_path, svg_path = out_dir / "afweging.json", out_dir / "afweging.svg"
    json_path.write_text(canonical_json(data) + "\n", encoding="utf-8")
    svg_path.write_text(frontier_svg(data), encoding="utf-8")
    return [json_path, svg_path]


def frontier_lines(data: dict[str, Any]) -> list[str]:
    """Each point as one Dutch text line (the CLI; the planner page has `point_rows`)."""
    lines = []
    for p in data["points"]:
        m = p["measures"]
        params = (
            ", ".join(f"{k}={_num(v)}" for k, v in p["parameters"].items()) or "zoals verzonden"
        )
        lines.append(
            f"{p['label']}{' (Pareto)' if p['pareto'] else ''}: {params}; first-best "
            f"{_num(m['first_best_rate']['mean'])}, buiten regio "
            f"{_num(m['blocked_fraction']['mean'])} "
            f"({_num(m['out_of_region']['mean'])} kinderen), wachttijd "
            f"{_num(m['mean_wait_days']['mean'])} dagen"
        )
    return lines


# The Dutch names of the policy parameters a sweep varies (any other shows its path).
PARAMETER_LABELS = {
    "first_best.max_wait_days": "wachten op first-best (dagen)",
    "levels.regio.expected_days": "plek in de regio verwacht binnen (dagen)",
    "levels.regio.wait_days": "uiterlijk buiten de regio na (dagen)",
    "levels.regio.radius_km": "straal van de regio (km)",
    "levels.urgentie.deadlines.wachtgrens.lead_days": "urgentie vanaf (dagen voor de wachtgrens)",
}


@dataclass(frozen=True, slots=True)
class PointRow:
    """One point of a sweep as a row of the planner page's table, in Dutch."""

    label: str
    settings: str
    first_best: str
    out_of_region: str
    wait: str
    pareto: bool


def point_rows(data: dict[str, Any]) -> list[PointRow]:
    """The points of afweging.json (`sweep_dict`) as table rows: the settings by their Dutch
    names, the mean first-best share, out-of-region share (and count) and wait."""
    rows = []
    for p in data["points"]:
        m = {k: v["mean"] for k, v in p["measures"].items()}
        away = f"{percent(m['blocked_fraction'], 1)} ({number(m['out_of_region'], 3)})"
        settings = "; ".join(
            f"{PARAMETER_LABELS.get(k, k)}: {number(v)}" for k, v in p["parameters"].items()
        )
        rows.append(
            PointRow(
                label=p["label"],
                settings=settings or "zoals verzonden",
                first_best=percent(m["first_best_rate"], 1),
                out_of_region=away,
                wait=f"{number(m['mean_wait_days'], 3)} dagen",
                pareto=bool(p["pareto"]),
            )
        )
    return rows


def _num(x: Any) -> str:
    return "-" if not isinstance(x, int | float) or not math.isfinite(x) else f"{x:.3g}"
