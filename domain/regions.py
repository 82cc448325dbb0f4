"""A region the servicepunt serves, as a data file: its municipalities, teams, desk and neighbours.

One deployment serves one region. A region file (YAML, in `domain/data/regions/`) holds:
- `name`, `version`, `sources` (where its facts come from);
- `municipalities`: each by CBS code, with the local team that holds perspectiefregie;
- `crisis_desk`: the desk's opening hours per weekday (`ma` .. `zo`, "HH:MM"-"HH:MM");
- `neighbours`: per municipality of the region, the municipalities it borders (inside or
  outside the region), used to place siblings apart but close;
- `examples`: the parts that are invented for a demo (`teams`, `crisis_desk`), said out loud;
- `basis` (optional): the region's own public sources for its agreements, cited to users
  (`perspectiefregie`, `start_norm`, `crisis`); a part it leaves out cites NATIONAL_BASIS.

Loading checks every code against the national list (domain.municipalities) and refuses
bad input with a ConfigError naming the file and the field; nothing half-loaded is returned.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, time
from pathlib import Path
from typing import Any

from domain.errors import DomainError
from domain.municipalities import Municipality, MunicipalityList, national_list
from domain.municipality_files import GM_CODE
from domain.yaml_file import FileCheck, read_yaml

REGIONS_DIR = Path(__file__).with_name("data") / "regions"
WEEKDAYS = ("ma", "di", "wo", "do", "vr", "za", "zo")
EXAMPLE_PARTS = frozenset({"teams", "crisis_desk"})
# What the service cites when a region file names no basis of its own for an agreement.
NATIONAL_BASIS: Mapping[str, str] = {
    "perspectiefregie": (
        "Richtlijn Uithuisplaatsing (Richtlijnen Jeugdhulp en Jeugdbescherming); "
        "de regio legde geen eigen afspraken over perspectiefregie vast"
    ),
    "start_norm": (
        "Norm van het servicepunt (de regio legde geen eigen afspraak vast): binnen twee "
        "weken na de beschikking start de hulp"
    ),
    "crisis": (
        "Richtlijn Crisisinterventie (Richtlijnen Jeugdhulp en Jeugdbescherming); "
        "de regio legde geen eigen crisisafspraken vast"
    ),
}
HOURS = re.compile(r"([01]\d|2[0-3]):([0-5]\d)-(([01]\d|2[0-3]):([0-5]\d)|24:00)")


@dataclass(frozen=True, slots=True)
class OpeningHours:
    """One opening period of the crisis desk on one weekday (0 = Monday)."""

    weekday: int
    opens: time
    closes: time | None  # None: until midnight

    def covers(self, moment: datetime) -> bool:
        """True when `moment` falls in this period."""
        now = moment.time()
        return (
            moment.weekday() == self.weekday
            and now >= self.opens
            and (self.closes is None or now < self.closes)
        )


@dataclass(frozen=True, slots=True)
class Region:
    """A checked region file."""

    file: str
    name: str
    version: str
    sources: tuple[str, ...]
    municipalities: tuple[Municipality, ...]
    teams: Mapping[str, str]
    crisis_hours: tuple[OpeningHours, ...]
    neighbours: Mapping[str, frozenset[str]]
    examples: frozenset[str]
    basis: Mapping[str, str]  # every key of NATIONAL_BASIS: the region's own, or the national

    @property
    def codes(self) -> frozenset[str]:
        """The CBS codes of the region's municipalities."""
        return frozenset(m.code for m in self.municipalities)

    def contains(self, code: str) -> bool:
        """True when the municipality with this code belongs to the region."""
        return code in self.codes

    def team_for(self, code: str) -> str:
        """The local team that holds perspectiefregie for a municipality of the region."""
        if code not in self.teams:
            raise DomainError(f"{code} hoort niet bij regio {self.name}", field="gemeente")
        return self.teams[code]

    def are_neighbours(self, a: str, b: str) -> bool:
        """True when a and b are the same municipality or share a border."""
        return (
            a == b
            or b in self.neighbours.get(a, frozenset())
            or a in self.neighbours.get(b, frozenset())
        )

    def crisis_desk_hours(self) -> str:
        """The desk's hours in Dutch, day by day: 'ma 09:00-17:00, di 09:00-17:00'."""
        if not self.crisis_hours:
            return "geen vaste openingstijden"
        parts = [
            f"{WEEKDAYS[p.weekday]} {p.opens:%H:%M}-"
            + ("24:00" if p.closes is None else f"{p.closes:%H:%M}")
            for p in sorted(self.crisis_hours, key=lambda p: (p.weekday, p.opens))
        ]
        return ", ".join(parts)

    def crisis_desk_open(self, moment: datetime) -> bool:
        """True when the crisis desk is open at `moment` (local time)."""
        return any(p.covers(moment) for p in self.crisis_hours)


