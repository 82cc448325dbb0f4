"""`regions:` in a scenario file: several regions, compiled into one engine scenario.

    regions:
      - name: flevoland              # the name in the results (region.<name>.*): a-z, 0-9, -
        region: flevoland            # a region file (domain/data/regions/<name>.yaml), or
        # jeugdregio: JZ12           # a CBS jeugdregio from the national list (domain/data),
        # without: [GM0050]          # minus these municipalities (codes)
        start_state: {baseline | units | synthetic: {scale: 1.2}, fill: {...}}
        arrivals: {municipalities: {...}, age_bands: [...]}   # as for one region

`start_state` and `arrivals` are those of a single-region file (simulations.scenario),
per region; everything else (run, profile_mix, stays, capacity, policy, out_of_region)
holds for the whole scenario. `synthetic: {scale: s}` builds units like the Flevoland
baseline (simulations.baseline.like_flevoland), every count times s, spread over the
region's municipalities by their share of its arrivals, and named "synthetisch": invented
units for a region with real geography. Every unit and every arrival municipality must lie
in its region, a municipality in one region only, and names are unique; each error names
the file and the field (`regions[1].arrivals.municipalities.Zwolle: ...`). Unit ids get
their region's name in front (`ijsselland/GH-001`), so `capacity` names them that way.
What the regions mean in a run: simulations.regions and simulations.multi_region.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from capacity.snapshot import UnitView
from domain.errors import ConfigError, DomainError
from domain.municipalities import national_list
from domain.places import Municipality
from domain.regions import load_region, shipped_regions
from simulations.baseline import like_flevoland
from simulations.children import ProfileSource
from simulations.profile_mix import ArrivalGroup
from simulations.regions import ScenarioRegions
from simulations.scenario_arrivals import read_arrivals, read_mix
from simulations.scenario_reader import Reader

_KEYS = {"name", "region", "jeugdregio", "without", "start_state", "arrivals"}
_NAME = re.compile(r"[a-z0-9][a-z0-9-]*")

UnitsReader = Callable[[Reader, Any, tuple[UnitView, ...]], tuple[list[UnitView], dict[str, int]]]
FillReader = Callable[[Reader, Any, list[UnitView]], dict[str, int]]


class _Within(Reader):
    """A Reader whose fields lie under `prefix` (e.g. `regions[1]`)."""

    def __init__(self, file: str, prefix: str) -> None:
        super().__init__(file)
        self.prefix = prefix

    def fail(self, field: str, detail: str) -> ConfigError:
        """The error for this file and the field under the prefix."""
        return super().fail(f"{self.prefix}.{field}" if field else self.prefix, detail)


@dataclass(frozen=True)
class CompiledRegions:
    """The regions of a file as one scenario's units, demand and region map."""

    views: list[UnitView]
    occupied: dict[str, int]
    source: ProfileSource
    regions: ScenarioRegions


def read_regions(
    r: Reader, top: dict[str, Any], start: date, *, units: UnitsReader, fill: FillReader
) -> CompiledRegions:
    """Validate `regions:` of a scenario's data `top` and compile it (see the module doc);
    `units` and `fill` read a start_state as simulations.scenario does for one region."""
    for i, item in enumerate(top.get("capacity") or []):
        if isinstance(item, dict) and item.get("kind") == "add_units":  # spread over Flevoland
            raise r.fail(f"capacity[{i}].kind", "add_units kan niet bij meerdere regio's")
    mix = read_mix(r, top.get("profile_mix", {}))
    value = top["regions"]
    if not isinstance(value, list) or not value:
        raise r.fail("regions", "verwacht een niet-lege lijst van regio's")
    names: list[str] = []
    owner: dict[str, str] = {}  # municipality code -> region name
    views: list[UnitView] = []
    occupied: dict[str, int] = {}
    unit_region: list[int] = []
    groups: list[ArrivalGroup] = []
    for i, item in enumerate(value):
        where = f"regions[{i}]"
        sub = _Within(r.file, where)
        data = r.mapping(item, where, _KEYS)
        name = _name(sub, data, names)
        codes = _codes(sub, data)
        for code in sorted(codes):
            if code in owner:
                label = national_list().current[code].name
                raise sub.fail("", f"gemeente {label} hoort ook bij regio {owner[code]}")
            owner[code] = name
        for key in ("start_state", "arrivals"):
            if key not in data:
                raise sub.fail(key, "ontbreekt")
        source = read_arrivals(sub, data["arrivals"], mix, start)
        for key in data["arrivals"]["municipalities"]:
            if str(Municipality(str(key))) not in codes:
                raise sub.fail(f"arrivals.municipalities.{key}", f"hoort niet bij regio {name}")
        mine, taken = _start_state(sub, data["start_state"], source, units, fill)
        for k, view in enumerate(mine):
            if str(view.municipality) not in codes:
                raise sub.fail(
                    f"start_state.units[{k}].municipality", f"hoort niet bij regio {name}"
                )
        views += [dataclasses.replace(v, unit_id=f"{name}/{v.unit_id}") for v in mine]
        occupied |= {f"{name}/{unit}": n for unit, n in taken.items()}
        unit_region += [i] * len(mine)
        groups += source.groups
        names.append(name)
    home = {code: names.index(region) for code, region in owner.items()}
    compiled = r.guard("regions", lambda: ProfileSource(tuple(groups), mix, start))
    regions = ScenarioRegions(tuple(names), tuple(unit_region), home)
    return CompiledRegions(views, occupied, compiled, regions)


