"""The one writer of every CSV file a user downloads: reports, lists and simulation results.

- Cells that a spreadsheet would run as a formula (text starting with `=`, `+`, `-`, `@`,
  a tab or a carriage return) get a leading apostrophe (OWASP "CSV injection"), so a
  `reason_text` or scenario name can never become `=HYPERLINK(...)` in Excel. Numbers, and
  text that is exactly a plain number such as "-0.25", stay as they are: no formula.
- The text starts with a UTF-8 byte order mark, so Excel reads "residentiële" as UTF-8.
- Semicolons separate the cells, as Dutch Excel expects.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence

BOM = "\ufeff"
DELIMITER = ";"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
MEDIA_TYPE = "text/csv; charset=utf-8"
PLAIN_NUMBER = re.compile(r"-?[0-9]+([.,][0-9]+)?([eE][-+]?[0-9]+)?")


def safe_cell(value: object) -> str | int | float:
    """A cell as written: None empty, numbers as they are, formula-like text neutralised."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, int | float):
        return value
    text = str(value)
    if text.startswith(FORMULA_START) and not PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A header and rows as CSV text: BOM first, semicolons, every cell through safe_cell."""
    buffer = io.StringIO()
    buffer.write(BOM)
    writer = csv.writer(buffer, delimiter=DELIMITER, lineterminator="\r\n")
    writer.writerow([safe_cell(h) for h in header])
    writer.writerows([safe_cell(v) for v in row] for row in rows)
    return buffer.getvalue()
