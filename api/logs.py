"""Structured JSON logs that never carry personal data.

Every record becomes one JSON line with a fixed set of fields. Extra fields pass only when
they are on an allow-list of operational names (route templates, status codes, timings,
error types); anything else a caller attaches is dropped, and an exception is logged by its
type alone, because messages and tracebacks can echo input values (child refs, profiles,
tokens). uvicorn's access log is switched off: it prints raw paths and query strings; the
metrics middleware logs each request by its route template instead.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

SAFE_FIELDS = frozenset(
    {"method", "route", "status", "duration_ms", "error_type", "units", "count", "check", "job"}
)
_MARK = "_servicepunt_json"


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time, level, logger, message, pid and safe extras."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as a JSON line."""
        data: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage() if _own(record) else str(record.msg),
            "pid": record.process,
        }
        for name in SAFE_FIELDS:
            value = record.__dict__.get(name)
            if isinstance(value, str | int | float | bool):
                data[name] = value
        if record.exc_info and record.exc_info[0] is not None:
            data["error_type"] = record.exc_info[0].__name__
        return json.dumps(data, ensure_ascii=False)


def _own(record: logging.LogRecord) -> bool:
    # Format arguments into the message only for our own loggers, whose messages are
    # constants; a third-party message template might interpolate request data.
    return record.name.startswith("servicepunt") or not record.args


def configure_logging(level: str = "INFO") -> None:
    """Send every log record to stderr as JSON (idempotent: safe to call per app)."""
    root = logging.getLogger()
    if not any(getattr(h, _MARK, False) for h in root.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonFormatter())
        setattr(handler, _MARK, True)
        root.addHandler(handler)
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error"):
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
    access = logging.getLogger("uvicorn.access")
    access.handlers.clear()
    access.propagate = False
    access.disabled = True
