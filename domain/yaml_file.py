"""Reading a YAML configuration file, and the errors that name it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from domain.errors import ConfigError


def read_yaml(path: Path | str, *, file: str | None = None) -> Any:
    """The file's data; a ConfigError names `file` (default: the path) when it cannot be read."""
    try:
        return yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ConfigError(f"kan bestand niet lezen: {exc}", file=file or str(path)) from None


class FileCheck:
    """Checks of one configuration file: what they raise is a ConfigError naming the file."""

    def __init__(self, file: str) -> None:
        self.file = file

    def fail(self, detail: str, field: str | None = None) -> ConfigError:
        return ConfigError(detail, file=self.file, field=field)
