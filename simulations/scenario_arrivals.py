"""The demand side of a scenario file: `arrivals` and `profile_mix`, read into a ProfileSource.

The rate of children from municipality m in age band b on day t is

    per_year_b * share_m * max(0, 1 + trend_per_year * t / 365)
                         * (1 + season_amplitude * cos(2 pi (t - peak_day) / 365))

with trend_per_year, season_amplitude and peak_day (the shape fields) taken from the most
specific level that sets them: the municipality, else the age band, else the top of
`arrivals` (else 0). One field may be set per municipality or per age band, not both
(which one should win would be a guess). See the scenario module docstring for the schema.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date
from typing import Any

from domain import profile_vocabulary
from domain.places import Municipality
from simulations.children import ProfileSource
from simulations.profile_mix import MAX_GROUP_SIZE, ArrivalGroup, ProfileMix, SiblingMix
from simulations.scenario_reader import Reader

# Shares may be rounded in a file; they must add up to 1 within this.
SHARE_TOLERANCE = 1e-3
SHAPE_FIELDS = ("trend_per_year", "season_amplitude", "peak_day")


def read_arrivals(r: Reader, value: Any, mix: ProfileMix, start: date) -> ProfileSource:
    """The arrival groups (municipality x age band) with their rates, drawing from `mix`."""
    a = r.mapping(value, "arrivals", {"municipalities", "age_bands", *SHAPE_FIELDS})
    top = {"trend_per_year": 0.0, "season_amplitude": 0.0, "peak_day": 0.0}
    top |= _shape(r, a, "arrivals")
    shares, by_muni = _municipalities(r, a.get("municipalities"))
    bands = a.get("age_bands")
    if not isinstance(bands, list) or not bands:
        raise r.fail("arrivals.age_bands", "verwacht een niet-lege lijst")
    groups, total = [], sum(shares.values())
    for i, item in enumerate(bands):
        f = f"arrivals.age_bands[{i}]"
        b = r.mapping(item, f, {"ages", "per_year", "crisis_share", *SHAPE_FIELDS})
        ages = b.get("ages")
        if not (isinstance(ages, list) and len(ages) == 2 and all(isinstance(x, int) for x in ages)
                and 0 <= ages[0] <= ages[1] <= 23):  # fmt: skip
            raise r.fail(f"{f}.ages", "verwacht [van, tot en met] in hele jaren, 0-23")
        per_year, crisis = r.number(b, "per_year", f), r.share(b, "crisis_share", f, 0.0)
        band = _shape(r, b, f)
        for key in band:
            if any(key in m for m in by_muni.values()):
                raise r.fail(f"{f}.{key}", "staat ook bij een gemeente; geef dit per gemeente "
                             "of per leeftijdsgroep, niet bij allebei")  # fmt: skip
        for muni, share in shares.items():
            shape = top | band | by_muni[muni]
            groups.append(ArrivalGroup(Municipality(muni), ages[0], ages[1],
                                       per_year * share / total, crisis, **shape))  # fmt: skip
    return r.guard("", lambda: ProfileSource(tuple(groups), mix, start))


def _shape(r: Reader, data: dict[str, Any], field: str) -> dict[str, float]:
    """The trend and season fields set here (a field not set is left to the wider level)."""
    out = {}
    if "trend_per_year" in data:
        out["trend_per_year"] = r.real(data, "trend_per_year", field)
    if "season_amplitude" in data:
        out["season_amplitude"] = r.share(data, "season_amplitude", field)
        if out["season_amplitude"] >= 1:
            raise r.fail(f"{field}.season_amplitude", "moet kleiner dan 1 zijn")
    if "peak_day" in data:
        out["peak_day"] = r.number(data, "peak_day", field)
    return out


def _municipalities(r: Reader, value: Any) -> tuple[dict[str, float], dict[str, dict[str, float]]]:
    """Each municipality's share of the arrivals, and the trend and season fields it sets."""
    f = "arrivals.municipalities"
    data = r.mapping(value, f)
    if not data:
        raise r.fail(f, "verwacht minstens een gemeente")
    shares: dict[str, float] = {}
    shapes: dict[str, dict[str, float]] = {}
    for name, item in data.items():
        where = f"{f}.{name}"
        muni = str(r.enum(Municipality, name, where))
        if isinstance(item, dict):
            m = r.mapping(item, where, {"share", *SHAPE_FIELDS})
            shares[muni] = r.share(m, "share", where)
            shapes[muni] = _shape(r, m, where)
        else:
            shares[muni], shapes[muni] = r.share(data, name, f), {}
    if abs(sum(shares.values()) - 1.0) > SHARE_TOLERANCE:
        raise r.fail(f, "de aandelen (share) moeten samen 1 zijn")
    return shares, shapes


