"""Confidence intervals over replications that respect what a measure can be.

Three methods, each named in every report (`METHODS`), chosen by the kind of measure:
- a share (first-best rate, share out of region, 14-day norm) lies in [0, 1]: the Wilson
  score interval with the effective sample size of the replication means
  (n_eff = p(1 - p) / se^2, as for proportions from clustered samples, Korn and Graubard
  1998), with the t quantile; it never leaves [0, 1];
- a wait, count or stock is never negative: the Student t interval, its lower end cut at 0
  (the true mean is at least 0, so the cut keeps the coverage);
- a paired difference can have either sign: the plain Student t interval.

scipy is a development dependency only, so the t quantile is computed here: the exact
Student t distribution function for integer degrees of freedom (Abramowitz and Stegun
26.7.3 and 26.7.4), inverted by bisection. The tests compare it with scipy.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
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


class Method(StrEnum):
    """How an interval was computed; the value is what a report says."""

    T = "t"
    T_NONNEGATIVE = "t_nonnegative"
    WILSON = "wilson"


# The Dutch sentence every report shows for a method.
METHODS: dict[Method, str] = {
    Method.WILSON: (
        "aandelen: Wilson-score-interval met de effectieve steekproefomvang van de "
        "replicaties (blijft binnen 0 en 1)"
    ),
    Method.T_NONNEGATIVE: (
        "wachttijden en aantallen: t-interval over de replicaties, ondergrens niet onder 0"
    ),
    Method.T: "verschillen: t-interval over de gepaarde verschillen per replicatie",
}
# Keys of shares: totals and series that are a fraction of children (in [0, 1]).
_SHARE_ENDINGS = ("_rate", "_fraction", "_probability", "compliance", "compliance_in_region")


def is_share(key: str) -> bool:
    """True when the measure with this key is a share of children, in [0, 1]."""
    return key.endswith(_SHARE_ENDINGS)


@dataclass(frozen=True, slots=True)
class Estimate:
    """A mean over replications with its confidence interval; nan where undefined."""

    mean: float
    half_width: float
    sd: float
    n: int
    method: Method = Method.T
    # An interval that is not mean +- half_width (Wilson, or cut at 0): its two ends.
    bounds: tuple[float, float] | None = None

    @property
    def low(self) -> float:
        """Lower end of the confidence interval."""
        return self.mean - self.half_width if self.bounds is None else self.bounds[0]

    @property
    def high(self) -> float:
        """Upper end of the confidence interval."""
        return self.mean + self.half_width if self.bounds is None else self.bounds[1]

    def negated(self) -> Estimate:
        """The same estimate for minus the measure (a difference read the other way)."""
        bounds = None if self.bounds is None else (-self.bounds[1], -self.bounds[0])
        return Estimate(-self.mean, self.half_width, self.sd, self.n, self.method, bounds)

    def contains(self, value: float) -> bool:
        """True when value lies inside the confidence interval."""
        return self.low <= value <= self.high

    def to_dict(self) -> dict[str, float | int | str]:
        """Plain data, for JSON."""
        return {
            "mean": self.mean,
            "half_width": self.half_width,
            "low": self.low,
            "high": self.high,
            "sd": self.sd,
            "n": self.n,
            "method": self.method.value,
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


def estimate_share(values: Sequence[float], confidence: float = 0.95) -> Estimate:
    """A share over replications with its Wilson interval (effective n), within [0, 1]."""
    plain = estimate(values, confidence)
    p, n = plain.mean, plain.n
    if n < 2 or not math.isfinite(plain.half_width):
        return Estimate(p, plain.half_width, plain.sd, n, Method.WILSON)
    se = plain.sd / math.sqrt(n)
    if se == 0.0 or not 0.0 < p < 1.0:
        # Every replication gave the same share: no spread to widen the interval by.
        return Estimate(p, 0.0, plain.sd, n, Method.WILSON, (p, p))
    z = t_quantile(0.5 + confidence / 2.0, n - 1)
    # With the effective n = p (1 - p) / se^2, written without squaring se: a share near 0
    # or 1 has a tiny se, whose square underflows (Hypothesis found p ~ 1e-158).
    per_se = se / (p * (1.0 - p))  # 1 / (n_eff se)
    inv = per_se * se  # 1 / n_eff
    shrink = 1.0 + z * z * inv
    centre = (p + z * z * inv / 2.0) / shrink
    half = z * se * math.sqrt(1.0 + (z * per_se / 2.0) ** 2) / shrink
    low, high = max(0.0, centre - half), min(1.0, centre + half)
    return Estimate(p, (high - low) / 2.0, plain.sd, n, Method.WILSON, (low, high))


def estimate_nonnegative(values: Sequence[float], confidence: float = 0.95) -> Estimate:
    """A wait, count or stock over replications: the t interval with its low end at least 0."""
    plain = estimate(values, confidence)
    if not math.isfinite(plain.half_width):
        return Estimate(plain.mean, plain.half_width, plain.sd, plain.n, Method.T_NONNEGATIVE)
    low, high = max(0.0, plain.low), plain.high
    return Estimate(
        plain.mean, plain.half_width, plain.sd, plain.n, Method.T_NONNEGATIVE, (low, high)
    )


def estimate_measure(key: str, values: Sequence[float], confidence: float = 0.95) -> Estimate:
    """The estimate of a total or series point of a replication: Wilson for shares, else t cut
    at 0 (every total and series of a replication is a share, a wait, a count or a stock)."""
    if is_share(key):
        return estimate_share(values, confidence)
    return estimate_nonnegative(values, confidence)


def estimate_difference(key: str, values: Sequence[float], confidence: float = 0.95) -> Estimate:
    """Paired differences over replications: the t interval, for shares cut to [-1, 1]."""
    plain = estimate(values, confidence)
    if not is_share(key) or not math.isfinite(plain.half_width):
        return plain
    bounds = (max(-1.0, plain.low), min(1.0, plain.high))
    return Estimate(plain.mean, plain.half_width, plain.sd, plain.n, Method.T, bounds)


def methods_used(estimates: Sequence[Estimate]) -> list[str]:
    """The Dutch sentences for the methods behind these estimates, in a fixed order."""
    used = {e.method for e in estimates}
    return [text for method, text in METHODS.items() if method in used]
