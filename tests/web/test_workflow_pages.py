"""The pages can do what the API can: every servicepunt step of the status table has its
form where the table allows it (withdraw and discharge included, with their fields and
CSRF); a hold that ended shows its note; a provider's departure on the provider page
discharges the referral; a hold without a chosen lifetime lasts SERVICEPUNT_HOLD_TTL."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from api import hold_endings
from api.audit import AuditEntry
from capacity.models import Hold
from domain.vocabulary import ReferralStatus
from placements.models import Referral
from placements.transitions import TRANSITIONS, Action, Actor
from tests.web.web_support import Site, csrf_of, login, referral_payload

FIELD_ERROR = re.compile(r'<p class="veldfout" id="fout-([^"]+)">.*?</span>(.*?)</p>', re.S)
# The servicepunt page's form for each action of the status table.
FORM_OF = {
    Action.ADVISE: "/advies",
    Action.PROPOSE: "/voorstellen",
    Action.HOLD: "/vasthouden",
    Action.ACCEPT: "/besluit",
    Action.DECLINE: "/besluit",
    Action.BRIDGING: "/overbrugging",
    Action.WITHDRAW: "/intrekken",
    Action.DISCHARGE: "/uitstroom",
    Action.TRANSFER: "/overplaatsen",
    Action.CONTINUE: "/voortzetten",
    Action.EDIT: "/bewerken",
}
# Actions whose form is a page of its own: the referral page links to it.
OWN_PAGE = {Action.EDIT}


def _referral(client: TestClient, site: Site, child_ref: str = "kind-0001") -> str:
    headers = {"Authorization": f"Bearer {site.tokens['verwijzer']}"}
    answer = client.post("/api/v1/referrals", json=referral_payload(child_ref), headers=headers)
    assert answer.status_code == 201, answer.text
    return str(answer.json()["id"])


def _stored(site: Site, rid: str) -> Referral:
    with Session(site.app.state.servicepunt.engine) as session:
        referral = session.get(Referral, rid)
        assert referral is not None
        return referral


def _forms(html: str, rid: str) -> set[str]:
    base = f"/servicepunt/aanmeldingen/{rid}"
    forms = set(re.findall(rf'<form method="post" action="{base}(/[a-z]+)"', html))
    pages = {FORM_OF[a] for a in OWN_PAGE}
    return forms | {step for step in re.findall(rf'href="{base}(/[a-z]+)"', html) if step in pages}


def _post(client: TestClient, rid: str, step: str, token: str, **data: Any) -> Any:
    return client.post(f"/servicepunt/aanmeldingen/{rid}{step}", data={"csrf": token} | data)


def _held(client: TestClient, site: Site, hours: str = "") -> tuple[str, str]:
    """A referral advised, proposed and held in groep_lely by the servicepunt (and its CSRF)."""
    rid = _referral(client, site)
    token = csrf_of(login(client, site, "sp").text)
    _post(client, rid, "/advies", token)
    _post(client, rid, "/voorstellen", token)
    held = {"uren": hours} if hours else {}
    _post(client, rid, "/vasthouden", token, unit_id=site.units["groep_lely"], **held)
    return rid, token


def test_every_servicepunt_step_of_the_table_has_its_form_where_the_table_allows_it(
    client: TestClient, site: Site
) -> None:
    rid = _referral(client, site)
    token = csrf_of(login(client, site, "sp").text)
    steps = [
        ("/advies", {}),
        ("/voorstellen", {}),
        ("/vasthouden", {"unit_id": site.units["groep_lely"]}),
        ("/besluit", {"outcome": "accept"}),
        ("/uitstroom", {"left_on": "2027-01-15", "outcome": "pleegzorg", "planned": "true"}),
    ]
    for step, data in [(None, {}), *steps]:
        if step is not None:
            answer = _post(client, rid, step, token, **data)
            assert answer.status_code == 200, answer.text
        status = ReferralStatus(_stored(site, rid).status)
        page = client.get(f"/servicepunt/aanmeldingen/{rid}").text
        wanted = {
            FORM_OF[action]
            for action, t in TRANSITIONS.items()
            if Actor.SERVICEPUNT in t.actors and status in t.sources
        }
        assert wanted <= _forms(page, rid), status
    assert _stored(site, rid).status == "uitgestroomd"
    assert _forms(client.get(f"/servicepunt/aanmeldingen/{rid}").text, rid) == set()


def test_withdraw_on_the_page_gives_a_held_place_back_and_is_audited(
    client: TestClient, site: Site
) -> None:
    rid, token = _held(client, site)
    # A withdrawal needs a coded reason, and 'anders' a text: refused beside the field.
    missing: tuple[tuple[dict[str, str], str], ...] = (
        ({}, "withdrawal_reason"),
        ({"withdrawal_reason": "anders"}, "withdrawal_text"),
    )
    for bad, field in missing:
        refused = _post(client, rid, "/intrekken", token, **bad)
        assert refused.status_code == 422
        assert f"withdraw-{field}" in dict(FIELD_ERROR.findall(refused.text))
        assert _stored(site, rid).status == "vastgehouden"
    page = _post(client, rid, "/intrekken", token, withdrawal_reason="geen_plek")
    assert page.status_code == 200 and "Opgeslagen: ingetrokken" in page.text
    assert _stored(site, rid).status == "ingetrokken"
    assert _stored(site, rid).withdrawal_reason == "geen_plek"
    assert "geen plek beschikbaar" in page.text
    with Session(site.app.state.servicepunt.engine) as session:
        assert session.exec(select(Hold)).one().state == "released"
        vias = session.exec(select(AuditEntry.via).where(AuditEntry.entity_id == rid)).all()
    assert "POST /servicepunt/aanmeldingen/{referral_id}/intrekken" in vias
    # Without the CSRF token nothing happens.
    other = _referral(client, site, "kind-0002")
    refused = client.post(f"/servicepunt/aanmeldingen/{other}/intrekken", data={})
    assert refused.status_code in (400, 403)
    assert _stored(site, other).status == "aangemeld"


def test_discharge_on_the_page_needs_its_fields_and_frees_the_place(
    client: TestClient, site: Site
) -> None:
    rid, token = _held(client, site)
    placed = _post(client, rid, "/besluit", token, outcome="accept")
    assert "Uitstroom vastleggen" in placed.text and "Waar naartoe" in placed.text
    missing = _post(client, rid, "/uitstroom", token, left_on="2027-01-15")
    assert missing.status_code == 422
    assert {"discharge-outcome", "discharge-planned"} <= set(
        dict(FIELD_ERROR.findall(missing.text))
    )
    assert _stored(site, rid).status == "geplaatst"
    done = _post(
        client, rid, "/uitstroom", token, left_on="2027-01-15", outcome="pleegzorg", planned="false"
    )
    assert done.status_code == 200 and "Uitgestroomd op 15-01-2027" in done.text
    assert _stored(site, rid).discharge_outcome == "pleegzorg"
    assert _stored(site, rid).discharge_planned is False
    assert "ongepland, afgebroken" in done.text


def test_provider_departure_on_the_provider_page_discharges_the_referral(
    client: TestClient, site: Site
) -> None:
    rid, token = _held(client, site)
    _post(client, rid, "/besluit", token, outcome="accept")
    stay = _stored(site, rid).occupancy_id
    provider = TestClient(site.app)
    provider_token = csrf_of(login(provider, site, "aanbieder").text)
    left = provider.post(
        f"/aanbieder/verblijven/{stay}/vertrek",
        data={"csrf": provider_token, "left_on": "2027-01-15", "outcome": "thuis_met_hulp",
              "planned": "false"},
    )  # fmt: skip
    assert left.status_code == 200, left.text
    after = _stored(site, rid)
    assert (after.status, after.discharge_outcome) == ("uitgestroomd", "thuis_met_hulp")
    assert after.discharge_planned is False  # the provider said: ended unplanned


def test_an_ended_hold_shows_its_note_on_the_workbench_and_the_referral(
    client: TestClient, site: Site
) -> None:
    rid, _ = _held(client, site, hours="1")
    site.clock.advance(minutes=61)  # past the hour (and within the 2 h sign-in)
    state = site.app.state.servicepunt
    assert hold_endings.sweep(state, now=site.clock())[2] == [rid]
    page = client.get(f"/servicepunt/aanmeldingen/{rid}").text
    assert 'id="statusmelding"' in page and "is verlopen op 23-11-2026 11:00" in page
    assert "/vasthouden" in "".join(_forms(page, rid)), "a new hold can be placed"
    assert "reservering beëindigd" in client.get("/servicepunt").text


def test_a_hold_without_a_chosen_lifetime_lasts_the_configured_time(
    client: TestClient, site: Site
) -> None:
    state = site.app.state.servicepunt
    state.settings = state.settings.model_copy(update={"hold_ttl_seconds": 1800})
    rid = _referral(client, site)
    token = csrf_of(login(client, site, "sp").text)
    _post(client, rid, "/advies", token)
    page = _post(client, rid, "/voorstellen", token)
    assert "standaard (0.5 uur)" in page.text
    _post(client, rid, "/vasthouden", token, unit_id=site.units["groep_lely"], uren="")
    with Session(state.engine) as session:
        held = session.exec(select(Hold)).one()
    assert held.expires_at == site.clock() + timedelta(minutes=30)


def test_the_referral_page_shows_an_expired_hold_before_any_sweep(
    client: TestClient, site: Site
) -> None:
    rid, _ = _held(client, site, hours="1")
    site.clock.advance(minutes=61)  # expired; no sweep has run (still signed in)
    page = client.get(f"/servicepunt/aanmeldingen/{rid}").text
    assert "is verlopen op" in page and "/besluit" not in _forms(page, rid)
    assert "/vasthouden" in _forms(page, rid)
    assert _stored(site, rid).status == "voorgesteld"
