"""Capacity of every unit: a ledger in the database, a live view (Redis or in-process), holds.

capacity.snapshot is pure (plain dataclasses) so the matcher and simulations can use it
without a database.

Modules by role:
  models      SQLModel tables of the ledger (the source of truth)
  service     providers, locations, units, admissions, departures, capacity changes
  holds       place, release, confirm (becomes an occupancy) and expire holds
  ledger      the shared steps of every write: unit lock, count, version bump
  views       the ledger read into UnitStates / UnitViews (the matcher's input)
  state       UnitState and change events: committed capacity without child data
  live        the live view interface and the in-process backend
  live_redis  the Redis backend (Lua scripts, pub/sub)
  sync        mirroring after commit, rebuild, self-check, sweep, following events
  queries     the in-memory availability index and the anonymous aggregate
  db          engines, SQLite locking, transactions, migrations
  demo        demo landscapes (Flevoland; national scale for the benchmark)
"""
