"""Placement policies as data: the shipped ones load, bad files name the field."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from domain.errors import ConfigError
from matcher.policies import load_policy, shipped_policy
from matcher.weights import default_weights

SHIPPED = Path(shipped_policy().source)


def test_shipped_policies_are_named_in_their_weights() -> None:
    ordered, standard = shipped_policy("regio-volgorde"), shipped_policy("standaard")
    assert ordered.levels == ("urgentie", "plaatsing", "regio", "zorgvorm", "nabijheid")
    assert (ordered.weights.name, ordered.weights.version) == (ordered.name, ordered.version)
    assert standard.levels == ()
    assert standard.weights.params == default_weights().params
    assert standard.weights.name == "standaard"


def test_urgency_grows_without_a_cap() -> None:
    weights = shipped_policy().weights
    start = min(d.days - d.lead_days for d in weights.deadlines)  # the first ramp begins
    days = (0, start, start + 1, 182, 365, 1000)
    points = [weights.waited_points(d) for d in days]
    assert points[0] == points[1] == 0
    assert points == sorted(points) and len(set(points[1:])) == len(days) - 1


def _with(change: dict[str, object], tmp_path: Path) -> Path:
    raw = yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))
    raw.update(change)
    path = tmp_path / "beleid.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    return path


def _levels(**params: object) -> list[dict[str, object]]:
    raw = yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))["levels"]
    out = []
    for item in raw:
        ((name, value),) = item.items()
        out.append({name: params.get(name, value)})
    return out


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"levels": _levels()[1:]}, "levels[0]"),
        ({"levels": [*_levels()[:1], *_levels()[2:]]}, "levels"),
        ({"levels": _levels(regio={"radius_km": -5})}, "levels.regio.radius_km"),
        ({"levels": _levels(regio={"straal": 5})}, "levels.regio.straal"),
        ({"levels": _levels(urgentie={"deadlines": []})}, "levels.urgentie.deadlines"),
        (
            {
                "levels": _levels(
                    urgentie={
                        "deadlines": [{"name": "n", "days": 14, "lead_days": 20, "per_day": 1}]
                    }
                )
            },
            "levels.urgentie.deadlines[0].lead_days",
        ),
        ({"levels": _levels(nabijheid={"distance": {"per_km": 2}})}, "levels.nabijheid.school"),
        ({"first_best": {"max_wait_days": "zes weken"}}, "first_best.max_wait_days"),
        ({"first_best": {"take_free_alternative": "ja"}}, "first_best.take_free_alternative"),
        (
            {"levels": _levels(regio={"wait_days": 91, "expected_days": 120})},
            "levels.regio.expected_days",
        ),
        ({"levels": _levels(regio={"expected_days": -1})}, "levels.regio.expected_days"),
        ({"weights": "../weights/default.yaml"}, "levels"),
        ({"prioriteit": 1}, "prioriteit"),
    ],
)
def test_a_bad_policy_names_the_field(
    change: dict[str, object], field: str, tmp_path: Path
) -> None:
    with pytest.raises(ConfigError) as caught:
        load_policy(_with(change, tmp_path))
    assert caught.value.field == field
