"""Read and check a code list file (domain.codelist): its header, sources, codes and gaps.

Checks that hold for any hierarchical classification of this shape: codes are unique,
a parent comes before its children, a code's parent sits exactly one level up (as >
groep > rubriek > subrubriek), a code's shape fits its level, and a code begins with
its parent's code less trailing zeros (A201 under A200 under A). Every message names the
entry and the code it is about.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from domain.yaml_file import FileCheck, read_yaml

# CAP-J's code shapes: as "A", groep "A200", rubriek "A201". CAP-J's own subrubriek codes
# are not public; "A201.1" (rubriek, dot, number) is this service's convention.
# A file may set its own under `shapes`.
DEFAULT_SHAPES = {
    "as": r"[A-Z]",
    "groep": r"[A-Z][1-9]00",
    "rubriek": r"[A-Z][1-9](0[1-9]|[1-9][0-9])",
    "subrubriek": r"[A-Z][1-9][0-9]{2}\.[1-9][0-9]*",
}
SHAPE_EXAMPLES = {"as": "A", "groep": "A200", "rubriek": "A201", "subrubriek": "A201.1"}


@dataclass(frozen=True, slots=True)
class Entry:
    """One checked entry; `term` is None when the file says it is not documented."""

    code: str
    level: str
    parent: str | None
    term: str | None
    source: str | None
    url: str | None


@dataclass(frozen=True, slots=True)
class CodeListFile:
    """A checked code list file, before it becomes a CodeList."""

    name: str
    version: str
    title: str
    publisher: str
    read: str
    sources: dict[str, tuple[str, str]]
    entries: tuple[Entry, ...]
    gaps: tuple[tuple[str, str], ...]


class _Check(FileCheck):
    """The code list file's checks."""

    def require(self, raw: dict[str, Any], key: str, where: str) -> Any:
        if key not in raw:
            raise self.fail(f"veld '{key}' ontbreekt", where)
        return raw[key]

    def text(self, raw: dict[str, Any], key: str, where: str, *, required: bool) -> str:
        value = self.require(raw, key, where) if required else raw.get(key, "")
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            raise self.fail(f"'{key}' moet tekst zijn", where)
        if required and not str(value).strip():
            raise self.fail(f"'{key}' is leeg", where)
        return str(value).strip()


def read_codelist_file(path: Path | str, *, levels: tuple[str, ...]) -> CodeListFile:
    """Parse and check a code list file; a ConfigError names the file, entry and code."""
    check = _Check(str(path))
    raw = read_yaml(path, file=check.file)
    if not isinstance(raw, dict):
        raise check.fail("verwacht een mapping met name, version en codes")
    name = check.text(raw, "name", "name", required=True)
    version = check.text(raw, "version", "version", required=True)
    sources = _sources(check, raw.get("sources", {}))
    shapes = _shapes(check, raw.get("shapes", {}), levels)
    items = check.require(raw, "codes", "codes")
    if not isinstance(items, list) or not items:
        raise check.fail("codes moet een niet-lege lijst zijn", "codes")
    entries: dict[str, Entry] = {}
    for i, item in enumerate(items):
        entry = _entry(check, item, f"codes[{i}]", levels, shapes, sources, entries)
        entries[entry.code] = entry
    return CodeListFile(
        name=name,
        version=version,
        title=check.text(raw, "title", "title", required=False),
        publisher=check.text(raw, "publisher", "publisher", required=False),
        read=check.text(raw, "read", "read", required=False),
        sources=sources,
        entries=tuple(entries.values()),
        gaps=_gaps(check, raw.get("gaps", [])),
    )


def _sources(check: _Check, raw: Any) -> dict[str, tuple[str, str]]:
    if not isinstance(raw, dict):
        raise check.fail("sources moet een mapping zijn (sleutel: title, url)", "sources")
    out: dict[str, tuple[str, str]] = {}
    for key, value in raw.items():
        where = f"sources.{key}"
        if not isinstance(value, dict):
            raise check.fail("verwacht een mapping met title en url", where)
        url = check.text(value, "url", where, required=True)
        if not url.startswith("https://"):
            raise check.fail("url moet met https:// beginnen", where)
        out[str(key)] = (check.text(value, "title", where, required=True), url)
    return out


