"""Engines, sessions and migrations for the capacity ledger (SQLite default, PostgreSQL by URL).

SQLite serialises writers with BEGIN IMMEDIATE: every transaction takes the write lock at
its start, so the count-then-insert of an admission or hold cannot interleave with another
writer. PostgreSQL uses a row lock on the unit instead (see service._lock_unit).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.pool import StaticPool
from sqlmodel import Session, func, select
from sqlmodel.sql.expression import SelectOfScalar

T = TypeVar("T")
DEFAULT_URL = "sqlite:///servicepunt.db"
ROOT = Path(__file__).resolve().parent.parent
SQLITE_BUSY_TIMEOUT_MS = 30_000


def database_url() -> str:
    """DATABASE_URL from the environment, else the embedded SQLite file."""
    return os.environ.get("DATABASE_URL") or DEFAULT_URL


def is_sqlite(engine_or_url: Engine | str) -> bool:
    """True for an SQLite engine or URL."""
    url = engine_or_url.url if isinstance(engine_or_url, Engine) else make_url(engine_or_url)
    return url.get_backend_name() == "sqlite"


def _configure_sqlite(engine: Engine, *, memory: bool) -> None:
    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event issue BEGIN itself (pysqlite would defer it).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        if not memory:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(
    url: str | None = None,
    *,
    pool_size: int | None = None,
    max_overflow: int | None = None,
    **kwargs: Any,
) -> Engine:
    """An engine for the URL (default: DATABASE_URL or the embedded SQLite file).

    `pool_size` and `max_overflow` size the connection pool of a server database; SQLite
    (one writer at a time) keeps SQLAlchemy's default.
    """
    url = url or database_url()
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        memory = parsed.database in (None, "", ":memory:")
        if memory:
            # One shared connection, or every connection would see its own empty database.
            kwargs.setdefault("poolclass", StaticPool)
        kwargs.setdefault("connect_args", {"check_same_thread": False})
        engine = create_engine(url, **kwargs)
        _configure_sqlite(engine, memory=memory)
        return engine
    # A ping on checkout finds a connection a database restart or failover killed and
    # replaces it, so no user sees that request fail (without it each worker answered one
    # request with 503 after a restart). Recycling keeps connections from dying quietly
    # behind firewalls.
    kwargs.setdefault("pool_pre_ping", True)
    kwargs.setdefault("pool_recycle", 1800)
    if pool_size is not None:
        kwargs["pool_size"] = pool_size
    if max_overflow is not None:
        kwargs["max_overflow"] = max_overflow
    return create_engine(url, **kwargs)


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """A session whose work is committed on success and rolled back on any error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def migrate(url: str | None = None, revision: str = "head") -> None:
    """Bring the database at `url` to `revision` (alembic upgrade), programmatically."""
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    config.attributes["database_url"] = url or database_url()
    command.upgrade(config, revision)


def page(
    session: Session, query: SelectOfScalar[T], *order: Any, limit: int, offset: int
) -> tuple[list[T], int]:
    """One page of the query's rows in the given order, and how many rows it has in all."""
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(query.order_by(*order).offset(offset).limit(limit)).all()
    return list(rows), total
