"""Scoring weights as data: a versioned YAML file, validated on load with clear errors."""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from domain.errors import ConfigError
from domain.places import max_distance_km
from domain.yaml_file import read_yaml

DEFAULT_WEIGHTS = Path(__file__).with_name("default.yaml")

# term -> parameter -> sign rule ("+" bonus >= 0, "-" penalty <= 0, "n" count >= 0)
SCHEMA: dict[str, dict[str, str]] = {
    "base": {"points": "+"},
    "care_form": {"first_best": "+", "per_rank_lower": "+"},
    "distance": {"per_km": "-"},
    "school": {"same_municipality": "+", "neighbouring": "+"},
    "network": {"same_municipality": "+", "neighbouring": "+"},
    "preferences": {"per_match": "+", "per_mismatch": "-"},
    "urgency": {"crisis": "+"},
    "waiting": {"per_week": "+", "max_weeks": "n"},
    "availability": {"per_day": "-", "max_days": "n"},
    # A unit in the region (and, when radius_km > 0, within that many km of the child's
    # home or responsible municipality): in_region points. 0 points: no preference.
    "region": {"in_region": "+", "radius_km": "n"},
}
TERMS = tuple(SCHEMA)
# Dutch names of the terms, as staff see them.
LABELS: dict[str, str] = {
    "base": "plaatsing",
    "care_form": "zorgvorm",
    "distance": "afstand",
    "school": "school",
    "network": "netwerk",
    "preferences": "wensen gezin",
    "urgency": "urgentie",
    "waiting": "wachttijd",
    "availability": "beschikbaarheid",
    "region": "regio",
}
# A family can state four wishes: age range, sex, number of children, expertise.
MAX_PREFERENCES = 4


@dataclass(frozen=True, slots=True)
class Deadline:
    """An urgency ramp: from `days - lead_days` days of waiting on, `per_day` points a day,
    without a cap (it keeps growing once the deadline has passed)."""

    name: str
    days: int
    lead_days: int
    per_day: int

    def points(self, waited: int) -> int:
        """Points after `waited` days of waiting."""
        return self.per_day * max(0, waited - (self.days - self.lead_days))


@dataclass(frozen=True, slots=True)
class Weights:
    """Validated weights: `params[term][parameter]` in integer points.

    A placement policy (matcher.policies) compiles to Weights with `deadlines` (the waiting
    term is then the sum of their uncapped ramps, not per_week up to max_weeks) and `order`
    (its levels, which matcher.policies.order uses to keep their order over a whole batch).
    """

    name: str
    version: str
    params: dict[str, dict[str, int]]
    source: str
    deadlines: tuple[Deadline, ...] = ()
    order: object = None  # matcher.policies.order.LevelOrder (not imported: no cycle)

    def waited_points(self, days: int) -> int:
        """The waiting term after `days` days of waiting (0 or less: none)."""
        if self.deadlines:
            return sum(d.points(days) for d in self.deadlines)
        w = self.params["waiting"]
        return w["per_week"] * min(max(0, days) // 7, w["max_weeks"])

    def __getitem__(self, term: str) -> dict[str, int]:
        return self.params[term]

    def min_pair_score(self) -> int:
        """The lowest score any feasible pair can get: must stay above zero."""
        p = self.params
        worst_km = math.floor(max_distance_km() + 0.5)
        return (
            p["base"]["points"]
            + p["distance"]["per_km"] * worst_km
            + p["preferences"]["per_mismatch"] * MAX_PREFERENCES
            + p["availability"]["per_day"] * p["availability"]["max_days"]
        )


def _parse(raw: Any, file: str) -> Weights:
    if not isinstance(raw, dict):
        raise ConfigError("verwacht een mapping met name, version en terms", file=file)
    for key in ("name", "version", "terms"):
        if key not in raw:
            raise ConfigError(f"veld '{key}' ontbreekt", file=file, field=key)
    unknown_top = sorted(set(raw) - {"name", "version", "terms"})
    if unknown_top:
        raise ConfigError(f"onbekend veld '{unknown_top[0]}'", file=file, field=unknown_top[0])
    terms = raw["terms"]
    if not isinstance(terms, dict):
        raise ConfigError("terms moet een mapping zijn", file=file, field="terms")
    for term in TERMS:
        if term not in terms:
            raise ConfigError(f"term '{term}' ontbreekt", file=file, field=f"terms.{term}")
    unknown = sorted(set(terms) - set(TERMS))
    if unknown:
        raise ConfigError(f"onbekende term '{unknown[0]}'", file=file, field=f"terms.{unknown[0]}")
    params: dict[str, dict[str, int]] = {}
    for term, schema in SCHEMA.items():
        given = terms[term]
        where = f"terms.{term}"
        if not isinstance(given, dict):
            raise ConfigError("verwacht een mapping van parameters", file=file, field=where)
        extra = sorted(set(given) - set(schema))
        if extra:
            raise ConfigError(f"onbekende parameter '{extra[0]}'", file=file, field=where)
        params[term] = {}
        for name, sign in schema.items():
            if name not in given:
                raise ConfigError(f"parameter '{name}' ontbreekt", file=file, field=where)
            value = given[name]
            if isinstance(value, bool) or not isinstance(value, int):
                raise ConfigError(f"{name} moet een geheel getal zijn", file=file, field=where)
            if sign in "+n" and value < 0:
                raise ConfigError(f"{name} mag niet negatief zijn", file=file, field=where)
            if sign == "-" and value > 0:
                raise ConfigError(f"{name} is een aftrek en moet <= 0 zijn", file=file, field=where)
            params[term][name] = value
    weights = Weights(str(raw["name"]), str(raw["version"]), params, file)
    if weights.min_pair_score() <= 0:
        raise ConfigError(
            "base.points is te laag: een passende plaatsing kan dan 0 of minder scoren",
            file=file,
            field="terms.base",
        )
    return weights


def load_weights(path: Path | str) -> Weights:
    """Load and validate a weight file; errors name the file and the term."""
    return _parse(read_yaml(path), str(path))


@cache
def default_weights() -> Weights:
    """The shipped weights (cached)."""
    return load_weights(DEFAULT_WEIGHTS)
