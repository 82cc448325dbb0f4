"""Issue #22 item 2: search, filters and pages on the workbench, the waiting list and the
deviation log, with the child's pseudonym (never an internal id) in every row."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from api.web import list_filters
from tests.web.test_pages import _bearer, _place_deviating
from tests.web.web_support import Site, login, referral_payload


def _add(client: TestClient, site: Site, child_ref: str, home: str) -> str:
    payload = referral_payload(child_ref=child_ref)
    payload["intake"]["woonplaats"]["brp_residence"] = home
    answer = client.post("/api/v1/referrals", json=payload, headers=_bearer(site, "verwijzer"))
    assert answer.status_code == 201, answer.text
    return str(answer.json()["id"])


def _children(html: str) -> set[str]:
    return set(re.findall(r"\b(kind-[a-z]+-\d+)\b", html))


@pytest.fixture
def referrals(client: TestClient, site: Site) -> dict[str, str]:
    ids = {}
    for n, home in enumerate(("almere", "lelystad", "almere")):
        ids[f"kind-oud-{n}"] = _add(client, site, f"kind-oud-{n}", home)
    site.clock.now += timedelta(days=3)
    ids["kind-nieuw-1"] = _add(client, site, "kind-nieuw-1", "lelystad")
    login(client, site, "sp")
    return ids


@pytest.mark.region("flevoland")
@pytest.mark.parametrize("path", ["/servicepunt", "/servicepunt/wachtlijst"])
def test_search_and_filters_narrow_the_list(
    client: TestClient, site: Site, referrals: dict[str, str], path: str
) -> None:
    everything = client.get(path).text
    assert _children(everything) == set(referrals)
    assert not any(rid[:8] in _children(everything) for rid in referrals.values())
    assert _children(client.get(path + "?q=nieuw").text) == {"kind-nieuw-1"}
    almere = client.get(path + "?gemeente=almere").text
    assert _children(almere) == {"kind-oud-0", "kind-oud-2"}
    assert 'value="GM0034" selected' in almere  # the filter stays visible
    both = client.get(path + "?gemeente=lelystad&q=oud").text
    assert _children(both) == {"kind-oud-1"}
    later = client.get(path + "?van=2026-11-25").text  # the test clock started on the 23rd
    assert _children(later) == {"kind-nieuw-1"}
    assert _children(client.get(path + "?tot=2026-11-24").text) == {
        "kind-oud-0", "kind-oud-1", "kind-oud-2",
    }  # fmt: skip
    assert _children(client.get(path + "?urgentie=crisis").text) == set()


def test_bad_filter_values_are_errors_beside_their_fields(
    client: TestClient, site: Site, referrals: dict[str, str]
) -> None:
    bad = client.get("/servicepunt/wachtlijst?gemeente=atlantis&van=gisteren")
    assert bad.status_code == 422
    assert "kies een van de opties in de lijst" in bad.text
    assert "moet een datum zijn" in bad.text and "atlantis" not in bad.text.split("<main")[1]
    assert _children(bad.text) == set(referrals)  # shown whole, unfiltered


def test_pages_split_the_list_and_keep_the_filter(
    client: TestClient, site: Site, referrals: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(list_filters, "PAGE_SIZE", 2)
    first = client.get("/servicepunt/wachtlijst?q=kind").text
    assert "pagina 1 van 2" in first and 'href="?q=kind&amp;pagina=2"' in first
    second = client.get("/servicepunt/wachtlijst?q=kind&pagina=2").text
    assert len(_children(first)) == len(_children(second)) == 2
    assert _children(first) | _children(second) == set(referrals)
    beyond = client.get("/servicepunt?pagina=99").text  # past the end: the last page
    assert "pagina 2 van 2" in beyond


@pytest.mark.region("flevoland")
def test_deviation_log_filters_and_shows_the_pseudonym(client: TestClient, site: Site) -> None:
    rid = _place_deviating(client, site)
    log = client.get("/servicepunt/afwijkingen").text
    row = re.search(r"<tbody>(.*?)</tbody>", log, re.S)
    assert row is not None and f'{rid}">kind-1-2026-11-20</a>' in row.group(1)
    assert (
        "Geen afwijkingen die aan de filters voldoen"
        in client.get("/servicepunt/afwijkingen?gemeente=urk").text
    )
    csv = client.get("/servicepunt/afwijkingen.csv?gemeente=urk").text.splitlines()
    assert len(csv) == 1  # the export has the page's filters: only the header
