"""The national municipality list: every Dutch gemeente by CBS code, as data.

Each municipality has its CBS code (GM + four digits), name, province, jeugdregio and a
centroid for distances. Municipalities merged away since 2016 stay known with their
successors, so an address from before a herindeling still resolves. The files and their
sources live in `domain/data/` (gemeenten.csv, jeugdregios.csv, herindelingen.csv); this
module reads and checks them and answers questions about them. Nothing here names a
municipality: it all comes from the files.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, fields
from datetime import date
from functools import cache
from pathlib import Path
from typing import overload

from domain.errors import InvalidInput, NotFound
from domain.municipality_files import (
    DATA_DIR,
    FormerMunicipality,
    JeugdRegio,
    Municipality,
    MunicipalityFiles,
    name_key,
    read_files,
)

__all__ = [
    "DATA_DIR",
    "FormerMunicipality",
    "JeugdRegio",
    "Municipality",
    "MunicipalityList",
    "distance_km",
    "load_municipalities",
    "national_list",
]

EARTH_RADIUS_KM = 6371.0088  # the IUGG mean radius


def distance_km(a: Municipality, b: Municipality) -> float:
    """Straight-line (great-circle) distance between two municipalities' centroids in km."""
    if a.code == b.code:
        return 0.0
    lat1, lon1, lat2, lon2 = map(math.radians, (a.lat, a.lon, b.lat, b.lon))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


@dataclass(frozen=True, slots=True)
class MunicipalityList(MunicipalityFiles):
    """The checked national list: current municipalities, former ones and the jeugdregio's."""

    def __len__(self) -> int:
        return len(self.current)

    def __iter__(self) -> Iterator[Municipality]:
        return iter(self.current.values())

    def get(self, code: str) -> Municipality:
        """The current municipality with this CBS code; NotFound names a former one's successor."""
        code = code.strip().upper()
        if code in self.current:
            return self.current[code]
        if code in self.former:
            old = self.former[code]
            raise NotFound(
                f"{old.label} bestaat niet meer sinds {old.ended_on.isoformat()}; "
                f"opvolger: {self._successor_names(old)}",
                field="gemeente",
            )
        raise NotFound(f"onbekende gemeentecode {code!r}", field="gemeente")

    def in_jeugdregio(self, code: str) -> tuple[Municipality, ...]:
        """The current municipalities of one jeugdregio (by JZ code), by name."""
        if code not in self.jeugdregios:
            raise NotFound(f"onbekende jeugdregio {code!r}", field="jeugdregio")
        return tuple(sorted((m for m in self if m.jeugdregio.code == code), key=lambda m: m.name))

    @overload
    def resolve(self, code_or_name: str, *, on: None = None) -> Municipality: ...

    @overload
    def resolve(self, code_or_name: str, *, on: date) -> Municipality | FormerMunicipality: ...

    def resolve(
        self, code_or_name: str, *, on: date | None = None
    ) -> Municipality | FormerMunicipality:
        """The municipality a code or name stands for on date `on` (default: now).

        A former municipality is followed to its successor when the herindeling took effect
        on or before `on`; before that date it is returned itself. A municipality split over
        several successors cannot be followed without the address: that is an InvalidInput
        naming the successors.
        """
        code = self._code_for(code_or_name)
        while code in self.former:
            old = self.former[code]
            if on is not None and on < old.ended_on:
                return old
            if len(old.successors) != 1:
                raise InvalidInput(
                    f"{old.label} is op {old.ended_on.isoformat()} verdeeld over "
                    f"{self._successor_names(old)}; kies de gemeente bij het adres",
                    field="gemeente",
                )
            code = old.successors[0]
        return self.current[code]

    def successors(self, code: str) -> tuple[Municipality, ...]:
        """The current municipalities a former one (or a current one, itself) went into."""
        code = self._code_for(code)
        if code in self.current:
            return (self.current[code],)
        found: dict[str, Municipality] = {}
        for nxt in self.former[code].successors:
            for m in self.successors(nxt):
                found[m.code] = m
        return tuple(sorted(found.values(), key=lambda m: m.name))

    def _code_for(self, code_or_name: str) -> str:
        text = code_or_name.strip()
        code = text.upper()
        if code in self.current or code in self.former:
            return code
        key = name_key(text)
        if key in self.names:
            return self.names[key]
        if text[:2].upper() == "GM":
            raise NotFound(f"onbekende gemeentecode {text!r}", field="gemeente")
        raise NotFound(f"onbekende gemeente {text!r}", field="gemeente")

    def _successor_names(self, old: FormerMunicipality) -> str:
        labels = [
            self.current[c].label if c in self.current else self.former[c].label
            for c in old.successors
        ]
        return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " en " + labels[-1]


def load_municipalities(directory: Path = DATA_DIR) -> MunicipalityList:
    """Read and check the three files in `directory`; ConfigError names file, row and code."""
    files = read_files(directory)
    return MunicipalityList(*(getattr(files, f.name) for f in fields(files)))


@cache
def national_list() -> MunicipalityList:
    """The shipped national list, loaded and checked once."""
    return load_municipalities()
