"""Per-child records of one replication: what both engine loops fill, child by child.

`ChildRecords` holds, indexed by arrival order, each child's need, placement (in region:
start, end, unit, care form, rank; out of region: when, for how long, how far from home)
and the reason of a deviation from first-best, as a code into `reasons`. The general loop
(simulations.general_loop) and the single-pool loop (simulations.single_pool) fill it the
same way; simulations.outputs derives every statistic from it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from simulations.distributions import FloatArray
from simulations.regions import OTHER_REGION, OTHER_REGION_LABEL

# The deviation reasons the engine records (a policy may give its own with an assignment).
OUT_OF_REGION = "out_of_region"
NO_PLACE_EXPECTED = "no_place_expected"
FIRST_BEST_FULL = "first_best_full"
POLICY_CHOICE = "policy_choice"
MATCHER_CHOICE = "matcher_choice"  # the optimizer's reason (simulations.matching)

# Their Dutch labels, for the reports.
DEVIATION_LABELS: dict[str, str] = {
    OUT_OF_REGION: "buiten de regio geplaatst: geen passende plaats",
    NO_PLACE_EXPECTED: "buiten de regio geplaatst: geen passende plaats in de regio verwacht"
    " binnen de termijn van het beleid",
    FIRST_BEST_FULL: "alternatief: geen plaats in de first-best zorgvorm",
    POLICY_CHOICE: "alternatief gekozen terwijl first-best vrij was",
    MATCHER_CHOICE: "alternatief door de matcher gekozen terwijl first-best vrij was",
    OTHER_REGION: OTHER_REGION_LABEL,
}


@dataclass
class ChildRecords:
    """What happened to each child, indexed by arrival order."""

    arrival: FloatArray
    forms: tuple[str, ...]
    units: tuple[str, ...]
    start: FloatArray
    end: FloatArray
    resolved: FloatArray
    outcome: np.ndarray  # 0 still waiting, 1 placed in region, 2 out of region
    unit: np.ndarray
    placed_form: np.ndarray
    rank: np.ndarray
    reason: np.ndarray
    need_form: list[str]
    reasons: list[str] = field(default_factory=list)
    declined: int = 0
    # Children already in care on day 0 (not arrivals): when each leaves, and its form.
    initial_end: FloatArray = field(default_factory=lambda: np.zeros(0))
    initial_form: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int32))
    # With sibling groups: per child, the index of its arrival event's first child.
    group: np.ndarray | None = None
    # Per child: home municipality ("" unknown) and age (-1 unknown), for the group results.
    home: list[str] = field(default_factory=list)
    age: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int16))
    # Per child placed out of region: when its stay there ends (nan otherwise), and how far
    # that place is from its home (km; nan when unknown: simulations.out_of_region).
    away_end: FloatArray = field(default_factory=lambda: np.zeros(0))
    away_km: FloatArray = field(default_factory=lambda: np.zeros(0))

    @classmethod
    def empty(
        cls, arrival: FloatArray, *, forms: tuple[str, ...], units: tuple[str, ...]
    ) -> ChildRecords:
        """Records for these arrivals, nothing happened yet."""
        n = len(arrival)
        nan = np.full(n, math.nan)
        minus = np.full(n, -1, dtype=np.int32)
        need = [forms[0]] * n if len(forms) == 1 else [""] * n
        return cls(
            arrival, forms, units, nan, nan.copy(), nan.copy(), np.zeros(n, dtype=np.int8),
            minus, minus.copy(), minus.copy(), minus.copy(), need,
            home=[""] * n, age=np.full(n, -1, dtype=np.int16), away_end=nan.copy(),
            away_km=nan.copy(),
        )  # fmt: skip

    def reason_code(self, reason: str) -> int:
        """The integer code of a deviation reason, adding it when new."""
        if reason not in self.reasons:
            self.reasons.append(reason)
        return self.reasons.index(reason)

    def set_need(
        self, child: int, first_best: str, *, home: str = "", age: int | None = None
    ) -> None:
        """Record the child's first-best care form, home municipality and age."""
        self.need_form[child] = first_best
        self.home[child] = home
        self.age[child] = -1 if age is None else age

    def place(
        self, child: int, start: float, end: float, *, unit: int, form: int, rank: int, reason: int
    ) -> None:
        """Record a placement in region."""
        self.start[child], self.end[child], self.resolved[child] = start, end, start
        self.outcome[child], self.unit[child], self.placed_form[child] = 1, unit, form
        self.rank[child], self.reason[child] = rank, reason

    def out_of_region(
        self, child: int, now: float, stay: float, reason: str = OUT_OF_REGION
    ) -> None:
        """Record a placement out of region, in care there for `stay` days."""
        self.resolved[child], self.outcome[child] = now, 2
        self.away_end[child] = now + stay
        self.reason[child] = self.reason_code(reason)
