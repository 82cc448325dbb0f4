"""Scenarios over several regions: children of a full region placed in another's units."""

from __future__ import annotations

import copy
import html
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from api.cli_simulate import summary_lines
from domain.errors import ConfigError
from simulations.engine import simulate, trace
from simulations.multi_region import MultiRegionPolicy
from simulations.outputs import canonical_json
from simulations.regions import OTHER_REGION, REGION_LABELS
from simulations.report import write_outputs
from simulations.scenario import load_scenario, parse_scenario
from simulations.study import run_study
from tests.simulations.scenario_helpers import SMALL

SCENARIOS = Path(__file__).parents[2] / "simulations" / "scenarios"
FORMS = ("gezinshuis", "behandelgroep", "pleegzorg_bestand", "pleegzorg_netwerk",
         "crisisgroep_12plus", "pleegzorg_crisis")  # fmt: skip


def _units(municipality: str, places: int, occupied: int) -> list[dict[str, Any]]:
    """One unit of each care form of SMALL, with these places, taken or not on day 0."""
    out: list[dict[str, Any]] = []
    for unit in SMALL["start_state"]["units"]:
        if unit["care_form"] in FORMS and not any(u["care_form"] == unit["care_form"] for u in out):
            out.append(unit | {"municipality": municipality, "places": places,
                               "occupied": occupied})  # fmt: skip
    return out


def two_regions(*, a_places: int, a_full: bool, b_per_year: float = 1.0) -> dict[str, Any]:
    """Region a (Flevoland: Almere) and b (IJsselland: Zwolle, Deventer): b has room."""
    data = copy.deepcopy(SMALL)
    del data["start_state"], data["arrivals"]
    data["policy"] = {"allocation": "optimizer", "first_best_wait_days": 14,
                      "max_queue_days": 30}  # fmt: skip
    data["regions"] = [
        {"name": "a", "region": "flevoland",
         "start_state": {"units": _units("almere", a_places, a_places if a_full else 0)},
         "arrivals": {"municipalities": {"almere": 0.7, "urk": 0.3},
                      "age_bands": SMALL["arrivals"]["age_bands"]}},
        {"name": "b", "region": "ijsselland",
         "start_state": {"units": _units("GM0150", 30, 0)},
         "arrivals": {"municipalities": {"GM0193": 1.0},
                      "age_bands": [{"ages": [6, 17], "per_year": b_per_year}]}},
    ]  # fmt: skip
    return data


def _load(data: dict[str, Any]) -> Any:
    return parse_scenario(data, file="test.yaml")


def test_a_full_region_places_its_children_in_the_other_region() -> None:
    loaded = _load(two_regions(a_places=2, a_full=True))
    scenario = loaded.scenario
    assert isinstance(scenario.allocation, MultiRegionPolicy)
    records, needs, _ = trace(scenario, loaded.settings, seed=loaded.seed)
    regions = scenario.regions
    assert regions is not None and regions.names == ("a", "b")
    unit_region = np.asarray(regions.unit_region)
    placed = records.outcome == 1
    home = np.asarray([regions.region_of(n.home) for n in needs])
    crossed = placed & (unit_region[np.maximum(records.unit, 0)] != home)
    assert crossed.sum() > 10
    assert (home[crossed] == 0).all()  # b has room for its own children
    other = records.reasons.index(OTHER_REGION)
    assert (records.reason[crossed] == other).all()  # each a deviation with its reason
    assert not (records.reason[placed & ~crossed] == other).any()
    totals = simulate(scenario, loaded.settings, seed=loaded.seed).totals
    assert totals["region.a.to_other_region"] == totals["region.b.received"] > 0
    assert totals["region.a.out_of_region"] >= totals["region.a.to_other_region"]
    assert (
        totals["region.a.placed_in_region"] + totals["region.a.out_of_region"]
        <= totals["region.a.arrivals"]
    )
    assert totals["region.b.to_other_region"] == 0
    assert totals["deviations.other_region"] == totals["region.a.to_other_region"]


