"""Read and check the municipality files (domain.municipalities) before anything uses them.

Three CSV files, each opening with `#` lines that name its source and date:
- gemeenten.csv: code, name, province, jeugdregio, lat, lon, aliases;
- jeugdregios.csv: code, name;
- herindelingen.csv: code, name, province, date, successors, note.

Checks: code shapes (GM + four digits, JZ + two), unique codes and names, every province and
jeugdregio known, coordinates inside the Netherlands, and successor chains that end at a
current municipality without cycles. Every message names the file, the row and the code.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from domain.errors import ConfigError

DATA_DIR = Path(__file__).with_name("data")

# The twelve provinces as CBS names them.
PROVINCES = frozenset(
    {
        "Drenthe",
        "Flevoland",
        "Fryslân",
        "Gelderland",
        "Groningen",
        "Limburg",
        "Noord-Brabant",
        "Noord-Holland",
        "Overijssel",
        "Utrecht",
        "Zeeland",
        "Zuid-Holland",
    }
)
GM_CODE = re.compile(r"GM\d{4}")
JZ_CODE = re.compile(r"JZ\d{2}")
# A generous box around the Netherlands (WGS84): a centroid outside it is a typo.
LAT_RANGE = (50.7, 53.7)
LON_RANGE = (3.3, 7.3)

COLUMNS = {
    "gemeenten.csv": ["code", "name", "province", "jeugdregio", "lat", "lon", "aliases"],
    "jeugdregios.csv": ["code", "name"],
    "herindelingen.csv": ["code", "name", "province", "date", "successors", "note"],
}


@dataclass(frozen=True, slots=True)
class JeugdRegio:
    """One of the youth-care regions, by its CBS code (JZ..)."""

    code: str
    name: str


@dataclass(frozen=True, slots=True)
class _Named:
    """What every municipality, current or former, has: its CBS code, name and province."""

    code: str
    name: str
    province: str

    @property
    def label(self) -> str:
        """Name and code, as messages and exports show a municipality."""
        return f"{self.name} ({self.code})"


@dataclass(frozen=True, slots=True)
class Municipality(_Named):
    """A municipality on the national list, with the centroid used for distances."""

    jeugdregio: JeugdRegio
    lat: float
    lon: float
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class FormerMunicipality(_Named):
    """A municipality that ceased to exist, and the one(s) it went into."""

    ended_on: date
    successors: tuple[str, ...]
    note: str = ""


@dataclass(frozen=True, slots=True)
class MunicipalityFiles:
    """The three files, read and checked."""

    source: str
    current: Mapping[str, Municipality]
    former: Mapping[str, FormerMunicipality]
    jeugdregios: Mapping[str, JeugdRegio]
    names: Mapping[str, str]


def name_key(name: str) -> str:
    """Match key for a name: case, accents and surplus spaces do not matter."""
    text = unicodedata.normalize("NFKD", name.strip().casefold())
    return " ".join("".join(c for c in text if not unicodedata.combining(c)).split())


def _fail(file: str, line: int, detail: str, code: str = "") -> ConfigError:
    where = f"regel {line}" + (f" ({code})" if code else "")
    return ConfigError(detail, file=file, field=where)


def _read(path: Path) -> tuple[str, list[tuple[int, dict[str, str]]]]:
    """The file's `#` header as one text, and its rows with their line numbers."""
    file = path.name
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ConfigError(f"kan bestand niet lezen: {exc.strerror}", file=file) from exc
    header = [ln.lstrip("#").strip() for ln in lines if ln.startswith("#")]
    if not any(header):
        raise ConfigError("bron en datum ontbreken (regels die met # beginnen)", file=file)
    numbered = [(n, ln) for n, ln in enumerate(lines, 1) if ln.strip() and not ln.startswith("#")]
    if not numbered:
        raise ConfigError("geen kolomkoppen en geen rijen", file=file)
    reader = csv.reader([ln for _, ln in numbered])
    columns = next(reader)
    if columns != COLUMNS[file]:
        raise _fail(file, numbered[0][0], f"kolommen moeten {','.join(COLUMNS[file])} zijn")
    rows = []
    for (n, _), values in zip(numbered[1:], reader, strict=True):
        if len(values) != len(columns):
            raise _fail(file, n, f"verwacht {len(columns)} velden, gevonden {len(values)}")
        rows.append((n, dict(zip(columns, (v.strip() for v in values), strict=True))))
    return " ".join(header), rows


def _jeugdregios(path: Path) -> dict[str, JeugdRegio]:
    _, rows = _read(path)
    found: dict[str, JeugdRegio] = {}
    for n, row in rows:
        code = row["code"]
        if not JZ_CODE.fullmatch(code):
            raise _fail(path.name, n, f"jeugdregiocode {code!r} is niet JZ plus twee cijfers")
        if code in found:
            raise _fail(path.name, n, f"jeugdregio {code} staat dubbel", code)
        if not row["name"]:
            raise _fail(path.name, n, "naam is leeg", code)
        found[code] = JeugdRegio(code, row["name"])
    return found


