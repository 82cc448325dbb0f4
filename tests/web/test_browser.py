"""Acceptance in a real headless Chromium: the servicepunt flow, the live board, the provider's
departure, role separation, labels and keyboard use. Each test saves screenshots."""

from __future__ import annotations

import time
from typing import Any

import httpx
from playwright.sync_api import expect

from tests.web.browser_support import board_free, sign_in, tab_to, unlabelled
from tests.web.web_support import Site, referral_payload

GEZINSHUIS_ALMERE_12 = "gezinshuis|GM0034|12-17"
GROEP_LELYSTAD_12 = "behandelgroep|GM0995|12-17"


def _api(site: Site, user: str, method: str, path: str, **kwargs: Any) -> httpx.Response:
    headers = {"Authorization": f"Bearer {site.tokens[user]}"}
    return httpx.request(method, site.base_url + path, headers=headers, timeout=10, **kwargs)


def _fill_referral(page: Any) -> None:
    page.get_by_label("Pseudoniem van het kind").fill("kind-web-1")
    page.get_by_label("Type verwijzer (COD327)").select_option("01")
    page.get_by_label("Leeftijd (jaren)").fill("14")
    page.get_by_label("Geslacht").select_option("m")
    page.get_by_label("CAP-J-codes").fill("A200")
    page.get_by_label("Zwaarte van de problemen").select_option("ernstig")
    page.get_by_label("Complexiteit").select_option("complex")
    page.get_by_label("Externaliserend gedrag").select_option("matig")
    page.get_by_label("Eerdere plaatsingen").fill("1")
    page.get_by_label("Behandelbehoefte").select_option("residentieel")
    page.get_by_label("Trauma", exact=True).check()
    page.get_by_label("Kind stemt in met de plaatsing").check()
    page.get_by_label("Toekomstperspectief").select_option("terug_naar_huis")
    page.get_by_label("Gemeente van herkomst").select_option("GM0995")
    page.get_by_label("Gemeente waar het kind gaat wonen").select_option("GM0995")
    page.get_by_label("Start van de casus").fill("2026-11-01")
    page.get_by_label("Datum beschikking").fill("2026-11-20")
    page.get_by_label("Verblijf buiten huis").select_option("geen")
    page.get_by_label("BRP-woonadres (gemeente)").select_option("GM0995")


def test_servicepunt_takes_a_referral_from_form_to_placement(
    live: Site, chromium: Any, shot: list[Any]
) -> None:
    page = sign_in(chromium, live, "sp")
    shot.append(page)
    assert page.url.endswith("/servicepunt")
    page.get_by_role("link", name="Nieuwe aanmelding").first.click()
    # A bad submission shows the errors beside the fields and saves nothing.
    page.get_by_label("Pseudoniem van het kind").fill("x")
    page.get_by_role("button", name="Aanmelding opslaan").click()
    expect(page.locator("#fout-child_ref")).to_contain_text("juiste vorm")
    expect(page.locator("#fout-profile-sex")).to_contain_text("verplicht")
    assert page.get_by_label("Pseudoniem van het kind").get_attribute("aria-invalid") == "true"
    assert _api(live, "sp", "GET", "/api/v1/referrals").json()["total"] == 0
    _fill_referral(page)
    page.get_by_role("button", name="Aanmelding opslaan").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("kind-web-1")

    page.get_by_role("button", name="Advies opvragen").click()
    expect(page.locator("#advies")).to_contain_text("residentiële behandelgroep")
    assert page.locator("ol.redenen li").count() > 0, "the advice shows its reasons"

    page.get_by_role("button", name="Voorstellen maken").click()
    first = page.locator("li.voorstel").first
    expect(first).to_contain_text("groep lely")
    expect(first).to_contain_text("km tot Lelystad")
    assert first.locator("table.score tbody tr").count() > 0, "the score is explained"

    first.get_by_role("button", name="Plek vasthouden").click()
    expect(page.locator("#besluit")).to_contain_text("Vastgehouden: groep lely")
    page.get_by_label("Accepteren en plaatsen").check()
    page.get_by_role("button", name="Besluit vastleggen").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("geplaatst")
    expect(page.locator("#besluit")).to_contain_text("Geplaatst op 23-11-2026 in groep lely")
    listed = _api(live, "sp", "GET", "/api/v1/referrals").json()["items"]
    assert [r["status"] for r in listed] == ["geplaatst"]


