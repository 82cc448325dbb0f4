"""Apply a compiled rule set to a child's profile and build the explained Advice.

The rules run top to bottom over a dict of facts derived once from the profile. Between
the last breakdown-risk rule and the rest, the engine scores the risk so later rules can
read it. The result always has a first-best form that is not excluded: if the rules leave
no acceptable form, the engine falls back deterministically and says so in the reasons.
"""

from __future__ import annotations

from functools import cache

from afwegingskader.conditions import FACTS, Facts
from afwegingskader.decision import RuleOutcome
from afwegingskader.models import (
    Advice,
    BreakdownRisk,
    Exclusion,
    LocationAdvice,
    Profile,
    Reason,
    RiskLevel,
    SiblingAdvice,
)
from afwegingskader.ruleset import RuleSet, default_rule_set
from domain.care import HOMELIKENESS, CareForm
from domain.codelist import CodeList, default_codelist
from domain.people import Capability, sibling_capability
from domain.trusted import check, trusted

FALLBACK_RULE_ID = "TERUGVAL"
# First-best form, alternatives and exclusions (forms_of).
Forms = tuple[CareForm, tuple[CareForm, ...], tuple[Exclusion, ...]]
_CAPABILITY_RANK = {cap: i for i, cap in enumerate(Capability)}
_RISK_LEVELS = tuple(RiskLevel)
# The rank of each value of the ordered facts (StrEnum members hash like their values).
_SEVERITY = {value: rank for rank, value in enumerate(FACTS["severity"].values)}
_COMPLEXITY = {value: rank for rank, value in enumerate(FACTS["complexity"].values)}
_EXTERNALISING = {value: rank for rank, value in enumerate(FACTS["externalising"].values)}
_ADVICE_FIELDS = frozenset(Advice.model_fields)
check(Advice)
_NO_SIBLINGS = SiblingAdvice.model_construct(
    together=None, reason="Geen broers of zussen in de aanmelding.", rule_id=None
)
_SIBLINGS_DEFAULT = SiblingAdvice.model_construct(
    together=True,
    reason="Samen, tenzij: geen regel gaf een reden om broers en zussen apart te plaatsen.",
    rule_id=None,
)
_NO_LOCATION = LocationAdvice.model_construct(
    municipality=None, reason="Geen regel gaf een voorkeur voor de plaats."
)


@cache
def _roll_ups(codelist: CodeList) -> dict[str, frozenset[str]]:
    """Each code with every code above it (rubriek, groep, as), once per code list."""
    return {entry.code: codelist.roll_up(entry.code) for entry in codelist.codes()}


def facts_of(profile: Profile) -> Facts:
    """The facts the rules test, derived from a validated profile.

    Enum members are StrEnums: they compare and hash like their string values, which is
    what the compiled conditions hold."""
    capj: frozenset[str] = frozenset()
    if profile.capj:
        roll_ups = _roll_ups(default_codelist())
        for code in profile.capj:
            capj |= roll_ups[code]
    contra: frozenset[str] = frozenset()
    free = 0
    for sibling in profile.siblings:
        if sibling.contraindications:
            contra |= frozenset(c.value for c in sibling.contraindications)
        else:
            free += 1
    return {
        "age": profile.years,
        "sex": profile.sex,
        "severity": _SEVERITY[profile.severity],
        "complexity": _COMPLEXITY[profile.complexity],
        "externalising": _EXTERNALISING[profile.externalising],
        "treatment_need": profile.treatment_need,
        "trauma": profile.trauma,
        "lvb": profile.lvb,
        "earlier_placements": profile.earlier_placements,
        "earlier_breakdowns": profile.earlier_breakdowns,
        "parents_view": profile.parents_view,
        "child_agrees": profile.child_agrees,
        "network_family_available": profile.network_family_available,
        "perspective": profile.perspective,
        "crisis": profile.crisis,
        "siblings": len(profile.siblings),
        "siblings_contraindicated": bool(contra),
        "siblings_without_contraindication": free,
        "sibling_contraindications": contra,
        "capj": capj,
        "home_municipality": profile.home_municipality,
        "responsible_municipality": profile.responsible_municipality,
    }