class _Check(FileCheck):
    """The region file's checks."""

    def text(self, raw: Mapping[str, Any], key: str, where: str) -> str:
        value = raw.get(key)
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            raise self.fail(f"veld '{key}' ontbreekt of is geen tekst", where)
        if not str(value).strip():
            raise self.fail(f"veld '{key}' is leeg", where)
        return str(value).strip()

    def mapping(self, value: object, where: str | None) -> Mapping[str, Any]:
        if not isinstance(value, dict):
            raise self.fail("verwacht een mapping", where)
        return value

    def items(self, value: object, where: str) -> list[Any]:
        if not isinstance(value, list) or not value:
            raise self.fail("verwacht een niet-lege lijst", where)
        return value


def _municipality(
    check: _Check, national: MunicipalityList, code: object, where: str
) -> Municipality:
    """A current municipality by code; a former one is refused naming its successor, and a
    name is refused naming the code to write instead."""
    if not isinstance(code, str):
        raise check.fail("verwacht een gemeentecode (GM + vier cijfers)", where)
    if not GM_CODE.fullmatch(code.strip().upper()):
        try:
            hint = f"; schrijf {national.resolve(code).code} voor {code.strip()}"
        except DomainError:
            hint = "; geen bekende gemeentenaam"
        raise check.fail(f"{code!r} is geen gemeentecode (GM + vier cijfers){hint}", where)
    try:
        return national.get(code)
    except DomainError as exc:
        raise check.fail(exc.detail, where) from None


def _members(
    check: _Check, national: MunicipalityList, raw: Mapping[str, Any]
) -> tuple[tuple[Municipality, ...], dict[str, str]]:
    members: list[Municipality] = []
    teams: dict[str, str] = {}
    for i, entry in enumerate(check.items(raw.get("municipalities"), "municipalities")):
        where = f"municipalities[{i}]"
        item = check.mapping(entry, where)
        m = _municipality(check, national, item.get("code"), f"{where}.code")
        if m.code in teams:
            raise check.fail(f"{m.label} staat dubbel in de regio", f"{where}.code")
        if not isinstance(item.get("team"), str) or not item["team"].strip():
            raise check.fail(
                f"lokaal team voor perspectiefregie ontbreekt bij {m.label}", f"{where}.team"
            )
        members.append(m)
        teams[m.code] = item["team"].strip()
    return tuple(members), teams


