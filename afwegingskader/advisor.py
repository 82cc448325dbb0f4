"""`Advisor`: the afwegingskader's advice for many profiles, each distinct part worked out once.

For simulations, which advise thousands of generated profiles under one rule set. Every
advice is exactly `engine.advise(profile, rule_set)`, by exact memos:

- Which rules fire. A rule's condition reads only the facts it names (`Rule.reads`, recorded
  when the rule file is compiled), so the rules are grouped by the facts they read (a rule
  reading a subset of a group's facts joins it), and per group the rules that fire are kept
  per value of those facts. The groups after the last breakdown-risk rule also read the
  breakdown score and risk, worked out (and kept) from the risk rules that fired before
  them, in rule order, as `engine.fired_rules` does. After the first `plan_after` profiles,
  the groups of each phase that have seen at most `FEW` values go under one group keyed by
  all their facts, which on a miss looks its members up: one look-up instead of several
  for the facts that hardly vary (in simulations: CAP-J codes, earlier placements,
  siblings). Only the speed depends on this plan, never the result.
- The advice, a pure function of which rules fire and of what `engine.build_advice` reads
  from the profile: whether it has siblings, how many have no contraindication, and the
  home and the responsible municipality. The municipalities only reach the location advice
  (`engine.location_of`, from the location rules that fired; kept per those and the
  municipalities), so the advice is kept per rules fired, siblings and location object
  (those belong to the compiled rules). It is built from parts (engine.build_advice's),
  each read from the decision of only the rules of its kind that fired (`_parts`): each
  kind of step writes its own part of the decision, so these are the parts the full
  decision has. They are kept per those rules: of the ~2,300 distinct sets of rules that
  fire in a Flevoland replication, only some 40 differ in the rules that order or exclude
  care forms, 45 in those about siblings and capabilities, 48 in the risk rules. An advice
  for a new location is a copy (`domain.trusted.replaced`) of the one for the same rules.

Since rule set 2.0.0 a risk rule may scale with a fact (age, earlier placements or
breakdowns): the score, and so the breakdown part, is kept per risk rules fired and the
values of those facts, and the advice per rules fired and breakdown object too. The forms
depend on whether the child is below the rule set's residential age (a fact the engine sets
per rule set), so they are kept per that as well; warnings, prevention checks, second
opinions and continuation (the notes) per the rules of that kind that fired. Wishes on
religion and culture (the advice's preferences) come from the profile, never from a memo.

Every memo is bounded (`limit` entries each; then it starts again).
"""

from __future__ import annotations

from collections.abc import Callable
from operator import itemgetter
from typing import TypeVar

from afwegingskader.actions import SCALED_FACTS
from afwegingskader.conditions import Facts
from afwegingskader.decision import RuleOutcome
from afwegingskader.engine import (
    _RISK_LEVELS,
    Forms,
    Notes,
    _risk,
    breakdown_of,
    forms_of,
    location_of,
    new_advice,
    notes_of,
    run_rules,
    siblings_of,
)
from afwegingskader.facts import facts_of, preferences_of
from afwegingskader.models import (
    Advice,
    BreakdownRisk,
    LocationAdvice,
    Profile,
    Reason,
    SiblingAdvice,
)
from afwegingskader.ruleset import Rule, RuleSet, default_rule_set
from domain.profile_vocabulary import Capability
from domain.trusted import replaced

K = TypeVar("K")
V = TypeVar("V")
PLAN_AFTER = 1_000  # profiles advised before the groups that hardly vary are put together
FEW = 4  # values seen by then for a group to count as hardly varying

# Rules whose conditions read the same facts: a function giving the value of those facts,
# the bits of the rules that fire per value, a function that works them out for a value
# not known yet (and keeps them), and the names of the facts.
_Group = tuple[
    Callable[[Facts], object],
    dict[object, int],
    Callable[[Facts, object], int],
    tuple[str, ...],
]