def read_mix(r: Reader, value: Any) -> ProfileMix:
    """The profile mix; a feature not given takes one fixed value."""
    m = r.mapping(value, "profile_mix", {f.name for f in dataclasses.fields(ProfileMix)})
    f = "profile_mix"

    def cat(key: str, kind: Callable[[str], Any], default: dict[str, float]) -> dict[str, float]:
        return r.weights(m[key], f"{f}.{key}", kind) if key in m else default

    return ProfileMix(
        severity=cat("severity", profile_vocabulary.Severity, {"matig": 1.0}),
        complexity=cat("complexity", profile_vocabulary.Complexity, {"meervoudig": 1.0}),
        externalising=cat("externalising", profile_vocabulary.Externalising, {"geen": 1.0}),
        parents_view=cat("parents_view", profile_vocabulary.ParentsView, {"ambivalent": 1.0}),
        perspective=cat("perspective", profile_vocabulary.Perspective, {"terug_naar_huis": 1.0}),
        treatment_need=_treatment(r, m, f),
        trauma=r.share(m, "trauma", f, 0.0),
        lvb=r.share(m, "lvb", f, 0.0),
        network_family_available=r.share(m, "network_family_available", f, 0.0),
        child_agrees=r.share(m, "child_agrees", f, 0.0),
        siblings=_siblings(r, m["siblings"]) if "siblings" in m else None,
        psychiatric=r.share(m, "psychiatric", f, 0.0),
        substance_use=r.share(m, "substance_use", f, 0.0),
        runaway_exploitation=r.share(m, "runaway_exploitation", f, 0.0),
        suicidality=cat("suicidality", profile_vocabulary.Suicidality, {"geen": 1.0}),
        parents_problems=r.share(m, "parents_problems", f, 0.0),
        earlier_ambulant_help=r.share(m, "earlier_ambulant_help", f, 0.0),
        network_safety=cat("network_safety", profile_vocabulary.NetworkSafety, {"onbekend": 1.0}),
    )


def _treatment(r: Reader, m: dict[str, Any], f: str) -> dict[str, float]:
    """Treatment need per level; one share (the yes/no form before rule set 2.0.0) is the
    share with a residential need, the rest none."""
    value = m.get("treatment_need", 0.0)
    if isinstance(value, dict):
        return r.weights(value, f"{f}.treatment_need", profile_vocabulary.TreatmentNeed)
    share = r.share(m, "treatment_need", f, 0.0)
    return {"residentieel": share, "geen": 1.0 - share}


def _siblings(r: Reader, value: Any) -> SiblingMix:
    """{share: fraction of arrival events that are sibling groups, sizes: {k: weight}}."""
    f = "profile_mix.siblings"
    s = r.mapping(value, f, {"share", "sizes"})
    share = r.share(s, "share", f)
    if "sizes" not in s:
        raise r.fail(f"{f}.sizes", "ontbreekt")
    raw = r.mapping(s["sizes"], f"{f}.sizes")
    if not raw:
        raise r.fail(f"{f}.sizes", "verwacht minstens een groepsgrootte")
    sizes: dict[int, float] = {}
    for key in raw:
        text = str(key)
        if isinstance(key, bool) or not isinstance(key, int | str) or not text.isdigit():
            raise r.fail(f"{f}.sizes", "een groepsgrootte moet een heel getal zijn")
        size = int(text)
        if not 2 <= size <= MAX_GROUP_SIZE:
            detail = f"een groepsgrootte moet van 2 tot en met {MAX_GROUP_SIZE} zijn"
            raise r.fail(f"{f}.sizes", detail)
        if size in sizes:
            raise r.fail(f"{f}.sizes", "een groepsgrootte komt dubbel voor")
        sizes[size] = r.number(raw, key, f"{f}.sizes")
    if abs(sum(sizes.values()) - 1.0) > SHARE_TOLERANCE:
        raise r.fail(f"{f}.sizes", "de gewichten moeten samen 1 zijn")
    return SiblingMix(share, sizes)
