"""The pages over HTTP: errors beside their fields with nothing saved, the waiting list's
traffic light, the deviation log, the provider's forms and the planner's charts and CSVs."""

from __future__ import annotations

import json
import re
from html import escape
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from api.web.planner import SWEEP_CHART
from capacity.models import Occupancy
from domain.codelist import default_codelist
from placements.models import Referral
from tests.web.web_support import Site, csrf_of, login, referral_payload

FIELD_ERROR = re.compile(r'<p class="veldfout" id="fout-([^"]+)">.*?</span>(.*?)</p>', re.S)


def _errors(html: str) -> dict[str, str]:
    return dict(FIELD_ERROR.findall(html))


def _bearer(site: Site, user: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {site.tokens[user]}"}


def _referral(client: TestClient, site: Site, **intake: Any) -> str:
    payload = referral_payload(child_ref=f"kind-{len(intake)}-{intake.get('beschikking_date')}")
    payload["intake"] |= intake
    answer = client.post("/api/v1/referrals", json=payload, headers=_bearer(site, "verwijzer"))
    assert answer.status_code == 201, answer.text
    return str(answer.json()["id"])


def _count(site: Site, model: Any) -> int:
    with Session(site.app.state.servicepunt.engine) as session:
        return len(session.exec(select(model)).all())


def test_referral_form_shows_each_error_beside_its_field_and_saves_nothing(
    client: TestClient, site: Site
) -> None:
    page = login(client, site, "sp")
    page = client.get("/aanmeldingen/nieuw")
    answer = client.post(
        "/aanmeldingen/nieuw",
        data={
            "csrf": csrf_of(page.text),
            "child_ref": "x",
            "bsn": "123456789",
            "profile.age": "30",
            "profile.severity": "ernstig",
            "intake.case_start_date": "gisteren",
        },
    )
    assert answer.status_code == 422
    errors = _errors(answer.text)
    assert errors["child_ref"] == "heeft niet de juiste vorm"
    assert errors["profile-age"] == "mag hoogstens 23 zijn"
    assert errors["profile-sex"].startswith("is verplicht")
    assert "datum" in errors["intake-case_start_date"]
    assert "profile-severity" not in errors
    assert "Er is niets opgeslagen" in answer.text
    assert "123456789" not in answer.text, "the BSN is never written back into the page"
    assert 'value="ernstig" selected' in answer.text, "valid answers are kept"
    assert _count(site, Referral) == 0


def test_referral_form_lists_every_capj_code_with_its_term_and_source(
    client: TestClient, site: Site
) -> None:
    login(client, site, "sp")
    page = client.get("/aanmeldingen/nieuw").text
    codes = default_codelist()
    for code in codes.codes():
        assert f"<td>{code.code}</td>" in page, code.code
        assert escape(code.term, quote=False) in page, code.code
    assert "term niet openbaar gedocumenteerd" in page
    assert escape(codes.source, quote=False) in page


def test_an_unknown_capj_code_is_shown_beside_its_field_without_the_code(
    client: TestClient, site: Site
) -> None:
    page = login(client, site, "sp")
    page = client.get("/aanmeldingen/nieuw")
    form = {"csrf": csrf_of(page.text), "child_ref": "kind-0001", "profile.capj": "A201, Q987"}
    answer = client.post("/aanmeldingen/nieuw", data=form)
    assert answer.status_code == 422
    problem = _errors(answer.text)["profile-capj"]
    assert problem == "onbekende code in classificatie CAP-J 2016"
    assert _count(site, Referral) == 0


def test_waiting_list_shows_the_14_day_norm_as_green_amber_red(
    client: TestClient, site: Site
) -> None:
    # The test clock is 23 November 2026; the norm runs 14 days from the beschikking.
    late = _referral(client, site, beschikking_date="2026-11-02")
    at_risk = _referral(client, site, beschikking_date="2026-11-11")
    on_time = _referral(client, site, beschikking_date="2026-11-20")
    login(client, site, "sp")
    page = client.get("/servicepunt/wachtlijst").text
    for rid, colour in ((late, "rood"), (at_risk, "oranje"), (on_time, "groen")):
        row = re.search(rf'<tr data-aanmelding="{rid}">(.*?)</tr>', page, re.S)
        assert row is not None
        assert f'class="badge badge-{colour}"' in row.group(1), colour
    csv = client.get("/servicepunt/wachtlijst.csv")
    assert csv.headers["content-type"].startswith("text/csv")
    lines = csv.text.splitlines()
    # Issue #16: Dutch headers and labels, the pseudonym instead of the referral id.
    assert lines[0].startswith("\ufeffkind (pseudoniem);") and len(lines) == 4
    assert {"te laat", "dreigt te laat", "op tijd"} <= {line.split(";")[8] for line in lines[1:]}
    assert not {late, at_risk, on_time} & set(csv.text.replace(";", "\n").splitlines())


def _place_deviating(client: TestClient, site: Site) -> str:
    rid = _referral(client, site, beschikking_date="2026-11-20")
    page = login(client, site, "sp")
    token = csrf_of(page.text)
    base = f"/servicepunt/aanmeldingen/{rid}"
    client.post(base + "/advies", data={"csrf": token})
    client.post(base + "/voorstellen", data={"csrf": token})
    held = client.post(
        base + "/vasthouden", data={"csrf": token, "unit_id": site.units["gezinshuis_alm"]}
    )
    assert "Vastgehouden: <strong>gezinshuis alm" in held.text
    refused = client.post(base + "/besluit", data={"csrf": token, "outcome": "accept"})
    assert refused.status_code == 422
    assert "wijkt af" in _errors(refused.text)["decision-reason_code"]
    placed = client.post(
        base + "/besluit",
        data={"csrf": token, "outcome": "accept", "reason_code": "voorkeur_ouders"},
    )
    assert "Geplaatst op 23-11-2026" in placed.text
    return rid


@pytest.mark.region("flevoland")
def test_deviating_placement_needs_a_reason_and_shows_in_the_log(
    client: TestClient, site: Site
) -> None:
    rid = _place_deviating(client, site)
    log = client.get("/servicepunt/afwijkingen").text
    assert rid[:8] in log and "voorkeur van de ouders" in log and "andere zorgvorm" in log
    # Where the child was placed: municipality and region (issue #20), never the code.
    assert "Almere (regio Flevoland)" in log and ">GM0034<" not in log
    csv = client.get("/servicepunt/afwijkingen.csv").text.splitlines()
    # Issue #16: the child's pseudonym in the export, never the internal referral id.
    assert len(csv) == 2 and csv[1].startswith("kind-") and rid not in csv[1]
    assert "Almere (regio Flevoland)" in csv[1] and "GM0034" not in csv[1]


def test_hold_in_a_full_unit_is_refused_on_the_page(client: TestClient, site: Site) -> None:
    rid = _referral(client, site, beschikking_date="2026-11-20")
    token = csrf_of(login(client, site, "sp").text)
    base = f"/servicepunt/aanmeldingen/{rid}"
    client.post(base + "/advies", data={"csrf": token})
    client.post(base + "/voorstellen", data={"csrf": token})
    bad = client.post(base + "/vasthouden", data={"csrf": token, "unit_id": "bestaat-niet"})
    assert bad.status_code in (404, 409, 422)
    assert 'class="veldfout"' in bad.text
    with Session(site.app.state.servicepunt.engine) as session:
        assert session.get(Referral, rid).status == "voorgesteld"  # type: ignore[union-attr]


def test_provider_forms_record_and_refuse_with_field_errors(client: TestClient, site: Site) -> None:
    token = csrf_of(login(client, site, "aanbieder").text)
    unit = site.units["groep_lely"]
    bad = client.post(
        f"/aanbieder/eenheden/{unit}/opname",
        data={"csrf": token, "child_ref": "a b", "since": "2026-11-23"},
    )
    assert bad.status_code == 422
    assert _errors(bad.text) == {f"opname-{unit}-child_ref": "heeft niet de juiste vorm"}
    assert _count(site, Occupancy) == 0
    ok = client.post(
        f"/aanbieder/eenheden/{unit}/opname",
        data={"csrf": token, "child_ref": "kind-0042", "since": "2026-11-20"},
    )
    assert ok.status_code == 200 and "kind-0042" in ok.text
    with Session(site.app.state.servicepunt.engine) as session:
        stay = session.exec(select(Occupancy)).one()
    expected = client.post(
        f"/aanbieder/verblijven/{stay.id}/verwacht-vertrek",
        data={"csrf": token, "expected_end": "2026-12-10"},
    )
    assert 'value="2026-12-10"' in expected.text
    early = client.post(
        f"/aanbieder/verblijven/{stay.id}/vertrek",
        data={"csrf": token, "left_on": "2026-11-01", "outcome": "thuis_met_hulp",
              "planned": "true"},
    )  # fmt: skip
    assert early.status_code == 422 and f"vertrek-{stay.id}-left_on" in _errors(early.text)
    change = client.post(
        f"/aanbieder/eenheden/{unit}/capaciteit",
        data={"csrf": token, "kind": "places_opened", "effective_on": "2026-11-23", "places": "2"},
    )
    assert "10</strong> plaatsen" in change.text
    # Another provider's unit: a readable 403, nothing saved.
    other = client.post(
        f"/aanbieder/eenheden/{site.units['gezinshuis_alm']}/opname",
        data={"csrf": token, "child_ref": "kind-0043", "since": "2026-11-20"},
    )
    assert other.status_code == 403 and "niet bij uw organisatie" in other.text
    assert _count(site, Occupancy) == 1


def test_planner_charts_have_tables_and_every_csv_link_works(
    client: TestClient, site: Site
) -> None:
    _place_deviating(client, site)
    client.post("/uitloggen", data={"csrf": csrf_of(client.get("/servicepunt").text)})
    login(client, site, "planner")
    page = client.get("/planner").text
    assert page.count('<svg class="chart"') >= 5
    assert "Afwijkingspercentage" in page and "Bezetting per zorgvorm" in page
    links = sorted(set(re.findall(r'href="(/planner/csv/[a-z_0-9]+)"', page)))
    assert {"/planner/csv/bezetting", "/planner/csv/first_best"} <= set(links)
    for link in links:
        csv = client.get(link)
        assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
        assert ";" in csv.text.splitlines()[0], link
    reasons = client.get("/planner/csv/afwijkingsredenen").text.splitlines()
    # Issue #16: the reason's Dutch label; one deviation is a small number for the planner.
    assert reasons[1].startswith("voorkeur van de ouders;<5;")
    assert client.get("/planner/csv/bestaat_niet").status_code == 404
    assert "Nieuwe simulatie" in client.get("/planner/simulaties").text


def test_verwijzer_submits_a_referral_and_follows_its_status(
    client: TestClient, site: Site
) -> None:
    page = login(client, site, "verwijzer")
    form = client.get("/aanmeldingen/nieuw").text
    assert 'name="verwijzer_type"' not in form, "a verwijzer's type comes from the account"
    answer = client.post(
        "/aanmeldingen/nieuw",
        data={
            "csrf": csrf_of(page.text),
            "child_ref": "kind-0777",
            "profile.age": "9",
            "profile.sex": "v",
            "profile.severity": "matig",
            "profile.complexity": "meervoudig",
            "profile.perspective": "terug_naar_huis",
            "profile.home_municipality": "almere",
            "intake.future_municipality": "almere",
            "intake.case_start_date": "2026-11-01",
            "intake.beschikking_date": "2026-11-20",
            "intake.woonplaats.stay": "geen",
            "intake.woonplaats.brp_residence": "almere",
        },
    )
    assert answer.url.path == "/verwijzer"
    assert "kind-0777" in answer.text and "aangemeld" in answer.text
    with Session(site.app.state.servicepunt.engine) as session:
        referral = session.exec(select(Referral)).one()
    assert referral.verwijzer_type == "01" and referral.responsible_municipality == "GM0034"
    # Another verwijzer does not see it.
    other = TestClient(site.app)
    assert "kind-0777" not in login(other, site, "verwijzer2").text


def test_unknown_referral_is_a_readable_404(client: TestClient, site: Site) -> None:
    token = csrf_of(login(client, site, "sp").text)
    assert client.get("/servicepunt/aanmeldingen/bestaat-niet").status_code == 404
    answer = client.post("/servicepunt/aanmeldingen/bestaat-niet/advies", data={"csrf": token})
    assert answer.status_code == 404 and "Niet gevonden" in answer.text


def test_planner_page_shows_the_shipped_policy_sweep_frontier(
    client: TestClient, site: Site
) -> None:
    login(client, site, "planner")
    page = client.get("/planner").text
    assert 'id="afweging"' in page and "Afweging plaatsingsbeleid" in page
    assert 'class="huidig-beleid"' in page and "Pareto-optimaal" in page
    # Beside the chart, a table names every point's settings in Dutch, with its figures.
    shipped = json.loads(SWEEP_CHART.with_name("afweging.json").read_text(encoding="utf-8"))
    table = page[page.index("Punten van de afweging") :].split("</table>")[0]
    rows = re.findall(r"<tr><td>(.*?)</td><td>(.*?)</td>", table)
    assert len(rows) == len(shipped["points"]) > 1
    assert rows[0] == ("huidig beleid", "zoals verzonden")
    assert "urgentie vanaf (dagen voor de wachtgrens): 90" in table
    assert "levels." not in table and "first_best." not in table  # no raw parameter paths
