"""Placement policies as data: an ordered set of levels, versioned, validated on load.

A policy file (`matcher/policies/*.yaml`) is either
- `weights: PATH`: a weighted sum (the matcher's score weights, e.g. `standaard`), or
- `levels:` in order, highest first: `urgentie` (always first: uncapped), then `regio`,
  `zorgvorm` and `nabijheid` in the order the region decides. A plan then ranks plans by
  urgency of the children placed, then by how many are placed, then by the other levels in
  order; matcher.policies.order says how that order is kept in one integer objective.

Either way `Policy.weights` are matcher Weights named after the policy, so every plan and
proposal names it. `pair_score` and `check` are the per-pair score and hard rules, for
anyone who must evaluate the same objective (for example a hindsight solver).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from capacity.snapshot import UnitView
from domain.care import CareForm
from domain.errors import ConfigError
from domain.places import max_distance_km
from domain.yaml_file import read_yaml
from matcher.models import MatchRequest, PairScore
from matcher.policies.order import LEVEL_TERMS, LevelOrder
from matcher.scoring import check_pair, score_pair
from matcher.weights import MAX_PREFERENCES, SCHEMA, Deadline, Weights, _parse, load_weights

POLICY_DIR = Path(__file__).parent
DEFAULT_POLICY = POLICY_DIR / "regio-volgorde.yaml"
BOUNDED = ("regio", "zorgvorm", "nabijheid")
NEARBY_TERMS = LEVEL_TERMS["nabijheid"]
MAX_RANK = len(CareForm) - 1


@dataclass(frozen=True, slots=True)
class FirstBestWait:
    """When a child waits for a first-best place instead of taking an alternative now.

    With `expected` the child waits while a first-best place is expected within
    `max_wait_days` of its arrival (from expected departures and the queue ahead of it);
    otherwise an alternative may be taken at once. Without it: a fixed wait (the
    scenario's first_best_wait_days)."""

    expected: bool
    max_wait_days: int
    # With `expected`: no first-best place free now and a place in an alternative form free
    # now: take that at once (the spare place), leaving the first-best places to the
    # children who have no such alternative.
    take_free_alternative: bool = False


@dataclass(frozen=True, slots=True)
class Policy:
    """A validated placement policy and the Weights it compiles to."""

    name: str
    version: str
    weights: Weights
    levels: tuple[str, ...]  # highest first, with urgentie and plaatsing; () for a sum
    first_best: FirstBestWait
    region_wait_days: int | None  # out of region only after this many days (None: no rule)
    source: str
    crisis_days: int = 0  # a crisis counts as this many days of urgency (0: no levels)
    # Out of region at once when no fitting place in the region (any acceptable care form)
    # is expected within this many days of arrival (None: no such rule).
    region_expected_days: int | None = None

    @property
    def label(self) -> str:
        """Name and version, as outputs show them."""
        return f"{self.name} {self.version}"

    def check(self, referral: MatchRequest, unit: UnitView, today: date) -> tuple[str, str] | None:
        """The hard rules: the first one the pair breaks (matcher.scoring.check_pair)."""
        return check_pair(referral, unit, today)

    def pair_score(self, referral: MatchRequest, unit: UnitView, today: date) -> PairScore:
        """The policy's score of a feasible pair, split into terms (per-pair units)."""
        return score_pair(referral, unit, today, self.weights)


def _fail(file: str, field: str, text: str) -> ConfigError:
    return ConfigError(text, file=file, field=field)


def _int(value: Any, file: str, field: str, *, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _fail(file, field, "moet een geheel getal zijn")
    if value < minimum:
        raise _fail(file, field, f"moet {minimum} of groter zijn")
    return value


def _mapping(value: Any, file: str, field: str, keys: set[str]) -> dict[str, Any]:
    if value is None:
        value = {}
    if not isinstance(value, dict):
        raise _fail(file, field, "verwacht een mapping")
    unknown = sorted(set(value) - keys)
    if unknown:
        raise _fail(file, f"{field}.{unknown[0]}", f"onbekend veld '{unknown[0]}'")
    return value


def _first_best(raw: Any, file: str) -> FirstBestWait:
    fb = _mapping(raw, file, "first_best", {"expected", "max_wait_days", "take_free_alternative"})
    flags = []
    for key in ("expected", "take_free_alternative"):
        value = fb.get(key, False)
        if not isinstance(value, bool):
            raise _fail(file, f"first_best.{key}", "moet true of false zijn")
        flags.append(value)
    days = _int(fb.get("max_wait_days", 28), file, "first_best.max_wait_days")
    return FirstBestWait(flags[0], days, flags[1])


def _deadlines(raw: Any, file: str) -> tuple[Deadline, ...]:
    if not isinstance(raw, list) or not raw:
        raise _fail(file, "levels.urgentie.deadlines", "verwacht een lijst met termijnen")
    out = []
    for i, item in enumerate(raw):
        where = f"levels.urgentie.deadlines[{i}]"
        d = _mapping(item, file, where, {"name", "days", "lead_days", "per_day"})
        for key in ("name", "days", "lead_days", "per_day"):
            if key not in d:
                raise _fail(file, f"{where}.{key}", f"veld '{key}' ontbreekt")
        days = _int(d["days"], file, f"{where}.days")
        lead = _int(d["lead_days"], file, f"{where}.lead_days")
        if lead > days:
            raise _fail(file, f"{where}.lead_days", "mag niet groter zijn dan days")
        out.append(
            Deadline(
                str(d["name"]), days, lead, _int(d["per_day"], file, f"{where}.per_day", minimum=1)
            )
        )
    return tuple(out)


def _levels(raw: Any, file: str) -> list[tuple[str, dict[str, Any]]]:
    if not isinstance(raw, list):
        raise _fail(file, "levels", "verwacht een lijst van niveaus, hoogste eerst")
    out: list[tuple[str, dict[str, Any]]] = []
    for i, item in enumerate(raw):
        if not isinstance(item, dict) or len(item) != 1:
            raise _fail(file, f"levels[{i}]", "verwacht één niveau: {naam: {parameters}}")
        ((name, params),) = item.items()
        out.append((str(name), params))
    names = [n for n, _ in out]
    if not names or names[0] != "urgentie":
        raise _fail(
            file, "levels[0]", "het eerste niveau moet urgentie zijn (die groeit zonder plafond)"
        )
    if sorted(names[1:]) != sorted(BOUNDED):
        raise _fail(file, "levels", f"na urgentie elk van {', '.join(BOUNDED)} precies één keer")
    return out


def _compile(raw: dict[str, Any], file: str) -> Policy:
    name, version = str(raw["name"]), str(raw["version"])
    levels = _levels(raw["levels"], file)
    params = dict(levels)
    urgency = _mapping(params["urgentie"], file, "levels.urgentie", {"deadlines", "crisis_days"})
    deadlines = _deadlines(urgency.get("deadlines"), file)
    crisis_days = _int(urgency.get("crisis_days", 0), file, "levels.urgentie.crisis_days")
    region = _mapping(
        params["regio"], file, "levels.regio", {"radius_km", "wait_days", "expected_days"}
    )
    radius = _int(region.get("radius_km", 0), file, "levels.regio.radius_km")
    wait = region.get("wait_days")
    region_wait = None if wait is None else _int(wait, file, "levels.regio.wait_days")
    soon = region.get("expected_days")
    expected_days = None if soon is None else _int(soon, file, "levels.regio.expected_days")
    if expected_days is not None and region_wait is not None and expected_days > region_wait:
        raise _fail(file, "levels.regio.expected_days", "mag niet groter zijn dan wait_days")
    _mapping(params["zorgvorm"], file, "levels.zorgvorm", set())
    nearby = _mapping(params["nabijheid"], file, "levels.nabijheid", set(NEARBY_TERMS))
    # The nabijheid terms are validated as score weights (signs, integers, every parameter).
    fine = _parse(
        {"name": name, "version": version, "terms": {
            "base": {"points": 10**9}, "care_form": {"first_best": 0, "per_rank_lower": 0},
            "urgency": {"crisis": 0}, "waiting": {"per_week": 0, "max_weeks": 0},
            "region": {"in_region": 0, "radius_km": 0},
            **{t: nearby.get(t) for t in NEARBY_TERMS}}},
        f"{file} (levels.nabijheid)",
    ) if all(t in nearby for t in NEARBY_TERMS) else None  # fmt: skip
    if fine is None:
        missing = next(t for t in NEARBY_TERMS if t not in nearby)
        raise _fail(file, f"levels.nabijheid.{missing}", f"term '{missing}' ontbreekt")
    p = fine.params
    worst_km = math.floor(max_distance_km() + 0.5)
    low = (p["distance"]["per_km"] * worst_km + p["preferences"]["per_mismatch"] * MAX_PREFERENCES
           + p["availability"]["per_day"] * p["availability"]["max_days"])  # fmt: skip
    high = (p["school"]["same_municipality"] + p["network"]["same_municipality"]
            + p["preferences"]["per_match"] * MAX_PREFERENCES)  # fmt: skip
    bounded = tuple(n for n, _ in levels[1:])
    order = LevelOrder(bounded, {"regio": 1, "zorgvorm": MAX_RANK, "nabijheid": high - low}, -low)
    u = order.pair_units()
    weights_params = {
        "base": {"points": u["plaatsing"] - low * u["nabijheid"]},
        "care_form": {"first_best": MAX_RANK * u["zorgvorm"], "per_rank_lower": u["zorgvorm"]},
        "urgency": {"crisis": crisis_days * u["urgentie"]},
        "waiting": {"per_week": 0, "max_weeks": 0},
        "region": {"in_region": u["regio"], "radius_km": radius},
    }
    for term in NEARBY_TERMS:
        weights_params[term] = {
            k: v * u["nabijheid"] if SCHEMA[term][k] != "n" else v for k, v in p[term].items()
        }
    scaled = tuple(
        Deadline(d.name, d.days, d.lead_days, d.per_day * u["urgentie"]) for d in deadlines
    )
    weights = Weights(name, version, weights_params, file, deadlines=scaled, order=order)
    return Policy(name, version, weights, ("urgentie", "plaatsing", *bounded),
                  _first_best(raw.get("first_best"), file), region_wait, file,
                  crisis_days, expected_days)  # fmt: skip


def _parse_policy(raw: Any, file: str) -> Policy:
    if not isinstance(raw, dict):
        raise ConfigError("verwacht een mapping met name, version en levels of weights", file=file)
    for key in ("name", "version"):
        if key not in raw:
            raise _fail(file, key, f"veld '{key}' ontbreekt")
    allowed = {"name", "version", "description", "levels", "weights", "first_best"}
    unknown = sorted(set(raw) - allowed)
    if unknown:
        raise _fail(file, unknown[0], f"onbekend veld '{unknown[0]}'")
    if ("levels" in raw) == ("weights" in raw):
        raise _fail(file, "levels", "geef precies één van levels en weights")
    if "levels" in raw:
        return _compile(raw, file)
    weights = load_weights(Path(file).parent / str(raw["weights"]))
    named = Weights(str(raw["name"]), str(raw["version"]), weights.params, weights.source)
    return Policy(named.name, named.version, named, (), _first_best(raw.get("first_best"), file),
                  None, file)  # fmt: skip


def load_policy(path: Path | str) -> Policy:
    """Load and validate a policy file; errors name the file and the field."""
    return _parse_policy(read_yaml(path), str(path))


def policy_path(name: str) -> Path:
    """A shipped policy by name (`regio-volgorde`, `standaard`), or a path."""
    shipped = POLICY_DIR / f"{name}.yaml"
    return shipped if shipped.exists() else Path(name)


@cache
def shipped_policy(name: str = "regio-volgorde") -> Policy:
    """A shipped policy (cached)."""
    return load_policy(policy_path(name))
