"""Scenario files: YAML read, validated and turned into an engine `Scenario`.

Every error is one `ConfigError` naming the file and the field (Dutch), e.g.
`arrivals.age_bands[1].per_year: mag niet negatief zijn`. The schema, with the shipped
examples in simulations/scenarios/:

    extends: OTHER.yaml (optional: this file's fields override that file's, mappings deeply)
    name, description, start_date (YYYY-MM-DD: engine day 0)
    run: {horizon_days, warmup_days, replications, seed, sample_every_days}
    start_state: {baseline: flevoland, fill: {care_form: fraction}} | {units: [unit_id,
                 municipality, care_form, places, occupied, ...]} | {snapshot: true}
    arrivals: {municipalities: {name: share | {share, SHAPE}}, age_bands: [{ages: [lo, hi],
               per_year, crisis_share, SHAPE}], SHAPE}
      SHAPE = trend_per_year, season_amplitude, peak_day: the rate of (municipality m, band b)
      on day t is per_year_b * share_m * max(0, 1 + trend_per_year * t / 365)
      * (1 + season_amplitude * cos(2 pi (t - peak_day) / 365)). Each SHAPE field is set at
      the top (default 0), per age band or per municipality (the plain number form is a
      share without overrides); the most specific one wins, and one field may be set per
      age band or per municipality, not both. Shares lie in [0, 1] and add up to 1 (within
      0.001); trend_per_year may be negative (a decline; a rate stops at 0);
      season_amplitude lies in [0, 1); peak_day >= 0. Arrivals are Poisson; with one shape
      for all, the day-0 shares hold throughout (the stationary path), otherwise each
      (municipality, band) arrives at exactly its own rate (simulations/scenario_arrivals.py).
    profile_mix: {severity, complexity, externalising, parents_view, perspective: {value:
                  weight}, treatment_need, trauma, lvb, network_family_available, child_agrees,
                  siblings: {share, sizes: {k: weight}}}
      siblings (optional): `share` of the arrival events is a sibling group of k (2-6)
      children, k drawn by the weights (adding up to 1); per_year still counts children
      (simulations/children.py says what siblings share and how they are drawn).
    stays: {care_form: {kind: exponential|lognormal|empirical, ...}}
    capacity: [{kind: scale_linear, care_form, to_fraction, from_day, until_day}
               | {kind: close, unit, day} | {kind: add_units, care_form, per_year, from_day,
               until_day, places_each, capabilities, age_min, age_max}]
    policy: {allocation: optimizer|greedy_fcfs, weights: default|PATH, no_place: queue|
             out_of_region, first_best_wait_days, max_queue_days, norm_days}
    regions: [{name, region | jeugdregio (+ without), start_state, arrivals}] (optional):
      several regions, each with its own start_state and arrivals instead of those at the
      top (set them to null when the file extends a single-region one); see
      simulations/scenario_regions.py and simulations/regions.py.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

import yaml

from capacity.snapshot import UnitView
from domain.care import CareForm
from domain.errors import ConfigError
from domain.places import Municipality
from domain.profile_vocabulary import Capability
from matcher.policies import Policy, load_policy, policy_path
from matcher.weights import default_weights, load_weights
from simulations.baseline import BASELINES, spread
from simulations.distributions import Distribution, PoissonArrivals, distribution_from_dict
from simulations.matching import MatcherPolicy
from simulations.model import (
    AllocationPolicy,
    CapacityChange,
    PlacementRules,
    RunSettings,
    Scenario,
    UnitSpec,
)
from simulations.multi_region import MultiRegionPolicy
from simulations.out_of_region import OutOfRegion, out_of_region
from simulations.scenario_arrivals import read_arrivals, read_mix
from simulations.scenario_reader import Reader
from simulations.scenario_regions import read_regions

_TOP = {"name", "description", "start_date", "run", "start_state", "arrivals", "profile_mix",
        "stays", "capacity", "policy", "out_of_region", "regions"}  # fmt: skip


@dataclass(frozen=True)
class LoadedScenario:
    """A validated scenario file: the engine scenario and the run settings it asks for."""

    scenario: Scenario
    settings: RunSettings
    replications: int
    seed: int
    start_date: date
    source: str


def load_scenario(path: Path | str, *, snapshot: Sequence[UnitView] = ()) -> LoadedScenario:
    """Read and validate a scenario file; every error names the file and the field."""
    return parse_scenario(
        _read(Path(path), ()), file=str(path), base_dir=Path(path).parent, snapshot=snapshot
    )


def read_scenario_data(path: Path | str) -> Any:
    """A scenario file's data merged over what it extends, not yet validated."""
    return _read(Path(path), ())


