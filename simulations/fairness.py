"""Results per group (municipality, age band), and whether a group pays for another's gain.

DOMAIN.md section 12: a policy is judged per municipality and age band, so that no group
does systematically worse than under placement by hand (greedy FCFS). Per replication,
`group_totals` adds, for the children who arrived in the window, `timeouts` and per group:
- `group.<kind>.<name>.arrivals`: arrivals;
- `group.<kind>.<name>.p90_wait_days`: 90th percentile of the wait of the resolved;
- `group.<kind>.<name>.timeouts`: children who reached the waiting limit (max_queue_days)
  without a place in region: sent out of region at the limit, or still waiting past it at
  the horizon (0 when the scenario has no limit);
- `group.<kind>.<name>.out_of_region`: placed out of region (for any reason).
`kind` is `gemeente` (the home municipality) or `leeftijd` (domain.profile_vocabulary.AgeBand, the
bands of the planner's availability aggregate: 0-11, 12-17, 18+).

These keys sit among the other totals, so the Monte Carlo summary and the paired
differences of a comparison cover them. `fairness_rows` reads a comparison: per group and
measure the paired difference policy minus reference (greedy FCFS) with its interval, and
flags a group whose interval lies entirely on the worse side (all three measures: more is
worse). `planner_count` hides small counts for the planner, like placements.disclosure
(which simulations may not import: same layer); the caller passes the threshold.
"""

from __future__ import annotations

import contextlib
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from domain.nl_format import number
from domain.people import age_band
from domain.places import Municipality
from domain.profile_vocabulary import AgeBand
from simulations.stats import Estimate

if TYPE_CHECKING:  # study -> montecarlo -> outputs imports this module
    from simulations.study import StudyResult

GROUP = "group."
KINDS = {"gemeente": "gemeente", "leeftijd": "leeftijdsgroep"}
# The measures per group, with their Dutch labels; for each, more is worse.
MEASURES: dict[str, str] = {
    "p90_wait_days": "90e percentiel wachttijd (dagen)",
    "timeouts": "wachtgrens overschreden (aantal)",
    "out_of_region": "buiten de regio geplaatst (aantal)",
}
COUNTS = ("arrivals", "timeouts", "out_of_region")
HIDDEN = "afgeschermd"
GREEDY = "greedy_fcfs"


def group_totals(
    *,
    home: list[str],
    age: np.ndarray,
    window: np.ndarray,
    wait: np.ndarray,
    resolved: np.ndarray,
    out: np.ndarray,
    limit: float | None,
    horizon_left: np.ndarray,
) -> dict[str, float]:
    """Per municipality and age band: arrivals, p90 wait, time-outs, out of region.

    `wait` is arrival to resolution (nan while waiting); `horizon_left` is horizon minus
    arrival (how long a child still waiting at the horizon has waited)."""
    reached = np.zeros(len(wait), dtype=bool)
    if limit is not None and math.isfinite(limit):
        with np.errstate(invalid="ignore"):
            reached = (out & (wait >= limit)) | (~resolved & (horizon_left >= limit))
    homes = np.asarray(home, dtype=object)
    bands = np.asarray([age_band(int(a)).value if a >= 0 else "" for a in age], dtype=object)
    totals: dict[str, float] = {"timeouts": float((window & reached).sum())}
    for kind, labels in (("gemeente", homes), ("leeftijd", bands)):
        for name in sorted({str(x) for x in labels[window]} - {""}):
            mine = window & (labels == name)
            waits = wait[mine & resolved]
            key = f"{GROUP}{kind}.{name}."
            totals[key + "arrivals"] = float(mine.sum())
            totals[key + "p90_wait_days"] = (
                float(np.quantile(waits, 0.9)) if len(waits) else math.nan
            )
            totals[key + "timeouts"] = float((mine & reached).sum())
            totals[key + "out_of_region"] = float((mine & out).sum())
    return totals


def split_key(key: str) -> tuple[str, str, str] | None:
    """(kind, group name, measure) of a group key; None for other keys."""
    if not key.startswith(GROUP):
        return None
    kind, rest = key[len(GROUP) :].split(".", 1)
    name, measure = rest.rsplit(".", 1)
    return kind, name, measure


def groups_of(totals: dict[str, Estimate]) -> list[tuple[str, str]]:
    """The (kind, name) groups in these totals: municipalities first, then age bands."""
    found = {(p[0], p[1]) for k in totals if (p := split_key(k)) is not None}
    order = {b.value: i for i, b in enumerate(AgeBand)}
    return sorted(found, key=lambda g: (list(KINDS).index(g[0]), order.get(g[1], 99), g[1]))


def planner_count(value: float, threshold: int) -> str:
    """A mean count as the planner sees it: '<5' for a count between 0 and the threshold."""
    if not math.isfinite(value):
        return "-"
    if 0 < value < threshold:
        return f"<{threshold}"
    return number(value)


def is_small(value: float, threshold: int) -> bool:
    """True when the planner may not see this (mean) count."""
    return math.isfinite(value) and 0 < value < threshold


