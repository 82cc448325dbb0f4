"""Rule sets of the afwegingskader: load a YAML rule file, validate it, compile it.

A rule file has a header (name, version, the base order of care forms, the fallback and
the breakdown-risk thresholds) and a list of rules. Each rule has an id, a Dutch text
(shown as the reason), a source (or "lokale keuze"), an optional `when` condition (see
afwegingskader.conditions) and a `then` block of actions. Rules apply top to bottom.
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
from afwegingskader.conditions import Test, Where, compile_condition
from afwegingskader.decision import Step, compile_steps
from afwegingskader.models import Reason, RuleSetRef
from domain.care import CareForm
from domain.errors import ConfigError

DEFAULT_RULES = Path(__file__).with_name("rules") / "default.yaml"

HEADER_KEYS = ("name", "version", "description", "order", "fallback", "breakdown_risk", "rules")
RULE_KEYS = ("id", "text", "source", "when", "then")
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
    reason = Reason.model_construct(rule_id=rule_id, text=text, source=source)
    return Rule(
        rule_id, text, source, when, reads, then, reason, compile_steps(then, rule_id, text)
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
    seen: set[str] = set()
    rules = [_rule(item, i, file, seen) for i, item in enumerate(rules_raw)]
    _check_risk_order(rules, file)
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
