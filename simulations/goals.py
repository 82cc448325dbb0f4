"""Issue 19's acceptance against placement by hand: how far a policy is from its goals.

A comparison `servicepunt simulate POLICY.yaml --compare GREEDY.yaml` runs the policy (first)
and the reference (second) on the same random numbers. The policy beats the reference on a
measure when the paired 95% interval of (policy - reference) lies wholly on the better side
of zero. The goals are relative: first-best rate at least 20 % higher, placements out of
region at least 30 % fewer than the reference (issue 19; a local aim of the region, not a
public norm).
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.nl_format import number
from simulations.montecarlo import Comparison
from simulations.study import KEY_METRICS

# The five measures the policy must beat the reference on: +1 higher is better, -1 lower.
BETTER: dict[str, int] = {
    "first_best_rate": 1,
    "out_of_region": -1,
    "mean_wait_days": -1,
    "p90_wait_days": -1,
    "norm_compliance": 1,
}
# Relative goals: (policy / reference - 1) at least (+) or at most (-) this.
GOALS: dict[str, float] = {"first_best_rate": 0.20, "out_of_region": -0.30}


@dataclass(frozen=True, slots=True)
class Measure:
    """One measure of a comparison: policy against reference."""

    key: str
    policy: float
    reference: float
    low: float  # paired 95% interval of policy - reference
    high: float

    @property
    def relative(self) -> float:
        """policy / reference - 1 (nan when the reference is 0)."""
        return self.policy / self.reference - 1 if self.reference else float("nan")

    @property
    def beats(self) -> bool:
        """The whole interval on the better side of zero."""
        return self.low > 0 if BETTER[self.key] > 0 else self.high < 0


def measures(comparison: Comparison) -> list[Measure]:
    """The five measures of a comparison (policy first, reference second)."""
    out = []
    for key in BETTER:
        d = comparison.differences[key]  # reference - policy (second minus first)
        out.append(
            Measure(
                key,
                comparison.base.totals[key].mean,
                comparison.alternative.totals[key].mean,
                -d.high,
                -d.low,
            )
        )
    return out


def _pct(x: float) -> str:
    return f"{x * 100:+.1f} %".replace(".", ",")


def goal_lines(comparison: Comparison) -> list[str]:
    """Dutch lines: per measure whether the policy beats the reference, and the distance to
    the relative goals."""
    found = measures(comparison)
    lines = ["tegen de referentie (beleid min referentie, gepaard 95%):"]
    for m in found:
        verdict = "beter" if m.beats else "niet aantoonbaar beter"
        interval = f"[{number(m.low)}; {number(m.high)}]"
        lines.append(f"{KEY_METRICS[m.key]}: {_pct(m.relative)} {interval} {verdict}")
        goal = GOALS.get(m.key)
        if goal is not None:
            sign = "≥" if goal > 0 else "≤"
            gap = goal - m.relative if goal > 0 else m.relative - goal
            status = (
                "gehaald" if gap <= 1e-9 else f"nog {gap * 100:.1f} procentpunt".replace(".", ",")
            )
            lines.append(f"  doel {sign} {_pct(goal)}: {status}")
    missing = [KEY_METRICS[m.key] for m in found if not m.beats]
    lines.append(
        "Beter dan de referentie op alle vijf maten."
        if not missing
        else "Niet aantoonbaar beter op: " + "; ".join(missing) + "."
    )
    return lines