def _name(r: Reader, data: dict[str, Any], seen: list[str]) -> str:
    name = data.get("name")
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise r.fail("name", "verwacht een naam van kleine letters, cijfers en '-'")
    if name in seen:
        raise r.fail("name", "komt dubbel voor")
    return name


def _codes(r: Reader, data: dict[str, Any]) -> frozenset[str]:
    """The CBS codes of the region's municipalities: a region file or a jeugdregio."""
    if ("region" in data) == ("jeugdregio" in data):
        raise r.fail("region", "geef region (een regiobestand) of jeugdregio, niet allebei")
    if "region" in data:
        files = shipped_regions()
        if data["region"] not in files:
            raise r.fail("region", f"onbekende regio; kies uit {', '.join(files)}")
        if "without" in data:
            raise r.fail("without", "alleen bij jeugdregio")
        return load_region(files[data["region"]]).codes
    try:
        found = national_list().in_jeugdregio(str(data["jeugdregio"]).strip().upper())
    except DomainError:
        detail = "onbekende jeugdregio; geef een CBS-code (JZ en twee cijfers)"
        raise r.fail("jeugdregio", detail) from None
    codes = {m.code for m in found}
    without = data.get("without", [])
    if not isinstance(without, list):
        raise r.fail("without", "verwacht een lijst van CBS-gemeentecodes")
    for k, code in enumerate(without):
        if str(code).strip().upper() not in codes:
            raise r.fail(f"without[{k}]", "geen gemeente van deze jeugdregio")
        codes.discard(str(code).strip().upper())
    if not codes:
        raise r.fail("without", "laat minstens een gemeente over")
    return frozenset(codes)


def _start_state(
    r: Reader, value: Any, source: ProfileSource, units: UnitsReader, fill: FillReader
) -> tuple[list[UnitView], dict[str, int]]:
    """The region's units: as for one region, or `synthetic` (see the module doc)."""
    data = r.mapping(value, "start_state", {"baseline", "units", "snapshot", "fill", "synthetic"})
    if "synthetic" not in data:
        if data.get("snapshot"):
            raise r.fail("start_state.snapshot", "kan niet per regio; geef units of synthetic")
        return units(r, data, ())
    if "baseline" in data or "units" in data:
        raise r.fail("start_state.synthetic", "geef synthetic, baseline of units, niet samen")
    spec = r.mapping(data["synthetic"], "start_state.synthetic", {"scale"})
    scale = r.number(spec, "scale", "start_state.synthetic", 1.0)
    if scale <= 0:
        raise r.fail("start_state.synthetic.scale", "moet groter dan 0 zijn")
    per_muni: dict[Municipality, float] = {}
    for group in source.groups:
        per_muni[group.municipality] = per_muni.get(group.municipality, 0.0) + group.per_year
    total = sum(per_muni.values())
    views = like_flevoland({m: w / total for m, w in per_muni.items()}, scale, synthetic=True)
    return views, fill(r, data.get("fill", {}), views)