def _fallback(rule_set: RuleSet, state: RuleOutcome, reasons: list[Reason]) -> CareForm:
    """A first-best form when the rules left none: first non-excluded of the fallback
    list, then of the voluntary forms from most to least home-like; if none is left, the first
    fallback form has its exclusion lifted. Always said in the reasons."""
    # Closed care is never a fallback unless the rule set names it: it needs a court order.
    voluntary = [f for f in CareForm if f is not CareForm.GESLOTEN]
    chain = [*rule_set.fallback, *sorted(voluntary, key=lambda f: HOMELIKENESS[f.category])]
    chosen = next((f for f in chain if f not in state.excluded), None)
    if chosen is None:
        chosen = rule_set.fallback[0]
        del state.excluded[chosen]
        text = (
            f"Alle zorgvormen zijn door de regels uitgesloten; terugval op {chosen.label} met "
            "opheffing van de uitsluiting. Een gedragsdeskundige moet dit advies beoordelen."
        )
    else:
        text = (
            f"De regels lieten geen passende zorgvorm over; terugval op {chosen.label}. "
            "Een gedragsdeskundige moet dit advies beoordelen."
        )
    reasons.append(
        Reason.model_construct(rule_id=FALLBACK_RULE_ID, text=text, source="lokale keuze (engine)")
    )
    return chosen


# Risk outputs repeat (a few rules, few combinations): build each distinct one once. The
# key holds only rule texts, a level and a score, never anything that identifies a child.
_BREAKDOWN_CACHE: dict[tuple[RiskLevel, float, tuple[str, ...]], BreakdownRisk] = {}
_BREAKDOWN_CACHE_MAX = 4096


def _breakdown(level: RiskLevel, score: float, factors: tuple[str, ...]) -> BreakdownRisk:
    key = (level, score, factors)
    cached = _BREAKDOWN_CACHE.get(key)
    if cached is None:
        cached = BreakdownRisk.model_construct(level=level, score=score, factors=factors)
        if len(_BREAKDOWN_CACHE) < _BREAKDOWN_CACHE_MAX:
            _BREAKDOWN_CACHE[key] = cached
    return cached


def _risk(rule_set: RuleSet, score: float) -> RiskLevel:
    if score >= rule_set.risk_high:
        return RiskLevel.HIGH
    return RiskLevel.MEDIUM if score >= rule_set.risk_medium else RiskLevel.LOW


def location_of(profile: Profile, state: RuleOutcome) -> LocationAdvice:
    """The location advice of a decision for this profile."""
    if state.location is None:
        return _NO_LOCATION
    source, locations = state.location
    return locations[None if source == "none" else getattr(profile, source)]


def advise(profile: Profile, rule_set: RuleSet | None = None) -> Advice:
    """The afwegingskader advice for one profile (None = the shipped default rule set)."""
    rules = rule_set if rule_set is not None else default_rule_set()
    facts = facts_of(profile)
    return build_advice(rules, profile, facts, fired_rules(rules, facts))


def fired_rules(rules: RuleSet, facts: Facts) -> int:
    """Which rules fire (bit i: rule i in file order), testing the conditions only.

    The breakdown score is the sum of the risk weights of the rules that fired before it, in
    rule order (as the steps add them), so the rules after it see the facts `advise` gives.
    """
    fired, bit, score = 0, 1, 0.0
    for rule in rules.before_risk:
        if rule.when(facts):
            fired |= bit
            weight = rule.then.risk_weight
            if weight is not None:
                score += weight
        bit <<= 1
    score = max(0.0, score)
    facts["breakdown_score"] = score
    facts["breakdown_risk"] = _RISK_LEVELS.index(_risk(rules, score))
    for rule in rules.after_risk:
        if rule.when(facts):
            fired |= bit
        bit <<= 1
    return fired


