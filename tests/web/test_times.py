"""Issue #22 item 4: every moment a user reads is Europe/Amsterdam time in Dutch format,
on the pages and in the CSV exports alike (the test clock stands at 09:00 UTC = 10:00 CET)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.web.test_pages import _place_deviating
from tests.web.web_support import T0, Site, login

LOCAL = "23-11-2026 10:00"  # T0 in Amsterdam


def test_board_shows_local_time_not_utc(client: TestClient, site: Site) -> None:
    assert T0.hour == 9 and T0.utcoffset() is not None
    page = login(client, site, "verwijzer").text
    assert f"Vrije plaatsen op {LOCAL}" in page
    assert "UTC" not in page


def test_deviation_log_page_and_csv_show_the_same_local_moment(
    client: TestClient, site: Site
) -> None:
    _place_deviating(client, site)
    page = client.get("/servicepunt/afwijkingen").text
    assert LOCAL in page
    rows = client.get("/servicepunt/afwijkingen.csv").text.splitlines()
    cells = rows[1].split(";")
    assert LOCAL in cells and "23-11-2026" in cells  # recorded at, placed on
    assert not any("2026-11-23" in c for c in cells)  # no ISO dates in the export
