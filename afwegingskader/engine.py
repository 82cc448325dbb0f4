"""Apply a compiled rule set to a child's profile and build the explained Advice.

The rules run top to bottom over a dict of facts derived once from the profile. Between
the last breakdown-risk rule and the rest, the engine scores the risk so later rules can
read it. `first` actions are applied after every rule, by priority. The result always has a
first-best form that is not excluded: if the rules leave no acceptable form, the engine
falls back deterministically and says so in the reasons.

Two guarantees hold whatever the rule file says:
- below the rule set's `residential_min_age`, a residential form is first-best only when a
  rule with `age_exception` fired; the advice then asks for a second gedragswetenschapper.
  Otherwise the engine puts the most home-like acceptable form first and says why.
- every care form is either acceptable or excluded with a reason.
"""

from __future__ import annotations

from afwegingskader.conditions import Facts
from afwegingskader.decision import RuleOutcome, put_first
from afwegingskader.facts import facts_of, preferences_of
from afwegingskader.models import (
    Advice,
    BreakdownRisk,
    Exclusion,
    FormCondition,
    LocationAdvice,
    PreventionCheck,
    Profile,
    Reason,
    SecondOpinion,
    SiblingAdvice,
)
from afwegingskader.ruleset import RuleSet, default_rule_set
from domain.care import HOMELIKENESS, RESIDENTIAL_FORMS, CareForm
from domain.people import sibling_capability
from domain.profile_vocabulary import Capability, PreventionOption, RiskLevel
from domain.trusted import check, replaced, trusted

FALLBACK_RULE_ID = "TERUGVAL"
AGE_GUARD_RULE_ID = "LEEFTIJDSGRENS"
NOT_ADVISED_RULE_ID = "NIET_GEADVISEERD"
LOCAL = "lokale keuze van de regio"
# First-best form, alternatives, exclusions, what makes a family setting impossible (when
# the first-best is residential) and the second opinion the forms ask for (forms_of).
Forms = tuple[
    CareForm, tuple[CareForm, ...], tuple[Exclusion, ...], Reason | None, SecondOpinion | None
]
# Warnings, prevention checks, a second opinion asked by a rule, continuation and the
# conditions on care forms (notes_of).
Notes = tuple[
    tuple[Reason, ...],
    tuple[PreventionCheck, ...],
    SecondOpinion | None,
    bool,
    tuple[FormCondition, ...],
]
_NO_NOTES: Notes = ((), (), None, False, ())
_CAPABILITY_RANK = {cap: i for i, cap in enumerate(Capability)}
_OPTION_RANK = {option: i for i, option in enumerate(PreventionOption)}
_RISK_LEVELS = tuple(RiskLevel)
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
    reasons.append(Reason.model_construct(rule_id=FALLBACK_RULE_ID, text=text, source=LOCAL))
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
    advice = build_advice(rules, profile, facts, fired_rules(rules, facts))
    preferences = preferences_of(profile)
    return replaced(advice, {"preferences": preferences}) if preferences else advice


def fired_rules(rules: RuleSet, facts: Facts) -> int:
    """Which rules fire (bit i: rule i in file order), testing the conditions only.

    The breakdown score is the sum of the risk points of the rules that fired before it, in
    rule order (as the steps add them), so the rules after it see the facts `advise` gives.
    """
    facts["below_residential_age"] = facts["age"] < rules.residential_min_age
    fired, bit, score = 0, 1, 0.0
    for rule in rules.before_risk:
        if rule.when(facts):
            fired |= bit
            if rule.then.risk_weight is not None:
                score += rule.then.risk_points(facts)
        bit <<= 1
    score = max(0.0, score)
    facts["breakdown_score"] = score
    facts["breakdown_risk"] = _RISK_LEVELS.index(_risk(rules, score))
    for rule in rules.after_risk:
        if rule.when(facts):
            fired |= bit
        bit <<= 1
    return fired


def run_rules(
    rules: RuleSet, fired: int, facts: Facts | None = None
) -> tuple[RuleOutcome, list[Reason]]:
    """The decision after the steps of the rules that fire, in rule order, and their
    reasons (a warning rule's reason goes to the warnings instead)."""
    state = RuleOutcome(rules.order, facts)
    reasons: list[Reason] = []
    for rule in rules.rules:
        if fired & 1:
            if not rule.then.warn:
                reasons.append(rule.reason)
            for step in rule.steps:
                step(state)
        fired >>= 1
    return state, reasons


