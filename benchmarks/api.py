"""API latency at 200 requests/s on loopback: 2 workers on PostgreSQL and Redis.

Half GET availability, half POST proposals (for a pool of 200 waiting children).
Goals (issue 5): GET availability p99 < 50 ms, POST proposals p99 < 100 ms, zero errors.
Three rounds of 30 s each (BENCH_SECONDS to change); the median of the rounds' p50 and
p99 is reported, with the workers' CPU time per request. Writes benchmarks/results/api.json.
"""

from __future__ import annotations

import os
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import harness
from benchmarks.loadgen import Request, Run, run_load

RATE = 200.0
SECONDS = float(os.environ.get("BENCH_SECONDS", "30"))
ROUNDS = 3
GOALS = {"GET availability": 50.0, "POST proposals": 100.0}


def main() -> None:
    """Run the rounds and report."""
    runs: list[Run] = []
    cpu_ms: list[float] = []
    with harness.running_service(workers=2, env={"SERVICEPUNT_LOG_LEVEL": "WARNING"}) as service:
        staff = {"Authorization": f"Bearer {service.tokens['demo-servicepunt']}"}
        # Proposals for a pool of waiting children, so that requests do not queue on one
        # referral's row (a case gets a few proposal requests a day, not several a second).
        waiting = [
            rid
            for rid, _ in harness.proposed_referrals(service.base_url, staff, 200, prefix="kind")
        ]
        assert len(waiting) > 100, "too few referrals got proposals"
        availability, proposals = harness.staff_requests(staff, waiting)
        mix: list[tuple[str, float, Request]] = [
            ("GET availability", 0.5, availability),
            ("POST proposals", 0.5, proposals),
        ]
        for seed in range(ROUNDS):
            before = service.cpu_seconds()
            runs.append(run_load(service.base_url, mix, rate=RATE, seconds=SECONDS, seed=seed))
            cpu_ms.append((service.cpu_seconds() - before) * 1000 / (RATE * SECONDS))
    harness.write_results("api", report(runs, cpu_ms))


def report(runs: list[Run], cpu_ms: list[float]) -> dict[str, object]:
    """Medians over the rounds per kind of request, and whether the goals are met."""
    result: dict[str, object] = {
        "rate_per_s": RATE,
        "seconds_per_round": SECONDS,
        "rounds": len(runs),
        "workers": 2,
        "server_cpu_ms_per_request_median": round(statistics.median(cpu_ms), 2),
        "generator_max_send_lag_ms": max(r.max_send_lag_ms for r in runs),
    }
    met = True
    for name, goal in GOALS.items():
        tallies = [r.tallies[name] for r in runs]
        p99 = statistics.median(t.percentile(0.99) for t in tallies)
        errors = sum(t.errors for t in tallies)
        ok = p99 < goal and errors == 0
        met = met and ok
        result[name] = {
            "p50_ms_median": round(statistics.median(t.percentile(0.5) for t in tallies), 2),
            "p99_ms_median": round(p99, 2),
            "errors": errors,
            "requests": sum(len(t.latencies) + t.errors for t in tallies),
            "goal_p99_ms": goal,
            "meets_goal": ok,
            "rounds": [t.summary() for t in tallies],
        }
    result["meets_goals"] = met
    return result


if __name__ == "__main__":
    main()
