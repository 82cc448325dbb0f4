"""The condition language of the rule files: the facts a rule may test, parsed into closures.

A condition is a mapping. The keys `all` and `any` take a list of conditions, `not` takes one;
every other key names a fact and takes either a bare value (equality) or a mapping from
operator to value. Several keys in one mapping must all hold. Examples:

    age: {">=": 12}
    severity: ernstig
    capj: {has_any: [A200, D100]}
    any: [{treatment_need: residentieel}, {severity: ernstig, complexity: complex}]

Conditions are validated once, when the rule file is loaded, and compiled into plain
closures over a dict of facts, so advising needs no parsing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from domain import profile_vocabulary
from domain.care import CareForm
from domain.codelist import default_codelist
from domain.errors import ConfigError, InvalidInput
from domain.places import Municipality

Facts = dict[str, Any]
Test = Callable[[Facts], bool]


class Kind(StrEnum):
    """The type of a fact, which decides the operators and values it accepts."""

    INT = "geheel getal"
    NUMBER = "getal"
    BOOL = "true/false"
    ORDERED = "geordende waarde"
    ENUM = "waarde"
    PLACE = "gemeente of null"
    OPTIONAL = "waarde of null"
    SET = "verzameling"


@dataclass(frozen=True, slots=True)
class FactSpec:
    """What a rule may test: the kind, the allowed values (ordered kinds low to high)."""

    kind: Kind
    values: tuple[str, ...] = ()
    # Set by the engine after the last breakdown-risk rule, not taken from the profile.
    dynamic: bool = False


def _values(enum: type[StrEnum]) -> tuple[str, ...]:
    return tuple(member.value for member in enum)


# Ordered facts are stored as their rank, so `severity: {">=": matig}` is an int compare.
FACTS: dict[str, FactSpec] = {
    "age": FactSpec(Kind.INT),
    "sex": FactSpec(Kind.ENUM, _values(profile_vocabulary.Sex)),
    "severity": FactSpec(Kind.ORDERED, _values(profile_vocabulary.Severity)),
    "complexity": FactSpec(Kind.ORDERED, _values(profile_vocabulary.Complexity)),
    "externalising": FactSpec(Kind.ORDERED, _values(profile_vocabulary.Externalising)),
    "treatment_need": FactSpec(Kind.ORDERED, _values(profile_vocabulary.TreatmentNeed)),
    "trauma": FactSpec(Kind.BOOL),
    "lvb": FactSpec(Kind.BOOL),
    "psychiatric": FactSpec(Kind.BOOL),
    "substance_use": FactSpec(Kind.BOOL),
    "runaway_exploitation": FactSpec(Kind.BOOL),
    "suicidality": FactSpec(Kind.ORDERED, _values(profile_vocabulary.Suicidality)),
    "parents_problems": FactSpec(Kind.BOOL),
    "earlier_ambulant_help": FactSpec(Kind.BOOL),
    "earlier_placements": FactSpec(Kind.INT),
    "earlier_breakdowns": FactSpec(Kind.INT),
    "parents_view": FactSpec(Kind.ENUM, _values(profile_vocabulary.ParentsView)),
    "child_agrees": FactSpec(Kind.BOOL),
    "network_family_available": FactSpec(Kind.BOOL),
    "network_safety": FactSpec(Kind.ENUM, _values(profile_vocabulary.NetworkSafety)),
    "perspective": FactSpec(Kind.ENUM, _values(profile_vocabulary.Perspective)),
    "crisis": FactSpec(Kind.BOOL),
    "siblings": FactSpec(Kind.INT),
    "siblings_contraindicated": FactSpec(Kind.BOOL),
    "siblings_without_contraindication": FactSpec(Kind.INT),
    "sibling_contraindications": FactSpec(Kind.SET, _values(profile_vocabulary.Contraindication)),
    # Every CAP-J code of the profile plus every code above it: rubriek, groep and as.
    "capj": FactSpec(Kind.SET),
    "home_municipality": FactSpec(Kind.PLACE),
    "responsible_municipality": FactSpec(Kind.PLACE),
    "continuation_of_current_placement": FactSpec(Kind.BOOL),
    "current_care_form": FactSpec(Kind.OPTIONAL, _values(CareForm)),
    # A wish on religion or culture is given (matching only).
    "matching_wish": FactSpec(Kind.BOOL),
    # The age is below the rule set's residential_min_age (set by the engine per rule set).
    "below_residential_age": FactSpec(Kind.BOOL),
    "breakdown_score": FactSpec(Kind.NUMBER, dynamic=True),
    "breakdown_risk": FactSpec(Kind.ORDERED, _values(profile_vocabulary.RiskLevel), dynamic=True),
}

_COMPARE = ("==", "!=", "<", "<=", ">", ">=")
_MEMBERSHIP = ("in", "not_in")
_SET_OPS = ("has", "has_any", "has_all", "has_none")
OPERATORS: dict[Kind, tuple[str, ...]] = {
    Kind.INT: (*_COMPARE, *_MEMBERSHIP),
    Kind.NUMBER: tuple(_COMPARE),
    Kind.BOOL: ("==", "!="),
    Kind.ORDERED: (*_COMPARE, *_MEMBERSHIP),
    Kind.ENUM: ("==", "!=", *_MEMBERSHIP),
    Kind.PLACE: ("==", "!=", *_MEMBERSHIP),
    Kind.OPTIONAL: ("==", "!=", *_MEMBERSHIP),
    Kind.SET: _SET_OPS,
}


@dataclass(frozen=True, slots=True)
class Where:
    """Where in a rule file a value sits, to build errors that name file, rule and field."""

    file: str
    rule: str

    def error(self, path: str, detail: str) -> ConfigError:
        """A ConfigError naming the file, the rule and the field path."""
        return ConfigError(detail, file=self.file, field=f"regel {self.rule}: {path}")


def _scalar(spec: FactSpec, raw: Any, where: Where, path: str) -> Any:
    """One value for a fact, checked and converted to the stored representation."""
    kind = spec.kind
    if kind is Kind.INT:
        if isinstance(raw, bool) or not isinstance(raw, int):
            raise where.error(path, f"verwacht een geheel getal, niet {raw!r}")
        return raw
    if kind is Kind.NUMBER:
        if isinstance(raw, bool) or not isinstance(raw, int | float):
            raise where.error(path, f"verwacht een getal, niet {raw!r}")
        return float(raw)
    if kind is Kind.BOOL:
        if not isinstance(raw, bool):
            raise where.error(path, f"verwacht true of false, niet {raw!r}")
        return raw
    if kind in (Kind.PLACE, Kind.OPTIONAL) and raw is None:
        return None
    if kind is Kind.PLACE:
        try:
            return Municipality(raw)
        except InvalidInput as exc:
            raise where.error(path, exc.detail) from None
    if kind is Kind.SET and not spec.values:
        code = str(raw).strip().upper()
        if code not in default_codelist():
            raise where.error(path, f"onbekende CAP-J-code '{raw}'")
        return code
    if not isinstance(raw, str) or raw not in spec.values:
        allowed = ", ".join(spec.values)
        raise where.error(path, f"onbekende waarde {raw!r}; kies uit: {allowed}")
    return spec.values.index(raw) if kind is Kind.ORDERED else raw


def _list(spec: FactSpec, raw: Any, where: Where, path: str) -> tuple[Any, ...]:
    if not isinstance(raw, list) or not raw:
        raise where.error(path, "verwacht een niet-lege lijst")
    return tuple(_scalar(spec, item, where, f"{path}[{i}]") for i, item in enumerate(raw))


def _leaf(name: str, op: str, raw: Any, where: Where, path: str) -> Test:
    spec = FACTS[name]
    if op not in OPERATORS[spec.kind]:
        allowed = ", ".join(OPERATORS[spec.kind])
        raise where.error(path, f"operator '{op}' past niet bij {name}; kies uit: {allowed}")
    if op in _MEMBERSHIP or op in ("has_any", "has_all", "has_none"):
        members = frozenset(_list(spec, raw, where, path))
        if op == "in":
            return lambda f: f[name] in members
        if op == "not_in":
            return lambda f: f[name] not in members
        if op == "has_any":
            return lambda f: not members.isdisjoint(f[name])
        if op == "has_all":
            return lambda f: members <= f[name]
        return lambda f: members.isdisjoint(f[name])
    value = _scalar(spec, raw, where, path)
    if op == "has":
        return lambda f: value in f[name]
    return _compare(name, op, value)


def _compare(name: str, op: str, value: Any) -> Test:
    # One lambda per operator: calling operator.* inside the closure costs a call per test.
    if op == "==":
        return lambda f: f[name] == value
    if op == "!=":
        return lambda f: f[name] != value
    if op == "<":
        return lambda f: f[name] < value
    if op == "<=":
        return lambda f: f[name] <= value
    if op == ">":
        return lambda f: f[name] > value
    return lambda f: f[name] >= value


def _combine(tests: list[Test], *, every: bool) -> Test:
    """All of the tests (`every`) or any of them; a single test is itself."""
    if len(tests) == 1:
        return tests[0]
    if len(tests) == 2:
        first, second = tests
        if every:
            return lambda f: first(f) and second(f)
        return lambda f: first(f) or second(f)
    frozen = tuple(tests)

    # Plain loops: measurably faster than all()/any() over a generator on this hot path.
    def all_of(f: Facts) -> bool:
        for test in frozen:  # noqa: SIM110
            if not test(f):
                return False
        return True

    def any_of(f: Facts) -> bool:
        for test in frozen:  # noqa: SIM110
            if test(f):
                return True
        return False

    return all_of if every else any_of


def _not(inner: Test) -> Test:
    return lambda f: not inner(f)


def _fact(name: str, raw: Any, where: Where, path: str, reads: set[str]) -> list[Test]:
    if name not in FACTS:
        known = ", ".join(FACTS)
        raise where.error(path, f"onbekend feit '{name}'; bekende feiten: {known}")
    reads.add(name)
    if not isinstance(raw, dict):
        if FACTS[name].kind is Kind.SET:
            raise where.error(path, "gebruik has, has_any, has_all of has_none")
        return [_leaf(name, "==", raw, where, path)]
    if not raw:
        raise where.error(path, "lege vergelijking")
    return [_leaf(name, str(op), value, where, f"{path}.{op}") for op, value in raw.items()]


def _parse(raw: Any, where: Where, path: str, reads: set[str]) -> Test:
    if not isinstance(raw, dict) or not raw:
        raise where.error(path, "verwacht een niet-lege mapping (feit: waarde, all, any of not)")
    tests: list[Test] = []
    for key, value in raw.items():
        sub = f"{path}.{key}"
        if key in ("all", "any"):
            if not isinstance(value, list) or not value:
                raise where.error(sub, "verwacht een niet-lege lijst van voorwaarden")
            parts = [_parse(item, where, f"{sub}[{i}]", reads) for i, item in enumerate(value)]
            tests.append(_combine(parts, every=key == "all"))
        elif key == "not":
            tests.append(_not(_parse(value, where, sub, reads)))
        else:
            tests.extend(_fact(str(key), value, where, sub, reads))
    return _combine(tests, every=True)


def compile_condition(raw: Any, where: Where) -> tuple[Test, frozenset[str]]:
    """Validate a `when` block and compile it; also return the facts it reads."""
    if raw is None:
        return (lambda f: True), frozenset()
    reads: set[str] = set()
    test = _parse(raw, where, "when", reads)
    return test, frozenset(reads)
