"""Issue #21 item 9: the servicepunt keeps every unit's capacity on its own page, as the API
lets it (admissions, departures, expected departures, capacity changes); the provider's
departure form asks whether the stay ended as planned and where the child went. Each form
posts over HTTP, its effect shows, and bad input gives a Dutch error and changes nothing."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from api.audit import AuditEntry
from capacity.models import CapacityChange, Occupancy, Unit
from placements.models import Referral
from tests.web.web_support import Site, csrf_of, login, referral_payload

DESK = "/servicepunt/capaciteit"
FIELD_ERROR = re.compile(r'<p class="veldfout" id="fout-([^"]+)">.*?</span>(.*?)</p>', re.S)


def _errors(html: str) -> dict[str, str]:
    return dict(FIELD_ERROR.findall(html))


def _db(site: Site) -> Session:
    return Session(site.app.state.servicepunt.engine)


def _places(site: Site, key: str) -> int:
    with _db(site) as session:
        unit = session.get(Unit, site.units[key])
        assert unit is not None
        return unit.places


def _stays(site: Site, key: str) -> list[Occupancy]:
    with _db(site) as session:
        query = select(Occupancy).where(
            Occupancy.unit_id == site.units[key], col(Occupancy.ended_on).is_(None)
        )
        return list(session.exec(query).all())


def _sp(client: TestClient, site: Site) -> str:
    page = login(client, site, "sp")
    assert f'href="{DESK}"' in page.text  # the menu leads to the desk
    return csrf_of(page.text)


def test_the_servicepunt_sees_every_unit_and_changes_its_capacity(
    client: TestClient, site: Site
) -> None:
    token = _sp(client, site)
    page = client.get(DESK)
    assert page.status_code == 200
    # Every provider's units, each with its provider's name.
    for key in ("groep_lely", "gezinshuis_alm", "pleeg_dronten"):
        assert f'action="{DESK}/eenheden/{site.units[key]}/capaciteit"' in page.text
    assert "Omega Groep" in page.text and "Pleegzorg Flevoland" in page.text
    unit = site.units["gezinshuis_alm"]  # another provider's than the test provider's
    before = _places(site, "gezinshuis_alm")
    url = f"{DESK}/eenheden/{unit}/capaciteit"
    bad = client.post(url, data={"csrf": token, "kind": "places_opened", "places": "twee"})
    assert bad.status_code == 422
    assert set(_errors(bad.text)) >= {
        f"capaciteit-{unit}-places",
        f"capaciteit-{unit}-effective_on",
    }
    assert "Aantal plaatsen</a>:" in bad.text and "Er is niets opgeslagen" in bad.text
    assert _places(site, "gezinshuis_alm") == before
    done = client.post(
        url,
        data={"csrf": token, "kind": "places_opened", "effective_on": "2026-11-23", "places": "1"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert done.headers["location"] == f"{DESK}?gedaan=capaciteit&eenheid={unit}#eenheid-{unit}"
    shown = client.get(done.headers["location"]).text
    assert "Opgeslagen: capaciteitswijziging voor gezinshuis alm." in shown
    assert _places(site, "gezinshuis_alm") == before + 1
    with _db(site) as session:
        assert session.exec(select(CapacityChange).where(CapacityChange.unit_id == unit)).one()


def test_the_servicepunt_records_admission_expected_departure_and_departure(
    client: TestClient, site: Site
) -> None:
    token = _sp(client, site)
    unit = site.units["pleeg_dronten"]
    admit = f"{DESK}/eenheden/{unit}/opname"
    bad = client.post(admit, data={"csrf": token, "child_ref": "kind 1", "since": "2026-11-20"})
    assert bad.status_code == 422 and f"opname-{unit}-child_ref" in _errors(bad.text)
    assert _stays(site, "pleeg_dronten") == []
    admitted = client.post(
        admit, data={"csrf": token, "child_ref": "kind-0077", "since": "2026-11-20"}
    )
    assert admitted.status_code == 200 and 'data-verblijf="kind-0077"' in admitted.text
    (stay,) = _stays(site, "pleeg_dronten")
    expect = f"{DESK}/verblijven/{stay.id}/verwacht-vertrek"
    bad_day = client.post(expect, data={"csrf": token, "expected_end": "1 februari"})
    assert bad_day.status_code == 422
    assert f"verwacht-{stay.id}-expected_end" in _errors(bad_day.text)
    assert "Verwachte einddatum</a>:" in bad_day.text
    assert _stays(site, "pleeg_dronten")[0].expected_end is None
    expected = client.post(expect, data={"csrf": token, "expected_end": "2027-02-01"})
    assert expected.status_code == 200 and 'value="2027-02-01"' in expected.text
    leave = f"{DESK}/verblijven/{stay.id}/vertrek"
    missing = client.post(leave, data={"csrf": token, "left_on": "2026-11-25"})
    errors = _errors(missing.text)
    assert missing.status_code == 422
    assert {f"vertrek-{stay.id}-planned", f"vertrek-{stay.id}-outcome"} <= set(errors)
    assert "Einde van het verblijf</a>: is verplicht" in missing.text
    assert len(_stays(site, "pleeg_dronten")) == 1
    left = client.post(
        leave,
        data={"csrf": token, "left_on": "2026-11-25", "outcome": "pleegzorg", "planned": "true"},
    )
    assert left.status_code == 200 and "Opgeslagen: vertrek" in left.text
    assert _stays(site, "pleeg_dronten") == []


def test_only_the_servicepunt_uses_the_desk_and_a_form_needs_its_token(
    client: TestClient, site: Site
) -> None:
    unit = site.units["groep_lely"]
    url = f"{DESK}/eenheden/{unit}/capaciteit"
    change = {"kind": "places_opened", "effective_on": "2026-11-23", "places": "1"}
    for user in ("aanbieder", "planner", "verwijzer", "pr"):
        with TestClient(site.app) as other:
            token = csrf_of(login(other, site, user).text)
            assert other.get(DESK).status_code == 403
            assert other.post(url, data={"csrf": token} | change).status_code == 403
    token = _sp(client, site)
    refused = client.post(url, data={"csrf": "verkeerd"} | change)
    assert refused.status_code == 403 and "Formulier niet geaccepteerd" in refused.text
    unknown = client.post(f"{DESK}/eenheden/onbekend/capaciteit", data={"csrf": token} | change)
    assert unknown.status_code == 404
    assert _places(site, "groep_lely") == 8


def _placed(client: TestClient, site: Site) -> tuple[str, str]:
    """A referral placed in groep lely by the servicepunt: (referral id, stay id)."""
    headers = {"Authorization": f"Bearer {site.tokens['verwijzer']}"}
    created = client.post("/api/v1/referrals", json=referral_payload("kind-0001"), headers=headers)
    rid = str(created.json()["id"])
    token = _sp(client, site)
    steps: tuple[tuple[str, dict[str, Any]], ...] = (
        ("/advies", {}),
        ("/voorstellen", {}),
        ("/vasthouden", {"unit_id": site.units["groep_lely"]}),
        ("/besluit", {"outcome": "accept"}),
    )
    for step, data in steps:
        answer = client.post(f"/servicepunt/aanmeldingen/{rid}{step}", data={"csrf": token} | data)
        assert answer.status_code == 200
    with _db(site) as session:
        referral = session.get(Referral, rid)
        assert referral is not None and referral.occupancy_id is not None
        return rid, referral.occupancy_id


def test_the_provider_departure_records_planned_and_destination(
    client: TestClient, site: Site
) -> None:
    rid, stay = _placed(client, site)
    with TestClient(site.app) as provider:
        page = login(provider, site, "aanbieder").text
        assert "Einde van het verblijf" in page and "Waar naartoe (bestemming)" in page
        leave = f"/aanbieder/verblijven/{stay}/vertrek"
        form = {"csrf": csrf_of(page), "left_on": "2027-01-15", "outcome": "pleegzorg"}
        missing = provider.post(leave, data=form)
        assert missing.status_code == 422
        assert _errors(missing.text) == {f"vertrek-{stay}-planned": "is verplicht"}
        wrong = provider.post(leave, data=form | {"planned": "misschien"})
        assert wrong.status_code == 422 and f"vertrek-{stay}-planned" in _errors(wrong.text)
        with _db(site) as session:
            assert (r := session.get(Referral, rid)) is not None and r.status == "geplaatst"
        left = provider.post(leave, data=form | {"planned": "false"})
        assert left.status_code == 200 and "Opgeslagen: vertrek" in left.text
    with _db(site) as session:
        referral = session.get(Referral, rid)
        assert referral is not None
        vias = session.exec(select(AuditEntry.via).where(AuditEntry.entity_id == rid)).all()
    assert (referral.status, referral.discharge_outcome) == ("uitgestroomd", "pleegzorg")
    assert referral.discharge_planned is False
    assert "POST /aanbieder/verblijven/{id}/vertrek" in vias
    with TestClient(site.app) as sp:
        login(sp, site, "sp")
        report = sp.get("/api/v1/reports/uitstroom_zorgvorm", headers={
            "Authorization": f"Bearer {site.tokens['sp']}"}).json()["rows"]  # fmt: skip
    assert [(r["zorgvorm"], r["ongepland"]) for r in report] == [("behandelgroep", 1)]
