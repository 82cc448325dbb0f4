"""The shipped scenarios a planner may run (simulations/scenarios/*.yaml), by file name.

Planners choose from this list; no uploaded YAML reaches the engine. Each file is read and
validated once when the list is first asked for.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml
from pydantic import BaseModel, Field

from domain.errors import InvalidInput
from simulations.scenario import load_scenario

SCENARIO_DIR = Path(__file__).resolve().parents[2] / "simulations" / "scenarios"
MAX_REPLICATIONS = 200


class ScenarioInfo(BaseModel):
    """A shipped scenario a planner may choose."""

    name: str = Field(description="de naam om te kiezen (bestandsnaam)")
    title: str = Field(description="de naam in de uitkomsten")
    description: str
    replications: int = Field(description="standaard aantal replicaties")
    horizon_days: float
    warmup_days: float


def _description(path: Path) -> str:
    """The file's description, or the one of the file it extends."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(raw, dict):
        return ""
    if "description" in raw:
        return " ".join(str(raw["description"]).split())
    if "extends" in raw:
        return _description(path.parent / str(raw["extends"]))
    return ""


@cache
def _catalogue(directory: Path) -> dict[str, ScenarioInfo]:
    out = {}
    for path in sorted(directory.glob("*.yaml")):
        loaded = load_scenario(path)
        out[path.stem] = ScenarioInfo(
            name=path.stem,
            title=loaded.scenario.name,
            description=_description(path),
            replications=min(loaded.replications, MAX_REPLICATIONS),
            horizon_days=loaded.settings.horizon_days,
            warmup_days=loaded.settings.warmup_days,
        )
    return out


def scenarios(directory: Path = SCENARIO_DIR) -> list[ScenarioInfo]:
    """The shipped scenarios, quick demo first, then by name."""
    items = _catalogue(directory.resolve()).values()
    return sorted(items, key=lambda s: (not s.name.startswith("snel"), s.name))


def find(name: str, *, field: str, directory: Path = SCENARIO_DIR) -> ScenarioInfo:
    """The shipped scenario of this name; InvalidInput naming the field otherwise."""
    found = _catalogue(directory.resolve()).get(name)
    if found is None:
        known = ", ".join(s.name for s in scenarios(directory))
        raise InvalidInput(f"onbekend scenario; kies een van: {known}", field=field)
    return found


def path_of(name: str, directory: Path = SCENARIO_DIR) -> Path:
    """The file of a shipped scenario."""
    return directory / f"{find(name, field='scenario', directory=directory).name}.yaml"
