"""Problem classification as a replaceable code list (CAP-J ships as the default).

A code is an axis (one letter), a group, a category (rubriek) or a subcategory
(subrubriek). Every code rolls up to its axis, its group and, for a subrubriek, its
rubriek. NJi stopped maintaining CAP-J in 2025, so the list is data: a successor
classification is another YAML file with the same shape, checked by `load_codelist`.
The file names its edition and sources; `CodeList.source` is the citation pages and
advice print. An entry whose term no public source gives is `documented: false`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from domain.codelist_file import CodeListFile, read_codelist_file
from domain.errors import InvalidInput

DEFAULT_CODELIST = Path(__file__).with_name("data") / "capj.yaml"
LEVELS = ("as", "groep", "rubriek", "subrubriek")
# What an entry without a public term shows instead of one.
UNDOCUMENTED_TERM = "term niet openbaar gedocumenteerd"


@dataclass(frozen=True, slots=True)
class Code:
    """One entry of the classification."""

    code: str
    term: str
    level: str
    parent: str | None
    documented: bool = True
    source: str | None = None
    url: str | None = None

    @property
    def label(self) -> str:
        """Code and term as the pages show them: "A201 Druk en impulsief gedrag"."""
        return f"{self.code} {self.term}" if self.documented else f"{self.code} ({self.term})"


@dataclass(frozen=True, slots=True)
class ResolvedCode:
    """A code with the axis, group and rubriek it rolls up to (itself included)."""

    code: str
    term: str
    level: str
    axis: str
    group: str | None
    rubriek: str | None = None
    # The code and every code above it, from the code up to its axis.
    chain: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Source:
    """A public source the list was read from."""

    key: str
    title: str
    url: str


@dataclass(frozen=True, slots=True)
class Gap:
    """Part of the classification known to be missing from the list, and why."""

    where: str
    note: str


class CodeList:
    """A loaded, validated classification: look codes up, roll them up, cite the list."""

    def __init__(
        self,
        name: str,
        version: str,
        codes: dict[str, Code],
        *,
        title: str = "",
        publisher: str = "",
        read: str = "",
        sources: tuple[Source, ...] = (),
        gaps: tuple[Gap, ...] = (),
    ) -> None:
        self.name = name
        self.version = version
        self.title = title
        self.publisher = publisher
        self.read = read
        self.sources = sources
        self.gaps = gaps
        self._codes = codes
        self._resolved = {c: self._roll_up(c) for c in codes}
        self._children: dict[str, list[Code]] = {c: [] for c in codes}
        for entry in codes.values():
            if entry.parent is not None:
                self._children[entry.parent].append(entry)

    def _roll_up(self, code: str) -> ResolvedCode:
        entry = self._codes[code]
        chain = [entry]
        while chain[-1].parent is not None:
            chain.append(self._codes[chain[-1].parent])
        by_level = {c.level: c.code for c in chain}
        return ResolvedCode(
            entry.code,
            entry.term,
            entry.level,
            chain[-1].code,
            by_level.get("groep"),
            by_level.get("rubriek"),
            tuple(c.code for c in chain),
        )

    def __contains__(self, code: object) -> bool:
        return isinstance(code, str) and code.strip().upper() in self._codes

    def __len__(self) -> int:
        return len(self._codes)

    @property
    def source(self) -> str:
        """The citation: name, version, publisher, source addresses and the date read."""
        urls = ", ".join(dict.fromkeys(s.url for s in self.sources))
        parts = [f"{self.name} {self.version}".strip()]
        parts += [p for p in (self.publisher, urls) if p]
        if self.read:
            parts.append(f"gelezen {self.read}")
        return "; ".join(parts)

    def resolve(self, code: str, *, field: str = "capj") -> ResolvedCode:
        """The code with its group and axis; an unknown code is an InvalidInput."""
        try:
            return self._resolved[code.strip().upper()]
        except KeyError:
            # The code itself is not echoed: even a mistyped code may be health data.
            raise InvalidInput(
                f"onbekende code in classificatie {self.name} {self.version}", field=field
            ) from None

    def roll_up(self, code: str) -> frozenset[str]:
        """The code and every code above it (rubriek, groep, as): what rules match on."""
        return frozenset(self.resolve(code).chain)

    def within(self, code: str, ancestor: str) -> bool:
        """Whether `code` is `ancestor` or falls under it (A201 is within A200 and A)."""
        return ancestor.strip().upper() in self.roll_up(code)

    def children(self, code: str) -> list[Code]:
        """The codes directly under `code`, in file order."""
        return list(self._children[self.resolve(code).code])

    def codes(self, level: str | None = None) -> list[Code]:
        """All entries (or those of one level), in file order."""
        return [c for c in self._codes.values() if level is None or c.level == level]

    def undocumented(self) -> list[Code]:
        """Entries known to exist whose term no public source gives."""
        return [c for c in self._codes.values() if not c.documented]


def load_codelist(path: Path | str) -> CodeList:
    """Load and validate a classification file; errors name the file, the entry and the code."""
    checked: CodeListFile = read_codelist_file(path, levels=LEVELS)
    codes = {
        e.code: Code(
            e.code,
            e.term if e.term is not None else UNDOCUMENTED_TERM,
            e.level,
            e.parent,
            e.term is not None,
            e.source,
            e.url,
        )
        for e in checked.entries
    }
    return CodeList(
        checked.name,
        checked.version,
        codes,
        title=checked.title,
        publisher=checked.publisher,
        read=checked.read,
        sources=tuple(Source(k, t, u) for k, (t, u) in checked.sources.items()),
        gaps=tuple(Gap(w, n) for w, n in checked.gaps),
    )


@cache
def default_codelist() -> CodeList:
    """The shipped CAP-J list (cached)."""
    return load_codelist(DEFAULT_CODELIST)
