"""Nothing Flevoland-specific in the code: its municipalities live in data files only.

Every Python file outside tests/ (and the virtualenv) is read as code: identifiers,
attribute names and string literals may not name a municipality of the Flevoland region.
Docstrings and comments may (they explain, they do not decide). migrations/ is exempt: a
migration records what the data looked like before it, the old names included.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NAMES = ("Almere", "Lelystad", "Dronten", "Noordoostpolder", "Urk", "Zeewolde")
PATTERN = re.compile(r"(?<![a-z])(" + "|".join(NAMES) + r")(?![a-z])", re.IGNORECASE)
SKIPPED = {".venv", "tests", "migrations", ".git", "node_modules"}


def _docstrings(tree: ast.AST) -> set[int]:
    """The ids of the string constants that are docstrings."""
    found: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def region_names_in(source: str) -> list[tuple[int, str]]:
    """(line, text) of every identifier or string literal in `source` that names one."""
    tree = ast.parse(source)
    skip = _docstrings(tree)
    hits: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        text: str | None = None
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
            text = node.value
        elif isinstance(node, ast.Name):
            text = node.id
        elif isinstance(node, ast.Attribute):
            text = node.attr
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            text = node.name
        elif isinstance(node, ast.arg):
            text = node.arg
        elif isinstance(node, ast.alias):
            text = node.asname or node.name
        # Identifiers join words with underscores; a name counts as a word between them.
        if text is not None and PATTERN.search(text.replace("_", " ")):
            hits.append((getattr(node, "lineno", 0), text))
    return hits


def _code_files() -> list[Path]:
    return sorted(
        p for p in ROOT.rglob("*.py") if not SKIPPED & set(p.relative_to(ROOT).parts[:-1])
    )


@pytest.mark.parametrize(
    "source",
    [
        'TEAM = {"almere": "jeugdgezondheidszorg"}',
        "class Place:\n    URK = 1",
        "x = Municipality.ZEEWOLDE",
        'def f() -> str:\n    return f"gemeente {name} buiten Dronten"',
        "def lelystad_share() -> None: ...",
    ],
)
def test_the_check_finds_a_region_name_in_code(source: str) -> None:
    assert region_names_in(source)


def test_the_check_leaves_docstrings_comments_and_other_words_alone() -> None:
    source = '"""Almere and Urk, as examples."""\n# Lelystad\nburkina = "surkel"\n'
    assert region_names_in(source) == []


def test_no_flevoland_municipality_is_named_in_python_code() -> None:
    files = _code_files()
    assert len(files) > 100, "the walk must reach the packages"
    found = [
        f"{path.relative_to(ROOT)}:{line}: {text!r}"
        for path in files
        for line, text in region_names_in(path.read_text(encoding="utf-8"))
    ]
    assert found == [], "municipality names belong in data files:\n" + "\n".join(found)
