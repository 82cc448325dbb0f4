"""The committed locks agree with pyproject.toml: every requirement is pinned, for every Python
from 3.11 up and every common platform, at a version the requirement allows.

`make lock` rewrites the locks; this test fails when pyproject.toml changed without it.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
PYTHONS = ["3.11", "3.12", "3.13", "3.14"]
PLATFORMS = [
    {"sys_platform": "linux", "platform_system": "Linux", "platform_machine": "x86_64"},
    {"sys_platform": "linux", "platform_system": "Linux", "platform_machine": "aarch64"},
    {"sys_platform": "darwin", "platform_system": "Darwin", "platform_machine": "arm64"},
    {"sys_platform": "win32", "platform_system": "Windows", "platform_machine": "AMD64"},
]
PIN = re.compile(r"^([A-Za-z0-9._\-\[\],]+)==([^\s;\\]+)\s*(?:;\s*([^\\]+?))?\s*\\?$")


@dataclass(frozen=True)
class Pin:
    """One pinned line of a lock: a package, its version and where it applies."""

    name: str
    version: Version
    marker: Marker | None
    hashed: bool


def _environments() -> list[dict[str, str]]:
    envs = []
    for python in PYTHONS:
        for platform in PLATFORMS:
            os_name = "nt" if platform["sys_platform"] == "win32" else "posix"
            envs.append(
                {
                    "python_version": python,
                    "python_full_version": f"{python}.0",
                    "implementation_name": "cpython",
                    "platform_python_implementation": "CPython",
                    "os_name": os_name,
                    "extra": "",
                    **platform,
                }
            )
    return envs


def _pins(name: str) -> list[Pin]:
    lines = (ROOT / name).read_text(encoding="utf-8").splitlines()
    pins = []
    for number, line in enumerate(lines):
        match = PIN.match(line)
        if not match:
            continue
        package = canonicalize_name(match.group(1).split("[")[0])
        marker = Marker(match.group(3)) if match.group(3) else None
        hashed = number + 1 < len(lines) and "--hash=sha256:" in lines[number + 1]
        pins.append(Pin(package, Version(match.group(2)), marker, hashed))
    return pins


def _resolved(pins: list[Pin], env: dict[str, str]) -> dict[str, Version]:
    """The version of each package that installs in this environment (exactly one)."""
    chosen: dict[str, Version] = {}
    for pin in pins:
        if pin.marker is not None and not pin.marker.evaluate(env):
            continue
        assert pin.name not in chosen, f"{pin.name} is pinned twice for {env['python_version']}"
        chosen[pin.name] = pin.version
    return chosen


def _requirements(extras: list[str] | None) -> list[Requirement]:
    project = PYPROJECT["project"]
    optional: dict[str, list[str]] = project["optional-dependencies"]
    names = list(optional) if extras is None else extras
    texts = [*project["dependencies"], *PYPROJECT["build-system"]["requires"]]
    for extra in names:
        texts += optional[extra]
    return [Requirement(text) for text in texts]


def _check(lock: str, requirements: list[Requirement]) -> list[str]:
    pins = _pins(lock)
    problems = []
    for env in _environments():
        resolved = _resolved(pins, env)
        for req in requirements:
            if req.marker is not None and not req.marker.evaluate(env):
                continue
            name = canonicalize_name(req.name)
            where = f"Python {env['python_version']} on {env['sys_platform']}"
            version = resolved.get(name)
            if version is None:
                problems.append(f"{lock}: {req} is not pinned for {where}")
            elif not req.specifier.contains(version, prereleases=True):
                problems.append(f"{lock}: {name}=={version} does not satisfy {req} ({where})")
    return sorted(set(problems))


@pytest.mark.parametrize(
    ("lock", "extras"),
    [("requirements.lock", None), ("requirements-deploy.lock", ["ray"])],
)
def test_every_requirement_is_pinned_at_an_allowed_version(
    lock: str, extras: list[str] | None
) -> None:
    problems = _check(lock, _requirements(extras))
    assert not problems, "run `make lock`:\n" + "\n".join(problems)


@pytest.mark.parametrize("lock", ["requirements.lock", "requirements-deploy.lock"])
def test_every_pin_carries_its_hashes(lock: str) -> None:
    pins = _pins(lock)
    assert len(pins) > 20
    assert [p.name for p in pins if not p.hashed] == []


def test_the_image_lock_takes_the_same_versions_as_the_full_lock() -> None:
    for env in _environments():
        full = _resolved(_pins("requirements.lock"), env)
        deploy = _resolved(_pins("requirements-deploy.lock"), env)
        differing = {n: (v, full.get(n)) for n, v in deploy.items() if full.get(n) != v}
        assert differing == {}, f"Python {env['python_version']}: {differing}"


def test_a_requirement_missing_from_the_lock_is_found() -> None:
    missing = [*_requirements(None), Requirement("not-a-locked-package>=1")]
    stale = [Requirement("fastapi<0.1")]
    assert any("not-a-locked-package" in p for p in _check("requirements.lock", missing))
    assert any("does not satisfy" in p for p in _check("requirements.lock", stale))


def test_every_install_path_installs_from_the_lock() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert "pip install --quiet --require-hashes -r requirements.lock" in makefile
    assert "--no-deps --no-build-isolation -e ." in makefile
    assert "--require-hashes -r requirements-deploy.lock" in dockerfile
    assert "--no-deps --no-build-isolation" in dockerfile
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
