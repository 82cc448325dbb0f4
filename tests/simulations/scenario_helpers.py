"""Small scenario data and child cases for the scenario, matching and CLI tests."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

from afwegingskader.engine import advise
from afwegingskader.models import Profile
from domain.places import Municipality
from domain.profile_vocabulary import Complexity, Perspective, Severity, Sex
from matcher.models import MatchRequest
from simulations.children import ChildCase

TODAY = date(2026, 1, 1)

# A small region: two gezinshuizen, one behandelgroep, a foster pool and a crisis group.
SMALL: dict[str, Any] = {
    "name": "klein",
    "start_date": "2026-01-01",
    "run": {"horizon_days": 240, "warmup_days": 60, "replications": 2, "seed": 7,
            "sample_every_days": 30},
    "start_state": {"units": [
        {"unit_id": "GH-1", "municipality": "almere", "care_form": "gezinshuis", "places": 4,
         "occupied": 3, "capabilities": ["trauma", "lvb", "jonge_kinderen",
                                         "gedragsproblematiek", "zelfstandigheidstraining"]},
        {"unit_id": "GH-2", "municipality": "urk", "care_form": "gezinshuis", "places": 4,
         "capabilities": ["trauma", "lvb", "jonge_kinderen", "gedragsproblematiek",
                          "zelfstandigheidstraining"]},
        {"unit_id": "BG-1", "municipality": "lelystad", "care_form": "behandelgroep",
         "places": 6, "age_min": 6, "age_max": 18, "capabilities": [
             "trauma", "lvb", "gedragsproblematiek", "zelfstandigheidstraining"]},
        {"unit_id": "PZ-1", "municipality": "dronten", "care_form": "pleegzorg_bestand",
         "places": 6, "capabilities": ["trauma", "lvb", "jonge_kinderen",
                                       "gedragsproblematiek", "zelfstandigheidstraining"]},
        {"unit_id": "PZ-N", "municipality": "almere", "care_form": "pleegzorg_netwerk",
         "places": 6, "capabilities": ["trauma", "lvb", "jonge_kinderen", "crisis",
                                       "gedragsproblematiek", "zelfstandigheidstraining"]},
        {"unit_id": "CG-1", "municipality": "almere", "care_form": "crisisgroep_12plus",
         "places": 2, "age_min": 12, "age_max": 17, "capabilities": [
             "crisis", "trauma", "lvb", "gedragsproblematiek", "zelfstandigheidstraining"]},
        {"unit_id": "CP-1", "municipality": "lelystad", "care_form": "pleegzorg_crisis",
         "places": 2, "capabilities": ["crisis", "trauma", "lvb", "jonge_kinderen",
                                       "gedragsproblematiek", "zelfstandigheidstraining"]},
    ]},
    "arrivals": {
        "municipalities": {"almere": 0.6, "urk": 0.4},
        "age_bands": [{"ages": [6, 11], "per_year": 20, "crisis_share": 0.1},
                      {"ages": [12, 17], "per_year": 30, "crisis_share": 0.2}],
    },
    "profile_mix": {
        "severity": {"matig": 0.6, "ernstig": 0.4},
        "complexity": {"meervoudig": 0.6, "complex": 0.4},
        "treatment_need": 0.4, "trauma": 0.3, "lvb": 0.2, "network_family_available": 0.2,
    },
    "stays": {form: {"kind": "lognormal", "mean": mean, "cv": 0.8} for form, mean in [
        ("gezinshuis", 300), ("behandelgroep", 150), ("pleegzorg_bestand", 400),
        ("pleegzorg_netwerk", 400), ("crisisgroep_12plus", 30), ("pleegzorg_crisis", 30)]},
    "policy": {"allocation": "optimizer", "first_best_wait_days": 14, "max_queue_days": 120},
}  # fmt: skip


def small(**overrides: Any) -> dict[str, Any]:
    """A deep copy of SMALL with top-level sections replaced."""
    data = copy.deepcopy(SMALL)
    data.update(overrides)
    return data


def case(
    referral_id: str,
    *,
    age: int,
    home: Municipality,
    lvb: bool = False,
    treatment_need: bool = False,
) -> ChildCase:
    """A child case advised by the real afwegingskader (gezinshuis first when not treated)."""
    profile = Profile(
        age=age, reference_date=TODAY, sex=Sex.V, severity=Severity.ERNSTIG,
        complexity=Complexity.COMPLEX, lvb=lvb, treatment_need=treatment_need,
        perspective=Perspective.TERUG_NAAR_HUIS, home_municipality=home,
        responsible_municipality=home,
    )  # fmt: skip
    advice = advise(profile)
    referral = MatchRequest(
        referral_id=referral_id, age=age, sex=Sex.V, advice=advice,
        perspective=profile.perspective, deadline=TODAY, waiting_since=TODAY,
        home_municipality=home, responsible_municipality=home,
    )  # fmt: skip
    first = referral.model_copy(update={"advice": advice.model_copy(update={"alternatives": ()})})
    return ChildCase(profile, advice, referral, first)
