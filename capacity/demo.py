"""Demo landscapes, deterministic from a seed: Flevoland (about 150 units), a region's
synthetic units file, and national scale.

Flevoland: the providers named in DOMAIN.md with locations in the six municipalities,
foster families (1-3 places), gezinshuizen (3-4), behandelgroepen (6-12), the two crisis
groups (12- and 12+), crisis foster families, a gesloten group and a few groups outside
the region (in Harderwijk), about 85% occupied with expected ends. Names and numbers are
invented for demonstration; they describe no real family, group or child.

National: 5,000 units with exactly 40,000 places for the benchmark. At 8 places a unit on
average most units have to be groups, so the mix is a load test, not a census.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from capacity.service import PLACES_RANGE
from capacity.snapshot import FamilyPreferences
from domain.care import CareCategory, CareForm
from domain.errors import ConfigError
from domain.places import Municipality, all_municipalities, region_municipalities
from domain.profile_vocabulary import Capability, SexPolicy
from domain.region_units import DemoUnits, load_demo_units
from domain.regions import REGIONS_DIR

# Rough share of the Flevoland region's youth per municipality, by CBS code (CBS
# population, rounded): the Flevoland landscape is a demo of that region.
SHARE = {
    Municipality("GM0034"): 0.47,
    Municipality("GM0995"): 0.19,
    Municipality("GM0303"): 0.10,
    Municipality("GM0171"): 0.11,
    Municipality("GM0184"): 0.07,
    Municipality("GM0050"): 0.06,
}
# Ages a units file's care form takes (assumption, as the Flevoland landscape's usual ones).
AGES = {
    CareForm.BEHANDELGROEP: (12, 17),
    CareForm.GESLOTEN: (12, 17),
    CareForm.CRISISGROEP_12MIN: (4, 11),
    CareForm.CRISISGROEP_12PLUS: (12, 17),
}
# Where the Flevoland landscape's groups outside the region stand (Harderwijk).
OUTSIDE = Municipality("GM0243")
# The municipality codes of the demo, by role.
CRISIS_12MIN_AT = Municipality("GM0995")
CRISIS_12PLUS_AT = Municipality("GM0034")
GESLOTEN_AT = Municipality("GM0034")
PROVIDERS = {
    "triade": ("Triade/Vitree", "zorgaanbieder"),
    "sheerenloo": ("'s Heeren Loo", "zorgaanbieder"),
    "pluryn": ("Intermetzo/Pluryn", "zorgaanbieder"),
    "omega": ("Omega Groep", "zorgaanbieder"),
    "vitree_pz": ("Vitree Pleegzorg", "pleegzorg"),
    "pz_flevoland": ("Pleegzorg Flevoland (demo)", "pleegzorg"),
}
C = Capability
CAPS: dict[CareCategory, list[Capability]] = {
    CareCategory.PLEEGZORG: [C.JONGE_KINDEREN, C.SIBLING_GROUP_2, C.SIBLING_GROUP_3, C.TRAUMA],
    CareCategory.GEZINSHUIS: [C.TRAUMA, C.LVB, C.SIBLING_GROUP_3, C.GEDRAGSPROBLEMATIEK],
    CareCategory.BEHANDELGROEP: [
        C.LVB,
        C.TRAUMA,
        C.PSYCHIATRIE,
        C.GEDRAGSPROBLEMATIEK,
        C.VERSLAVING,
        C.ZELFSTANDIGHEIDSTRAINING,
    ],
    CareCategory.ZELFSTANDIGHEID: [C.ZELFSTANDIGHEIDSTRAINING, C.LVB],
    CareCategory.GESLOTEN: [C.BEVEILIGD, C.GEDRAGSPROBLEMATIEK, C.TRAUMA, C.UITBUITING],
}


@dataclass(frozen=True, slots=True)
class UnitSpec:
    """One unit to create, with the stays already in it."""

    unit_id: str
    provider: str
    municipality: Municipality
    name: str
    care_form: CareForm
    places: int
    age_min: int
    age_max: int
    sex_policy: SexPolicy
    capabilities: tuple[Capability, ...]
    preferences: FamilyPreferences | None
    # (pseudonym, since, expected end)
    stays: tuple[tuple[str, date, date | None], ...] = ()


@dataclass(slots=True)
class Landscape:
    """Providers and units of a demo region."""

    providers: dict[str, tuple[str, str]]
    units: list[UnitSpec] = field(default_factory=list)

    @property
    def places(self) -> int:
        """All places together."""
        return sum(u.places for u in self.units)


def _municipality(rng: random.Random) -> Municipality:
    return rng.choices(list(SHARE), weights=list(SHARE.values()))[0]


def _stays(
    rng: random.Random, prefix: str, n: int, today: date, stay_days: tuple[int, int]
) -> tuple[tuple[str, date, date | None], ...]:
    out = []
    for i in range(n):
        since = today - timedelta(days=rng.randint(1, stay_days[1] // 2))
        expected = since + timedelta(days=rng.randint(*stay_days))
        out.append((f"{prefix}-k{i}", since, expected if expected >= today else None))
    return tuple(out)


def _unit(
    rng: random.Random,
    n: int,
    form: CareForm,
    provider: str,
    places: int,
    ages: tuple[int, int],
    today: date,
    *,
    municipality: Municipality | None = None,
    occupancy: float = 0.85,
) -> UnitSpec:
    category = form.category
    caps = tuple(sorted(set(rng.sample(CAPS[category], k=rng.randint(0, 2)))))
    if form.is_crisis:
        caps = (*caps, Capability.CRISIS)
    prefs = None
    if category in (CareCategory.PLEEGZORG, CareCategory.GEZINSHUIS):
        prefs = FamilyPreferences(
            age_min=ages[0], age_max=ages[1], max_children=places, capabilities=frozenset(caps)
        )
    policy = SexPolicy.GEMENGD
    if category is CareCategory.BEHANDELGROEP and rng.random() < 0.2:
        policy = rng.choice([SexPolicy.JONGENS, SexPolicy.MEISJES])
    unit_id = f"u{n:05d}"
    stay_days = (14, 56) if form.is_crisis else (90, 900)
    taken = sum(rng.random() < occupancy for _ in range(places))
    return UnitSpec(
        unit_id=unit_id,
        provider=provider,
        municipality=municipality or _municipality(rng),
        name=f"{form.label} {n:03d}",
        care_form=form,
        places=places,
        age_min=ages[0],
        age_max=ages[1],
        sex_policy=policy,
        capabilities=caps,
        preferences=prefs,
        stays=_stays(rng, unit_id, taken, today, stay_days),
    )


def flevoland_landscape(*, seed: int = 2016, today: date) -> Landscape:
    """About 150 units of the Flevoland region, with occupancies; same seed, same landscape."""
    rng = random.Random(seed)
    land = Landscape(dict(PROVIDERS))
    add = land.units.append
    foster = [
        (CareForm.PLEEGZORG_BESTAND, 48),
        (CareForm.PLEEGZORG_NETWERK, 25),
        (CareForm.PLEEGZORG_DEELTIJD, 10),
        (CareForm.PLEEGZORG_CRISIS, 10),
    ]
    for form, count in foster:
        for _ in range(count):
            provider = rng.choice(["vitree_pz", "pz_flevoland"])
            ages = rng.choice([(0, 6), (0, 12), (4, 17), (10, 21), (0, 17)])
            places = rng.choices([1, 2, 3], weights=[5, 3, 2])[0]
            add(_unit(rng, len(land.units), form, provider, places, ages, today))
    for _ in range(30):
        provider = rng.choice(["triade", "pluryn", "omega", "sheerenloo"])
        ages = rng.choice([(4, 17), (6, 21), (0, 12), (12, 21)])
        add(
            _unit(
                rng, len(land.units), CareForm.GEZINSHUIS, provider, rng.randint(3, 4), ages, today
            )
        )
    for _ in range(18):
        provider = rng.choice(["triade", "pluryn", "sheerenloo", "omega"])
        ages = rng.choice([(12, 17), (8, 14), (16, 21), (12, 18)])
        add(
            _unit(
                rng,
                len(land.units),
                CareForm.BEHANDELGROEP,
                provider,
                rng.randint(6, 12),
                ages,
                today,
            )
        )
    add(
        _unit(
            rng,
            len(land.units),
            CareForm.CRISISGROEP_12MIN,
            "triade",
            6,
            (4, 11),
            today,
            municipality=CRISIS_12MIN_AT,
            occupancy=0.7,
        )
    )
    add(
        _unit(
            rng,
            len(land.units),
            CareForm.CRISISGROEP_12PLUS,
            "pluryn",
            8,
            (12, 17),
            today,
            municipality=CRISIS_12PLUS_AT,
            occupancy=0.8,
        )
    )
    add(
        _unit(
            rng,
            len(land.units),
            CareForm.GESLOTEN,
            "pluryn",
            8,
            (12, 17),
            today,
            municipality=GESLOTEN_AT,
            occupancy=0.9,
        )
    )
    for _ in range(4):
        add(
            _unit(
                rng,
                len(land.units),
                CareForm.BEHANDELGROEP,
                "sheerenloo",
                rng.randint(6, 10),
                (12, 17),
                today,
                municipality=OUTSIDE,
            )
        )
    return land


def national_landscape(
    *, seed: int = 41000, today: date, units: int = 5000, places: int = 40_000
) -> Landscape:
    """A national-scale landscape with exactly `units` units and `places` places."""
    rng = random.Random(seed)
    land = Landscape({f"p{i:03d}": (f"Aanbieder {i:03d}", "zorgaanbieder") for i in range(120)})
    n_foster, n_home = units * 12 // 100, units * 10 // 100
    n_group = units - n_foster - n_home
    sizes = [rng.randint(1, 3) for _ in range(n_foster)] + [
        rng.randint(3, 4) for _ in range(n_home)
    ]
    left = places - sum(sizes)
    if not 6 * n_group <= left <= 12 * n_group:
        raise ValueError("places: niet haalbaar met groepen van 6-12 plaatsen")
    group_sizes = [left // n_group] * n_group
    for i in range(left - sum(group_sizes)):
        group_sizes[i] += 1
    forms = [rng.choice(list(CareForm)[:4]) for _ in range(n_foster)]
    forms += [CareForm.GEZINSHUIS] * n_home
    forms += [
        rng.choices(
            [
                CareForm.BEHANDELGROEP,
                CareForm.CRISISGROEP_12MIN,
                CareForm.CRISISGROEP_12PLUS,
                CareForm.GESLOTEN,
            ],
            weights=[85, 5, 5, 5],
        )[0]
        for _ in range(n_group)
    ]
    everywhere = all_municipalities()[:-1]  # the national list, without 'buiten_regio'
    for n, (form, size) in enumerate(zip(forms, sizes + group_sizes, strict=True)):
        ages = (12, 17) if form.category is CareCategory.BEHANDELGROEP else (0, 17)
        if form is CareForm.CRISISGROEP_12MIN:
            ages = (4, 11)
        place = rng.choice(everywhere) if rng.random() < 0.85 else _municipality(rng)
        land.units.append(
            _unit(rng, n, form, f"p{n % 120:03d}", size, ages, today, municipality=place)
        )
    return land


def units_file_landscape(units: DemoUnits, *, seed: int, today: date) -> Landscape:
    """A landscape from a region's synthetic units file, with invented stays (same seed, same).

    A foster-care entry stands for a pool of families: it becomes families of at most the
    places a foster family has (PLACES_RANGE), "<name> 1", "<name> 2", ...
    """
    rng = random.Random(seed)
    names = dict.fromkeys(u.provider for u in units.units)
    keys = {name: f"demo{i:02d}" for i, name in enumerate(names)}
    foster = {u.provider for u in units.units if u.care_form.category is CareCategory.PLEEGZORG}
    land = Landscape({keys[n]: (n, "pleegzorg" if n in foster else "zorgaanbieder") for n in names})
    for spec in units.units:
        form = spec.care_form
        ages = AGES.get(form, (0, 17))
        sizes = [spec.places]
        if form.category is CareCategory.PLEEGZORG:
            most = PLACES_RANGE[form.category][1]
            sizes = [most] * (spec.places // most) + [spec.places % most] * bool(spec.places % most)
        for k, size in enumerate(sizes, 1):
            unit = _unit(
                rng, len(land.units), form, keys[spec.provider], size, ages, today,
                municipality=Municipality(spec.municipality.code),
            )  # fmt: skip
            name = spec.name if len(sizes) == 1 else f"{spec.name} {k}"
            land.units.append(replace(unit, name=name))
    return land


def region_landscape(name: str, *, seed: int, today: date) -> Landscape:
    """The demo landscape of a shipped region: Flevoland's generated one, else its units file."""
    if name == "flevoland":
        return flevoland_landscape(seed=seed, today=today)
    path = REGIONS_DIR / f"{name}_units.yaml"
    if not path.exists():
        raise ConfigError("deze regio heeft geen demo-eenheden", file=path.name)
    return units_file_landscape(load_demo_units(path), seed=seed, today=today)


def demo_shares(name: str) -> dict[Municipality, float]:
    """Where the demo's waiting children live: Flevoland's shares, else equal shares."""
    if name == "flevoland":
        return dict(SHARE)
    return {m: 1.0 for m in region_municipalities()}
