"""Dutch formats: decimal comma, thousands dots, dd-mm-jjjj, and Amsterdam time with DST."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from domain import nl_format


@pytest.mark.parametrize(
    ("value", "page", "csv"),
    [
        (3.0, "3", "3"),
        (0.12345, "0,1235", "0,12345"),
        (12345.6, "12.346", "12345,6"),
        (-0.25, "-0,25", "-0,25"),
        (0.0, "0", "0"),
        (float("nan"), "-", ""),
        (None, "-", ""),
    ],
)
def test_numbers_have_a_decimal_comma(value: float | None, page: str, csv: str) -> None:
    assert nl_format.number(value) == page
    assert nl_format.csv_number(value) == csv


def test_percent_and_day() -> None:
    assert nl_format.percent(0.126) == "13%"
    assert nl_format.percent(0.125, 1) == "12,5%"
    assert nl_format.day(date(2026, 3, 7)) == "07-03-2026"
    assert nl_format.day("2026-03-07") == "07-03-2026"
    assert nl_format.day(None) == nl_format.day("") == "-"


@pytest.mark.parametrize(
    ("utc", "shown"),
    [
        (datetime(2026, 1, 15, 9, 0, tzinfo=UTC), "15-01-2026 10:00"),  # winter: UTC+1
        (datetime(2026, 7, 15, 9, 0, tzinfo=UTC), "15-07-2026 11:00"),  # summer: UTC+2
        (datetime(2026, 3, 29, 0, 59, tzinfo=UTC), "29-03-2026 01:59"),  # before the switch
        (datetime(2026, 3, 29, 1, 0, tzinfo=UTC), "29-03-2026 03:00"),  # after it
        (datetime(2026, 12, 31, 23, 30, tzinfo=UTC), "01-01-2027 00:30"),  # next day locally
    ],
)
def test_moments_read_in_amsterdam_time(utc: datetime, shown: str) -> None:
    assert nl_format.moment(utc) == shown
    naive = utc.replace(tzinfo=None)  # as the database gives it back: UTC without a zone
    assert nl_format.moment(naive) == shown
    assert nl_format.moment(naive.isoformat(timespec="minutes")) == shown
    assert nl_format.day(utc) == shown[:10]
