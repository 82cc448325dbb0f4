"""Issue #22 item 7: notifications in the app, with an unread count in the header."""

from __future__ import annotations

import re
from datetime import timedelta

from fastapi.testclient import TestClient

from tests.web.test_pages import _place_deviating
from tests.web.web_support import Site, login


def _count(html: str) -> int:
    found = re.search(r'<span class="teller">(\d+)<span class="nietzichtbaar"> ongelezen', html)
    return int(found.group(1)) if found else 0


def test_the_verwijzer_hears_of_changes_to_its_referrals(client: TestClient, site: Site) -> None:
    _place_deviating(client, site)  # created by the verwijzer, then the servicepunt's steps
    site.clock.now += timedelta(minutes=1)
    home = login(client, site, "verwijzer").text
    assert _count(home) >= 4  # advice, proposals, hold, decision: not its own creation
    page = client.get("/meldingen").text
    items = re.findall(r"<li[^>]*><time>([^<]*)</time>: ([^<]*)", page)
    texts = [text.strip() for _, text in items]
    assert any(t.endswith(": besluit vastgelegd.") for t in texts)
    assert not any("aangemeld" in t for t in texts)  # its own step is no news
    assert items[0][0] == "23-11-2026 10:00"
    assert _count(client.get("/verwijzer").text) == 0  # opened: read


def test_the_provider_hears_of_its_units_only(client: TestClient, site: Site) -> None:
    _place_deviating(client, site)  # proposes units, holds and places in gezinshuis alm
    site.clock.now += timedelta(minutes=1)
    home = login(client, site, "aanbieder").text  # the provider of groep lely
    page = client.get("/meldingen").text
    assert "gezinshuis alm" not in page  # another provider's unit
    assert "groep lely is voorgesteld voor een aanmelding." in page
    assert "kind-" not in page  # which child only once it is placed with this provider
    assert _count(home) == page.count('class="ongelezen"')


def test_no_notifications_for_other_roles(client: TestClient, site: Site) -> None:
    login(client, site, "sp")
    assert client.get("/meldingen").status_code == 403
