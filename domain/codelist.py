"""Problem classification as a replaceable code list (CAP-J ships as the default).

A code is an axis (one letter), a group or a category (rubriek) or subcategory. Every code
rolls up to its group and axis. NJi stopped maintaining CAP-J in 2025, so the list is data:
a successor classification is another YAML file with the same shape.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from domain.errors import ConfigError, InvalidInput

DEFAULT_CODELIST = Path(__file__).with_name("data") / "capj.yaml"
LEVELS = ("as", "groep", "rubriek", "subrubriek")


@dataclass(frozen=True, slots=True)
class Code:
    """One entry of the classification."""

    code: str
    term: str
    level: str
    parent: str | None


@dataclass(frozen=True, slots=True)
class ResolvedCode:
    """A code with the group and axis it rolls up to."""

    code: str
    term: str
    level: str
    axis: str
    group: str | None


class CodeList:
    """A loaded, validated classification: look codes up and roll them up."""

    def __init__(self, name: str, version: str, codes: dict[str, Code]) -> None:
        self.name = name
        self.version = version
        self._codes = codes
        self._resolved = {c: self._roll_up(c) for c in codes}

    def _roll_up(self, code: str) -> ResolvedCode:
        entry = self._codes[code]
        chain = [entry]
        while chain[-1].parent is not None:
            chain.append(self._codes[chain[-1].parent])
        group = next((c.code for c in chain if c.level == "groep"), None)
        return ResolvedCode(entry.code, entry.term, entry.level, chain[-1].code, group)

    def __contains__(self, code: object) -> bool:
        return isinstance(code, str) and code.upper() in self._codes

    def __len__(self) -> int:
        return len(self._codes)

    def resolve(self, code: str, *, field: str = "capj") -> ResolvedCode:
        """The code with its group and axis; an unknown code is an InvalidInput."""
        try:
            return self._resolved[code.strip().upper()]
        except KeyError:
            # The code itself is not echoed: even a mistyped code may be health data.
            raise InvalidInput(
                f"onbekende code in classificatie {self.name} {self.version}", field=field
            ) from None

    def codes(self) -> list[Code]:
        """All entries, in file order."""
        return list(self._codes.values())


def _require(raw: dict[str, Any], key: str, file: str, where: str) -> Any:
    if key not in raw:
        raise ConfigError(f"veld '{key}' ontbreekt", file=file, field=where)
    return raw[key]


def load_codelist(path: Path | str) -> CodeList:
    """Load and validate a classification file; errors name the file and the entry."""
    file = str(path)
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"kan bestand niet lezen: {exc}", file=file) from None
    if not isinstance(raw, dict):
        raise ConfigError("verwacht een mapping met name, version en codes", file=file)
    name = str(_require(raw, "name", file, "name"))
    version = str(_require(raw, "version", file, "version"))
    entries = _require(raw, "codes", file, "codes")
    if not isinstance(entries, list) or not entries:
        raise ConfigError("codes moet een niet-lege lijst zijn", file=file, field="codes")
    codes: dict[str, Code] = {}
    for i, entry in enumerate(entries):
        where = f"codes[{i}]"
        if not isinstance(entry, dict):
            raise ConfigError("verwacht een mapping", file=file, field=where)
        code = str(_require(entry, "code", file, where)).upper()
        level = str(_require(entry, "level", file, f"{where}.level"))
        if level not in LEVELS:
            raise ConfigError(f"level moet een van {LEVELS} zijn", file=file, field=where)
        parent = entry.get("parent")
        parent = str(parent).upper() if parent is not None else None
        if (parent is None) != (level == "as"):
            raise ConfigError("alleen een as heeft geen parent", file=file, field=where)
        if parent is not None and parent not in codes:
            raise ConfigError(
                f"parent {parent} staat niet eerder in de lijst", file=file, field=where
            )
        if code in codes:
            raise ConfigError(f"code {code} staat dubbel in de lijst", file=file, field=where)
        codes[code] = Code(code, str(_require(entry, "term", file, where)), level, parent)
    return CodeList(name, version, codes)


@cache
def default_codelist() -> CodeList:
    """The shipped CAP-J list (cached)."""
    return load_codelist(DEFAULT_CODELIST)