def test_board_drops_within_two_seconds_of_a_hold_by_another_user(
    live: Site, chromium: Any, shot: list[Any]
) -> None:
    page = sign_in(chromium, live, "verwijzer")
    shot.append(page)
    expect(page.locator("#bord-status")).to_contain_text("Live bijgewerkt")
    before = board_free(page, GEZINSHUIS_ALMERE_12)
    assert before == 4
    # Another user (the servicepunt) takes a referral to a hold over the API.

    created = _api(live, "verwijzer2", "POST", "/api/v1/referrals", json=referral_payload())
    rid = created.json()["id"]
    assert _api(live, "sp", "POST", f"/api/v1/referrals/{rid}/advice").status_code == 200
    assert _api(live, "sp", "POST", f"/api/v1/referrals/{rid}/proposals").status_code == 200
    held_at = time.monotonic()
    held = _api(
        live,
        "sp",
        "POST",
        f"/api/v1/referrals/{rid}/hold",
        json={"unit_id": live.units["gezinshuis_alm"]},
    )
    assert held.status_code == 201, held.text
    cell = page.locator(f'#bord tr[data-cel="{GEZINSHUIS_ALMERE_12}"] td[data-veld="vrij"]')
    expect(cell).to_have_text(str(before - 1), timeout=2000)
    assert time.monotonic() - held_at < 2.0


def test_provider_records_a_departure_and_the_board_shows_the_place_free(
    live: Site, chromium: Any, shot: list[Any]
) -> None:
    unit = live.units["groep_lely"]
    for n in range(8):  # fill the group
        admitted = _api(
            live,
            "aanbieder",
            "POST",
            f"/api/v1/units/{unit}/admissions",
            json={"child_ref": f"kind-{n:04d}", "since": "2026-10-01"},
        )
        assert admitted.status_code == 201, admitted.text
    board = sign_in(chromium, live, "verwijzer")
    provider = sign_in(chromium, live, "aanbieder")
    shot.extend([board, provider])
    expect(board.locator("#bord-status")).to_contain_text("Live bijgewerkt")
    assert board_free(board, GROEP_LELYSTAD_12) == 0

    provider.locator(f"#eenheid-{unit} > summary").click()  # one unit open at a time
    row = provider.locator('tr[data-verblijf="kind-0003"]')
    row.get_by_label("Einde van het verblijf").select_option("true")
    row.get_by_label("Waar naartoe (bestemming)").select_option("thuis_met_hulp")
    row.get_by_role("button", name="Vertrek vastleggen").click()
    expect(provider.locator(".melding-ok")).to_contain_text("vertrek")
    expect(provider.locator('tr[data-verblijf="kind-0003"]')).to_have_count(0)
    cell = board.locator(f'#bord tr[data-cel="{GROEP_LELYSTAD_12}"] td[data-veld="vrij"]')
    expect(cell).to_have_text("1", timeout=2000)


def test_verwijzer_cannot_open_servicepunt_pages(
    live: Site, chromium: Any, shot: list[Any]
) -> None:
    page = sign_in(chromium, live, "verwijzer")
    shot.append(page)
    for path in ("/servicepunt", "/servicepunt/wachtlijst", "/servicepunt/afwijkingen"):
        response = page.goto(path)
        assert response is not None and response.status == 403, path
        expect(page.get_by_role("heading", level=1)).to_have_text("Geen toegang")
        expect(page.get_by_role("alert")).to_contain_text("niet beschikbaar voor uw rol")


def test_every_input_has_a_label_and_the_flow_works_by_keyboard(
    live: Site, chromium: Any, shot: list[Any]
) -> None:

    created = _api(live, "verwijzer", "POST", "/api/v1/referrals", json=referral_payload())
    rid = created.json()["id"]
    context = chromium.new_context(base_url=live.base_url)
    page = context.new_page()
    shot.append(page)
    page.goto("/inloggen")
    assert unlabelled(page) == []
    # Keyboard only: Tab to the fields, type, Enter submits.
    tab_to(page, element_id="gebruikersnaam")
    page.keyboard.type("sp")
    page.keyboard.press("Tab")
    page.keyboard.type(live.tokens["sp"])
    page.keyboard.press("Enter")
    page.wait_for_url("**/servicepunt")
    tab_to(page, text="Openen")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/servicepunt/aanmeldingen/{rid}")
    tab_to(page, text="Advies opvragen")
    page.keyboard.press("Enter")
    expect(page.locator("#advies")).to_contain_text("First-best")
    tab_to(page, text="Voorstellen maken")
    page.keyboard.press("Enter")
    expect(page.locator("li.voorstel").first).to_contain_text("score")
    for path in (
        f"/servicepunt/aanmeldingen/{rid}",
        "/aanmeldingen/nieuw",
        "/servicepunt/wachtlijst",
        "/servicepunt/afwijkingen",
        "/planner",
        "/servicepunt",
    ):
        page.goto(path)
        assert unlabelled(page) == [], path
    provider = sign_in(chromium, live, "aanbieder")
    board = sign_in(chromium, live, "verwijzer")
    shot.extend([provider, board])
    assert unlabelled(provider) == []
    assert unlabelled(board) == []
    board.goto("/aanmeldingen/nieuw")
    assert unlabelled(board) == []
