"""Alembic migrations of the servicepunt database."""
