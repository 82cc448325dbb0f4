"""Writing a benchmark's figures to benchmarks/results/, with the machine they were measured on."""

from __future__ import annotations

import json
import platform
from pathlib import Path
from typing import Any


def write_result(path: Path, result: dict[str, Any]) -> None:
    """`result` as indented JSON, with the Python version and the machine added at the end."""
    data = {**result, "python": platform.python_version(), "machine": platform.machine()}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
