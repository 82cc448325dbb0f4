"""Imports run one way: api -> simulations | placements -> matcher -> capacity | afwegingskader."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Which project packages each package may import (besides itself).
ALLOWED = {
    "domain": set(),
    "afwegingskader": {"domain"},
    "capacity": {"domain"},
    "matcher": {"domain", "afwegingskader", "capacity"},
    # The workflow and the simulations both drive the matcher, and neither needs the other.
    "placements": {"domain", "afwegingskader", "capacity", "matcher"},
    "simulations": {"domain", "afwegingskader", "capacity", "matcher"},
    "api": {"domain", "afwegingskader", "capacity", "matcher", "placements", "simulations"},
}
IO_FRAMEWORKS = {"fastapi", "sqlmodel", "sqlalchemy", "redis"}
PURE_MODULES = [
    "domain",
    "afwegingskader",
    "capacity/snapshot.py",
    "matcher/scoring.py",
    "matcher/solver.py",
    "simulations/engine.py",
    "simulations/general_loop.py",
    "simulations/occupancy.py",
    "simulations/waiting.py",
    "simulations/wait_rule.py",
    "simulations/model.py",
    "simulations/outputs.py",
    "simulations/montecarlo.py",
]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def _files(rel: str) -> list[Path]:
    target = ROOT / rel
    return [target] if target.is_file() else sorted(target.rglob("*.py"))


def test_packages_import_only_downwards() -> None:
    violations = []
    for package, allowed in ALLOWED.items():
        for path in _files(package):
            bad = (_imports(path) & ALLOWED.keys()) - allowed - {package}
            violations += [f"{path.relative_to(ROOT)} imports {name}" for name in sorted(bad)]
    assert violations == []


def test_pure_cores_import_no_io_framework() -> None:
    violations = []
    for rel in PURE_MODULES:
        for path in _files(rel):
            bad = _imports(path) & IO_FRAMEWORKS
            violations += [f"{path.relative_to(ROOT)} imports {name}" for name in sorted(bad)]
    assert violations == []


def test_the_check_sees_a_violation(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("from api import cli\nimport redis\n", encoding="utf-8")
    assert {"api", "redis"} <= _imports(bad)


def test_every_csv_is_written_by_the_one_writer() -> None:
    # Issue #16: formula neutralising, the BOM and Dutch Excel's semicolons live in one place.
    writer = ROOT / "domain" / "csv_export.py"
    # Read CSV and write none: the shipped municipality files (issue #20) and the imported
    # register of beschikkingen (issue #21).
    readers = {
        ROOT / "domain" / "municipality_files.py",
        ROOT / "placements" / "beschikkingen.py",
    }
    others = [
        path.relative_to(ROOT).as_posix()
        for package in ALLOWED
        for path in (ROOT / package).rglob("*.py")
        if path != writer and path not in readers and "csv" in _imports(path)
    ]
    assert others == []
    assert "csv" in _imports(writer)
