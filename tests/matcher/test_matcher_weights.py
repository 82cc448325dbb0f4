"""The weight file: versioned, complete, validated with errors naming file and term."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from domain.errors import ConfigError
from matcher.weights import DEFAULT_WEIGHTS, TERMS, default_weights, load_weights


def _write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "weights.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def _default() -> dict[str, object]:
    data = yaml.safe_load(DEFAULT_WEIGHTS.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_default_weights_load_with_a_version() -> None:
    w = default_weights()
    assert w.version and w.name
    assert set(w.params) == set(TERMS)
    assert w.min_pair_score() > 0


@pytest.mark.parametrize("term", TERMS)
def test_a_missing_term_names_file_and_term(tmp_path: Path, term: str) -> None:
    data = _default()
    terms = data["terms"]
    assert isinstance(terms, dict)
    del terms[term]
    path = _write(tmp_path, data)
    with pytest.raises(ConfigError) as err:
        load_weights(path)
    assert err.value.file == str(path)
    assert err.value.field == f"terms.{term}"
    assert term in str(err.value)


@pytest.mark.parametrize(
    ("edit", "field"),
    [
        (lambda d: d["terms"].update(extra={"points": 1}), "terms.extra"),
        (lambda d: d["terms"]["distance"].update(per_km=2), "terms.distance"),
        (lambda d: d["terms"]["school"].update(neighbouring=1.5), "terms.school"),
        (lambda d: d["terms"]["waiting"].pop("max_weeks"), "terms.waiting"),
        (lambda d: d["terms"]["base"].update(points=10), "terms.base"),
        (lambda d: d.pop("version"), "version"),
    ],
)
def test_bad_weight_files_are_refused(tmp_path: Path, edit: object, field: str) -> None:
    data = _default()
    edit(data)  # type: ignore[operator]
    with pytest.raises(ConfigError) as err:
        load_weights(_write(tmp_path, data))
    assert err.value.field == field


def test_unreadable_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError):
        load_weights(tmp_path / "missing.yaml")
