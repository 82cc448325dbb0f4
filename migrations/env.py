"""Alembic environment: one metadata for every table of the service, any supported database.

The URL comes from the caller (capacity.db.migrate puts it in config.attributes) or from
DATABASE_URL. render_as_batch lets ALTERs work on SQLite.
"""

from __future__ import annotations

import sys
from pathlib import Path

from alembic import context
from sqlalchemy import Connection

# The repository root, so `migrations.registry` imports from any working directory.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from capacity.db import database_url, make_engine
from migrations.registry import metadata

config = context.config
target_metadata = metadata


def _url() -> str:
    url = config.attributes.get("database_url")
    return str(url) if url else database_url()


def run_offline() -> None:
    """Emit SQL without a connection (alembic upgrade --sql)."""
    context.configure(
        url=_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


# Any constant: the key of the advisory lock that serialises migrations on PostgreSQL.
MIGRATION_LOCK = 72_610_001


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
    )
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        # A batch operation copies a table and drops the old one; with foreign keys on, that
        # drop fails (or, deferred, leaves a count that fails the commit) as soon as another
        # table's rows point at it. SQLite's own recipe: keys off outside the transaction,
        # and one foreign_key_check before the commit. (A PRAGMA on the raw connection: a
        # statement through SQLAlchemy would begin the transaction first.)
        connection.connection.dbapi_connection.execute("PRAGMA foreign_keys=OFF")  # type: ignore[union-attr]
    try:
        with context.begin_transaction():
            if connection.dialect.name == "postgresql":
                # Every API worker migrates at start-up; one does the work, the others wait
                # here and then find the database at head (SQLite's BEGIN IMMEDIATE serialises).
                connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")
            context.run_migrations()
            if sqlite and connection.exec_driver_sql("PRAGMA foreign_key_check").first():
                raise RuntimeError("migration left rows whose foreign key points at nothing")
    finally:
        if sqlite:
            connection.connection.dbapi_connection.execute("PRAGMA foreign_keys=ON")  # type: ignore[union-attr]


def run_online() -> None:
    """Run the migrations on a live connection."""
    given = config.attributes.get("connection")
    if given is not None:
        _run(given)
        return
    engine = make_engine(_url())
    try:
        with engine.connect() as connection:
            _run(connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
