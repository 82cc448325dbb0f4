"""Length-of-stay and inter-arrival distributions, and arrival rates with trend and season.

`ArrivalRate` is one rate; `GroupArrivalRates` is the rates of several arrival groups (e.g.
municipality x age band), each with its own trend and season, summed for the process.

Every distribution samples by inverse transform from uniforms (`ppf`). The engine draws one
uniform per child from the stays stream, so the same child gets the same quantile of its
stay in every scenario, whatever care form it ends up in: common random numbers.
Parameters are validated on construction; errors name the field (in Dutch, for users).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from domain.errors import InvalidInput

FloatArray = NDArray[np.float64]

DAYS_PER_YEAR = 365.0

# Wichura (1988), algorithm AS241, the same coefficients as CPython's statistics.NormalDist.
_CENTRAL_NUM = (
    2.5090809287301226727e3, 3.3430575583588128105e4, 6.7265770927008700853e4,
    4.5921953931549871457e4, 1.3731693765509461125e4, 1.9715909503065514427e3,
    1.3314166789178437745e2, 3.3871328727963666080e0,
)  # fmt: skip
_CENTRAL_DEN = (
    5.2264952788528545610e3, 2.8729085735721942674e4, 3.9307895800092710610e4,
    2.1213794301586595867e4, 5.3941960214247511077e3, 6.8718700749205790830e2,
    4.2313330701600911252e1, 1.0,
)  # fmt: skip
_NEAR_NUM = (
    7.74545014278341407640e-4, 2.27238449892691845833e-2, 2.41780725177450611770e-1,
    1.27045825245236838258e0, 3.64784832476320460504e0, 5.76949722146069140550e0,
    4.63033784615654529590e0, 1.42343711074968357734e0,
)  # fmt: skip
_NEAR_DEN = (
    1.05075007164441684324e-9, 5.47593808499534494600e-4, 1.51986665636164571966e-2,
    1.48103976427480074590e-1, 6.89767334985100004550e-1, 1.67638483018380384940e0,
    2.05319162663775882187e0, 1.0,
)  # fmt: skip
_TAIL_NUM = (
    2.01033439929228813265e-7, 2.71155556874348757815e-5, 1.24266094738807843860e-3,
    2.65321895265761230930e-2, 2.96560571828504891230e-1, 1.78482653991729133580e0,
    5.46378491116411436990e0, 6.65790464350110377720e0,
)  # fmt: skip
_TAIL_DEN = (
    2.04426310338993978564e-15, 1.42151175831644588870e-7, 1.84631831751005468180e-5,
    7.86869131145613259100e-4, 1.48753612908506148525e-2, 1.36929880922735805310e-1,
    5.99832206555887937690e-1, 1.0,
)  # fmt: skip


def normal_ppf(u: FloatArray) -> FloatArray:
    """Standard normal quantiles of u in (0, 1), vectorised (AS241, relative error ~1e-16)."""
    u = np.asarray(u, dtype=np.float64)
    q = u - 0.5
    out = np.empty_like(u)
    central = np.abs(q) <= 0.425
    qc = q[central]
    r = 0.180625 - qc * qc
    out[central] = qc * np.polyval(_CENTRAL_NUM, r) / np.polyval(_CENTRAL_DEN, r)
    outer = ~central
    qo = q[outer]
    r = np.sqrt(-np.log(np.where(qo <= 0.0, u[outer], 1.0 - u[outer])))
    near = r <= 5.0
    x = np.empty_like(r)
    rn = r[near] - 1.6
    x[near] = np.polyval(_NEAR_NUM, rn) / np.polyval(_NEAR_DEN, rn)
    rt = r[~near] - 5.0
    x[~near] = np.polyval(_TAIL_NUM, rt) / np.polyval(_TAIL_DEN, rt)
    out[outer] = np.where(qo < 0.0, -x, x)
    return out


def uniforms(rng: np.random.Generator, size: int) -> FloatArray:
    """Uniforms strictly inside (0, 1), so every quantile function stays finite."""
    # Generator.random gives multiples of 2**-53 in [0, 1); a half step moves them inside.
    return rng.random(size) + 2.0**-54


def _positive(value: float, field: str) -> float:
    if not math.isfinite(value) or value <= 0:
        raise InvalidInput("moet een eindig getal groter dan 0 zijn", field=field)
    return float(value)


@dataclass(frozen=True, slots=True)
class Exponential:
    """Exponential with the given mean (days)."""

    mean: float

    def __post_init__(self) -> None:
        _positive(self.mean, "mean")

    def ppf(self, u: FloatArray) -> FloatArray:
        """Quantiles for uniforms u in (0, 1)."""
        return -self.mean * np.log1p(-np.asarray(u, dtype=np.float64))

    def describe(self) -> dict[str, Any]:
        """Plain-data form, for outputs that must name what shaped them."""
        return {"kind": "exponential", "mean": self.mean}


@dataclass(frozen=True, slots=True)
class Lognormal:
    """Lognormal with the given mean (days) and either a coefficient of variation or sigma."""

    mean: float
    cv: float | None = None
    sigma: float | None = None

    def __post_init__(self) -> None:
        _positive(self.mean, "mean")
        if (self.cv is None) == (self.sigma is None):
            raise InvalidInput("geef precies een van cv en sigma", field="sigma")
        if self.cv is not None:
            _positive(self.cv, "cv")
        if self.sigma is not None:
            _positive(self.sigma, "sigma")

    @property
    def shape(self) -> float:
        """Sigma of the underlying normal."""
        if self.sigma is not None:
            return self.sigma
        assert self.cv is not None  # checked on construction
        return math.sqrt(math.log1p(self.cv * self.cv))

    @property
    def location(self) -> float:
        """Mu of the underlying normal, chosen so the mean is `mean`."""
        return math.log(self.mean) - self.shape**2 / 2.0

    def ppf(self, u: FloatArray) -> FloatArray:
        """Quantiles for uniforms u in (0, 1)."""
        return np.exp(self.location + self.shape * normal_ppf(u))

    def describe(self) -> dict[str, Any]:
        """Plain-data form, for outputs that must name what shaped them."""
        return {"kind": "lognormal", "mean": self.mean, "sigma": self.shape}


@dataclass(frozen=True, slots=True)
class Empirical:
    """Resampling from observed values (for example registered lengths of stay in days)."""

    samples: tuple[float, ...]

    def __post_init__(self) -> None:
        if len(self.samples) == 0:
            raise InvalidInput("mag niet leeg zijn", field="samples")
        for i, value in enumerate(self.samples):
            if not math.isfinite(value) or value < 0:
                raise InvalidInput("moet eindig en niet negatief zijn", field=f"samples[{i}]")
        if max(self.samples) <= 0:
            raise InvalidInput("minstens een waarde moet groter dan 0 zijn", field="samples")
        object.__setattr__(self, "samples", tuple(sorted(float(v) for v in self.samples)))

    @property
    def mean(self) -> float:
        """Mean of the samples."""
        return math.fsum(self.samples) / len(self.samples)

    def ppf(self, u: FloatArray) -> FloatArray:
        """Quantiles for uniforms u in (0, 1): each sample equally likely."""
        values = np.asarray(self.samples, dtype=np.float64)
        index = np.minimum((np.asarray(u) * len(values)).astype(np.int64), len(values) - 1)
        return values[index]

    def describe(self) -> dict[str, Any]:
        """Plain-data form, for outputs that must name what shaped them."""
        return {"kind": "empirical", "n": len(self.samples), "mean": self.mean}


Distribution = Exponential | Lognormal | Empirical


def residual_ppf(dist: Distribution, u_length: FloatArray, u_elapsed: FloatArray) -> FloatArray:
    """Remaining stays of children found in care at a random moment (equilibrium residual).

    A child in care at a random moment has a length-biased stay (density s f(s) / mean), of
    which a uniform fraction is still to come. Length-biased exponential is Gamma(2, mean);
    length-biased lognormal(mu, sigma) is lognormal(mu + sigma^2, sigma); length-biased
    empirical draws each sample with weight proportional to its value.
    """
    u1 = np.asarray(u_length, dtype=np.float64)
    left = 1.0 - np.asarray(u_elapsed, dtype=np.float64)
    if isinstance(dist, Exponential):
        return -dist.mean * np.log1p(-u1)  # memoryless: the residual is the stay itself
    if isinstance(dist, Lognormal):
        biased = np.exp(dist.location + dist.shape**2 + dist.shape * normal_ppf(u1))
        return np.asarray(biased * left, dtype=np.float64)
    values = np.asarray(dist.samples, dtype=np.float64)
    cdf = np.cumsum(values) / values.sum()
    index = np.minimum(np.searchsorted(cdf, u1, side="right"), len(values) - 1)
    return np.asarray(values[index] * left, dtype=np.float64)


def distribution_from_dict(data: Mapping[str, Any], *, field: str) -> Distribution:
    """A distribution from scenario data, e.g. {"kind": "lognormal", "mean": 90, "cv": 1}."""
    kind = data.get("kind")
    known = {"exponential": Exponential, "lognormal": Lognormal, "empirical": Empirical}
    if kind not in known:
        raise InvalidInput(f"onbekende verdeling; kies uit {', '.join(sorted(known))}", field=field)
    params = {k: v for k, v in data.items() if k != "kind"}
    allowed = {f.name for f in dataclasses.fields(known[kind])}
    for name in params:
        if name not in allowed:
            raise InvalidInput("onbekend veld", field=f"{field}.{name}")
    try:
        if kind == "empirical":
            return Empirical(tuple(float(v) for v in params.pop("samples", ())), **params)
        return known[kind](**params)  # type: ignore[no-any-return]
    except InvalidInput as exc:
        raise InvalidInput(exc.detail, field=f"{field}.{exc.field}") from exc
    except (TypeError, ValueError) as exc:
        raise InvalidInput("ongeldige of onbekende parameters", field=field) from exc


@dataclass(frozen=True, slots=True)
class ArrivalRate:
    """Arrivals per day with a linear trend and a yearly season.

    rate(t) = per_day * max(0, 1 + trend_per_year * t / 365)
              * (1 + season_amplitude * cos(2 pi (t - peak_day) / 365))
    """

    per_day: float
    trend_per_year: float = 0.0
    season_amplitude: float = 0.0
    peak_day: float = 0.0

    def __post_init__(self) -> None:
        _positive(self.per_day, "per_day")
        if not math.isfinite(self.trend_per_year):
            raise InvalidInput("moet een eindig getal zijn", field="trend_per_year")
        if not 0.0 <= self.season_amplitude < 1.0:
            raise InvalidInput("moet in [0, 1) liggen", field="season_amplitude")
        if not math.isfinite(self.peak_day):
            raise InvalidInput("moet een eindig getal zijn", field="peak_day")

    @property
    def homogeneous(self) -> bool:
        """True when the rate is constant in time."""
        return self.trend_per_year == 0.0 and self.season_amplitude == 0.0

    def rate(self, t: FloatArray) -> FloatArray:
        """The arrival rate at days t."""
        t = np.asarray(t, dtype=np.float64)
        trend = np.maximum(0.0, 1.0 + self.trend_per_year * t / DAYS_PER_YEAR)
        season = 1.0 + self.season_amplitude * np.cos(
            2.0 * math.pi * (t - self.peak_day) / DAYS_PER_YEAR
        )
        return self.per_day * trend * season

    def bound(self, horizon: float) -> float:
        """An upper bound of the rate on [0, horizon], for thinning."""
        end_trend = 1.0 + self.trend_per_year * horizon / DAYS_PER_YEAR
        return self.per_day * max(1.0, end_trend) * (1.0 + self.season_amplitude)

    def mean_count(self, start: float, end: float) -> float:
        """Expected number of arrivals in [start, end], by numerical integration."""
        grid = np.linspace(start, end, 20001)
        return float(np.trapezoid(self.rate(grid), grid))


def _column(values: tuple[float, ...]) -> FloatArray:
    return np.asarray(values, dtype=np.float64)[:, np.newaxis]


@dataclass(frozen=True, slots=True)
class GroupArrivalRates:
    """The rates of several arrival groups, each with its own trend and season.

    Group g has rate_g(t) by the formula of `ArrivalRate` with its own parameters (per_day
    may be 0); the process rate is their sum. An arrival at day t belongs to group g with
    probability rate_g(t) / rate(t) (`group`): Poisson arrivals at the summed rate, labelled
    so, are the superposition of independent Poisson processes, one per group at exactly its
    own rate (the marking theorem).
    """

    per_day: tuple[float, ...]
    trend_per_year: tuple[float, ...]
    season_amplitude: tuple[float, ...]
    peak_day: tuple[float, ...]

    def __post_init__(self) -> None:
        n = len(self.per_day)
        if n == 0:
            raise InvalidInput("minstens een groep nodig", field="per_day")
        for name in ("trend_per_year", "season_amplitude", "peak_day"):
            if len(getattr(self, name)) != n:
                raise InvalidInput("moet even lang zijn als per_day", field=name)
        for i in range(n):
            if not (math.isfinite(self.per_day[i]) and self.per_day[i] >= 0):
                raise InvalidInput("moet eindig en niet negatief zijn", field=f"per_day[{i}]")
            try:
                ArrivalRate(1.0, self.trend_per_year[i], self.season_amplitude[i], self.peak_day[i])
            except InvalidInput as exc:
                raise InvalidInput(exc.detail, field=f"{exc.field}[{i}]") from None
        if math.fsum(self.per_day) <= 0:
            raise InvalidInput("de som moet groter dan 0 zijn", field="per_day")

    @property
    def homogeneous(self) -> bool:
        """True when every group's rate is constant in time."""
        return not any(self.trend_per_year) and not any(self.season_amplitude)

    def rates(self, t: FloatArray) -> FloatArray:
        """Each group's rate at days t: one row per group, one column per day."""
        t = np.asarray(t, dtype=np.float64)[np.newaxis, :]
        trend = np.maximum(0.0, 1.0 + _column(self.trend_per_year) * t / DAYS_PER_YEAR)
        phase = 2.0 * math.pi * (t - _column(self.peak_day)) / DAYS_PER_YEAR
        season = 1.0 + _column(self.season_amplitude) * np.cos(phase)
        return np.asarray(_column(self.per_day) * trend * season, dtype=np.float64)

    def rate(self, t: FloatArray) -> FloatArray:
        """The summed arrival rate at days t."""
        return np.asarray(self.rates(t).sum(axis=0), dtype=np.float64)

    def bound(self, horizon: float) -> float:
        """An upper bound of the summed rate on [0, horizon], for thinning."""
        return math.fsum(
            p * max(1.0, 1.0 + tr * horizon / DAYS_PER_YEAR) * (1.0 + a)
            for p, tr, a in zip(self.per_day, self.trend_per_year, self.season_amplitude,
                                strict=True)
        )  # fmt: skip

    def mean_count(self, start: float, end: float) -> float:
        """Expected number of arrivals in [start, end], by numerical integration."""
        grid = np.linspace(start, end, 20001)
        return float(np.trapezoid(self.rate(grid), grid))

    def group(self, day: float, u: float) -> int:
        """The group of an arrival on `day` for a uniform u in [0, 1): g with rate_g / rate."""
        weights = [
            p * max(0.0, 1.0 + tr * day / DAYS_PER_YEAR)
            * (1.0 + a * math.cos(2.0 * math.pi * (day - pk) / DAYS_PER_YEAR))
            for p, tr, a, pk in zip(self.per_day, self.trend_per_year, self.season_amplitude,
                                    self.peak_day, strict=True)
        ]  # fmt: skip
        target, running = u * math.fsum(weights), 0.0
        for i, w in enumerate(weights):
            running += w
            if target < running:
                return i
        # Only by rounding (u close to 1): the last group that can arrive on this day.
        return max((i for i, w in enumerate(weights) if w > 0), default=len(weights) - 1)


