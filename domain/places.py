"""Municipalities by CBS code, and the region this deployment serves (chosen by a setting).

`Municipality` is a validated string: the CBS code (GM + four digits) of a current Dutch
municipality on the national list (domain.municipalities). It accepts a code, or a name
where the name is unambiguous (case and accents do not matter; a municipality merged away
since 2016 resolves to its one successor), and always holds the code.

One value is not a code: `Municipality.BUITEN_REGIO` ("buiten_regio"), "a municipality
outside the region that was not recorded". Versions before the national list could only say
that, so rows migrated from them keep it; new input should name the municipality.

The region is a data file (domain/data/regions/<name>.yaml), chosen by the setting
SERVICEPUNT_REGION (default `flevoland`) or by `select_region`. Whether a municipality is
in the region, its local team and its neighbours all come from that file.
"""

from __future__ import annotations

import math
import os
from functools import cache, lru_cache
from typing import TYPE_CHECKING, ClassVar

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, computed_field

from domain.errors import ConfigError, DomainError, InvalidInput
from domain.fields import ValidatedText
from domain.municipalities import EARTH_RADIUS_KM, national_list
from domain.municipalities import Municipality as ListedMunicipality
from domain.municipalities import distance_km as _listed_distance_km
from domain.regions import Region, load_region, shipped_regions

REGION_ENV = "SERVICEPUNT_REGION"
DEFAULT_REGION = "flevoland"
UNRECORDED = "buiten_regio"
UNRECORDED_LABEL = "buiten de regio (gemeente niet vastgelegd)"
# Distance to a place outside the region whose municipality was not recorded: the old
# assumption of "about an hour away", so that such a place always costs distance.
UNRECORDED_KM = 60.0

# The selected region's name, read from the environment on first use.
_selected: dict[str, str] = {}


def region_name() -> str:
    """The name of the selected region file (`flevoland`, `ijsselland`)."""
    if "name" not in _selected:
        _selected["name"] = _checked_name(os.environ.get(REGION_ENV, DEFAULT_REGION))
    return _selected["name"]


def _checked_name(name: str) -> str:
    name = name.strip().lower()
    if name not in shipped_regions():
        raise ConfigError(
            f"onbekende regio {name!r}; kies uit {', '.join(shipped_regions())}",
            file="instellingen",
            field=REGION_ENV,
        )
    return name


def select_region(name: str) -> Region:
    """Serve region `name` from now on in this process (and its child processes).

    The file is loaded and checked first: a bad file leaves the selection as it was."""
    name = _checked_name(name)
    selected = _load(name)
    _selected["name"] = os.environ[REGION_ENV] = name
    return selected


def region() -> Region:
    """The selected region, loaded and checked once."""
    return _load(region_name())


@cache
def _load(name: str) -> Region:
    return load_region(shipped_regions()[name])


@cache
def _codes(name: str) -> frozenset[str]:
    return _load(name).codes


UNKNOWN = "onbekende gemeente; geef de CBS-gemeentecode (GM + vier cijfers) of de naam"


@lru_cache(maxsize=4096)  # bounded: the text comes from requests
def _code(text: str) -> str:
    # Messages never repeat the submitted text: it is part of a child's record.
    if text.strip().lower() == UNRECORDED:
        return UNRECORDED
    national = national_list()
    try:
        return national.resolve(text).code
    except InvalidInput:
        names = " en ".join(m.name for m in national.successors(text))
        raise InvalidInput(
            f"deze gemeente is bij een herindeling verdeeld over {names}; "
            "kies de gemeente bij het adres"
        ) from None
    except DomainError:
        raise InvalidInput(UNKNOWN) from None


class Municipality(ValidatedText):
    """A current Dutch municipality by CBS code, or BUITEN_REGIO (outside, not recorded)."""

    __slots__ = ()
    BUITEN_REGIO: ClassVar[Municipality]
    JSON_DESCRIPTION = "CBS-gemeentecode (GM + vier cijfers) of een eenduidige gemeentenaam"
    JSON_EXAMPLES = ("GM0363",)

    def __new__(cls, value: object) -> Municipality:
        if type(value) is cls:
            return value
        if not isinstance(value, str):
            raise InvalidInput("verwacht een gemeentecode (GM + vier cijfers) of naam")
        return super().__new__(cls, _code(value))

    @property
    def value(self) -> str:
        """The stored form: the CBS code (or 'buiten_regio')."""
        return str(self)

    @property
    def code(self) -> str:
        """The CBS code (or 'buiten_regio')."""
        return str(self)

    @property
    def listed(self) -> ListedMunicipality | None:
        """The entry on the national list; None for BUITEN_REGIO."""
        return None if self == UNRECORDED else national_list().current[str(self)]

    @property
    def label(self) -> str:
        """Dutch display name: the municipality's name (names are unique nationally)."""
        listed = self.listed
        return UNRECORDED_LABEL if listed is None else listed.name

    @property
    def in_region(self) -> bool:
        """True when the municipality belongs to the selected region."""
        return str(self) in _codes(region_name())

    @property
    def region_label(self) -> str:
        """Where it lies, for reports: 'regio Flevoland' or 'jeugdregio Noord-Veluwe'."""
        if self.in_region:
            return f"regio {region().name}"
        listed = self.listed
        return "buiten de regio" if listed is None else f"jeugdregio {listed.jeugdregio.name}"

    @property
    def place_label(self) -> str:
        """Name and region: 'Harderwijk (jeugdregio Noord-Veluwe)'."""
        if self == UNRECORDED:
            return UNRECORDED_LABEL
        return f"{self.label} ({self.region_label})"

    @classmethod
    def parse(cls, value: object) -> Municipality:
        """For pydantic: a ValueError with a Dutch message that never repeats the value."""
        if isinstance(value, Municipality):
            return value
        if not isinstance(value, str) or len(value) > cls.MAX_LENGTH:
            raise ValueError("verwacht een gemeentecode (GM + vier cijfers) of gemeentenaam")
        try:
            return Municipality(value)
        except InvalidInput as exc:
            raise ValueError(exc.detail) from None