def _read(path: Path, chain: tuple[Path, ...]) -> Any:
    """The file's data, merged over the file it `extends` (mappings deep, lists replaced)."""
    file = str(path)
    if path.resolve() in chain:
        raise ConfigError("extends verwijst in een kring", file=file, field="extends")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError:
        raise ConfigError("kan bestand niet lezen", file=file) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (regel {mark.line + 1}, kolom {mark.column + 1})" if mark else ""
        raise ConfigError(f"geen geldige YAML{where}", file=file) from None
    if not isinstance(raw, dict) or "extends" not in raw:
        return raw
    base = _read(path.parent / str(raw.pop("extends")), (*chain, path.resolve()))
    return _merge(base, raw)


def _merge(base: Any, over: Any) -> Any:
    if isinstance(base, dict) and isinstance(over, dict):
        return {k: _merge(base[k], v) if k in base else v for k, v in over.items()} | {
            k: v for k, v in base.items() if k not in over
        }
    return over


def parse_scenario(
    raw: Any, *, file: str, base_dir: Path = Path(), snapshot: Sequence[UnitView] = ()
) -> LoadedScenario:
    """Validate scenario data; `snapshot` is the live units for `start_state: {snapshot: true}`."""
    r = Reader(file)
    top = r.mapping(raw, "", _TOP)
    several = "regions" in top  # several regions: simulations.scenario_regions
    per_region = ("start_state", "arrivals")
    for key in ("name", "start_date", "run", "stays", "policy", *(() if several else per_region)):
        if key not in top:
            raise r.fail(key, "ontbreekt")
    for key in per_region if several else ():
        if top.get(key) is not None:  # null drops what an extended file sets
            raise r.fail(key, "geef dit per regio (regions[...]) bij meerdere regio's")
    start = top["start_date"]
    if not isinstance(start, date):
        start = r.guard("start_date", lambda: date.fromisoformat(str(top["start_date"])))
    run = r.mapping(top["run"], "run", {"horizon_days", "warmup_days", "replications", "seed",
                                        "sample_every_days"})  # fmt: skip
    horizon = r.number(run, "horizon_days", "run")
    warmup = r.number(run, "warmup_days", "run", 0.0)
    if horizon <= warmup:
        raise r.fail("run.horizon_days", "moet groter zijn dan warmup_days")
    settings = r.guard("run", lambda: RunSettings(
        horizon, warmup, r.number(run, "sample_every_days", "run", 30.0)))  # fmt: skip
    replications = int(r.number(run, "replications", "run", 10))
    if replications < 1:
        raise r.fail("run.replications", "moet minstens 1 zijn")
    seed = int(r.number(run, "seed", "run", 0))
    compiled = read_regions(r, top, start, units=_units, fill=_fill) if several else None
    if compiled is None:
        views, occupied = _units(r, top["start_state"], snapshot)
    else:
        views, occupied = compiled.views, compiled.occupied
    stays_raw = r.mapping(top["stays"], "stays")
    stays: dict[str, Distribution] = {}
    for form, spec in stays_raw.items():
        where = f"stays.{form}"
        data = r.mapping(spec, where)
        stays[str(r.enum(CareForm, form, where))] = r.guard(
            where, partial(distribution_from_dict, data, field="")
        )
    missing = sorted({str(v.care_form) for v in views} - set(stays))
    if missing:
        raise r.fail(f"stays.{missing[0]}", "ontbreekt: er zijn eenheden met deze zorgvorm")
    views, changes = _capacity(r, top.get("capacity", []), views)
    policy = r.mapping(top["policy"], "policy", {"allocation", "weights", "placement_policy",
                       "no_place", "first_best_wait_days", "max_queue_days",
                       "norm_days"})  # fmt: skip
    placement = _placement_policy(r, policy, base_dir)
    rules = _rules(r, policy, placement)
    first = _allocation(r, policy, start, placement, base_dir)
    allocation: AllocationPolicy = first
    regions = None if compiled is None else compiled.regions
    if compiled is None:
        source = read_arrivals(r, top["arrivals"], read_mix(r, top.get("profile_mix", {})), start)
    else:  # one matcher policy per region
        source, more = compiled.source, range(len(compiled.regions.names) - 1)
        allocation = MultiRegionPolicy(compiled.regions, (first, *(
            _allocation(r, policy, start, placement, base_dir) for _ in more)))  # fmt: skip
    units = tuple(
        UnitSpec(v.unit_id, str(v.care_form), v.places, str(v.municipality), v,
                 occupied.get(v.unit_id, 0))
        for v in views
    )  # fmt: skip
    away = _out_of_region(r, top.get("out_of_region"))
    scenario = r.guard("", lambda: Scenario(
        name=str(top["name"]), units=units, arrivals=PoissonArrivals(source.rate), demand=source,
        stays=stays, allocation=allocation, rules=rules, capacity_changes=changes,
        out_of_region=away, regions=regions))  # fmt: skip
    return LoadedScenario(scenario, settings, replications, seed, start, file)


