"""Rule sets of the afwegingskader: load a YAML rule file, validate it, compile it.

A rule file has a header (name, version, the base order of care forms, the fallback, the
breakdown-risk thresholds and the age below which residential care is never first-best
without an exception rule) and a list of rules. Each rule has an id, a Dutch text (shown as
the reason), a source (or "lokale keuze van de regio"), an optional `when` condition (see
afwegingskader.conditions), an optional `priority` and a `then` block of actions. Rules
apply top to bottom; `first` actions are applied last, by priority.

A rule file that contradicts itself is refused: two rules that force a different first-best
form (`first`, or the head of `order`) at the same priority, unless their conditions exclude
each other. The loader sees two conditions as exclusive when both pin the same fact, at
their top level (or in an `all`), to values that cannot hold together: `crisis: true`
against `crisis: false`, `age: {"<": 12}` against `age: {">=": 12}`. Conditions inside
`any` or `not` are not looked at, so such rules need different priorities.
Every error names the file, the rule and the field, so behavioural scientists can fix
the file without reading code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from afwegingskader.actions import Actions, parse_actions
from afwegingskader.conditions import FACTS, Kind, Test, Where, _scalar, compile_condition
from afwegingskader.decision import Step, compile_steps
from afwegingskader.models import Reason, RuleSetRef
from domain.care import CareForm
from domain.errors import ConfigError

DEFAULT_RULES = Path(__file__).with_name("rules") / "default.yaml"

HEADER_KEYS = (
    "name",
    "version",
    "description",
    "order",
    "fallback",
    "breakdown_risk",
    "residential_min_age",
    "rules",
)
RULE_KEYS = ("id", "text", "source", "priority", "when", "then")
DEFAULT_RESIDENTIAL_MIN_AGE = 12
RISK_FACTS = frozenset({"breakdown_score", "breakdown_risk"})
_RULE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$")


@dataclass(frozen=True, slots=True, eq=False)
class Rule:
    """One validated, compiled rule."""

    id: str
    text: str
    source: str
    when: Test
    reads: frozenset[str]
    then: Actions
    reason: Reason
    # The compiled actions, with their output objects built once at load time.
    steps: tuple[Step, ...]
    priority: int = 0
    # What the condition pins at its top level, for the contradiction check.
    pins: dict[str, Pin] = field(default_factory=dict)

    @property
    def forced_first(self) -> CareForm | None:
        """The form this rule puts on top (`first`, or the head of `order`), if any."""
        if self.then.first is not None:
            return self.then.first
        return self.then.order[0] if self.then.order else None


@dataclass(frozen=True, slots=True, eq=False)
class RuleSet:
    """A loaded rule set: header, rules in file order, and the split around risk scoring."""

    name: str
    version: str
    description: str
    order: tuple[CareForm, ...]
    fallback: tuple[CareForm, ...]
    risk_medium: float
    risk_high: float
    rules: tuple[Rule, ...]
    file: str
    residential_min_age: int = DEFAULT_RESIDENTIAL_MIN_AGE
    ref: RuleSetRef = field(init=False)
    # Rules up to and including the last risk rule, and the rules after it: the engine
    # scores the breakdown risk in between, so later rules may read it.
    before_risk: tuple[Rule, ...] = field(init=False)
    after_risk: tuple[Rule, ...] = field(init=False)

    def __post_init__(self) -> None:
        last = max(
            (i for i, r in enumerate(self.rules) if r.then.risk_weight is not None), default=-1
        )
        object.__setattr__(
            self, "ref", RuleSetRef.model_construct(name=self.name, version=self.version)
        )
        object.__setattr__(self, "before_risk", self.rules[: last + 1])
        object.__setattr__(self, "after_risk", self.rules[last + 1 :])

    @property
    def rule_ids(self) -> tuple[str, ...]:
        """The ids of all rules, in file order."""
        return tuple(rule.id for rule in self.rules)


def _text(raw: dict[str, Any], key: str, where: Where) -> str:
    value = raw.get(key)
    if value is None:
        raise where.error(key, "ontbreekt")
    if not isinstance(value, str) or not value.strip():
        raise where.error(key, "verwacht een niet-lege tekst")
    return " ".join(value.split())


def _rule(raw: Any, index: int, file: str, seen: set[str]) -> Rule:
    if not isinstance(raw, dict):
        raise ConfigError(
            "verwacht een mapping met id, text, source, when en then",
            file=file,
            field=f"rules[{index}]",
        )
    rule_id = raw.get("id")
    if not isinstance(rule_id, str) or not _RULE_ID.match(rule_id):
        raise ConfigError(
            "id ontbreekt of is ongeldig (letters, cijfers, '-', '_' of '.', max. 32 tekens)",
            file=file,
            field=f"rules[{index}].id",
        )
    where = Where(file, rule_id)
    if rule_id in seen:
        raise where.error("id", "deze id komt al eerder in het bestand voor")
    seen.add(rule_id)
    unknown = [key for key in raw if key not in RULE_KEYS]
    if unknown:
        raise where.error(str(unknown[0]), f"onbekend veld; toegestaan: {', '.join(RULE_KEYS)}")
    text = _text(raw, "text", where)
    source = _text(raw, "source", where)
    if "then" not in raw:
        raise where.error("then", "ontbreekt")
    when, reads = compile_condition(raw.get("when"), where)
    then = parse_actions(raw["then"], where, text)
    priority = raw.get("priority", 0)
    if isinstance(priority, bool) or not isinstance(priority, int):
        raise where.error("priority", f"verwacht een geheel getal, niet {priority!r}")
    reason = Reason.model_construct(rule_id=rule_id, text=text, source=source)
    steps = compile_steps(then, reason, priority)
    pins = _pins(raw.get("when"), where)
    return Rule(rule_id, text, source, when, reads, then, reason, steps, priority, pins)


# What a condition pins a fact to: a closed interval for numbers and ordered values, or a
# set of allowed (True) or forbidden (False) values.
Pin = tuple[str, Any]


def _pin_of(name: str, op: str, raw: Any, where: Where) -> Pin | None:
    spec = FACTS[name]
    if spec.kind is Kind.SET:
        return None
    if spec.kind in (Kind.INT, Kind.ORDERED, Kind.NUMBER):
        if op not in ("==", "<", "<=", ">", ">="):
            return None
        v = _scalar(spec, raw, where, name)
        lo, hi = (
            {
                "==": (v, v),
                "<": (None, v - 1),
                "<=": (None, v),
                ">": (v + 1, None),
                ">=": (v, None),
            }[op]
            if spec.kind is not Kind.NUMBER
            else ((v, v) if op == "==" else (None, None))
        )
        return ("range", (lo, hi))
    if op in ("==", "!="):
        value = _scalar(spec, raw, where, name)
        if spec.kind is Kind.BOOL and op == "!=":
            return ("in", frozenset({not value}))
        return ("in" if op == "==" else "out", frozenset({value}))
    if op in ("in", "not_in"):
        values = frozenset(_scalar(spec, item, where, name) for item in raw)
        return ("in" if op == "in" else "out", values)
    return None


def _pins(raw: Any, where: Where) -> dict[str, Pin]:
    """The top-level pins of a (valid) condition, merged per fact where they agree."""
    out: dict[str, Pin] = {}
    if not isinstance(raw, dict):
        return out
    for key, value in raw.items():
        if key == "all":
            for item in value:
                for name, pin in _pins(item, where).items():
                    out.setdefault(name, pin)
            continue
        if key in ("any", "not"):
            continue
        ops = value.items() if isinstance(value, dict) else [("==", value)]
        for op, operand in ops:
            found = _pin_of(str(key), str(op), operand, where)
            if found is None:
                continue
            pin = found
            old = out.get(str(key))
            if old is None:
                out[str(key)] = pin
            elif old[0] == pin[0] == "range":
                lo = max((b for b in (old[1][0], pin[1][0]) if b is not None), default=None)
                hi = min((b for b in (old[1][1], pin[1][1]) if b is not None), default=None)
                out[str(key)] = ("range", (lo, hi))
    return out


def _exclusive(a: dict[str, Pin], b: dict[str, Pin]) -> bool:
    """True when no profile can meet both sets of pins."""
    for name in a.keys() & b.keys():
        (kind_a, va), (kind_b, vb) = a[name], b[name]
        if kind_a == kind_b == "range":
            lo = max((x for x in (va[0], vb[0]) if x is not None), default=None)
            hi = min((x for x in (va[1], vb[1]) if x is not None), default=None)
            if lo is not None and hi is not None and lo > hi:
                return True
        elif kind_a == kind_b == "in":
            if not va & vb:
                return True
        elif {kind_a, kind_b} == {"in", "out"}:
            allowed, forbidden = (va, vb) if kind_a == "in" else (vb, va)
            if allowed <= forbidden:
                return True
    return False


def _check_conflicts(rules: list[Rule], file: str) -> None:
    """Refuse two rules that force different first-best forms at the same priority."""
    forcing = [r for r in rules if r.forced_first is not None]
    for i, a in enumerate(forcing):
        for b in forcing[i + 1 :]:
            if a.priority != b.priority or a.forced_first is b.forced_first:
                continue
            if _exclusive(a.pins, b.pins):
                continue
            raise ConfigError(
                f"de regels {a.id} en {b.id} zetten elk een andere zorgvorm bovenaan "
                f"({a.forced_first}, {b.forced_first}) met dezelfde prioriteit {a.priority}, "
                "en hun voorwaarden sluiten elkaar niet uit; geef ze een verschillende "
                "priority of maak de voorwaarden uitsluitend",
                file=file,
                field=f"regel {b.id}: priority",
            )


def _check_risk_order(rules: list[Rule], file: str) -> None:
    """Rules that read the breakdown risk must come after every rule that adds to it."""
    last = max((i for i, r in enumerate(rules) if r.then.risk_weight is not None), default=-1)
    for i, rule in enumerate(rules):
        if rule.reads & RISK_FACTS and i <= last:
            raise Where(file, rule.id).error(
                "when",
                "leest het breakdownrisico maar staat niet na de laatste risicoregel "
                f"({rules[last].id})",
            )


def _header_number(raw: Any, key: str, file: str) -> float:
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        raise ConfigError("verwacht een getal", file=file, field=f"breakdown_risk.{key}")
    return float(raw)


def _plain_forms(raw: Any, key: str, file: str) -> tuple[CareForm, ...]:
    if not isinstance(raw, list) or not raw:
        raise ConfigError("verwacht een niet-lege lijst van zorgvormen", file=file, field=key)
    forms: list[CareForm] = []
    for i, item in enumerate(raw):
        try:
            forms.append(CareForm(item))
        except ValueError:
            raise ConfigError(
                f"onbekende zorgvorm {item!r}", file=file, field=f"{key}[{i}]"
            ) from None
    if len(set(forms)) != len(forms):
        raise ConfigError("een zorgvorm staat dubbel in de lijst", file=file, field=key)
    return tuple(forms)


def parse_rule_set(raw: Any, file: str) -> RuleSet:
    """Validate the parsed YAML of a rule file and compile it into a RuleSet."""
    if not isinstance(raw, dict):
        raise ConfigError(
            "verwacht een mapping met name, version, order, fallback, breakdown_risk en rules",
            file=file,
        )
    unknown = [key for key in raw if key not in HEADER_KEYS]
    if unknown:
        raise ConfigError(
            f"onbekend veld; toegestaan: {', '.join(HEADER_KEYS)}", file=file, field=str(unknown[0])
        )
    for key in ("name", "version"):
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            hint = " (zet een versienummer tussen aanhalingstekens)" if key == "version" else ""
            raise ConfigError(f"verwacht een niet-lege tekst{hint}", file=file, field=key)
    description = raw.get("description", "")
    if not isinstance(description, str):
        raise ConfigError("verwacht een tekst", file=file, field="description")
    thresholds = raw.get("breakdown_risk")
    if not isinstance(thresholds, dict) or set(thresholds) != {"medium", "high"}:
        raise ConfigError(
            "verwacht {medium: <getal>, high: <getal>}", file=file, field="breakdown_risk"
        )
    medium = _header_number(thresholds["medium"], "medium", file)
    high = _header_number(thresholds["high"], "high", file)
    if not 0 < medium < high:
        raise ConfigError("verwacht 0 < medium < high", file=file, field="breakdown_risk")
    rules_raw = raw.get("rules")
    if not isinstance(rules_raw, list) or not rules_raw:
        raise ConfigError("verwacht een niet-lege lijst van regels", file=file, field="rules")
    min_age = raw.get("residential_min_age", DEFAULT_RESIDENTIAL_MIN_AGE)
    if isinstance(min_age, bool) or not isinstance(min_age, int) or not 0 <= min_age <= 23:
        raise ConfigError(
            "verwacht een leeftijd van 0 tot en met 23", file=file, field="residential_min_age"
        )
    seen: set[str] = set()
    rules = [_rule(item, i, file, seen) for i, item in enumerate(rules_raw)]
    _check_risk_order(rules, file)
    _check_conflicts(rules, file)
    return RuleSet(
        name=raw["name"].strip(),
        version=raw["version"].strip(),
        description=" ".join(description.split()),
        order=_plain_forms(raw.get("order"), "order", file),
        fallback=_plain_forms(raw.get("fallback"), "fallback", file),
        risk_medium=medium,
        risk_high=high,
        rules=tuple(rules),
        file=file,
        residential_min_age=min_age,
    )


def load_rule_set(path: Path | str) -> RuleSet:
    """Load, validate and compile a rule file; any problem is a ConfigError naming the field."""
    file = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"kan bestand niet lezen ({exc.strerror})", file=file) from None
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (regel {mark.line + 1}, kolom {mark.column + 1})" if mark is not None else ""
        raise ConfigError(f"geen geldige YAML{where}", file=file) from None
    return parse_rule_set(raw, file)


@cache
def default_rule_set() -> RuleSet:
    """The shipped Flevoland rule set (loaded and compiled once)."""
    return load_rule_set(DEFAULT_RULES)
