"""Capacity of every unit: a ledger in the database, a live view (Redis or in-process), holds.

capacity.snapshot is pure (plain dataclasses) so the matcher and simulations can use it
without a database.
"""
