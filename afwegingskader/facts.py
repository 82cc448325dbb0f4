"""The facts the rules test and the wishes the match reads, derived once from a profile.

The afwegingskader's engine and its fast advisor both start here: ordered facts become their
rank, CAP-J codes carry every code above them, siblings become counts and contraindications.
"""

from __future__ import annotations

from functools import cache

from afwegingskader.conditions import FACTS, Facts
from afwegingskader.models import Profile
from domain.codelist import CodeList, default_codelist

# The rank of each value of the ordered facts (StrEnum members hash like their values).
_SEVERITY = {value: rank for rank, value in enumerate(FACTS["severity"].values)}
_COMPLEXITY = {value: rank for rank, value in enumerate(FACTS["complexity"].values)}
_EXTERNALISING = {value: rank for rank, value in enumerate(FACTS["externalising"].values)}
_TREATMENT = {value: rank for rank, value in enumerate(FACTS["treatment_need"].values)}
_SUICIDALITY = {value: rank for rank, value in enumerate(FACTS["suicidality"].values)}


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
        "treatment_need": _TREATMENT[profile.treatment_need],
        "trauma": profile.trauma,
        "lvb": profile.lvb,
        "psychiatric": profile.psychiatric,
        "substance_use": profile.substance_use,
        "runaway_exploitation": profile.runaway_exploitation,
        "suicidality": _SUICIDALITY[profile.suicidality],
        "parents_problems": profile.parents_problems,
        "earlier_ambulant_help": profile.earlier_ambulant_help,
        "earlier_placements": profile.earlier_placements,
        "earlier_breakdowns": profile.earlier_breakdowns,
        "parents_view": profile.parents_view,
        "child_agrees": profile.child_agrees,
        "network_family_available": profile.network_family_available,
        "network_safety": profile.network_safety,
        "perspective": profile.perspective,
        "crisis": profile.crisis,
        "siblings": len(profile.siblings),
        "siblings_contraindicated": bool(contra),
        "siblings_without_contraindication": free,
        "sibling_contraindications": contra,
        "capj": capj,
        "home_municipality": profile.home_municipality,
        "responsible_municipality": profile.responsible_municipality,
        "continuation_of_current_placement": profile.continuation_of_current_placement,
        "current_care_form": profile.current_care_form,
        "matching_wish": profile.religion_wish is not None or profile.culture_wish is not None,
        # Set again per rule set by fired_rules (its residential_min_age).
        "below_residential_age": profile.years < 12,
    }


def preferences_of(profile: Profile) -> tuple[str, ...]:
    """The wishes on religion and culture, for the match (never a care-form factor)."""
    out = []
    if profile.religion_wish is not None:
        out.append(f"religie: {profile.religion_wish}")
    if profile.culture_wish is not None:
        out.append(f"cultuur: {profile.culture_wish}")
    return tuple(out)
