"""The Alembic migration creates exactly the tables the models describe, on both databases."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from capacity import db as capacity_db
from tests.capacity.capacity_support import temporary_pg_database

# The registry is not an installed package: load it from the repository, as env.py does.
metadata = importlib.import_module("migrations.registry").metadata


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL of an empty database of each kind."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrate.db'}"
        return
    with temporary_pg_database("capacity_migrate") as url:
        yield url


def _diff(url: str) -> list[object]:
    engine = capacity_db.make_engine(url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            return list(compare_metadata(context, metadata))
    finally:
        engine.dispose()


def test_migration_matches_the_models(empty_url: str) -> None:
    capacity_db.migrate(empty_url)
    assert _diff(empty_url) == []


def test_downgrade_and_upgrade_again(empty_url: str) -> None:
    capacity_db.migrate(empty_url)
    config = Config(str(capacity_db.ROOT / "alembic.ini"))
    config.attributes["database_url"] = empty_url
    command.downgrade(config, "base")
    engine = capacity_db.make_engine(empty_url)
    try:
        names = set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
    assert not {t for t in names if t.startswith("capacity_")}
    capacity_db.migrate(empty_url)
    assert _diff(empty_url) == []


def test_the_check_sees_a_missing_table(empty_url: str) -> None:
    engine = capacity_db.make_engine(empty_url)
    try:
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE unrelated (id INTEGER PRIMARY KEY)"))
    finally:
        engine.dispose()
    assert _diff(empty_url) != []