def _hours(check: _Check, raw: Mapping[str, Any]) -> tuple[OpeningHours, ...]:
    desk = check.mapping(raw.get("crisis_desk"), "crisis_desk")
    hours = check.mapping(desk.get("hours"), "crisis_desk.hours")
    periods: list[OpeningHours] = []
    for day, spans in hours.items():
        where = f"crisis_desk.hours.{day}"
        if day not in WEEKDAYS:
            raise check.fail(f"onbekende dag {day!r}; gebruik {', '.join(WEEKDAYS)}", where)
        day_periods: list[OpeningHours] = []
        for span in spans if isinstance(spans, list) else [spans]:
            match = HOURS.fullmatch(str(span).replace(" ", ""))
            if not match:
                raise check.fail(f"{span!r} is geen periode als 09:00-17:00", where)
            opens = time(int(match[1]), int(match[2]))
            closes = None if match[3] == "24:00" else time(int(match[4]), int(match[5]))
            if closes is not None and closes <= opens:
                raise check.fail(f"{span}: sluit niet na opening", where)
            period = OpeningHours(WEEKDAYS.index(day), opens, closes)
            if any(_overlap(period, p) for p in day_periods):
                raise check.fail(f"{span} overlapt een andere periode", where)
            day_periods.append(period)
        periods += day_periods
    return tuple(periods)


def _overlap(a: OpeningHours, b: OpeningHours) -> bool:
    end_a, end_b = a.closes or time.max, b.closes or time.max
    return a.opens < end_b and b.opens < end_a


def _neighbours(
    check: _Check, national: MunicipalityList, raw: Mapping[str, Any], codes: frozenset[str]
) -> dict[str, frozenset[str]]:
    table = check.mapping(raw.get("neighbours", {}), "neighbours")
    found: dict[str, frozenset[str]] = {}
    for key, values in table.items():
        where = f"neighbours.{key}"
        code = _municipality(check, national, key, where).code
        if code not in codes:
            raise check.fail(f"{code} hoort niet bij de regio", where)
        listed = {_municipality(check, national, v, where).code for v in check.items(values, where)}
        if code in listed:
            raise check.fail(f"{code} staat in zijn eigen buurlijst", where)
        found[code] = frozenset(listed)
    for code, named in found.items():
        for other in named & codes:
            if code not in found.get(other, frozenset()):
                raise check.fail(
                    f"{code} noemt {other} als buur, maar {other} niet {code}",
                    f"neighbours.{other}",
                )
    return found


def _basis(check: _Check, raw: Mapping[str, Any]) -> dict[str, str]:
    """The region's own basis per agreement, the national one where it names none."""
    own = check.mapping(raw.get("basis", {}), "basis")
    for key in own:
        if key not in NATIONAL_BASIS:
            raise check.fail(
                f"onbekend onderdeel; kies uit {', '.join(NATIONAL_BASIS)}", f"basis.{key}"
            )
    return {
        key: check.text(own, key, f"basis.{key}") if key in own else national
        for key, national in NATIONAL_BASIS.items()
    }


def load_region(path: Path, national: MunicipalityList | None = None) -> Region:
    """Read and check one region file; ConfigError names the file and the field."""
    check = _Check(path.name)
    national = national or national_list()
    raw = read_yaml(path, file=check.file)
    raw = check.mapping(raw, None)
    members, teams = _members(check, national, raw)
    examples = raw.get("examples", [])
    if not isinstance(examples, list) or not set(examples) <= EXAMPLE_PARTS:
        raise check.fail(
            f"examples mag alleen {', '.join(sorted(EXAMPLE_PARTS))} noemen", "examples"
        )
    sources = raw.get("sources")
    if not isinstance(sources, list) or not sources or not all(isinstance(s, str) for s in sources):
        raise check.fail("verwacht een niet-lege lijst met bronnen", "sources")
    codes = frozenset(teams)
    return Region(
        file=path.name,
        name=check.text(raw, "name", "name"),
        version=check.text(raw, "version", "version"),
        sources=tuple(sources),
        municipalities=members,
        teams=teams,
        crisis_hours=_hours(check, raw),
        neighbours=_neighbours(check, national, raw, codes),
        examples=frozenset(examples),
        basis=_basis(check, raw),
    )


def shipped_regions() -> dict[str, Path]:
    """The shipped region files by their stem (`flevoland`, `ijsselland`)."""
    return {p.stem: p for p in sorted(REGIONS_DIR.glob("*.yaml")) if not p.stem.endswith("_units")}