@dataclass(frozen=True, slots=True)
class PoissonArrivals:
    """A (non-homogeneous) Poisson process with the given rate."""

    rate: ArrivalRate | GroupArrivalRates

    def times(self, rng: np.random.Generator, horizon: float) -> FloatArray:
        """Arrival days in [0, horizon), sorted; exact (order statistics, then thinning)."""
        bound = self.rate.bound(horizon)
        count = int(rng.poisson(bound * horizon))
        candidates = np.sort(rng.random(count) * horizon)
        if self.rate.homogeneous:
            return candidates
        # Lewis-Shedler thinning: keep a candidate with probability rate(t) / bound.
        keep = rng.random(count) * bound < self.rate.rate(candidates)
        return candidates[keep]


@dataclass(frozen=True, slots=True)
class RenewalArrivals:
    """Arrivals with independent inter-arrival times from any distribution."""

    interarrival: Distribution

    def times(self, rng: np.random.Generator, horizon: float) -> FloatArray:
        """Arrival days in [0, horizon), sorted."""
        chunk = max(16, int(1.2 * horizon / self.interarrival.mean) + 16)
        parts: list[FloatArray] = []
        last = 0.0
        while True:
            steps = np.cumsum(self.interarrival.ppf(uniforms(rng, chunk))) + last
            parts.append(steps)
            last = float(steps[-1])
            if last >= horizon:
                break
        times = np.concatenate(parts)
        return times[times < horizon]


ArrivalProcess = PoissonArrivals | RenewalArrivals
