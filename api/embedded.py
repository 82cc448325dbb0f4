"""The embedded default keeps the live capacity in the memory of one process: one process only.

Without Redis (`REDIS_URL` empty) each process has a live view of its own, and no process hears
of another's holds and admissions. The ledger still refuses an overbooking, but availability
answers go stale. So a process that uses the in-process store takes an exclusive lock for its
database at start-up and holds it while it runs; a second process on the same database (a
second uvicorn worker, or a second server) refuses to start with a clear message. Apps
within one process (tests, a tool that calls the app twice) share the lock.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import tempfile
import threading
from pathlib import Path
from typing import IO

from sqlalchemy.engine import make_url

# Locks this process holds: path -> (open file, how many apps hold it).
_HELD: dict[Path, tuple[IO[bytes], int]] = {}
_GUARD = threading.Lock()

SECOND_PROCESS = (
    "de ingebouwde standaard (zonder REDIS_URL) draait in één proces, en er draait al een "
    "servicepunt-proces op deze database; start één worker (geen --workers 2), of schaal uit "
    "met PostgreSQL en Redis (zet DATABASE_URL en REDIS_URL)"
)


def lock_path(database_url: str) -> Path | None:
    """Where the lock for a database lives; None for an in-memory SQLite (one process anyway)."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        if not url.database or url.database == ":memory:":
            return None
        database = Path(url.database).resolve()
        return database.with_name(database.name + ".lock")
    # Another database with the in-process store: the lock is per machine, where the workers
    # of one server run; servers on several machines need Redis (README, scaling out).
    digest = hashlib.sha256(url.render_as_string(hide_password=True).encode()).hexdigest()
    return Path(tempfile.gettempdir()) / f"servicepunt-{digest[:16]}.lock"


class SecondProcess(RuntimeError):
    """Another process already serves this database with the in-process store."""


class SingleProcess:
    """The exclusive lock of the one process that serves a database with the in-process store."""

    def __init__(self, database_url: str | None) -> None:
        """The lock for this database; None (a shared live view in Redis) locks nothing."""
        self.path = lock_path(database_url) if database_url else None
        self._held = False

    def acquire(self) -> None:
        """Take the lock, or raise SecondProcess when another process holds it."""
        if self.path is None or self._held:
            return
        with _GUARD:
            handle, count = _HELD.get(self.path, (None, 0))
            if handle is None:
                handle = self.path.open("ab")
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    handle.close()
                    raise SecondProcess(SECOND_PROCESS) from None
                handle.truncate(0)
                handle.write(f"{os.getpid()}\n".encode())
                handle.flush()
            _HELD[self.path] = (handle, count + 1)
            self._held = True

    def release(self) -> None:
        """Let the lock go when the last app of this process stops (closing releases it)."""
        if self.path is None or not self._held:
            return
        with _GUARD:
            handle, count = _HELD.pop(self.path)
            if count > 1:
                _HELD[self.path] = (handle, count - 1)
            else:
                handle.close()
            self._held = False
