"""The batch instance format and run_batch: the example, and every kind of bad input."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from domain.errors import InvalidInput
from matcher.instance import load_instance, run_batch
from matcher.models import SolverSettings

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "batch" / "instance.json"
SETTINGS = SolverSettings(time_limit_s=10, workers=1, seed=3)


def _example() -> dict[str, Any]:
    data = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_example_runs_and_is_reproducible() -> None:
    first = run_batch(_example(), settings=SETTINGS)
    second = run_batch(_example(), settings=SETTINGS)
    first.pop("solve_time_s")
    second.pop("solve_time_s")
    assert first == second
    assert first["status"] == "optimal"
    assert first["objective"] == sum(a["score"] for a in first["assignments"])
    assert {a["referral"] for a in first["assignments"]} | {
        u["referral"] for u in first["unassigned"]
    } == {r["referral_id"] for r in _example()["referrals"]}
    assert first["solver"]["seed"] == 3
    assert "candidates" not in first


def test_explain_lists_every_feasible_pair() -> None:
    result = run_batch(_example(), explain=True, settings=SETTINGS)
    pairs = {(c["referral"], c["unit"]) for c in result["candidates"]}
    assert {(a["referral"], a["unit"]) for a in result["assignments"]} <= pairs


def test_profile_is_advised_by_the_afwegingskader() -> None:
    data = _example()
    assert any("profile" in r for r in data["referrals"])
    result = run_batch(data, explain=True, settings=SETTINGS)
    with_profile = next(r["referral_id"] for r in data["referrals"] if "profile" in r)
    placed_or_waiting = {a["referral"] for a in result["assignments"]} | {
        u["referral"] for u in result["unassigned"]
    }
    assert with_profile in placed_or_waiting


def _bad(edit: Any) -> InvalidInput:
    data = copy.deepcopy(_example())
    edit(data)
    with pytest.raises(InvalidInput) as err:
        run_batch(data, settings=SETTINGS)
    return err.value


def test_unknown_unit_reference() -> None:
    err = _bad(lambda d: d["referrals"][0].update(excluded_units=["BESTAAT-NIET"]))
    assert err.field == "referrals[0].excluded_units[0]"


def test_unknown_referral_reference() -> None:
    def edit(d: dict[str, Any]) -> None:
        r = next(r for r in d["referrals"] if "profile" in r)
        r["sibling_group"] = "G-9"
        r["profile"]["siblings"] = [{"id": "ONBEKEND"}]

    err = _bad(edit)
    assert err.field is not None and err.field.endswith("siblings[0].id")


def test_negative_places() -> None:
    err = _bad(lambda d: d["units"][1].update(places=-2))
    assert "units.1.places" in err.detail and "negatief" in err.detail


def test_duplicate_unit() -> None:
    err = _bad(lambda d: d["units"].append(copy.deepcopy(d["units"][0])))
    assert err.field is not None and err.field.endswith(".unit_id")


def test_sibling_group_with_disagreeing_advice() -> None:
    def edit(d: dict[str, Any]) -> None:
        members = [r for r in d["referrals"] if r.get("sibling_group") == "G-1"]
        members[1]["advice"]["first_best"] = "behandelgroep"

    err = _bad(edit)
    assert err.field == "sibling_group"


def test_neither_advice_nor_profile() -> None:
    err = _bad(lambda d: d["referrals"][0].pop("advice"))
    assert "advice" in err.detail


def test_load_instance_rejects_unknown_format() -> None:
    data = _example()
    data["format"] = "iets-anders"
    with pytest.raises(InvalidInput):
        load_instance(data)