def test_with_room_in_the_region_nothing_crosses() -> None:
    loaded = _load(two_regions(a_places=30, a_full=False, b_per_year=20))
    totals = simulate(loaded.scenario, loaded.settings, seed=loaded.seed).totals
    for name in ("a", "b"):
        assert totals[f"region.{name}.arrivals"] > 0
        assert totals[f"region.{name}.placed_in_region"] > 0
        assert totals[f"region.{name}.to_other_region"] == 0
        assert totals[f"region.{name}.received"] == 0
    assert "deviations.other_region" not in totals


def test_without_room_anywhere_children_go_outside_all_regions() -> None:
    data = two_regions(a_places=2, a_full=True)
    data["regions"][1]["start_state"] = {"units": _units("GM0150", 1, 1)}
    loaded = _load(data)
    totals = simulate(loaded.scenario, loaded.settings, seed=loaded.seed).totals
    assert totals["region.a.outside_all_regions"] > 0
    outside = totals["region.a.outside_all_regions"] + totals["region.b.outside_all_regions"]
    assert outside == totals["out_of_region"]
    # b's one place per care form is taken: hardly a child of a finds room there.
    assert totals["region.a.to_other_region"] < totals["region.a.outside_all_regions"]


def test_same_seed_same_result_and_replications_differ() -> None:
    loaded = _load(two_regions(a_places=2, a_full=True, b_per_year=10))
    run = [
        canonical_json(simulate(loaded.scenario, loaded.settings, seed=5, replication=r).to_dict())
        for r in (0, 0, 1)
    ]
    assert run[0] == run[1]
    assert run[0] != run[2]
    again = _load(two_regions(a_places=2, a_full=True, b_per_year=10))
    assert canonical_json(simulate(again.scenario, again.settings, seed=5).to_dict()) == run[0]


def test_one_region_in_regions_gives_the_single_region_totals() -> None:
    single = copy.deepcopy(SMALL)
    data = copy.deepcopy(SMALL)
    del data["start_state"], data["arrivals"]
    region = {"name": "flevoland", "region": "flevoland"}
    data["regions"] = [region | {k: SMALL[k] for k in ("start_state", "arrivals")}]
    one, several = _load(single), _load(data)
    a = simulate(one.scenario, one.settings, seed=3).totals
    b = simulate(several.scenario, several.settings, seed=3).totals
    assert {k: v for k, v in b.items() if not k.startswith("region.")} == a
    assert b["region.flevoland.arrivals"] == a["arrivals"]
    assert b["region.flevoland.out_of_region"] == a["out_of_region"]


def test_the_three_region_example_loads_with_synthetic_units() -> None:
    loaded = load_scenario(SCENARIOS / "drie-regios.yaml")
    scenario = loaded.scenario
    regions = scenario.regions
    assert regions is not None and regions.names == ("flevoland", "ijsselland", "noord-veluwe")
    for unit, region in zip(scenario.units, regions.unit_region, strict=True):
        assert unit.unit_id.startswith(regions.names[region] + "/")
        name = getattr(unit.payload, "name", "")
        assert name.startswith("synthetisch: ") == (region != 0)
    assert regions.region_of("GM0050") == 0  # Zeewolde: Flevoland, not JZ12
    assert regions.region_of("GM0243") == 2 and regions.region_of("GM0193") == 1


