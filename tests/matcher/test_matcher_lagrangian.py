"""The column reduction of the global MILP (matcher.lagrangian) against brute force.

On small random packing MILPs (0/1 columns, some integer, rows with non-negative
coefficients): the LP bound and the partial Lagrangian bound are at least the value of
every 0/1 plan, and the columns of every plan above `best` stay usable.
"""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.sparse import csr_array

from matcher.lagrangian import price_columns


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 2**32 - 1), st.integers(1, 6), st.integers(1, 10))
def test_bounds_hold_for_every_plan_and_better_plans_keep_their_columns(
    seed: int, n_rows: int, n_cols: int
) -> None:
    rng = np.random.default_rng(seed)
    dense = rng.integers(0, 3, size=(n_rows, n_cols)) * (rng.random((n_rows, n_cols)) < 0.5)
    upper = rng.integers(0, 4, size=n_rows).astype(np.float64)
    cost = rng.integers(1, 30, size=n_cols).astype(np.float64)
    integer = (rng.random(n_cols) < 0.5).astype(np.int64)
    matrix = csr_array(dense.astype(np.float64))
    prices = price_columns(cost, integer, matrix, upper, time_limit=10.0)
    assert prices is not None
    assert prices.bound <= prices.lp_bound + 1e-6
    plans = [
        z
        for z in (np.asarray(bits, np.float64) for bits in itertools.product((0, 1), repeat=n_cols))
        if np.all(dense @ z <= upper)
    ]
    values = [float(cost @ z) for z in plans]
    assert max(values) <= prices.bound + 1e-6
    for best in {int(v) - 1 for v in values} | {0}:
        usable = prices.usable(best)
        for z, value in zip(plans, values, strict=True):
            if value >= best + 1:
                assert usable[z > 0].all()
