"""Synthetic but plausible Flevoland instances: for benchmarks, property tests and demos.

Seeded and pure: the same seed gives the same referrals and units. The shares are rough
calibrations on DOMAIN.md section 9 (mostly foster care, about a third residential).
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import TypeVar

from afwegingskader.models import Advice, BreakdownRisk, LocationAdvice, RuleSetRef, SiblingAdvice
from capacity.snapshot import FamilyPreferences, UnitView
from domain.care import CareCategory, CareForm
from domain.places import Municipality
from domain.profile_vocabulary import Capability, Perspective, RiskLevel, Sex, SexPolicy
from domain.vocabulary import UnitStatus
from matcher.models import MatchRequest

# Synthetic instances are modelled on the Flevoland region (CBS codes; shares of its youth).
MUNI_SHARE = {
    Municipality("GM0034"): 45,
    Municipality("GM0995"): 20,
    Municipality("GM0303"): 10,
    Municipality("GM0171"): 12,
    Municipality("GM0184"): 5,
    Municipality("GM0050"): 5,
    Municipality.BUITEN_REGIO: 3,
}
FORM_SHARE = {
    CareForm.PLEEGZORG_BESTAND: 34,
    CareForm.PLEEGZORG_DEELTIJD: 5,
    CareForm.PLEEGZORG_CRISIS: 5,
    CareForm.GEZINSHUIS: 16,
    CareForm.BEHANDELGROEP: 18,
    CareForm.CRISISGROEP_12MIN: 3,
    CareForm.CRISISGROEP_12PLUS: 4,
    CareForm.GESLOTEN: 5,
}
AGES = {
    CareForm.PLEEGZORG_BESTAND: (0, 18),
    CareForm.PLEEGZORG_NETWERK: (0, 18),
    CareForm.PLEEGZORG_DEELTIJD: (0, 18),
    CareForm.PLEEGZORG_CRISIS: (0, 18),
    CareForm.GEZINSHUIS: (4, 18),
    CareForm.CRISISGROEP_12MIN: (0, 11),
    CareForm.CRISISGROEP_12PLUS: (12, 17),
    CareForm.GESLOTEN: (12, 18),
}
PLACES = {CareCategory.PLEEGZORG: (1, 3), CareCategory.GEZINSHUIS: (3, 4)}
SOFT_CAPS = [c for c in Capability if not c.value.startswith("sibling")]
RULES = RuleSetRef(name="synthetisch", version="0")
T = TypeVar("T")


def _pick(rng: random.Random, shares: dict[T, int]) -> T:
    return rng.choices(list(shares), weights=list(shares.values()))[0]


def make_advice(
    first: CareForm,
    alternatives: tuple[CareForm, ...] = (),
    required: tuple[Capability, ...] = (),
    *,
    together: bool | None = None,
    location: Municipality | None = None,
) -> Advice:
    """A complete Advice object for tests and synthetic instances."""
    return Advice(
        first_best=first,
        alternatives=alternatives,
        excluded=(),
        required_capabilities=required,
        siblings=SiblingAdvice(together=together, reason="synthetisch"),
        breakdown_risk=BreakdownRisk(level=RiskLevel.LOW, score=0.0, factors=()),
        location=LocationAdvice(municipality=location, reason="synthetisch"),
        reasons=(),
        rule_set=RULES,
    )


def random_unit(rng: random.Random, unit_id: str, today: date) -> UnitView:
    """One unit with its places, occupation and expected departures."""
    form = _pick(rng, FORM_SHARE)
    low, high = PLACES.get(form.category, (6, 12))
    places = rng.randint(low, high)
    # About three places per unit come free now or within the horizon.
    free = rng.randint(
        0, {CareCategory.PLEEGZORG: 2, CareCategory.GEZINSHUIS: 3}.get(form.category, 9)
    )
    occupied = places - min(places, free)
    held = 1 if occupied < places and rng.random() < 0.05 else 0
    leaving = rng.randint(0, min(3, occupied))
    departures = tuple(sorted(today + timedelta(days=rng.randint(1, 90)) for _ in range(leaving)))
    if form in AGES:
        age_min, age_max = AGES[form]
    else:
        age_min, age_max = rng.choice([(6, 12), (10, 17), (12, 18), (12, 21)])
    policy = SexPolicy.GEMENGD
    if form.category is CareCategory.BEHANDELGROEP and rng.random() < 0.2:
        policy = rng.choice([SexPolicy.JONGENS, SexPolicy.MEISJES])
    prefs = None
    if form.category in (CareCategory.PLEEGZORG, CareCategory.GEZINSHUIS) and rng.random() < 0.5:
        a = rng.randint(0, 10)
        prefs = FamilyPreferences(
            age_min=a,
            age_max=a + rng.randint(3, 10),
            sex=rng.choice([None, None, Sex.M, Sex.V]),
            max_children=rng.choice([None, places, places + 1]),
        )
    changes: tuple[tuple[date, int], ...] = ()
    if rng.random() < 0.08:
        changes = ((today + timedelta(days=rng.randint(1, 120)), rng.choice([-2, -1, 1, 2])),)
    status, closing = UnitStatus.OPEN, None
    if rng.random() < 0.03:
        status = rng.choice([UnitStatus.CLOSING, UnitStatus.CLOSED])
        closing = today + timedelta(days=rng.randint(0, 60))
    return UnitView(
        unit_id=unit_id,
        provider_id=f"P{rng.randint(1, 12):02d}",
        name=f"Eenheid {unit_id}",
        municipality=_pick(rng, MUNI_SHARE),
        care_form=form,
        places=places,
        occupied=occupied,
        held=held,
        age_min=age_min,
        age_max=age_max,
        sex_policy=policy,
        capabilities=frozenset(rng.sample(SOFT_CAPS, rng.randint(1, 4))),
        expected_departures=departures,
        scheduled_changes=changes,
        status=status,
        closing_date=closing,
        preferences=prefs,
    )


def _advice_for(rng: random.Random, age: int, crisis: bool, together: bool | None) -> Advice:
    if crisis:
        first = CareForm.CRISISGROEP_12MIN if age < 12 else CareForm.CRISISGROEP_12PLUS
        alts: tuple[CareForm, ...] = (CareForm.PLEEGZORG_CRISIS,)
    elif age < 10:
        first = CareForm.PLEEGZORG_BESTAND
        alts = (CareForm.GEZINSHUIS,)
    elif rng.random() < 0.5:
        first = CareForm.GEZINSHUIS
        alts = (CareForm.PLEEGZORG_BESTAND, CareForm.BEHANDELGROEP)
    else:
        first = rng.choice([CareForm.BEHANDELGROEP, CareForm.GESLOTEN])
        alts = (CareForm.GEZINSHUIS,) if first is CareForm.BEHANDELGROEP else ()
    required = tuple(rng.sample(SOFT_CAPS, rng.choice([0, 1, 1, 2])))
    return make_advice(first, alts, required, together=together)


def random_referrals(
    rng: random.Random,
    n: int,
    today: date,
    *,
    sibling_share: float = 0.05,
    unit_ids: tuple[str, ...] = (),
) -> list[MatchRequest]:
    """Waiting referrals; about `sibling_share` of them in sibling groups of 2-4."""
    out: list[MatchRequest] = []
    group_no = 0

    def excluded() -> tuple[str, ...]:
        # Now and then an earlier placement broke down in some unit.
        if unit_ids and rng.random() < 0.05:
            return (rng.choice(unit_ids),)
        return ()

    while len(out) < n:
        size = 1
        if rng.random() < sibling_share / 3 and n - len(out) >= 2:
            size = min(rng.randint(2, 4), n - len(out))
        group = None
        together: bool | None = None
        if size > 1:
            group_no += 1
            group = f"G{group_no:04d}"
            together = rng.random() < 0.8
        base_age = rng.randint(0, 17)
        crisis = rng.random() < 0.1
        advice = _advice_for(rng, base_age, crisis, together)
        home = _pick(rng, MUNI_SHARE)
        for k in range(size):
            age = min(17, max(0, base_age + (k if size > 1 else 0)))
            days = rng.randint(0, 2) if crisis else rng.randint(0, 90)
            out.append(
                MatchRequest(
                    referral_id=f"R{len(out) + 1:05d}",
                    age=age,
                    sex=rng.choice([Sex.M, Sex.V]),
                    advice=advice,
                    perspective=rng.choice(list(Perspective)),
                    deadline=today + timedelta(days=days),
                    waiting_since=today - timedelta(days=rng.randint(0, 180)),
                    crisis=crisis,
                    sibling_group=group,
                    home_municipality=home,
                    responsible_municipality=home,
                    school_municipality=rng.choice([None, home, _pick(rng, MUNI_SHARE)]),
                    network_municipalities=(home,) if rng.random() < 0.5 else (),
                    excluded_units=excluded(),
                )
            )
    return out


def random_instance(
    seed: int, n_referrals: int, n_units: int, today: date, *, sibling_share: float = 0.05
) -> tuple[list[MatchRequest], list[UnitView]]:
    """Referrals and units for one seeded synthetic instance."""
    rng = random.Random(seed)
    units = [random_unit(rng, f"U{i + 1:05d}", today) for i in range(n_units)]
    ids = tuple(u.unit_id for u in units)
    return random_referrals(
        rng, n_referrals, today, sibling_share=sibling_share, unit_ids=ids
    ), units
