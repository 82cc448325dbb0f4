"""The calibrated `flevoland` start state: the region's units, generated deterministically.

Calibration target (DOMAIN.md section 9): about 1,400 youth in jeugdhulp met verblijf in
Flevoland (1,345 in 2015, 1,445 in H1 2016; these CBS counts are the region's youth in care
during the period wherever they stay, so in the simulation the figure to hold against them
is `in_care`: in the region's places plus placed out of region). The arrivals in
scenarios/flevoland.yaml give that stock by Little's law; the places are the region's and
need not match it.

Assumptions (no public Flevoland unit list exists; each number is a local choice):
- Split of the stock over care forms follows the national picture (DOMAIN.md section 9:
  foster 18,987, gezinshuis ~3,700-4,000, residential ~10,000 of ~41,000 in care; closed
  care is outside the voluntary afwegingskader and left out): foster ~55% (netwerk 47% of
  foster), gezinshuis ~12%, behandelgroep ~28%, crisis ~2%.
- Places per care form (see flevoland_units for the numbers): network families (one pool
  per municipality that accepts any need except closed care), bestandspleegzorg in families
  of 1-3 places, deeltijd, gezinshuizen of 4, behandelgroepen of 10, the crisis forms, and
  a few houses for kamertraining and begeleid wonen / fasehuis. The gezinshuis and
  behandelgroep places are those of 2016 (see below), not the first-best demand.
- Units are spread over the municipalities by their share of the youth population (CBS
  2016, rounded): Almere 49%, Lelystad 19%, Noordoostpolder 11.5%, Dronten 10%,
  Zeewolde 5.5%, Urk 5%.
- Capabilities rotate over the families and groups so that about a third of foster
  families are trauma-sensitive, a quarter LVB-skilled, half take young children; all
  groups and gezinshuizen cover trauma and LVB, half of them severe behaviour problems.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterator, Mapping

from capacity.snapshot import UnitView
from domain.care import CareForm
from domain.places import Municipality as M  # noqa: N817
from domain.profile_vocabulary import Capability as C  # noqa: N817 - short names keep the tables legible

# Share of the region's youth per municipality (CBS 2016 population, rounded).
MUNICIPALITY_SHARES: dict[M, float] = {
    M("GM0034"): 0.49,
    M("GM0995"): 0.19,
    M("GM0171"): 0.115,
    M("GM0303"): 0.10,
    M("GM0050"): 0.055,
    M("GM0184"): 0.05,
}

_ALL_NEEDS = frozenset(
    {C.TRAUMA, C.LVB, C.CRISIS, C.GEDRAGSPROBLEMATIEK, C.JONGE_KINDEREN,
     C.ZELFSTANDIGHEIDSTRAINING, C.SIBLING_GROUP_2, C.SIBLING_GROUP_3, C.SIBLING_GROUP_4,
     C.PSYCHIATRIE, C.VERSLAVING, C.UITBUITING}
)  # fmt: skip
# Assumption (no source): a share of the families and houses can take children with
# psychiatric problems (with jeugd-ggz involved), substance use or running away; the
# behandelgroepen more often. Matches the rates in flevoland.yaml's profile_mix.


def spread(count: int, shares: Mapping[M, float] = MUNICIPALITY_SHARES) -> list[M]:
    """`count` municipalities in proportion to the youth shares (largest remainder, stable)."""
    quotas = {m: count * s for m, s in shares.items()}
    base = {m: math.floor(q) for m, q in quotas.items()}
    rest = count - sum(base.values())
    for m in sorted(quotas, key=lambda m: (base[m] - quotas[m], m.value))[:rest]:
        base[m] += 1
    out: list[M] = []
    for m in shares:
        out += [m] * base[m]
    return out


def _foster(
    form: CareForm, prefix: str, places_total: int, shares: Mapping[M, float]
) -> Iterator[UnitView]:
    sizes: list[int] = []
    left = places_total
    while left > 0:
        size = min(left, (1, 2, 3, 1, 2)[len(sizes) % 5])  # families of 1-3, mean ~1.8
        sizes.append(size)
        left -= size
    for i, (size, muni) in enumerate(zip(sizes, spread(len(sizes), shares), strict=True)):
        caps = {C.CRISIS} if form is CareForm.PLEEGZORG_CRISIS else set()
        if i % 3 == 0 or form is CareForm.PLEEGZORG_CRISIS:
            caps.add(C.TRAUMA)
        if i % 4 == 1 or form is CareForm.PLEEGZORG_CRISIS:
            caps.add(C.LVB)
        if i % 2 == 0:
            caps.add(C.JONGE_KINDEREN)
        if i % 5 == 3:
            caps.add(C.GEDRAGSPROBLEMATIEK)
        if i % 4 == 3:
            caps.add(C.ZELFSTANDIGHEIDSTRAINING)
        if i % 3 == 1 or form is CareForm.PLEEGZORG_CRISIS:
            caps.add(C.PSYCHIATRIE)
        if i % 10 == 7:
            caps |= {C.VERSLAVING, C.UITBUITING}
        if size >= 2:
            caps.add(C.SIBLING_GROUP_2)
        yield UnitView(
            unit_id=f"{prefix}-{i + 1:03d}", provider_id=f"pleegzorg-{muni.value}",
            name=f"{form.label} {i + 1}", municipality=muni, care_form=form, places=size,
            occupied=0, held=0, age_min=0, age_max=21, capabilities=frozenset(caps),
        )  # fmt: skip


def _groups(
    form: CareForm,
    prefix: str,
    count: int,
    size: int,
    ages: list[tuple[int, int]],
    shares: Mapping[M, float],
) -> Iterator[UnitView]:
    for i, muni in enumerate(spread(count, shares)):
        age_min, age_max = ages[i % len(ages)]
        caps = {C.TRAUMA, C.LVB}
        if i % 2 == 0:
            caps.add(C.GEDRAGSPROBLEMATIEK)
        if form is not CareForm.GEZINSHUIS or i % 2 == 0:
            caps.add(C.PSYCHIATRIE)
        if i % 3 == 1 or form.is_crisis:
            caps |= {C.VERSLAVING, C.UITBUITING}
        if age_max >= 16:
            caps.add(C.ZELFSTANDIGHEIDSTRAINING)
        if age_min <= 4:
            caps.add(C.JONGE_KINDEREN)
        if form is CareForm.GEZINSHUIS:
            caps |= {C.SIBLING_GROUP_2, C.SIBLING_GROUP_3}
        if form.is_crisis:
            caps.add(C.CRISIS)
        yield UnitView(
            unit_id=f"{prefix}-{i + 1:03d}", provider_id=f"{prefix.lower()}-{muni.value}",
            name=f"{form.label} {i + 1}", municipality=muni, care_form=form, places=size,
            occupied=0, held=0, age_min=age_min, age_max=age_max, capabilities=frozenset(caps),
        )  # fmt: skip


def flevoland_units() -> list[UnitView]:
    """The calibrated Flevoland units (all empty; occupancy comes from the warm-up)."""
    return like_flevoland(MUNICIPALITY_SHARES)


def like_flevoland(
    shares: Mapping[M, float], scale: float = 1.0, synthetic: bool = False
) -> list[UnitView]:
    """Units built like the Flevoland baseline, every count times `scale`, spread over the
    municipalities by `shares`. `synthetic`: for another region (simulations.regions), the
    units are invented: their names and providers say so ("synthetisch")."""

    def n(count: int) -> int:
        return max(1, round(count * scale))

    units: list[UnitView] = []
    for muni, share in shares.items():  # network families: a pool per municipality
        units.append(
            UnitView(
                unit_id=f"NPZ-{muni.value}", provider_id="pleegzorg-netwerk",
                name=f"netwerkpleeggezinnen {muni.label}", municipality=muni,
                care_form=CareForm.PLEEGZORG_NETWERK, places=round(520 * scale * share),
                occupied=0, held=0, age_min=0, age_max=21, capabilities=_ALL_NEEDS,
            )
        )  # fmt: skip
    units += _foster(CareForm.PLEEGZORG_BESTAND, "BPZ", n(300), shares)
    units += _foster(CareForm.PLEEGZORG_DEELTIJD, "DPZ", n(10), shares)
    units += _foster(CareForm.PLEEGZORG_CRISIS, "CPZ", n(12), shares)
    # Gezinshuizen and behandelgroepen as in the region in 2016 (64 houses of 4, 40 groups
    # of 10). Capacity is data from the region, not fitted to the model's demand: under
    # afwegingskader 2.0.0 more children have a gezinshuis as first-best than there are
    # places, and the simulation is there to show that shortage (and what the regional
    # agreement to halve the behandelgroepen does to it: behandelgroep-halvering.yaml).
    units += _groups(CareForm.GEZINSHUIS, "GH", n(64), 4, [(0, 21)], shares)
    units += _groups(CareForm.BEHANDELGROEP, "BG", n(40), 10, [(6, 12), (12, 18), (12, 18)], shares)
    units += _groups(CareForm.CRISISGROEP_12MIN, "CG12MIN", n(1), 8, [(0, 11)], shares)
    units += _groups(CareForm.CRISISGROEP_12PLUS, "CG12PLUS", n(2), 8, [(12, 17)], shares)
    # Older youth (assumption: a few small houses, as the crisis desk's follow-up shows
    # independence training, supported living and fasehuis as onward forms).
    units += _groups(CareForm.KAMERTRAINING, "KT", n(2), 6, [(16, 23)], shares)
    units += _groups(CareForm.BEGELEID_WONEN, "BW", n(2), 6, [(16, 23)], shares)
    if synthetic:
        units = [
            dataclasses.replace(
                u, name=f"synthetisch: {u.name}", provider_id=f"synthetisch-{u.provider_id}"
            )
            for u in units
        ]
    return units


BASELINES = {"flevoland": flevoland_units}