def _bad(**change: Any) -> dict[str, Any]:
    data = two_regions(a_places=2, a_full=False)
    for key, value in change.items():
        index, field = key.split("__")
        data["regions"][int(index[1:])][field] = value
    return data


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (_bad(r1__name="a"), "regions[1].name"),
        (_bad(r1__name="B C"), "regions[1].name"),
        (_bad(r1__region="atlantis"), "regions[1].region"),
        (_bad(r1__jeugdregio="JZ07"), "regions[1].region"),
        (_bad(r1__region="flevoland"), "regions[1]"),
        (_bad(r1__arrivals={"municipalities": {"almere": 1.0},
                            "age_bands": [{"ages": [6, 17], "per_year": 1}]}),
         "regions[1].arrivals.municipalities.almere"),
        (_bad(r1__arrivals={"municipalities": {"GM9999": 1.0},
                            "age_bands": [{"ages": [6, 17], "per_year": 1}]}),
         "regions[1].arrivals.municipalities.GM9999"),
        (_bad(r1__start_state={"units": _units("almere", 2, 0)}),
         "regions[1].start_state.units[0].municipality"),
        (_bad(r1__start_state={"units": [{"unit_id": "X", "municipality": "GM9999",
                                          "care_form": "gezinshuis", "places": 1}]}),
         "regions[1].start_state.units[0]"),
        (_bad(r1__start_state={"synthetic": {"scale": 0}}),
         "regions[1].start_state.synthetic.scale"),
        (_bad(r1__unknown=1), "regions[1].unknown"),
    ],
)  # fmt: skip
def test_bad_regions_name_the_file_and_field(data: dict[str, Any], field: str) -> None:
    with pytest.raises(ConfigError) as info:
        _load(data)
    assert info.value.file == "test.yaml"
    assert info.value.field == field


def test_a_jeugdregio_and_its_exceptions_are_checked() -> None:
    data = two_regions(a_places=2, a_full=False)
    data["regions"][1] = data["regions"][1] | {"jeugdregio": "JZ12", "without": ["GM0050"]}
    del data["regions"][1]["region"]
    data["regions"][1]["start_state"] = {"units": _units("GM0243", 2, 0)}
    data["regions"][1]["arrivals"]["municipalities"] = {"harderwijk": 1.0}
    assert _load(data).scenario.regions is not None
    for without, field in ((["GM0193"], "regions[1].without[0]"), ("GM0050", "regions[1].without")):
        data["regions"][1]["without"] = without
        with pytest.raises(ConfigError) as info:
            _load(data)
        assert info.value.field == field
    data["regions"][1]["without"] = []  # Zeewolde is then in both regions
    with pytest.raises(ConfigError) as info:
        _load(data)
    assert info.value.field == "regions[1]" and "Zeewolde" in info.value.detail
    data["regions"][1]["jeugdregio"] = "JZ99"
    with pytest.raises(ConfigError) as info:
        _load(data)
    assert info.value.field == "regions[1].jeugdregio"


def test_per_region_sections_are_refused_at_the_top() -> None:
    data = two_regions(a_places=2, a_full=False)
    data["start_state"] = SMALL["start_state"]
    with pytest.raises(ConfigError) as info:
        _load(data)
    assert info.value.field == "start_state"
    data = two_regions(a_places=2, a_full=False)
    data["capacity"] = [{"kind": "add_units", "care_form": "gezinshuis", "per_year": 1,
                         "until_day": 100}]  # fmt: skip
    with pytest.raises(ConfigError) as info:
        _load(data)
    assert info.value.field == "capacity[0].kind"
    data = two_regions(a_places=2, a_full=False)
    data["regions"] = []
    with pytest.raises(ConfigError) as info:
        _load(data)
    assert info.value.field == "regions"


def test_study_outputs_show_each_region_and_match_on_two_processes(tmp_path: Path) -> None:
    path = tmp_path / "twee.yaml"
    path.write_text(yaml.safe_dump(two_regions(a_places=2, a_full=True, b_per_year=10)))
    one = run_study(path, replications=2, workers=1)
    two = run_study(path, replications=2, workers=2)  # the policy pickled to workers
    assert one.to_json() == two.to_json()
    write_outputs(one, tmp_path / "uit", charts=False)
    page = (tmp_path / "uit" / "rapport.html").read_text(encoding="utf-8")
    assert "Per regio: klein" in page and "<th>regio a</th><th>regio b</th>" in page
    assert html.escape(REGION_LABELS["received"]) in page
    table = (tmp_path / "uit" / "totalen.csv").read_text(encoding="utf-8-sig")
    assert f"regio a: {REGION_LABELS['to_other_region']}" in table
    printed = summary_lines(one)  # the command line prints each region's figures too
    assert any(line.startswith(f"regio b: {REGION_LABELS['received']}: ") for line in printed)