Municipality.BUITEN_REGIO = Municipality(UNRECORDED)


def parse_municipality(value: object, field: str) -> Municipality:
    """A Municipality, or InvalidInput naming `field` (for code that is not a pydantic model)."""
    try:
        return Municipality(value)
    except InvalidInput as exc:
        raise InvalidInput(exc.detail, field=field) from None


class MunicipalityNamed(BaseModel):
    """A public model that shows its municipality by name beside the code, so a client
    never has to show a code alone."""

    if TYPE_CHECKING:
        municipality: str

    @computed_field  # type: ignore[prop-decorator]
    @property
    def municipality_name(self) -> str:
        """The municipality's name."""
        return Municipality(self.municipality).label


def region_municipalities() -> tuple[Municipality, ...]:
    """The municipalities of the selected region, by name."""
    members = sorted(region().municipalities, key=lambda m: m.name)
    return tuple(Municipality(m.code) for m in members)


@cache
def all_municipalities() -> tuple[Municipality, ...]:
    """Every current municipality of the national list, then BUITEN_REGIO: a fixed order."""
    return (*(Municipality(m.code) for m in national_list()), Municipality.BUITEN_REGIO)


@cache
def municipality_index() -> dict[str, int]:
    """Position of each municipality in all_municipalities()."""
    return {m: i for i, m in enumerate(all_municipalities())}


def neighbours(a: str, b: str) -> bool:
    """True when a and b are the same municipality or share a border (region file)."""
    return a == b or region().are_neighbours(a, b)


def distance_km(a: str, b: str) -> float:
    """Straight-line distance between two municipalities' centroids in km (0 for the same one)."""
    if a == b:
        return 0.0
    if UNRECORDED in (a, b):
        return UNRECORDED_KM
    current = national_list().current
    return _listed_distance_km(current[a], current[b])


@cache
def distance_matrix_km() -> npt.NDArray[np.float64]:
    """distance_km for every pair of all_municipalities(), as a square array."""
    listed = list(national_list())
    lat = np.radians(np.array([m.lat for m in listed]))
    lon = np.radians(np.array([m.lon for m in listed]))
    h = (
        np.sin((lat[:, None] - lat[None, :]) / 2) ** 2
        + np.cos(lat[:, None])
        * np.cos(lat[None, :])
        * np.sin((lon[:, None] - lon[None, :]) / 2) ** 2
    )
    n = len(listed) + 1
    km = np.full((n, n), UNRECORDED_KM)
    km[:-1, :-1] = 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(h))
    np.fill_diagonal(km, 0.0)
    return km


def max_distance_km() -> float:
    """The longest distance a region's child can be placed from its municipality.

    From any municipality of the selected region to any municipality in the country: the
    bound the matcher's weights check a pair score against.
    """
    km = distance_matrix_km()
    index = municipality_index()
    rows = [index[m] for m in region_municipalities()]
    return float(math.ceil(km[rows].max()))


def region_mask() -> npt.NDArray[np.bool_]:
    """For each of all_municipalities(): whether it is in the selected region."""
    return _region_mask(region_name())


@cache
def _region_mask(name: str) -> npt.NDArray[np.bool_]:
    members = _codes(name)
    return np.array([m in members for m in all_municipalities()], dtype=np.bool_)


def neighbour_matrix() -> npt.NDArray[np.bool_]:
    """neighbours() for every pair of all_municipalities(), as a square array."""
    return _neighbour_matrix(region_name())


@cache
def _neighbour_matrix(name: str) -> npt.NDArray[np.bool_]:
    index = municipality_index()
    near = np.eye(len(index), dtype=np.bool_)
    for a, listed in _load(name).neighbours.items():
        for b in listed:
            near[index[a], index[b]] = near[index[b], index[a]] = True
    return near
