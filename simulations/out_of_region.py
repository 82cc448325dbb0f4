"""Where a child placed out of region goes: real municipalities, not one shared point.

A scenario may name the municipalities (CBS codes, `domain.municipalities`) that hold the
places outside the region its children are placed in (`out_of_region.destinations`). The
simulation has no units there, so the rule is the simplest honest one: a child goes to the
destination nearest to its home municipality (straight-line km between centroids,
`domain.municipalities.distance_km`), and the results give the mean distance of the
children placed out of region (`mean_km_out_of_region`). Without destinations the distance
is unknown (nan), never measured to one shared point.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from domain.errors import DomainError, InvalidInput
from domain.municipalities import Municipality, distance_km, national_list


@dataclass(frozen=True)
class OutOfRegion:
    """The municipalities holding the places outside the region, by CBS code."""

    destinations: tuple[Municipality, ...]
    _km: dict[str, float] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        if not self.destinations:
            raise InvalidInput("geef minstens één gemeente", field="destinations")

    def km_from(self, home: str) -> float:
        """Km from the home municipality (a name or CBS code) to the nearest destination;
        nan when the home municipality is unknown."""
        km = self._km.get(home)
        if km is None:
            try:
                origin = national_list().resolve(home)
            except DomainError:
                km = math.nan
            else:
                km = min(distance_km(origin, d) for d in self.destinations)
            self._km[home] = km
        return km


def out_of_region(codes: list[str]) -> OutOfRegion:
    """Destinations from CBS codes; InvalidInput names the code's index (e.g. [2])."""
    found = []
    municipalities = national_list()
    for i, code in enumerate(codes):
        try:
            found.append(municipalities.get(str(code)))
        except DomainError:
            text = "geen huidige CBS-gemeentecode (GM en vier cijfers)"
            raise InvalidInput(text, field=f"destinations[{i}]") from None
    return OutOfRegion(tuple(found))
