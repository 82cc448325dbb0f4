"""Every action of the status table can be taken from the page of each role that may take
it: the servicepunt's referral page, the verwijzer's own list (withdraw), the provider's
stays (a departure discharges) and the gedragswetenschapper's judgement page. The
verwijzer's withdraw form needs CSRF, is audited, and another verwijzer's referral stays
hidden."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from api.audit import AuditEntry
from capacity.models import Hold
from domain.vocabulary import ReferralStatus
from placements.lifecycle_models import ProviderRequest
from placements.models import Referral
from placements.transitions import TRANSITIONS, Action, Actor
from tests.web.web_support import Site, csrf_of, login, referral_payload

S = ReferralStatus
# The servicepunt's steps, in order, that bring a new referral to each status.
STEPS: list[tuple[ReferralStatus, str, dict[str, str]]] = [
    (S.GEADVISEERD, "/advies", {}),
    (S.VOORGESTELD, "/voorstellen", {}),
    (S.VASTGEHOUDEN, "/vasthouden", {"unit_id": "groep_lely"}),
    (S.GEPLAATST, "/besluit", {"outcome": "accept"}),
]
ORDER = [S.AANGEMELD, *(status for status, _, _ in STEPS)]
# Where each person's action is offered: who signs in, which page, and the form's action.
Form = Callable[[Site, Referral], tuple[str, str]]


def _servicepunt(step: str) -> Form:
    def form(site: Site, r: Referral) -> tuple[str, str]:
        page = f"/servicepunt/aanmeldingen/{r.id}"
        return page, page + step

    return form


SERVICEPUNT_STEP = {
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
}


def _provider_answer(site: Site, r: Referral) -> tuple[str, str]:
    """The provider's answer to the request for the referral's held place."""
    with Session(site.app.state.servicepunt.engine) as session:
        asked = session.exec(
            select(ProviderRequest).where(ProviderRequest.hold_id == r.hold_id)
        ).one()
    return "/aanbieder/verzoeken", f"/aanbieder/verzoeken/{asked.id}/antwoord"


PAGE_FORM: dict[tuple[Action, Actor], Form] = {
    **{(a, Actor.SERVICEPUNT): _servicepunt(step) for a, step in SERVICEPUNT_STEP.items()},
    # The edit form is a page of its own, opened from the referral page.
    (Action.EDIT, Actor.SERVICEPUNT): lambda site, r: (
        f"/servicepunt/aanmeldingen/{r.id}/bewerken",
        f"/servicepunt/aanmeldingen/{r.id}/bewerken",
    ),
    (Action.WITHDRAW, Actor.VERWIJZER): lambda site, r: (
        "/verwijzer",
        f"/verwijzer/aanmeldingen/{r.id}/intrekken",
    ),
    (Action.DISCHARGE, Actor.AANBIEDER): lambda site, r: (
        "/aanbieder",
        f"/aanbieder/verblijven/{r.occupancy_id}/vertrek",
    ),
    # One form accepts or refuses the held place (the answer is a choice in it).
    (Action.PROVIDER_ACCEPT, Actor.AANBIEDER): _provider_answer,
    (Action.PROVIDER_REFUSE, Actor.AANBIEDER): _provider_answer,
    # One form confirms or changes the advice (the verdict is a choice in it).
    **{
        (a, Actor.GEDRAGSWETENSCHAPPER): lambda site, r: (
            f"/gedragswetenschapper/aanmeldingen/{r.id}",
            f"/gedragswetenschapper/aanmeldingen/{r.id}/oordeel",
        )
        for a in (Action.CONFIRM_ADVICE, Action.CHANGE_ADVICE)
    },
}
USER_OF = {
    Actor.SERVICEPUNT: "sp",
    Actor.VERWIJZER: "verwijzer",
    Actor.AANBIEDER: "aanbieder",
    Actor.GEDRAGSWETENSCHAPPER: "gw",
}
CASES = [
    pytest.param(action, actor, status, id=f"{action.value}-{actor.value}-{status.value}")
    for action, t in TRANSITIONS.items()
    for actor in sorted(t.actors - {Actor.SYSTEEM})
    for status in sorted(t.sources, key=ORDER.index)
]


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


def _referral_at(client: TestClient, site: Site, status: ReferralStatus) -> str:
    rid = _referral(client, site)
    token = csrf_of(login(client, site, "sp").text)
    for reached, step, fields in STEPS[: ORDER.index(status)]:
        data = {"csrf": token} | {k: site.units.get(v, v) for k, v in fields.items()}
        answer = client.post(f"/servicepunt/aanmeldingen/{rid}{step}", data=data)
        assert answer.status_code == 200 and _stored(site, rid).status == reached, answer.text
    return rid


def _post_forms(html: str) -> set[str]:
    return set(re.findall(r'<form method="post" action="([^"]+)"', html))


def test_every_persons_action_of_the_table_has_a_page() -> None:
    wanted = {(a, actor) for a, t in TRANSITIONS.items() for actor in t.actors - {Actor.SYSTEEM}}
    assert wanted == PAGE_FORM.keys()


@pytest.mark.parametrize(("action", "actor", "status"), CASES)
def test_every_action_is_offered_on_the_page_of_a_role_that_may_take_it(
    site: Site, action: Action, actor: Actor, status: ReferralStatus
) -> None:
    with TestClient(site.app) as staff:
        rid = _referral_at(staff, site, status)
    with TestClient(site.app) as client:
        login(client, site, USER_OF[actor])
        page_url, form = PAGE_FORM[action, actor](site, _stored(site, rid))
        page = client.get(page_url)
        assert page.status_code == 200, page.text
        assert form in _post_forms(page.text)


def _withdraw(client: TestClient, rid: str, **data: Any) -> Any:
    reason = {"withdrawal_reason": "niet_meer_nodig"}
    return client.post(f"/verwijzer/aanmeldingen/{rid}/intrekken", data=reason | data)


def test_the_verwijzer_withdraws_its_own_referral_and_a_held_place_comes_free(
    client: TestClient, site: Site
) -> None:
    rid = _referral_at(client, site, S.VASTGEHOUDEN)
    token = csrf_of(login(client, site, "verwijzer").text)
    done = _withdraw(client, rid, csrf=token)
    assert done.status_code == 200 and "de aanmelding is ingetrokken" in done.text
    assert _stored(site, rid).status == S.INGETROKKEN
    with Session(site.app.state.servicepunt.engine) as session:
        assert session.exec(select(Hold)).one().state == "released"
        vias = session.exec(select(AuditEntry.via).where(AuditEntry.entity_id == rid)).all()
    assert "POST /verwijzer/aanmeldingen/{referral_id}/intrekken" in vias
    assert f"/verwijzer/aanmeldingen/{rid}/intrekken" not in _post_forms(done.text)


def test_the_verwijzers_withdraw_needs_the_csrf_token(client: TestClient, site: Site) -> None:
    rid = _referral(client, site)
    login(client, site, "verwijzer")
    refused = _withdraw(client, rid)
    assert refused.status_code in (400, 403)
    assert _stored(site, rid).status == S.AANGEMELD


def test_another_verwijzers_referral_cannot_be_withdrawn_and_stays_hidden(
    client: TestClient, site: Site
) -> None:
    rid = _referral(client, site)
    token = csrf_of(login(client, site, "verwijzer2").text)
    assert _withdraw(client, rid, csrf=token).status_code == 404
    assert _withdraw(client, "bestaat-niet", csrf=token).status_code == 404
    assert _stored(site, rid).status == S.AANGEMELD


def test_a_placed_referral_cannot_be_withdrawn_by_its_verwijzer(
    client: TestClient, site: Site
) -> None:
    rid = _referral_at(client, site, S.GEPLAATST)
    token = csrf_of(login(client, site, "verwijzer").text)
    assert f"/verwijzer/aanmeldingen/{rid}/intrekken" not in _post_forms(
        client.get("/verwijzer").text
    )
    refused = _withdraw(client, rid, csrf=token)
    assert refused.status_code == 409 and "nodig:" in refused.text
    assert _stored(site, rid).status == S.GEPLAATST