def _shapes(check: _Check, raw: Any, levels: tuple[str, ...]) -> dict[str, re.Pattern[str]]:
    if not isinstance(raw, dict) or set(raw) - set(levels):
        raise check.fail(f"shapes moet een mapping van niveau ({', '.join(levels)}) op regex zijn")
    out: dict[str, re.Pattern[str]] = {}
    for level in levels:
        try:
            out[level] = re.compile(str(raw.get(level, DEFAULT_SHAPES[level])))
        except re.error as exc:
            raise check.fail(f"geen geldige regex: {exc}", f"shapes.{level}") from None
    return out


def _entry(
    check: _Check,
    item: Any,
    where: str,
    levels: tuple[str, ...],
    shapes: dict[str, re.Pattern[str]],
    sources: dict[str, tuple[str, str]],
    earlier: dict[str, Entry],
) -> Entry:
    if not isinstance(item, dict):
        raise check.fail("verwacht een mapping", where)
    code = check.text(item, "code", where, required=True).upper()
    level = str(check.require(item, "level", f"{where}.level"))
    if level not in levels:
        raise check.fail(f"{code}: level moet een van {levels} zijn, niet '{level}'", where)
    if code in earlier:
        raise check.fail(f"code {code} staat dubbel in de lijst", where)
    if not shapes[level].fullmatch(code):
        example = SHAPE_EXAMPLES.get(level, "")
        raise check.fail(f"code {code} heeft niet de vorm van een {level} (zoals {example})", where)
    parent = _parent(check, item, where, code, level, levels, earlier)
    documented = item.get("documented", True)
    if not isinstance(documented, bool):
        raise check.fail(f"{code}: documented moet true of false zijn", where)
    if documented:
        term: str | None = check.text(item, "term", where, required=True)
    elif "term" in item:
        raise check.fail(f"{code}: documented: false gaat niet samen met een term", where)
    else:
        term = None
    source = item.get("source")
    if source is not None and str(source) not in sources:
        raise check.fail(f"{code}: bron '{source}' staat niet onder sources", where)
    url = item.get("url")
    if url is not None and not str(url).startswith("https://"):
        raise check.fail(f"{code}: url moet met https:// beginnen", where)
    return Entry(
        code,
        level,
        parent,
        term,
        None if source is None else str(source),
        None if url is None else str(url),
    )


def _parent(
    check: _Check,
    item: dict[str, Any],
    where: str,
    code: str,
    level: str,
    levels: tuple[str, ...],
    earlier: dict[str, Entry],
) -> str | None:
    raw = item.get("parent")
    parent = str(raw).strip().upper() if raw is not None else None
    top = level == levels[0]
    if top:
        if parent is not None:
            raise check.fail(f"{code}: een {level} heeft geen parent", where)
        return None
    if parent is None:
        raise check.fail(f"{code}: alleen een {levels[0]} heeft geen parent", where)
    if parent not in earlier:
        raise check.fail(f"{code}: parent {parent} staat niet eerder in de lijst", where)
    expected = levels[levels.index(level) - 1]
    if earlier[parent].level != expected:
        raise check.fail(
            f"{code} is een {level}: de parent moet een {expected} zijn, "
            f"maar {parent} is een {earlier[parent].level}",
            where,
        )
    prefix = parent.rstrip("0")
    if not code.startswith(prefix):
        raise check.fail(
            f"code {code} begint niet met {prefix}, de code van parent {parent}", where
        )
    return parent


def _gaps(check: _Check, raw: Any) -> tuple[tuple[str, str], ...]:
    if not isinstance(raw, list):
        raise check.fail("gaps moet een lijst zijn", "gaps")
    out: list[tuple[str, str]] = []
    for i, item in enumerate(raw):
        where = f"gaps[{i}]"
        if not isinstance(item, dict):
            raise check.fail("verwacht een mapping met where en note", where)
        out.append(
            (
                check.text(item, "where", where, required=True),
                check.text(item, "note", where, required=True),
            )
        )
    return tuple(out)
