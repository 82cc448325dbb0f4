"""`Advisor`: the afwegingskader's advice for many profiles, each distinct part worked out once.

For simulations, which advise thousands of generated profiles under one rule set. Every
advice is exactly `engine.advise(profile, rule_set)`, by two exact memos:

- Which rules fire. A rule's condition reads only the facts it names (`Rule.reads`, recorded
  when the rule file is compiled), so the rules are grouped by the facts they read (a rule
  reading a subset of a group's facts joins it), and per group the rules that fire are kept
  per value of those facts. The groups after the last
  breakdown-risk rule also read the breakdown score and risk, worked out from the risk
  rules that fired before them, in rule order, as `engine.fired_rules` does.
- The advice itself, a pure function of which rules fire and of what `engine.build_advice`
  reads from the profile: whether it has siblings, how many have no contraindication, and
  the home and the responsible municipality. The municipalities only reach the location
  advice (`engine.location_of`, from the location rules that fired), so the rest is kept
  per rules fired and siblings, and a profile with another location gets a copy of it
  with that location (kept per location object: those belong to the compiled rules).

Both memos are bounded (`limit` entries each; then they start again).
"""

from __future__ import annotations

from collections.abc import Callable
from operator import itemgetter

from afwegingskader.conditions import Facts
from afwegingskader.decision import Decision
from afwegingskader.engine import _RISK_LEVELS, _risk, build_advice, facts_of, location_of
from afwegingskader.models import Advice, LocationAdvice, Profile
from afwegingskader.ruleset import Rule, RuleSet, default_rule_set

# Rules that read the same facts: a function giving the value of those facts, the bits of
# the rules that fire per value, and the rules with their bits.
_Group = tuple[Callable[[Facts], object], dict[object, int], list[tuple[int, Rule]]]


def _groups(rules: tuple[Rule, ...], first_bit: int) -> list[_Group]:
    """The rules grouped by the facts they read; a rule that reads a subset of another
    group's facts joins that group (its value decides the rule too: fewer groups to look
    up, no more values to keep)."""
    reads = [frozenset(rule.reads) for rule in rules]
    widest: list[frozenset[str]] = []
    for facts in sorted(set(reads), key=len, reverse=True):
        if not any(facts <= wider for wider in widest):
            widest.append(facts)
    groups: dict[frozenset[str], _Group] = {}
    for i, (rule, facts) in enumerate(zip(rules, reads, strict=True)):
        home = min((w for w in widest if facts <= w), key=lambda w: (len(w), sorted(w)))
        group = groups.get(home)
        if group is None:
            names = sorted(home)
            key = itemgetter(*names) if names else _nothing
            group = groups[home] = (key, {}, [])
        group[2].append((1 << (first_bit + i), rule))
    return list(groups.values())


def _nothing(facts: Facts) -> object:
    """The value of no facts (a rule without a condition)."""
    return ()


def _evaluate(group: _Group, facts: Facts, value: object, limit: int) -> int:
    """The bits of the group's rules that fire on these facts, remembered for `value`."""
    bits = 0
    for bit, rule in group[2]:
        if rule.when(facts):
            bits |= bit
    known = group[1]
    if len(known) >= limit:
        known.clear()
    known[value] = bits
    return bits


class Advisor:
    """`engine.advise` for many profiles under one rule set (see the module docs)."""

    def __init__(self, rule_set: RuleSet | None = None, *, limit: int = 20_000) -> None:
        self.rules = rule_set if rule_set is not None else default_rule_set()
        self.limit = limit
        before, after = self.rules.before_risk, self.rules.after_risk
        self._before = _groups(before, 0)
        self._after = _groups(after, len(before))
        self._risk = [
            (1 << i, rule.then.risk_weight)
            for i, rule in enumerate(before)
            if rule.then.risk_weight is not None
        ]
        self._known: dict[tuple[object, ...], Advice] = {}
        self._variants: dict[tuple[object, ...], Advice] = {}
        self._locating = [
            (1 << i, rule) for i, rule in enumerate(self.rules.rules) if rule.then.location
        ]
        self._locating_bits = sum(bit for bit, _ in self._locating)
        self._locations: dict[tuple[object, ...], LocationAdvice] = {}

    def fired(self, facts: Facts) -> int:
        """The same as engine.fired_rules(rule_set, facts), setting the same risk facts."""
        limit = self.limit
        fired = 0
        for group in self._before:
            value = group[0](facts)
            bits = group[1].get(value)
            fired |= _evaluate(group, facts, value, limit) if bits is None else bits
        score = 0.0
        for bit, weight in self._risk:  # in rule order, as the steps add them up
            if fired & bit:
                score += weight
        score = max(0.0, score)
        facts["breakdown_score"] = score
        facts["breakdown_risk"] = _RISK_LEVELS.index(_risk(self.rules, score))
        for group in self._after:
            value = group[0](facts)
            bits = group[1].get(value)
            fired |= _evaluate(group, facts, value, limit) if bits is None else bits
        return fired

    def advise(self, profile: Profile) -> Advice:
        """The same advice as engine.advise(profile, rule_set)."""
        facts = facts_of(profile)
        fired = self.fired(facts)
        key = (fired, bool(profile.siblings), facts["siblings_without_contraindication"])
        advice = self._known.get(key)
        if advice is None:
            advice = build_advice(self.rules, profile, facts, fired)
            if len(self._known) >= self.limit:
                self._known.clear()
            self._known[key] = advice
        location = self._location(profile, fired)
        if location is advice.location:
            return advice
        # Another place: the same advice with this location (the objects are the rule set's).
        variant = self._variants.get((key, id(location)))
        if variant is None:
            variant = advice.model_copy(update={"location": location})
            if len(self._variants) >= self.limit:
                self._variants.clear()
            self._variants[(key, id(location))] = variant
        return variant

    def _location(self, profile: Profile, fired: int) -> LocationAdvice:
        """The location advice of build_advice: what the location rules that fired set, for
        the profile's municipalities (kept per those)."""
        key = (
            fired & self._locating_bits,
            profile.home_municipality,
            profile.responsible_municipality,
        )
        location = self._locations.get(key)
        if location is None:
            state = Decision(())
            for bit, rule in self._locating:
                if fired & bit:
                    for step in rule.steps:
                        step(state)
            location = location_of(profile, state)
            self._locations[key] = location  # at most (location rules fired) x places
        return location