def _out_of_region(r: Reader, value: Any) -> OutOfRegion | None:
    """Where children placed out of region go (simulations.out_of_region); None: unknown."""
    if value is None:
        return None
    data = r.mapping(value, "out_of_region", {"destinations"})
    codes = data.get("destinations")
    if not isinstance(codes, list):
        raise r.fail("out_of_region.destinations", "verwacht een lijst van CBS-gemeentecodes")
    return r.guard("out_of_region", lambda: out_of_region(codes))


def _units(
    r: Reader, value: Any, snapshot: Sequence[UnitView]
) -> tuple[list[UnitView], dict[str, int]]:
    data = r.mapping(value, "start_state", {"baseline", "units", "snapshot", "fill"})
    if data.get("snapshot"):
        # The live database's units with their current occupancy, passed in by the caller
        # (the API reads capacity.snapshot); a file alone cannot carry it.
        if not snapshot:
            raise r.fail("start_state.snapshot", "geen momentopname meegegeven door de aanroeper")
        views = [dataclasses.replace(v, occupied=0, held=0) for v in snapshot]
        return views, {v.unit_id: min(v.places, v.occupied + v.held) for v in snapshot}
    if "baseline" in data:
        name = str(data["baseline"])
        if name not in BASELINES:
            raise r.fail("start_state.baseline",
                         f"onbekende basis; kies uit {', '.join(sorted(BASELINES))}")  # fmt: skip
        views = BASELINES[name]()
        return views, _fill(r, data.get("fill", {}), views)
    units = data.get("units")
    if not isinstance(units, list) or not units:
        raise r.fail("start_state", "geef baseline of een niet-lege lijst units")
    out = []
    for i, item in enumerate(units):
        field = f"start_state.units[{i}]"
        u = r.mapping(item, field)
        for key in ("places", "occupied"):
            if key in u:
                r.number(u, key, field)
        if int(u.get("occupied", 0)) > int(u.get("places", 0)):
            raise r.fail(f"{field}.occupied", "mag niet groter zijn dan places")
        out.append(r.guard(field, partial(_unit_view, u)))
    if len({v.unit_id for v in out}) != len(out):
        raise r.fail("start_state.units", "unit_id komt dubbel voor")
    return out, {str(u["unit_id"]): int(u.get("occupied", 0)) for u in units}


def _fill(r: Reader, value: Any, views: list[UnitView]) -> dict[str, int]:
    """Children in care on day 0: per care form a fraction of its places, spread evenly."""
    data = r.mapping(value, "start_state.fill")
    out: dict[str, int] = {}
    for form_name in data:
        form = r.enum(CareForm, form_name, f"start_state.fill.{form_name}")
        fraction = r.share(data, form_name, "start_state.fill", 0.0)
        running, done = 0.0, 0
        for v in views:
            if v.care_form is form:
                running += v.places * fraction
                out[v.unit_id] = min(v.places, int(running + 1e-9) - done)
                done += out[v.unit_id]
    return out


def _unit_view(u: dict[str, Any]) -> UnitView:
    return UnitView(
        unit_id=str(u["unit_id"]), provider_id=str(u.get("provider_id", u["unit_id"])),
        name=str(u.get("name", u["unit_id"])), municipality=Municipality(u["municipality"]),
        care_form=CareForm(u["care_form"]), places=int(u["places"]), occupied=0, held=0,
        age_min=int(u.get("age_min", 0)), age_max=int(u.get("age_max", 23)),
        capabilities=frozenset(Capability(c) for c in u.get("capabilities", ())),
    )  # fmt: skip


def _capacity(
    r: Reader, value: Any, views: list[UnitView]
) -> tuple[list[UnitView], tuple[CapacityChange, ...]]:
    if not isinstance(value, list):
        raise r.fail("capacity", "verwacht een lijst")
    ids = {v.unit_id for v in views}
    changes: list[CapacityChange] = []
    for i, item in enumerate(value):
        f = f"capacity[{i}]"
        c = r.mapping(item, f)
        kind = c.get("kind")
        if kind == "close":
            unit = str(c.get("unit"))
            if unit not in ids:
                raise r.fail(f"{f}.unit", "onbekende eenheid")
            places = next(v.places for v in views if v.unit_id == unit)
            changes.append(CapacityChange(r.number(c, "day", f), unit, -places))
        elif kind == "scale_linear":
            changes += _scale_linear(r, c, f, views)
        elif kind == "add_units":
            new, more = _add_units(r, c, f, len(views))
            views = views + new
            changes += more
        else:
            raise r.fail(f"{f}.kind", "kies close, scale_linear of add_units")
    return views, tuple(sorted(changes, key=lambda x: (x.day, x.unit_id)))