@dataclass(frozen=True)
class FairnessRow:
    """One group and measure: the policy, the reference, and their paired difference."""

    kind: str
    group: str
    measure: str
    policy: Estimate
    reference: Estimate
    difference: Estimate  # policy minus reference
    hidden: bool  # a count behind this row is small: the planner sees no figures

    @property
    def worse(self) -> bool:
        """The policy is systematically worse: the whole interval is on the worse side."""
        d = self.difference
        return math.isfinite(d.low) and d.low > 0

    @property
    def better(self) -> bool:
        """The policy is systematically better for this group."""
        d = self.difference
        return math.isfinite(d.high) and d.high < 0


def reference_side(policies: tuple[str, str]) -> int:
    """Which of (first, second) is the reference: the greedy FCFS one, else the second."""
    first, second = policies
    if first == GREEDY and second != GREEDY:
        return 0
    return 1


def fairness_rows(
    first: dict[str, Estimate],
    second: dict[str, Estimate],
    differences: dict[str, Estimate],
    *,
    reference: int,
    threshold: int,
) -> list[FairnessRow]:
    """Per group and measure, policy against reference; `differences` are second - first."""
    policy, ref = (second, first) if reference == 0 else (first, second)
    sign = 1.0 if reference == 0 else -1.0
    rows = []
    for kind, name in groups_of(first):
        base = f"{GROUP}{kind}.{name}."
        small_arrivals = any(
            is_small(side.get(base + "arrivals", _NAN).mean, threshold) for side in (first, second)
        )
        for measure in MEASURES:
            key = base + measure
            d = differences.get(key)
            if d is None or key not in policy or key not in ref:
                continue
            counts = [key] if measure in COUNTS else []
            hidden = small_arrivals or any(
                is_small(side[c].mean, threshold) for side in (first, second) for c in counts
            )
            diff = d if sign > 0 else d.negated()
            rows.append(FairnessRow(kind, name, measure, policy[key], ref[key], diff, hidden))
    return rows


_NAN = Estimate(math.nan, math.nan, math.nan, 0)


def _fmt(x: float) -> str:
    return number(x, 3)


def group_label(kind: str, name: str) -> str:
    """'gemeente Almere' for a municipality's CBS code; the name itself for other groups."""
    if kind == "gemeente":
        with contextlib.suppress(ValueError):
            name = Municipality(name).label
    return f"{KINDS[kind]} {name}"


def row_cells(row: FairnessRow, threshold: int) -> list[str]:
    """The Dutch cells of a row for the planner: group, measure, policy, reference,
    difference [95%], verdict; small counts and what follows them hidden."""
    label = group_label(row.kind, row.group)
    if row.measure in COUNTS:
        policy = planner_count(row.policy.mean, threshold)
        reference = planner_count(row.reference.mean, threshold)
    else:
        policy, reference = _fmt(row.policy.mean), _fmt(row.reference.mean)
    # The verdict shows even when the figures are hidden: it points at no child.
    verdict = "SLECHTER dan referentie" if row.worse else ("beter" if row.better else "")
    if row.hidden:
        if row.measure not in COUNTS:
            policy = reference = HIDDEN
        return [label, MEASURES[row.measure], policy, reference, HIDDEN, verdict]
    d = row.difference
    diff = f"{_fmt(d.mean)} [{_fmt(d.low)}; {_fmt(d.high)}]"
    return [label, MEASURES[row.measure], policy, reference, diff, verdict]


FAIRNESS_HEADER = ["groep", "maat", "beleid", "referentie", "verschil [95%]", "oordeel"]


def study_fairness(study: StudyResult, threshold: int) -> list[FairnessRow]:
    """The fairness rows of a comparison (none for a single scenario)."""
    comparison = study.comparison
    if comparison is None:
        return []
    policies = (comparison.base.scenario["policy"], comparison.alternative.scenario["policy"])
    return fairness_rows(
        comparison.base.totals, comparison.alternative.totals, comparison.differences,
        reference=reference_side(policies), threshold=threshold,
    )  # fmt: skip


GROUP_HEADER = ["groep", "aanmeldingen", *MEASURES.values()]


def group_cells(totals: dict[str, Estimate], threshold: int) -> list[list[str]]:
    """Per group of one scenario: arrivals and the measures (means), small counts hidden."""
    rows = []
    for kind, name in groups_of(totals):
        base = f"{GROUP}{kind}.{name}."
        arrivals = totals.get(base + "arrivals", _NAN).mean
        cells = [group_label(kind, name), planner_count(arrivals, threshold)]
        for measure in MEASURES:
            value = totals.get(base + measure, _NAN).mean
            if measure in COUNTS:
                cells.append(planner_count(value, threshold))
            else:
                cells.append(HIDDEN if is_small(arrivals, threshold) else _fmt(value))
        rows.append(cells)
    return rows


def fairness_note(rows: list[FairnessRow]) -> str:
    """One Dutch sentence: which groups do systematically worse than the reference."""
    worse = sorted(
        {f"{group_label(r.kind, r.group)} ({MEASURES[r.measure]})" for r in rows if r.worse}
    )
    if not worse:
        return "Geen groep doet het systematisch slechter dan de referentie."
    return "Systematisch slechter dan de referentie: " + "; ".join(worse) + "."
