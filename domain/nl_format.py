"""Dutch formats for what a user reads: numbers, percentages, dates and moments.

One helper for pages, CSV files, reports and charts, so that the same figure or the same
moment reads the same everywhere: a decimal comma, a dot between thousands on pages (none
in CSV, where a spreadsheet reads the cell as a number), dates as dd-mm-jjjj and moments
in the region's own time zone (Europe/Amsterdam, summer time included). The database keeps
moments in UTC; a naive datetime read back from it is taken as UTC.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

REGION_TZ = ZoneInfo("Europe/Amsterdam")
MISSING = "-"


def number(value: float | None, significant: int = 4, *, grouped: bool = True) -> str:
    """A number with `significant` digits, a decimal comma and (if grouped) thousands dots.

    Trailing zeros after the comma go: 3.0 -> "3", 0.12345 -> "0,1235", 12345.6 -> "12.346".
    None, nan and infinity read as "-"."""
    if value is None or not math.isfinite(value):
        return MISSING
    if value == 0:
        return "0"
    magnitude = math.floor(math.log10(abs(value)))
    places = max(0, significant - 1 - magnitude)
    text = f"{value:,.{places}f}" if grouped else f"{value:.{places}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text in ("-0", ""):
        text = "0"
    return text.replace(",", "_").replace(".", ",").replace("_", ".")


def csv_number(value: float | None, significant: int = 6) -> str:
    """A number for a CSV cell: decimal comma, no thousands separator, "" when undefined."""
    text = number(value, significant, grouped=False)
    return "" if text == MISSING else text


def percent(share: float | None, decimals: int = 0) -> str:
    """A share in [0, 1] as a Dutch percentage: 0.125 -> "13%" (or "12,5%")."""
    if share is None or not math.isfinite(share):
        return MISSING
    return f"{share * 100:.{decimals}f}%".replace(".", ",")


Moment = datetime | date | str | None


def _parse(value: Moment) -> date | None:
    """A date or datetime from a value or its ISO text (as report tables hold them)."""
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    text = str(value)
    return datetime.fromisoformat(text) if len(text) > 10 else date.fromisoformat(text)


def local(moment: datetime) -> datetime:
    """The moment in the region's time zone; a naive moment is taken as UTC."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return aware.astimezone(REGION_TZ)


def local_day(value: Moment) -> date | None:
    """The region's calendar day of a date or moment (a moment near midnight UTC can be the
    next day in Amsterdam)."""
    parsed = _parse(value)
    return local(parsed).date() if isinstance(parsed, datetime) else parsed


def day(value: Moment) -> str:
    """A date (or the local day of a moment) as dd-mm-jjjj."""
    parsed = local_day(value)
    return MISSING if parsed is None else parsed.strftime("%d-%m-%Y")


def moment(value: Moment) -> str:
    """A moment as the region's local time: dd-mm-jjjj uu:mm (a plain date as dd-mm-jjjj)."""
    parsed = _parse(value)
    if not isinstance(parsed, datetime):
        return day(parsed)
    return local(parsed).strftime("%d-%m-%Y %H:%M")
