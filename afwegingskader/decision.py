"""The decision for one profile while its rules fire, and the compiled steps that change it.

Each rule's `then` block is compiled at load time into a few small steps (only for the
actions it has), with every output object built once; firing a rule only runs its steps.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from afwegingskader.actions import Actions
from afwegingskader.models import (
    Exclusion,
    FormCondition,
    LocationAdvice,
    PreventionCheck,
    Reason,
    SecondOpinion,
    SiblingAdvice,
)
from domain.care import CareForm
from domain.places import Municipality
from domain.profile_vocabulary import Capability, PreventionOption

Locations = dict[Municipality | None, LocationAdvice]


class RuleOutcome:
    """What the rules have decided so far for one profile."""

    __slots__ = (
        "age_exception",
        "capabilities",
        "conditions",
        "continuation",
        "excluded",
        "facts",
        "firsts",
        "location",
        "order",
        "prevention",
        "risk_factors",
        "score",
        "second_opinion",
        "sibling_group",
        "siblings",
        "warnings",
    )

    def __init__(self, order: tuple[CareForm, ...], facts: dict[str, Any] | None = None) -> None:
        self.facts = facts if facts is not None else {}
        self.order = list(order)
        # `first` actions, applied after all rules by priority: (priority, form, reason).
        self.firsts: list[tuple[int, CareForm, Reason]] = []
        self.age_exception: Reason | None = None
        self.warnings: list[Reason] = []
        self.prevention: dict[PreventionOption, PreventionCheck] = {}
        self.second_opinion: SecondOpinion | None = None
        self.continuation = False
        self.conditions: list[FormCondition] = []
        self.excluded: dict[CareForm, Exclusion] = {}
        self.capabilities: set[Capability] = set()
        self.sibling_group = False
        self.siblings: SiblingAdvice | None = None
        self.score = 0.0
        self.risk_factors: list[str] = []
        # Which profile field holds the place ("none" for no place), and the advice per place.
        self.location: tuple[str, Locations] | None = None


Step = Callable[[RuleOutcome], None]


def move(order: list[CareForm], form: CareForm, anchor: CareForm, *, above: bool) -> None:
    """Move form directly above (or below) anchor: only in that direction and only when
    both are candidates, so a demotion never lifts a form and a promotion never lowers it."""
    if form not in order or anchor not in order:
        return
    if (order.index(form) < order.index(anchor)) == above:
        return
    order.remove(form)
    at = order.index(anchor)
    order.insert(at if above else at + 1, form)


def _exclude(exclusions: tuple[Exclusion, ...]) -> Step:
    def step(d: RuleOutcome) -> None:
        for exclusion in exclusions:
            # The first rule to exclude a form gives the reason; later ones add nothing.
            d.excluded.setdefault(exclusion.care_form, exclusion)

    return step


def _set_order(order: tuple[CareForm, ...]) -> Step:
    def step(d: RuleOutcome) -> None:
        d.order = list(order)

    return step


def put_first(order: list[CareForm], form: CareForm) -> None:
    """Put form at the top of the order (adding it when absent)."""
    if form in order:
        order.remove(form)
    order.insert(0, form)


def _first(form: CareForm, priority: int, reason: Reason) -> Step:
    entry = (priority, form, reason)

    def step(d: RuleOutcome) -> None:
        d.firsts.append(entry)

    return step


def _moves(
    promote: tuple[tuple[CareForm, CareForm], ...], demote: tuple[tuple[CareForm, CareForm], ...]
) -> Step:
    def step(d: RuleOutcome) -> None:
        for form, anchor in promote:
            move(d.order, form, anchor, above=True)
        for form, anchor in demote:
            move(d.order, form, anchor, above=False)

    return step


def _require(capabilities: frozenset[Capability], group: bool) -> Step:
    def step(d: RuleOutcome) -> None:
        d.capabilities.update(capabilities)
        if group:
            d.sibling_group = True

    return step


def _siblings(advice: SiblingAdvice) -> Step:
    def step(d: RuleOutcome) -> None:
        # "Samen, tenzij": one reason to place apart outweighs any number to place together.
        if d.siblings is None or d.siblings.together:
            d.siblings = advice

    return step


def _risk(then: Actions) -> Step:
    factor = then.risk_factor
    if then.risk_per is None:
        weight = then.risk_weight or 0.0

        def fixed(d: RuleOutcome) -> None:
            d.score += weight
            d.risk_factors.append(factor)

        return fixed

    def scaled(d: RuleOutcome) -> None:
        d.score += then.risk_points(d.facts)
        d.risk_factors.append(factor)

    return scaled


def _notes(then: Actions, reason: Reason) -> Step:
    checks = tuple(
        PreventionCheck.model_construct(
            option=PreventionOption(key), could_prevent=value, rule_id=reason.rule_id,
            reason=reason.text,
        )
        for key, value in then.prevention
    )  # fmt: skip
    opinion = SecondOpinion.model_construct(rule_id=reason.rule_id, reason=reason.text)
    conditions = tuple(
        FormCondition.model_construct(care_form=form, rule_id=reason.rule_id, text=reason.text)
        for form in then.conditions
    )

    def step(d: RuleOutcome) -> None:
        if then.warn:
            d.warnings.append(reason)
        for check in checks:
            d.prevention[check.option] = check  # a later rule overrides an earlier one
        if then.second_opinion and d.second_opinion is None:
            d.second_opinion = opinion
        if then.continuation:
            d.continuation = True
        d.conditions.extend(conditions)

    return step


def _location(source: str, locations: Locations) -> Step:
    def step(d: RuleOutcome) -> None:
        d.location = (source, locations)

    return step


class _PlaceAdvice(dict[Municipality | None, LocationAdvice]):
    """The location advice for every place, made when a place is first asked for."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text
        self[None] = LocationAdvice.model_construct(
            municipality=None, reason=f"{text} Gemeente onbekend."
        )

    def __missing__(self, place: Municipality | None) -> LocationAdvice:
        advice = LocationAdvice.model_construct(municipality=place, reason=self.text)
        self[place] = advice
        return advice


