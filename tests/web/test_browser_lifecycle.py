"""Acceptance in a real headless Chromium for the roles of a placement's wider life (issue 21):
the provider answers a request for a held place, the perspectiefregisseur records a task,
and the servicepunt enters a beschikking in the register. Each test saves screenshots."""

from __future__ import annotations

from typing import Any

import httpx
from playwright.sync_api import expect
from sqlmodel import Session, select

from api.accounts import User
from domain.places import region_municipalities
from tests.web.browser_support import sign_in
from tests.web.web_support import Site, referral_payload


def _api(site: Site, user: str, method: str, path: str, **kwargs: Any) -> httpx.Response:
    headers = {"Authorization": f"Bearer {site.tokens[user]}"}
    answer = httpx.request(method, site.base_url + path, headers=headers, timeout=10, **kwargs)
    assert answer.status_code < 400, answer.text
    return answer


def _referral(site: Site) -> str:
    created = _api(site, "verwijzer", "POST", "/api/v1/referrals", json=referral_payload())
    return str(created.json()["id"])


def test_provider_refuses_a_held_place_with_a_reason(
    live: Site, chromium: Any, shot: list[Any]
) -> None:
    rid = _referral(live)
    _api(live, "sp", "POST", f"/api/v1/referrals/{rid}/advice")
    _api(live, "sp", "POST", f"/api/v1/referrals/{rid}/proposals")
    _api(
        live,
        "sp",
        "POST",
        f"/api/v1/referrals/{rid}/hold",
        json={"unit_id": live.units["groep_lely"]},
    )
    page = sign_in(chromium, live, "aanbieder")
    shot.append(page)
    page.get_by_role("link", name="Verzoeken om een plek beantwoorden").click()
    request = page.locator("section[data-verzoek]").first
    expect(request).to_contain_text("kind-0001")
    request.get_by_label("Weigeren (de plek komt vrij)").check()
    request.get_by_role("button", name="Antwoord vastleggen").click()
    expect(page.locator(".foutoverzicht")).to_contain_text("Reden van weigeren")
    request = page.locator("section[data-verzoek]").first
    request.get_by_label("Weigeren (de plek komt vrij)").check()
    request.get_by_label("Reden van weigeren (verplicht bij weigeren)").select_option(
        "geen_personeel"
    )
    request.get_by_role("button", name="Antwoord vastleggen").click()
    expect(page.locator(".melding-ok")).to_contain_text("geweigerd")
    expect(page.locator("section[data-verzoek]").first).to_contain_text("geen personeel")
    after = _api(live, "sp", "GET", f"/api/v1/referrals/{rid}").json()
    assert after["status"] == "voorgesteld" and "geen personeel" in after["status_note"]


def test_regisseur_records_the_perspectiefplan(live: Site, chromium: Any, shot: list[Any]) -> None:
    rid = _referral(live)
    with Session(live.app.state.servicepunt.engine) as session:
        regisseur = session.exec(select(User.id).where(User.username == "pr")).one()
    assigned = {"regisseur_user_id": regisseur}
    _api(live, "sp", "POST", f"/api/v1/referrals/{rid}/regisseur", json=assigned)
    page = sign_in(chromium, live, "pr")
    shot.append(page)
    assert page.url.endswith("/regisseur")
    row = page.locator('tr[data-stand="open"]', has_text="perspectiefplan")
    expect(row).to_have_count(1)
    row.get_by_role("button", name="Afgerond").click()
    expect(page.locator(".melding-ok")).to_contain_text("afgerond")
    expect(page.locator('tr[data-stand="gehaald"]', has_text="perspectiefplan")).to_have_count(1)


def test_servicepunt_enters_a_beschikking(live: Site, chromium: Any, shot: list[Any]) -> None:
    page = sign_in(chromium, live, "sp")
    shot.append(page)
    page.get_by_role("link", name="Register van beschikkingen").click()
    page.get_by_label("Pseudoniem van het kind").fill("kind-b01")
    page.get_by_label("Geboortedatum").fill("2012-03-04")
    home = region_municipalities()[-1]  # a municipality of the region this suite runs under
    page.get_by_label("Gemeente").select_option(label=home.label)
    page.get_by_label("Toewijzingnummer").fill("12")
    page.get_by_label("Productcategorie").fill("43")
    page.get_by_label("Productcode").fill("43A01")
    page.get_by_label("Begindatum").fill("2026-11-10")
    page.get_by_label("Volume").fill("365")
    page.locator("#veld-hand-unit").fill("14")
    page.get_by_label("Toewijzingsdatum (datum beschikking)").fill("2026-11-01")
    page.get_by_role("button", name="Beschikking opslaan").click()
    expect(page.locator(".melding-ok")).to_contain_text("beschikking opgeslagen")
    expect(page.locator("tr[data-beschikking]")).to_contain_text("kind-b01")


def test_servicepunt_changes_a_units_capacity_on_its_desk(
    live: Site, chromium: Any, shot: list[Any]
) -> None:
    page = sign_in(chromium, live, "sp")
    shot.append(page)
    page.get_by_role("link", name="Capaciteit", exact=True).click()
    unit = live.units["gezinshuis_alm"]
    page.locator(f"#eenheid-{unit} > summary").click()
    card = page.locator(f"#eenheid-{unit}")
    card.get_by_label("Wijziging").select_option("places_opened")
    card.get_by_label("Aantal plaatsen").fill("1")
    card.get_by_role("button", name="Wijziging opslaan").click()
    expect(page.locator(".melding-ok")).to_contain_text("capaciteitswijziging voor gezinshuis alm")
    units = _api(live, "sp", "GET", "/api/v1/units").json()["items"]
    assert next(u["places"] for u in units if u["unit_id"] == unit) == 5