def _groups(rules: tuple[Rule, ...], first_bit: int, limit: int) -> list[_Group]:
    """The rules grouped by the facts they read; a rule that reads a subset of another
    group's facts joins that group (its value decides the rule too: fewer groups to look
    up, no more values to keep)."""
    reads = [frozenset(rule.reads) for rule in rules]
    widest: list[frozenset[str]] = []
    for facts in sorted(set(reads), key=len, reverse=True):
        if not any(facts <= wider for wider in widest):
            widest.append(facts)
    members: dict[frozenset[str], list[tuple[int, Rule]]] = {}
    for i, (rule, facts) in enumerate(zip(rules, reads, strict=True)):
        home = min((w for w in widest if facts <= w), key=lambda w: (len(w), sorted(w)))
        members.setdefault(home, []).append((1 << (first_bit + i), rule))
    return [_rule_group(tuple(sorted(home)), group, limit) for home, group in members.items()]


def _rule_group(names: tuple[str, ...], rules: list[tuple[int, Rule]], limit: int) -> _Group:
    """A group of rules reading these facts: on a miss their conditions are tested."""
    known: dict[object, int] = {}

    def evaluate(facts: Facts, value: object) -> int:
        bits = 0
        for bit, rule in rules:
            if rule.when(facts):
                bits |= bit
        _remember(known, value, bits, limit)
        return bits

    return (_getter(names), known, evaluate, names)


def _joined(groups: list[_Group], limit: int) -> _Group:
    """One group for several, keyed by all their facts: on a miss each is looked up."""
    names = tuple(sorted({name for group in groups for name in group[3]}))
    known: dict[object, int] = {}

    def evaluate(facts: Facts, value: object) -> int:
        bits = 0
        for key, memo, work_out, _ in groups:
            part = key(facts)
            got = memo.get(part)
            bits |= work_out(facts, part) if got is None else got
        _remember(known, value, bits, limit)
        return bits

    return (_getter(names), known, evaluate, names)


def _plan(groups: list[_Group], limit: int) -> list[_Group]:
    """The groups with those that have seen at most FEW values put together."""
    few = [group for group in groups if len(group[1]) <= FEW]
    if len(few) < 2:
        return groups
    return [group for group in groups if len(group[1]) > FEW] + [_joined(few, limit)]


def _getter(names: tuple[str, ...]) -> Callable[[Facts], object]:
    return itemgetter(*names) if names else _nothing


def _nothing(facts: Facts) -> object:
    """The value of no facts (a rule without a condition)."""
    return ()