def _locations(source: str, text: str) -> Locations:
    """The location advice of a location rule for every possible value of the place."""
    if source == "none":
        return {None: LocationAdvice.model_construct(municipality=None, reason=text)}
    return _PlaceAdvice(text)


def compile_steps(then: Actions, reason: Reason, priority: int) -> tuple[Step, ...]:
    """The steps of one rule, in the documented order of its actions."""
    rule_id, text = reason.rule_id, reason.text
    steps: list[Step] = []
    if then.exclude:
        steps.append(
            _exclude(
                tuple(
                    Exclusion.model_construct(care_form=form, rule_id=rule_id, reason=text)
                    for form in then.exclude
                )
            )
        )
    if then.order is not None:
        steps.append(_set_order(then.order))
    if then.first is not None:
        steps.append(_first(then.first, priority, reason))
    if then.promote or then.demote:
        steps.append(_moves(then.promote, then.demote))
    if then.require or then.require_sibling_group:
        steps.append(_require(frozenset(then.require), then.require_sibling_group))
    if then.siblings_together is not None:
        advice = SiblingAdvice.model_construct(
            together=then.siblings_together, reason=text, rule_id=rule_id
        )
        steps.append(_siblings(advice))
    if then.risk_weight is not None:
        steps.append(_risk(then))
    if then.location is not None:
        steps.append(_location(then.location, _locations(then.location, text)))
    if then.warn or then.prevention or then.second_opinion or then.continuation or then.conditions:
        steps.append(_notes(then, reason))
    if then.age_exception:
        steps.append(_age_exception(reason))
    return tuple(steps)


def _age_exception(reason: Reason) -> Step:
    def step(d: RuleOutcome) -> None:
        d.age_exception = reason

    return step
