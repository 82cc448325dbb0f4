"""Mixed load for 60 s at 200 requests/s on loopback: 2 workers on PostgreSQL and Redis.

70% GET availability, 20% POST proposals, 10% the placement workflow (hold, release,
hold again, place: each referral of a prepared pool walks those four steps). Reports p50
and p99 per endpoint and the error count (5xx and failed connections; a 409 for a place
that was just taken is a correct answer, not an error). Goals (issue 5 and 8): zero
errors, GET availability p99 < 50 ms, POST proposals p99 < 100 ms.
Writes benchmarks/results/load.json.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from sqlalchemy import create_engine, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import harness
from benchmarks.loadgen import Answer, RawClient, Request, Run, run_load

RATE = 200.0
SECONDS = float(os.environ.get("BENCH_SECONDS", "60"))
POOL = int(RATE * SECONDS * 0.10 / 4) + 40  # four workflow steps per referral, plus slack
GOALS = {"GET availability": 50.0, "POST proposals": 100.0}
ACCEPT = {"outcome": "accept", "reason_code": "voorkeur_ouders"}
DECLINE = {"outcome": "decline", "reason_code": "geen_capaciteit"}


def _more_places(url: str) -> None:
    # Room for every placement of the run: three more places in each unit.
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE capacity_unit SET places = places + 3"))
    engine.dispose()


class Workflow:
    """A pool of proposed referrals; each request moves one referral one step on."""

    def __init__(self, headers: dict[str, str]) -> None:
        self.headers = headers
        self.free: asyncio.Queue[tuple[str, list[str], int]] = asyncio.Queue()

    def fill(self, base: str, count: int) -> None:
        """Create, advise and propose `count` referrals."""
        for rid, units in harness.proposed_referrals(base, self.headers, count, prefix="werk"):
            self.free.put_nowait((rid, units, 0))

    async def step(self, client: RawClient) -> Answer:
        """hold -> release -> hold -> place; a refused hold tries the next proposed unit."""
        # Every referral of the pool busy (a slow server holds many steps open): wait for
        # one to come back rather than fail on the generator's side.
        rid, units, stage = await self.free.get()
        if stage in (0, 2):
            answer = await client.post(
                f"/api/v1/referrals/{rid}/hold", json={"unit_id": units[0]}, headers=self.headers
            )
            if answer.status_code == 201:
                stage += 1
            elif len(units) > 1:
                units = units[1:]  # taken meanwhile: the next proposed unit
            else:
                return answer  # every proposed unit taken: this referral leaves the pool
        else:
            body = DECLINE if stage == 1 else ACCEPT
            answer = await client.post(
                f"/api/v1/referrals/{rid}/decision", json=body, headers=self.headers
            )
            stage = stage + 1 if answer.status_code == 200 else stage
        if stage < 4:
            self.free.put_nowait((rid, units, stage))
        return answer


def main() -> None:
    """Prepare the pool, run the mixed load once and report."""
    quiet = {"SERVICEPUNT_LOG_LEVEL": "WARNING"}
    with harness.running_service(workers=2, prepare=_more_places, env=quiet) as service:
        staff = {"Authorization": f"Bearer {service.tokens['demo-servicepunt']}"}
        # Proposals for a pool of waiting children, so that requests do not queue on one
        # referral's row (a case gets a few proposal requests a day, not several a second).
        waiting = [
            rid
            for rid, _ in harness.proposed_referrals(service.base_url, staff, 200, prefix="kind")
        ]
        assert len(waiting) > 100, "too few referrals got proposals"
        workflow = Workflow(staff)
        workflow.fill(service.base_url, POOL)
        availability, proposals = harness.staff_requests(staff, waiting)
        mix: list[tuple[str, float, Request]] = [
            ("GET availability", 0.7, availability),
            ("POST proposals", 0.2, proposals),
            ("POST hold/release/placement", 0.1, workflow.step),
        ]
        before = service.cpu_seconds()
        run = run_load(service.base_url, mix, rate=RATE, seconds=SECONDS, seed=8)
        cpu_ms = (service.cpu_seconds() - before) * 1000 / (RATE * SECONDS)
    harness.write_results("load", _report(run, cpu_ms))


def _report(run: Run, cpu_ms: float) -> dict[str, object]:
    result: dict[str, object] = {
        "rate_per_s": RATE,
        "seconds": SECONDS,
        "workers": 2,
        "server_cpu_ms_per_request": round(cpu_ms, 2),
        "generator_max_send_lag_ms": run.max_send_lag_ms,
        "connections": run.connections,
    }
    errors = 0
    meets: list[bool] = []
    for name, tally in run.tallies.items():
        summary = tally.summary()
        goal = GOALS.get(name)
        if goal is not None:
            p99 = tally.percentile(0.99)
            summary["goal_p99_ms"] = goal
            summary["meets_goal"] = p99 < goal and tally.errors == 0
            meets.append(bool(summary["meets_goal"]))
        errors += tally.errors
        result[name] = summary
    result["errors"] = errors
    result["meets_goals"] = errors == 0 and all(meets) and len(meets) == len(GOALS)
    return result


if __name__ == "__main__":
    main()
