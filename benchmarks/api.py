"""API latency at 200 requests/s on loopback: 2 workers on PostgreSQL and Redis.

Goals (issue 5): GET availability p99 < 50 ms, POST proposals p99 < 100 ms, zero errors.
Three rounds of 30 s each; the median of the rounds' p50 and p99 is reported.
"""

from __future__ import annotations

import os
import statistics
import sys
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.harness import Tally, run_load, running_service, write_results

RATE = 200.0
SECONDS = float(os.environ.get("BENCH_SECONDS", "30"))
ROUNDS = 3


def main() -> None:
    """Run the rounds and report."""
    with running_service(workers=2) as service:
        staff = {"Authorization": f"Bearer {service.tokens['demo-servicepunt']}"}
        referrals = httpx.get(
            f"{service.base_url}/api/v1/referrals?limit=200", headers=staff, timeout=10
        ).json()["items"]
        waiting = [r["id"] for r in referrals if r["status"] in ("geadviseerd", "voorgesteld")]
        assert waiting, "the demo region has no advised referrals"
        counter = iter(range(10**9))

        async def availability(client: httpx.AsyncClient) -> httpx.Response:
            return await client.get("/api/v1/availability?age=14&region_only=true", headers=staff)

        async def proposals(client: httpx.AsyncClient) -> httpx.Response:
            rid = waiting[next(counter) % len(waiting)]
            return await client.post(f"/api/v1/referrals/{rid}/proposals", headers=staff)

        mix = [("GET availability", 0.5, availability), ("POST proposals", 0.5, proposals)]
        rounds: list[dict[str, Tally]] = []
        for seed in range(ROUNDS):
            rounds.append(run_load(service.base_url, mix, rate=RATE, seconds=SECONDS, seed=seed))
    result: dict[str, object] = {"rate_per_s": RATE, "seconds": SECONDS, "rounds": ROUNDS}
    for name, goal in (("GET availability", 50.0), ("POST proposals", 100.0)):
        summaries = [r[name].summary() for r in rounds]
        p99 = statistics.median(float(s.get("p99_ms", float("inf"))) for s in summaries)
        result[name] = {
            "p50_ms_median": statistics.median(
                float(s.get("p50_ms", float("inf"))) for s in summaries
            ),
            "p99_ms_median": p99,
            "errors": sum(int(s["errors"]) for s in summaries),
            "requests": sum(int(s["count"]) for s in summaries),
            "goal_p99_ms": goal,
            "meets_goal": p99 < goal and all(s["errors"] == 0 for s in summaries),
            "rounds": summaries,
        }
    write_results("api", result)


if __name__ == "__main__":
    main()
