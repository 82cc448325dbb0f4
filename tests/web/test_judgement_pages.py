"""The gedragswetenschapper's pages: the list of advices awaiting judgement, the judgement
form with errors beside their fields and nothing saved, one judgement per person, and the
judgement as the servicepunt sees it on the referral page and in the advice-level log."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from api.audit import AuditEntry
from placements.models import AdviceJudgement
from tests.web.web_support import Site, csrf_of, login, referral_payload

FIELD_ERROR = re.compile(r'<p class="veldfout" id="fout-([^"]+)">.*?</span>(.*?)</p>', re.S)
CHANGE = {
    "verdict": "change",
    "chosen_first_best": "gezinshuis",
    "reason_code": "netwerk",
    "reason_text": "gezinshuisouders kennen het kind",
}


def _advised(client: TestClient, site: Site) -> str:
    headers = {"Authorization": f"Bearer {site.tokens['verwijzer']}"}
    rid = str(
        client.post("/api/v1/referrals", json=referral_payload(), headers=headers).json()["id"]
    )
    token = csrf_of(login(client, site, "sp").text)
    assert client.post(f"/servicepunt/aanmeldingen/{rid}/advies", data={"csrf": token}).is_success
    return rid


def _post(client: TestClient, rid: str, **fields: Any) -> Any:
    return client.post(f"/gedragswetenschapper/aanmeldingen/{rid}/oordeel", data=fields)


def _as_judge(client: TestClient, site: Site, user: str, rid: str) -> str:
    login(client, site, user)
    return csrf_of(client.get(f"/gedragswetenschapper/aanmeldingen/{rid}").text)


def _judgements(site: Site) -> list[AdviceJudgement]:
    with Session(site.app.state.servicepunt.engine) as session:
        return list(session.exec(select(AdviceJudgement)).all())


def test_the_list_shows_the_advice_awaiting_judgement(client: TestClient, site: Site) -> None:
    rid = _advised(client, site)
    page = login(client, site, "gw").text
    assert f'<tr data-aanmelding="{rid}">' in page
    assert "wacht op oordeel gedragswetenschapper" in page


def test_the_page_shows_the_profile_and_the_advice_with_its_reasons(
    client: TestClient, site: Site
) -> None:
    rid = _advised(client, site)
    login(client, site, "gw")
    page = client.get(f"/gedragswetenschapper/aanmeldingen/{rid}").text
    assert "14 jaar" in page and "residentiële behandelgroep" in page
    assert '<ol class="redenen">' in page and "bron:" in page
    with Session(site.app.state.servicepunt.engine) as session:
        vias = session.exec(select(AuditEntry.via).where(AuditEntry.entity_id == rid)).all()
    assert "GET /gedragswetenschapper/aanmeldingen/{referral_id}" in vias


def test_a_change_is_saved_and_shows_the_original_advice(client: TestClient, site: Site) -> None:
    rid = _advised(client, site)
    token = _as_judge(client, site, "gw", rid)
    done = _post(client, rid, csrf=token, **CHANGE)
    assert done.status_code == 200 and "Opgeslagen: advies gewijzigd" in done.text
    assert 'id="oorspronkelijk"' in done.text
    assert [j.chosen_form for j in _judgements(site)] == ["gezinshuis"]


def test_a_judgement_without_a_reason_shows_the_error_and_saves_nothing(
    client: TestClient, site: Site
) -> None:
    rid = _advised(client, site)
    token = _as_judge(client, site, "gw", rid)
    refused = _post(client, rid, csrf=token, **(CHANGE | {"reason_code": "", "reason_text": ""}))
    assert refused.status_code == 422
    errors = dict(FIELD_ERROR.findall(refused.text))
    assert errors["oordeel-reason_code"].startswith("is verplicht")
    assert "Er is niets opgeslagen" in refused.text
    assert 'value="gezinshuis" selected' in refused.text, "valid answers are kept"
    assert _judgements(site) == []


def test_a_judgement_needs_the_csrf_token(client: TestClient, site: Site) -> None:
    rid = _advised(client, site)
    _as_judge(client, site, "gw", rid)
    assert _post(client, rid, **CHANGE).status_code == 403
    assert _judgements(site) == []


def test_a_second_judgement_by_the_same_person_is_refused(client: TestClient, site: Site) -> None:
    rid = _advised(client, site)
    token = _as_judge(client, site, "gw", rid)
    _post(client, rid, csrf=token, **(CHANGE | {"chosen_first_best": "gesloten"}))
    page = client.get(f"/gedragswetenschapper/aanmeldingen/{rid}").text
    assert "U heeft dit advies al beoordeeld" in page
    assert f"/gedragswetenschapper/aanmeldingen/{rid}/oordeel" not in page
    refused = _post(client, rid, csrf=token, verdict="confirm", reason_code="advies_past")
    assert refused.status_code == 409
    assert (
        "andere gedragswetenschapper"
        in dict(FIELD_ERROR.findall(refused.text))["oordeel-judged_by"]
    )
    assert len(_judgements(site)) == 1


def test_the_servicepunt_sees_the_judgement_status_on_the_referral(
    client: TestClient, site: Site
) -> None:
    rid = _advised(client, site)
    page = client.get(f"/servicepunt/aanmeldingen/{rid}").text
    assert "wacht op oordeel gedragswetenschapper" in page
    token = _as_judge(client, site, "gw", rid)
    _post(client, rid, csrf=token, **(CHANGE | {"chosen_first_best": "gesloten"}))
    login(client, site, "sp")
    page = client.get(f"/servicepunt/aanmeldingen/{rid}").text
    assert "wacht op tweede gedragswetenschapper" in page
    assert "naar <strong>gesloten jeugdhulp (JeugdzorgPlus)</strong> door gw" in page
    refused = client.post(
        f"/servicepunt/aanmeldingen/{rid}/voorstellen", data={"csrf": csrf_of(page)}
    )
    assert refused.status_code == 409 and "Jeugdwet art. 6.1.2" in refused.text
    token = _as_judge(client, site, "gw2", rid)
    _post(client, rid, csrf=token, verdict="confirm", reason_code="advies_past")
    login(client, site, "sp")
    page = client.get(f"/servicepunt/aanmeldingen/{rid}").text
    assert "oordeel afgerond" in page and "bevestigd door gw2" in page


def test_the_advice_level_log_is_apart_from_the_placement_deviations(
    client: TestClient, site: Site
) -> None:
    rid = _advised(client, site)
    token = _as_judge(client, site, "gw", rid)
    _post(client, rid, csrf=token, **CHANGE)
    login(client, site, "sp")
    page = client.get("/servicepunt/adviesafwijkingen").text
    assert f'<tr data-aanmelding="{rid}">' in page
    assert "Nog geen afwijkingen vastgelegd" in client.get("/servicepunt/afwijkingen").text
    csv = client.get("/servicepunt/adviesafwijkingen.csv")
    assert csv.status_code == 200 and "kind-0001;" in csv.text and "gezinshuis" in csv.text
    login(client, site, "planner")
    dashboard = client.get("/planner").text
    assert "Afwijkingen van het advies door gedragswetenschappers" in dashboard
    assert rid not in dashboard
    planner_csv = client.get("/planner/csv/adviesafwijkingen").text
    assert "<5" in planner_csv and rid not in planner_csv
