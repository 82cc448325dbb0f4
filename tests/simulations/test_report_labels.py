"""Every figure a simulation writes to its CSV files has a Dutch name, not its key."""

from __future__ import annotations

import re
from pathlib import Path

from simulations.engine import simulate
from simulations.report import metric_label
from simulations.scenario import load_scenario

SCENARIOS = Path(__file__).parents[2] / "simulations" / "scenarios"


def test_every_total_and_series_of_a_run_has_a_dutch_label() -> None:
    loaded = load_scenario(SCENARIOS / "snel.yaml")
    result = simulate(loaded.scenario, loaded.settings, seed=loaded.seed)
    keys = [*result.totals, *result.series]
    assert any(k.startswith("deviations.") for k in keys)
    assert any(k.startswith("group.gemeente.") for k in keys)
    for key in keys:
        label = metric_label(key)
        assert label != key, key
        # No code is left: no key with underscores or dots, no CBS code.
        assert not re.search(r"\w_\w|\w\.\w|GM\d{4}", label), (key, label)


def test_labels_name_the_reason_the_group_and_the_care_form() -> None:
    assert metric_label("deviations.first_best_full") == (
        "afwijking: alternatief: geen plaats in de first-best zorgvorm"
    )
    assert metric_label("group.leeftijd.0-11.timeouts") == (
        "leeftijdsgroep 0-11: wachtgrens overschreden (aantal)"
    )
    assert metric_label("utilisation.gezinshuis") == "benutting gezinshuis"
    assert metric_label("deviations.eigen_reden") == "afwijking: eigen reden"