def run_rules(rules: RuleSet, fired: int) -> tuple[RuleOutcome, list[Reason]]:
    """The decision after the steps of the rules that fire, in rule order, and their
    reasons."""
    state = RuleOutcome(rules.order)
    reasons: list[Reason] = []
    for rule in rules.rules:
        if fired & 1:
            reasons.append(rule.reason)
            for step in rule.steps:
                step(state)
        fired >>= 1
    return state, reasons


def forms_of(rules: RuleSet, state: RuleOutcome, reasons: list[Reason]) -> Forms:
    """First-best form, alternatives and exclusions of a decision (its order and exclusions
    only); a fallback appends its reason to `reasons`."""
    excluded = state.excluded
    acceptable = [form for form in state.order if form not in excluded]
    first_best = acceptable[0] if acceptable else _fallback(rules, state, reasons)
    alternatives = tuple(form for form in acceptable if form is not first_best)
    return first_best, alternatives, tuple(excluded.values())


def siblings_of(
    state: RuleOutcome, has_siblings: bool, without_contraindication: int
) -> tuple[SiblingAdvice, tuple[Capability, ...]]:
    """The sibling advice and the required capabilities of a decision (its capabilities,
    sibling group and sibling advice only), for a profile with or without siblings and this
    many siblings without a contraindication."""
    siblings = (state.siblings or _SIBLINGS_DEFAULT) if has_siblings else _NO_SIBLINGS
    capabilities = state.capabilities
    if state.sibling_group and siblings.together:
        # Only siblings without a contraindication go together ("samen, tenzij" per sibling).
        group = sibling_capability(1 + without_contraindication)
        if group is not None:
            capabilities.add(group)
    return siblings, tuple(sorted(capabilities, key=_CAPABILITY_RANK.__getitem__))


def breakdown_of(rules: RuleSet, state: RuleOutcome) -> BreakdownRisk:
    """The breakdown risk of a decision (its score and risk factors only)."""
    score = max(0.0, state.score)
    return _breakdown(_risk(rules, score), round(score, 2), tuple(state.risk_factors))


def new_advice(
    rules: RuleSet,
    forms: Forms,
    siblings: tuple[SiblingAdvice, tuple[Capability, ...]],
    breakdown: BreakdownRisk,
    location: LocationAdvice,
    reasons: tuple[Reason, ...],
) -> Advice:
    """The Advice of these parts: what Advice.model_construct builds from them, fields set
    included, without its generic pass (domain.trusted)."""
    return trusted(
        Advice,
        {
            "first_best": forms[0],
            "alternatives": forms[1],
            "excluded": forms[2],
            "required_capabilities": siblings[1],
            "siblings": siblings[0],
            "breakdown_risk": breakdown,
            "location": location,
            "reasons": reasons,
            "rule_set": rules.ref,
        },
        _ADVICE_FIELDS,
    )


def build_advice(rules: RuleSet, profile: Profile, facts: Facts, fired: int) -> Advice:
    """The advice once it is known which rules fire: their steps, in rule order.

    Reads from the profile only whether it has siblings, how many have no contraindication
    and the two municipalities (the location advice); `advisor.Advisor` keys on
    exactly these. Each part of the advice reads only the part of the decision that one
    kind of step writes (`forms_of`, `siblings_of`, `breakdown_of`, `location_of`), which
    the Advisor relies on too.
    """
    state, reasons = run_rules(rules, fired)
    breakdown = breakdown_of(rules, state)
    forms = forms_of(rules, state, reasons)
    siblings = siblings_of(
        state, bool(profile.siblings), facts["siblings_without_contraindication"]
    )
    location = location_of(profile, state)
    return new_advice(rules, forms, siblings, breakdown, location, tuple(reasons))
