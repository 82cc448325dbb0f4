"""Issue #22 item 5: the provider page opens one unit at a time; after an action (or a refused
one) it returns to that unit and names it."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.web.web_support import Site, csrf_of, login


def _open_units(html: str) -> list[str]:
    return re.findall(r'<details class="kaart eenheid" id="eenheid-([^"]+)"[^>]* open>', html)


def test_one_unit_open_and_the_page_returns_to_it(client: TestClient, site: Site) -> None:
    page = login(client, site, "aanbieder").text
    units = re.findall(r'<details class="kaart eenheid" id="eenheid-([^"]+)"', page)
    assert len(units) >= 2 and _open_units(page) == []  # several units: none open at first
    assert 'name="eenheid"' in page  # the browser keeps one open at a time
    unit = site.units["groep_lely"]
    done = client.post(
        f"/aanbieder/eenheden/{unit}/capaciteit",
        data={"csrf": csrf_of(page), "kind": "places_opened", "effective_on": "2026-11-23",
              "places": "2"},
        follow_redirects=False,
    )  # fmt: skip
    assert done.status_code == 303
    assert done.headers["location"].endswith(f"eenheid={unit}#eenheid-{unit}")
    shown = client.get(done.headers["location"]).text
    assert _open_units(shown) == [unit]
    assert "Opgeslagen: capaciteitswijziging voor groep lely." in shown
    refused = client.post(
        f"/aanbieder/eenheden/{unit}/opname",
        data={"csrf": csrf_of(page), "child_ref": "a b", "since": "2026-11-23"},
    )
    assert refused.status_code == 422 and _open_units(refused.text) == [unit]