class Advisor:
    """`engine.advise` for many profiles under one rule set (see the module docs)."""

    def __init__(
        self, rule_set: RuleSet | None = None, *, limit: int = 20_000, plan_after: int = PLAN_AFTER
    ) -> None:
        self.rules = rule_set if rule_set is not None else default_rule_set()
        self.limit = limit
        self.plan_after = plan_after
        rules = self.rules.rules
        before, after = self.rules.before_risk, self.rules.after_risk
        self._before = _groups(before, 0, limit)
        self._after = _groups(after, len(before), limit)
        self._advised = 0
        self._risk = [
            (1 << i, rule.then)
            for i, rule in enumerate(before)
            if rule.then.risk_weight is not None
        ]
        self._scaled = itemgetter(*SCALED_FACTS)
        parts = [_parts(rule) for rule in rules]
        kinds = ("order", "siblings", "risk", "location", "notes")
        self._order_bits, self._sibling_bits, self._risk_bits, self._locating_bits = (
            sum(1 << i for i, found in enumerate(parts) if kind in found) for kind in kinds[:4]
        )
        self._notes_bits = sum(1 << i for i, found in enumerate(parts) if "notes" in found)
        self._locating = [(1 << i, rule) for i, rule in enumerate(rules) if rule.then.location]
        # Warning rules give no reason: their text is in the warnings.
        self._reason = {1 << i: rule.reason for i, rule in enumerate(rules) if not rule.then.warn}
        self._scores: dict[tuple[int, object], tuple[float, int, BreakdownRisk]] = {}
        self._known: dict[tuple[int, bool, int, bool, int, int], Advice] = {}
        self._any_place: dict[tuple[int, bool, int, bool, int, int], Advice] = {}
        self._forms: dict[tuple[int, bool], tuple[Forms, tuple[Reason, ...]]] = {}
        self._siblings: dict[tuple[int, bool, int], tuple[SiblingAdvice, tuple[Capability, ...]]]
        self._siblings = {}
        self._notes: dict[int, Notes] = {}
        self._locations: dict[tuple[object, ...], LocationAdvice] = {}
        self._breakdown: BreakdownRisk | None = None
        # At most 256 entries per block of 8 rules: bounded by the rule set.
        self._chunks: dict[tuple[int, int], tuple[Reason, ...]] = {}

    @property
    def lookups(self) -> int:
        """Memo look-ups per profile for the rules that fire (fewer once planned)."""
        return len(self._before) + len(self._after)

    def fired(self, facts: Facts) -> int:
        """The same as engine.fired_rules(rule_set, facts), setting the same facts; keeps
        the breakdown risk of these facts for `advise`."""
        facts["below_residential_age"] = facts["age"] < self.rules.residential_min_age
        fired = 0
        for key, known, evaluate, _ in self._before:
            value = key(facts)
            bits = known.get(value)
            fired |= evaluate(facts, value) if bits is None else bits
        risky = fired & self._risk_bits
        risk_key = (risky, self._scaled(facts))
        risk = self._scores.get(risk_key)
        if risk is None:
            score = 0.0
            for bit, then in self._risk:  # in rule order, as the steps add them up
                if fired & bit:
                    score += then.risk_points(facts)
            score = max(0.0, score)
            breakdown = breakdown_of(self.rules, run_rules(self.rules, risky, facts)[0])
            risk = (score, _RISK_LEVELS.index(_risk(self.rules, score)), breakdown)
            _remember(self._scores, risk_key, risk, self.limit)
        facts["breakdown_score"], facts["breakdown_risk"], self._breakdown = risk
        for key, known, evaluate, _ in self._after:
            value = key(facts)
            bits = known.get(value)
            fired |= evaluate(facts, value) if bits is None else bits
        return fired

    def advise(self, profile: Profile) -> Advice:
        """The same advice as engine.advise(profile, rule_set)."""
        if self._advised < self.plan_after:
            self._advised += 1
            if self._advised == self.plan_after:
                self._before = _plan(self._before, self.limit)
                self._after = _plan(self._after, self.limit)
        facts = facts_of(profile)
        fired = self.fired(facts)
        breakdown = self._breakdown
        assert breakdown is not None
        location = self._location(profile, fired)
        has_siblings = bool(profile.siblings)
        free = facts["siblings_without_contraindication"]
        below = facts["below_residential_age"]
        # The location and breakdown objects are held by the advice kept for them, so their
        # ids cannot be reused while it is kept.
        key = (fired, has_siblings, free, below, id(breakdown), id(location))
        advice = self._known.get(key)
        if advice is None:
            # Each part but the reasons, the location and the breakdown risk (whose score may
            # scale with a fact) is decided by the rules of its kind that fired: an advice
            # with the same parts is copied with those three swapped in.
            same = (
                fired & self._order_bits,
                below,
                fired & self._sibling_bits,
                has_siblings,
                free,
                fired & self._notes_bits,
            )
            other = self._any_place.get(same)
            if other is None:
                advice = self._build(fired, has_siblings, free, below, breakdown, location)
                _remember(self._any_place, same, advice, self.limit)
            else:
                extra = self._forms_of(same[0], below)[1]
                swap = {
                    "reasons": self._reasons(fired) + extra,
                    "location": location,
                    "breakdown_risk": breakdown,
                }
                advice = replaced(other, swap)
            _remember(self._known, key, advice, self.limit)
        preferences = preferences_of(profile)
        return replaced(advice, {"preferences": preferences}) if preferences else advice

    def _build(
        self,
        fired: int,
        has_siblings: bool,
        free: int,
        below: bool,
        breakdown: BreakdownRisk,
        location: LocationAdvice,
    ) -> Advice:
        """engine.build_advice from its parts, each worked out for the rules of its kind
        that fired (kept per those)."""
        rules, limit = self.rules, self.limit
        forms = self._forms_of(fired & self._order_bits, below)
        part = fired & self._sibling_bits
        key = (part, has_siblings, free)
        siblings = self._siblings.get(key)
        if siblings is None:
            siblings = siblings_of(run_rules(rules, part)[0], has_siblings, free)
            _remember(self._siblings, key, siblings, limit)
        part = fired & self._notes_bits
        notes = self._notes.get(part)
        if notes is None:
            notes = notes_of(run_rules(rules, part)[0])
            _remember(self._notes, part, notes, limit)
        reasons = self._reasons(fired) + forms[1]
        return new_advice(rules, forms[0], siblings, breakdown, location, reasons, notes)

    def _forms_of(self, part: int, below: bool) -> tuple[Forms, tuple[Reason, ...]]:
        """The forms of the care-form rules that fired (`part`), and the reasons a fallback
        or the age guard adds (kept per those and `below`)."""
        forms = self._forms.get((part, below))
        if forms is None:
            state, fired_reasons = run_rules(self.rules, part)
            count = len(fired_reasons)
            decided = forms_of(self.rules, state, fired_reasons, below)  # may add a reason
            forms = (decided, tuple(fired_reasons[count:]))
            _remember(self._forms, (part, below), forms, self.limit)
        return forms

    def _reasons(self, fired: int) -> tuple[Reason, ...]:
        """The reasons of the rules that fired, in rule order, per 8 rules at a time (kept
        per which of them fired): of the many sets of rules that fire, each block of 8 sees
        only a few."""
        reasons: tuple[Reason, ...] = ()
        chunks, shift = self._chunks, 0
        while fired:
            part = fired & 0xFF
            if part:
                key = (shift, part)
                got = chunks.get(key)
                if got is None:
                    got = chunks[key] = self._chunk(shift, part)
                reasons += got
            fired >>= 8
            shift += 8
        return reasons

    def _chunk(self, shift: int, part: int) -> tuple[Reason, ...]:
        """The reasons of the rules shift.. shift+7 whose bits are set in part."""
        out = []
        for i in range(8):
            if part >> i & 1:
                got = self._reason.get(1 << (shift + i))
                if got is not None:
                    out.append(got)
        return tuple(out)

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
            state = RuleOutcome(())
            for bit, rule in self._locating:
                if fired & bit:
                    for step in rule.steps:
                        step(state)
            location = location_of(profile, state)
            self._locations[key] = location  # at most (location rules fired) x places
        return location


def _parts(rule: Rule) -> frozenset[str]:
    """The parts of the decision that a rule's steps write: decision.compile_steps makes one
    step per kind of action, in this order. Raises when the rule has a step of no kind known
    here, so that a new kind of action cannot silently break the memos of the parts."""
    then = rule.then
    steps = (
        ("order", bool(then.exclude)),
        ("order", then.order is not None),
        ("order", then.first is not None),
        ("order", bool(then.promote or then.demote)),
        ("siblings", bool(then.require or then.require_sibling_group)),
        ("siblings", then.siblings_together is not None),
        ("risk", then.risk_weight is not None),
        ("location", then.location is not None),
        (
            "notes",
            bool(
                then.warn
                or then.prevention
                or then.second_opinion
                or then.continuation
                or then.conditions
            ),
        ),
        ("order", then.age_exception),
    )
    written = [part for part, present in steps if present]
    if len(written) != len(rule.steps):
        raise TypeError(f"rule {rule.id}: a step of an unknown kind")
    return frozenset(written)


def _remember(memo: dict[K, V], key: K, value: V, limit: int) -> None:
    """Keep `value` for `key`, starting again when the memo holds `limit` entries."""
    if len(memo) >= limit:
        memo.clear()
    memo[key] = value
