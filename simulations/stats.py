"""Confidence intervals over replications: Student t quantiles without scipy.

scipy is a development dependency only, so the t quantile is computed here: the exact
Student t distribution function for integer degrees of freedom (Abramowitz and Stegun
26.7.3 and 26.7.4), inverted by bisection. The tests compare it with scipy.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from domain.errors import InvalidInput


def _t_central(t: float, df: int) -> float:
    """P(|T| <= t) for Student t with df degrees of freedom, t >= 0."""
    theta = math.atan(t / math.sqrt(df))
    s, c = math.sin(theta), math.cos(theta)
    if df % 2 == 1:
        if df == 1:
            return 2.0 * theta / math.pi
        term, total = c, c
        for k in range(3, df - 1, 2):
            term *= c * c * (k - 1) / k
            total += term
        return 2.0 / math.pi * (theta + s * total)
    term, total = 1.0, 1.0
    for k in range(2, df - 1, 2):
        term *= c * c * (k - 1) / k
        total += term
    return s * total


@lru_cache(maxsize=1024)
def t_quantile(p: float, df: int) -> float:
    """The p-quantile (p > 0.5) of Student t with df >= 1 degrees of freedom."""
    if not 0.5 < p < 1.0:
        raise InvalidInput("moet tussen 0,5 en 1 liggen", field="p")
    if df < 1:
        raise InvalidInput("moet minstens 1 zijn", field="df")
    target = 2.0 * p - 1.0
    lo, hi = 0.0, 1.0
    while _t_central(hi, df) < target:
        hi *= 2.0
    for _ in range(200):
        mid = (lo + hi) / 2.0
        if mid in (lo, hi):
            break
        if _t_central(mid, df) < target:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2.0


@dataclass(frozen=True, slots=True)
class Estimate:
    """A mean over replications with its confidence interval; nan where undefined."""

    mean: float
    half_width: float
    sd: float
    n: int

    @property
    def low(self) -> float:
        """Lower end of the confidence interval."""
        return self.mean - self.half_width

    @property
    def high(self) -> float:
        """Upper end of the confidence interval."""
        return self.mean + self.half_width

    def contains(self, value: float) -> bool:
        """True when value lies inside the confidence interval."""
        return self.low <= value <= self.high

    def to_dict(self) -> dict[str, float | int]:
        """Plain data, for JSON."""
        return {
            "mean": self.mean,
            "half_width": self.half_width,
            "low": self.low,
            "high": self.high,
            "sd": self.sd,
            "n": self.n,
        }


def estimate(values: Sequence[float], confidence: float = 0.95) -> Estimate:
    """Mean, sample sd and t-based confidence half-width of the finite values."""
    if not 0.0 < confidence < 1.0:
        raise InvalidInput("moet tussen 0 en 1 liggen", field="confidence")
    xs = [v for v in values if math.isfinite(v)]
    n = len(xs)
    if n == 0:
        return Estimate(math.nan, math.nan, math.nan, 0)
    mean = math.fsum(xs) / n
    if n == 1:
        return Estimate(mean, math.nan, math.nan, 1)
    sd = math.sqrt(math.fsum((x - mean) ** 2 for x in xs) / (n - 1))
    half = t_quantile(0.5 + confidence / 2.0, n - 1) * sd / math.sqrt(n)
    return Estimate(mean, half, sd, n)