def _family_impossible(state: RuleOutcome, first: CareForm, top: Reason | None) -> Reason:
    """Why a residential first-best: the rule that put it first, else the exclusions of the
    family forms."""
    if top is not None:
        return top
    family = [e for f, e in state.excluded.items() if f not in RESIDENTIAL_FORMS]
    text = "; ".join(f"{e.care_form.label}: {e.reason}" for e in family) or (
        f"Geen regel zette {first.label} bovenaan; alleen deze vorm bleef over."
    )
    return Reason.model_construct(
        rule_id=family[0].rule_id if family else NOT_ADVISED_RULE_ID,
        text=f"Gezinsvormen vallen af: {text}",
        source=LOCAL,
    )


def forms_of(
    rules: RuleSet, state: RuleOutcome, reasons: list[Reason], below_age: bool = False
) -> Forms:
    """First-best form, alternatives, exclusions, the residential reason and second opinion
    of a decision (its order, exclusions, `first` actions and age exception only), for a
    child below the rule set's residential age or not; a fallback or the age guard appends
    its reason to `reasons`."""
    order = state.order
    top: dict[CareForm, Reason] = {}
    for _, form, reason in sorted(state.firsts, key=lambda entry: entry[0]):  # stable
        put_first(order, form)
        top[form] = reason
    excluded = state.excluded
    acceptable = [form for form in order if form not in excluded]
    opinion: SecondOpinion | None = None
    if below_age and acceptable and acceptable[0] in RESIDENTIAL_FORMS:
        exception = state.age_exception
        home = [form for form in acceptable if form not in RESIDENTIAL_FORMS]
        if exception is not None or not home:
            why = exception or Reason.model_construct(
                rule_id=AGE_GUARD_RULE_ID,
                text="Alleen een residentiële vorm bleef over onder de leeftijdsgrens.",
                source=LOCAL,
            )
            opinion = SecondOpinion.model_construct(rule_id=why.rule_id, reason=why.text)
        else:
            acceptable = [home[0], *(form for form in acceptable if form is not home[0])]
            reasons.append(
                Reason.model_construct(
                    rule_id=AGE_GUARD_RULE_ID,
                    text=(
                        f"Jonger dan {rules.residential_min_age}: geen residentiële eerste keus "
                        f"zonder uitzonderingsregel; {home[0].label} eerst."
                    ),
                    source=f"Richtlijn Uithuisplaatsing (zo thuis mogelijk); grens {LOCAL}",
                )
            )
    first_best = acceptable[0] if acceptable else _fallback(rules, state, reasons)
    alternatives = tuple(form for form in acceptable if form is not first_best)
    residential = None
    if first_best in RESIDENTIAL_FORMS:
        residential = _family_impossible(state, first_best, top.get(first_best))
    chosen = {first_best, *alternatives}
    missing = [form for form in CareForm if form not in chosen and form not in excluded]
    exclusions = tuple(excluded.values()) + tuple(_not_advised(form) for form in missing)
    return first_best, alternatives, exclusions, residential, opinion


def _not_advised(form: CareForm) -> Exclusion:
    return _NOT_ADVISED[form]


_NOT_ADVISED = {
    form: Exclusion.model_construct(
        care_form=form,
        rule_id=NOT_ADVISED_RULE_ID,
        reason="Geen regel maakte deze zorgvorm passend voor dit profiel.",
    )
    for form in CareForm
}


def notes_of(state: RuleOutcome) -> Notes:
    """Warnings, prevention checks, a rule's second opinion and continuation of a decision
    (its notes only), prevention in PreventionOption order."""
    if not (
        state.warnings
        or state.prevention
        or state.second_opinion
        or state.continuation
        or state.conditions
    ):
        return _NO_NOTES
    options = sorted(state.prevention, key=_OPTION_RANK.__getitem__)
    prevention = tuple(state.prevention[option] for option in options)
    return (
        tuple(state.warnings),
        prevention,
        state.second_opinion,
        state.continuation,
        tuple(state.conditions),
    )


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
    notes: Notes = _NO_NOTES,
) -> Advice:
    """The Advice of these parts: what Advice.model_construct builds from them, fields set
    included, without its generic pass (domain.trusted)."""
    warnings, prevention, opinion, continuation, conditions = notes
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
            "warnings": warnings,
            "prevention": prevention,
            "family_setting_impossible": forms[3],
            "second_opinion": forms[4] or opinion,
            "continuation": continuation,
            "conditions": conditions,
            "preferences": (),
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
    state, reasons = run_rules(rules, fired, facts)
    breakdown = breakdown_of(rules, state)
    forms = forms_of(rules, state, reasons, facts["below_residential_age"])
    siblings = siblings_of(
        state, bool(profile.siblings), facts["siblings_without_contraindication"]
    )
    location = location_of(profile, state)
    notes = notes_of(state)
    return new_advice(rules, forms, siblings, breakdown, location, tuple(reasons), notes)
