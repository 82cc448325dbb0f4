"""The six Flevoland municipalities plus "buiten regio", with coordinates for distances."""

from __future__ import annotations

import math
from enum import StrEnum


class Municipality(StrEnum):
    """A municipality of the region, or the catch-all for places outside it."""

    ALMERE = "almere"
    DRONTEN = "dronten"
    LELYSTAD = "lelystad"
    NOORDOOSTPOLDER = "noordoostpolder"
    URK = "urk"
    ZEEWOLDE = "zeewolde"
    BUITEN_REGIO = "buiten_regio"

    @property
    def label(self) -> str:
        """Dutch display name."""
        return LABEL[self]

    @property
    def in_region(self) -> bool:
        """False only for buiten_regio."""
        return self is not Municipality.BUITEN_REGIO


LABEL: dict[Municipality, str] = {
    Municipality.ALMERE: "Almere",
    Municipality.DRONTEN: "Dronten",
    Municipality.LELYSTAD: "Lelystad",
    Municipality.NOORDOOSTPOLDER: "Noordoostpolder",
    Municipality.URK: "Urk",
    Municipality.ZEEWOLDE: "Zeewolde",
    Municipality.BUITEN_REGIO: "buiten regio",
}

# Town-hall coordinates (WGS84). "buiten regio" is represented by a reference point in
# Utrecht, about an hour from the region: an assumption, so that an out-of-region place
# always costs distance. A deployment for another region replaces this table.
COORDINATES: dict[Municipality, tuple[float, float]] = {
    Municipality.ALMERE: (52.3702, 5.2141),
    Municipality.DRONTEN: (52.5250, 5.7181),
    Municipality.LELYSTAD: (52.5185, 5.4714),
    Municipality.NOORDOOSTPOLDER: (52.7107, 5.7486),
    Municipality.URK: (52.6625, 5.6011),
    Municipality.ZEEWOLDE: (52.3300, 5.5417),
    Municipality.BUITEN_REGIO: (52.0907, 5.1214),
}

# Municipalities sharing a border; used for siblings placed apart ("then close to each other").
_BORDERS = {
    (Municipality.ALMERE, Municipality.LELYSTAD),
    (Municipality.ALMERE, Municipality.ZEEWOLDE),
    (Municipality.LELYSTAD, Municipality.ZEEWOLDE),
    (Municipality.LELYSTAD, Municipality.DRONTEN),
    (Municipality.ZEEWOLDE, Municipality.DRONTEN),
    (Municipality.DRONTEN, Municipality.NOORDOOSTPOLDER),
    (Municipality.NOORDOOSTPOLDER, Municipality.URK),
}


def neighbours(a: Municipality, b: Municipality) -> bool:
    """True when a and b are the same municipality or share a border."""
    return a is b or (a, b) in _BORDERS or (b, a) in _BORDERS


def _haversine_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1 = map(math.radians, a)
    lat2, lon2 = map(math.radians, b)
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0 * math.asin(math.sqrt(h))


DISTANCE_KM: dict[tuple[Municipality, Municipality], float] = {
    (a, b): round(_haversine_km(COORDINATES[a], COORDINATES[b]), 1)
    for a in Municipality
    for b in Municipality
}


def distance_km(a: Municipality, b: Municipality) -> float:
    """Straight-line distance between two municipalities in km (0 for the same one)."""
    return DISTANCE_KM[(a, b)]