def _scale_linear(
    r: Reader, c: dict[str, Any], f: str, views: list[UnitView]
) -> list[CapacityChange]:
    """Places of a care form scaled to `to_fraction` in equal one-place steps over time."""
    form = r.enum(CareForm, c.get("care_form"), f"{f}.care_form")
    mine = {v.unit_id: v.places for v in views if v.care_form is form}
    if not mine:
        raise r.fail(f"{f}.care_form", "geen eenheden met deze zorgvorm")
    fraction = r.number(c, "to_fraction", f)
    if fraction > 1:
        raise r.fail(f"{f}.to_fraction", "alleen afbouw: moet tussen 0 en 1 liggen")
    begin, end = r.number(c, "from_day", f, 0.0), r.number(c, "until_day", f)
    if end <= begin:
        raise r.fail(f"{f}.until_day", "moet na from_day liggen")
    steps = round(sum(mine.values()) * (1 - fraction))
    out = []
    for k in range(steps):
        # Take the place from the unit with the most places left (ties: by id).
        unit = min(mine, key=lambda u: (-mine[u], u))
        mine[unit] -= 1
        out.append(CapacityChange(begin + (end - begin) * (k + 1) / steps, unit, -1))
    return out


def _add_units(
    r: Reader, c: dict[str, Any], f: str, offset: int
) -> tuple[list[UnitView], list[CapacityChange]]:
    """New units (e.g. recruited foster families), opening evenly over [from_day, until_day)."""
    form = r.enum(CareForm, c.get("care_form"), f"{f}.care_form")
    per_year = r.number(c, "per_year", f)
    begin, end = r.number(c, "from_day", f, 0.0), r.number(c, "until_day", f)
    if end <= begin:
        raise r.fail(f"{f}.until_day", "moet na from_day liggen")
    size = int(r.number(c, "places_each", f, 1))
    caps = frozenset(r.enum(Capability, x, f"{f}.capabilities") for x in c.get("capabilities", ()))
    count = round(per_year * (end - begin) / 365.0)
    views, changes = [], []
    for k, muni in enumerate(spread(count)):
        unit_id = f"NIEUW-{offset}-{form.value}-{k + 1:03d}"
        views.append(UnitView(
            unit_id=unit_id, provider_id="nieuw", name=f"nieuw: {form.label} {k + 1}",
            municipality=muni, care_form=form, places=0, occupied=0, held=0,
            age_min=int(r.number(c, "age_min", f, 0)), age_max=int(r.number(c, "age_max", f, 21)),
            capabilities=caps))  # fmt: skip
        changes.append(CapacityChange(begin + (end - begin) * k / max(1, count), unit_id, size))
    return views, changes


def _placement_policy(r: Reader, p: dict[str, Any], base_dir: Path) -> Policy | None:
    """The placement policy (matcher.policies) by name or path; None: plain weights."""
    name = p.get("placement_policy")
    if name is None:
        return None
    if "weights" in p:
        raise r.fail("policy.weights", "geef weights of placement_policy, niet beide")
    path = policy_path(str(name))
    return load_policy(path if path.exists() else base_dir / str(name))


def _rules(r: Reader, p: dict[str, Any], placement: Policy | None) -> PlacementRules:
    no_place = p.get("no_place", "queue")
    if no_place not in ("queue", "out_of_region"):
        raise r.fail("policy.no_place", "kies queue of out_of_region")
    limit = p.get("max_queue_days")
    if limit is None and placement is not None:
        limit = placement.region_wait_days
    wait, expected = 0.0, False
    if placement is not None:
        wait, expected = float(placement.first_best.max_wait_days), placement.first_best.expected
    return r.guard("policy", lambda: PlacementRules(
        no_place=no_place,
        first_best_wait_days=r.number(p, "first_best_wait_days", "policy", wait),
        max_queue_days=None if limit is None else float(limit),
        norm_days=r.number(p, "norm_days", "policy", 14.0),
        first_best_expected=expected,
        crisis_priority_days=float(placement.crisis_days if placement else 0),
        region_expected_days=None if placement is None or placement.region_expected_days is None
        else float(placement.region_expected_days),
        take_free_alternative=placement is not None
        and placement.first_best.take_free_alternative))  # fmt: skip


def _allocation(
    r: Reader, p: dict[str, Any], start: date, placement: Policy | None, base_dir: Path
) -> MatcherPolicy:  # one per region in a scenario over several regions
    mode = p.get("allocation", "optimizer")
    if mode not in ("optimizer", "greedy_fcfs"):
        raise r.fail("policy.allocation", "kies optimizer of greedy_fcfs")
    if placement is not None:
        return MatcherPolicy(start_date=start, mode=mode, weights=placement.weights)
    name = p.get("weights", "default")
    weights = default_weights() if name == "default" else load_weights(base_dir / str(name))
    return MatcherPolicy(start_date=start, mode=mode, weights=weights)