def _coordinate(file: str, n: int, code: str, row: dict[str, str], key: str) -> float:
    low, high = LAT_RANGE if key == "lat" else LON_RANGE
    try:
        value = float(row[key])
    except ValueError:
        raise _fail(file, n, f"{key} {row[key]!r} is geen getal", code) from None
    if not low <= value <= high:
        raise _fail(file, n, f"{key} {value} ligt niet in Nederland ({low}..{high})", code)
    return value


def _common(file: str, n: int, row: dict[str, str], seen: set[str]) -> str:
    code = row["code"]
    if not GM_CODE.fullmatch(code):
        raise _fail(file, n, f"gemeentecode {code!r} is niet GM plus vier cijfers")
    if code in seen:
        raise _fail(file, n, f"gemeentecode {code} staat dubbel", code)
    if not row["name"]:
        raise _fail(file, n, "naam is leeg", code)
    if row["province"] not in PROVINCES:
        raise _fail(file, n, f"onbekende provincie {row['province']!r}", code)
    seen.add(code)
    return code


def _current(path: Path, regions: Mapping[str, JeugdRegio]) -> tuple[str, dict[str, Municipality]]:
    source, rows = _read(path)
    found: dict[str, Municipality] = {}
    by_name: dict[str, str] = {}
    for n, row in rows:
        code = _common(path.name, n, row, set(found))
        if name_key(row["name"]) in by_name:
            other = by_name[name_key(row["name"])]
            raise _fail(path.name, n, f"naam {row['name']!r} staat bij {other} en {code}", code)
        by_name[name_key(row["name"])] = code
        if row["jeugdregio"] not in regions:
            raise _fail(path.name, n, f"onbekende jeugdregio {row['jeugdregio']!r}", code)
        found[code] = Municipality(
            code=code,
            name=row["name"],
            province=row["province"],
            jeugdregio=regions[row["jeugdregio"]],
            lat=_coordinate(path.name, n, code, row, "lat"),
            lon=_coordinate(path.name, n, code, row, "lon"),
            aliases=tuple(a.strip() for a in row["aliases"].split(";") if a.strip()),
        )
    return source, found


def _former(path: Path, current: Mapping[str, Municipality]) -> dict[str, FormerMunicipality]:
    _, rows = _read(path)
    found: dict[str, FormerMunicipality] = {}
    lines: dict[str, int] = {}
    for n, row in rows:
        code = _common(path.name, n, row, set(found))
        if code in current:
            raise _fail(path.name, n, f"{code} staat ook op de lijst van huidige gemeenten", code)
        try:
            ended = date.fromisoformat(row["date"])
        except ValueError:
            raise _fail(path.name, n, f"datum {row['date']!r} is niet JJJJ-MM-DD", code) from None
        successors = tuple(s.strip() for s in row["successors"].split(";") if s.strip())
        if not successors:
            raise _fail(path.name, n, "opvolger ontbreekt", code)
        found[code] = FormerMunicipality(
            code, row["name"], row["province"], ended, successors, row["note"]
        )
        lines[code] = n
    for code, old in found.items():
        _check_chain(path.name, lines[code], old, found, current)
    return found


def _check_chain(
    file: str,
    n: int,
    old: FormerMunicipality,
    former: Mapping[str, FormerMunicipality],
    current: Mapping[str, Municipality],
) -> None:
    """Every path from `old` ends at a current municipality, later in time, without a cycle."""
    stack: list[tuple[FormerMunicipality, tuple[str, ...]]] = [(old, (old.code,))]
    while stack:
        item, path = stack.pop()
        for nxt in item.successors:
            if nxt in path:
                raise _fail(
                    file, n, f"opvolgers vormen een kring: {' > '.join((*path, nxt))}", old.code
                )
            if nxt in current:
                continue
            if nxt not in former:
                raise _fail(file, n, f"opvolger {nxt} staat op geen van beide lijsten", old.code)
            if former[nxt].ended_on <= item.ended_on:
                raise _fail(file, n, f"opvolger {nxt} hield eerder op dan {item.code}", old.code)
            stack.append((former[nxt], (*path, nxt)))


def _names(
    current: Mapping[str, Municipality], former: Mapping[str, FormerMunicipality]
) -> dict[str, str]:
    """Name (and alias) to code; a name shared by two codes is left out (not unambiguous)."""
    pairs = [(m.name, m.code) for m in current.values()]
    pairs += [(a, m.code) for m in current.values() for a in m.aliases]
    pairs += [(m.name, m.code) for m in former.values()]
    index: dict[str, str] = {}
    shared: set[str] = set()
    for name, code in pairs:
        key = name_key(name)
        if index.get(key, code) != code:
            shared.add(key)
        index.setdefault(key, code)
    return {k: v for k, v in index.items() if k not in shared}


def read_files(directory: Path) -> MunicipalityFiles:
    """Read and check gemeenten.csv, jeugdregios.csv and herindelingen.csv in `directory`."""
    regions = _jeugdregios(directory / "jeugdregios.csv")
    source, current = _current(directory / "gemeenten.csv", regions)
    former = _former(directory / "herindelingen.csv", current)
    return MunicipalityFiles(source, current, former, regions, _names(current, former))
