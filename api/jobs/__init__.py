"""Simulation jobs: a planner's request to run a shipped scenario, queued in the database and
run by a runner (in the API process, or `servicepunt worker` on a Ray head node)."""
