"""The planner page shows the reports of a placement's wider life (issue 21) beside the
others: the crisis desk's quarterly table, deviations at both levels, provider answers, the
two-week norm of the register, endings and moves, and the regisseurs' tasks."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session

from api.routes.reports import REPORTS
from tests.web.web_support import Site, login, referral_payload

NEW_REPORTS = (
    "crisis_kwartaalrapport",
    "afwijkingen_niveaus",
    "afwijkingsredenen_niveaus",
    "intrekkingsredenen",
    "aanbieder_antwoorden",
    "weigeringen",
    "beschikkingen_norm",
    "uitstroom_zorgvorm",
    "uitstroom_aanbieder",
    "uitstroom_bestemming",
    "verhuizingen",
    "overplaatsingen",
    "terugkeer_12_maanden",
    "regie_taken",
    "behoefte_aanbod_integraal",
)


def test_the_planner_page_shows_every_new_report(client: TestClient, site: Site) -> None:
    page = login(client, site, "planner")
    assert page.status_code == 200
    engine = site.app.state.servicepunt.engine

    with Session(engine) as session:
        titles = {
            name: REPORTS[name](session, site.clock(), (None, None)).title for name in NEW_REPORTS
        }
    for name, title in titles.items():
        assert title in page.text, name


def test_the_integral_view_is_on_the_planner_page_and_its_csv_with_small_counts_hidden(
    client: TestClient, site: Site
) -> None:
    headers = {"Authorization": f"Bearer {site.tokens['verwijzer']}"}
    created = client.post("/api/v1/referrals", json=referral_payload("kind-0001"), headers=headers)
    rid = created.json()["id"]
    sp = {"Authorization": f"Bearer {site.tokens['sp']}"}
    assert client.post(f"/api/v1/referrals/{rid}/advice", headers=sp).status_code == 200
    page = login(client, site, "planner").text
    start = page.index('id="kop-behoefte"')
    table = page[start : page.index("</table>", start)]
    # One child waits this month for a behandelgroep with trauma expertise: 8 free places;
    # the eleven months before, 8 free places and no child. The months are columns.
    assert '<th scope="col">2025-12</th>' in table and '<th scope="col">2026-11</th>' in table
    row = (
        "<tr><td>Lelystad</td><td>12-17</td><td>residentiële behandelgroep</td>"
        "<td>traumasensitief / traumabehandeling</td>"
        + "<td>0 / 8</td>" * 11
        + "<td>&lt;5 / 8</td></tr>"
    )
    assert row in table
    csv = client.get("/planner/csv/behoefte_aanbod_integraal")
    assert csv.status_code == 200
    # The capability by its label, as on the page.
    assert (
        "2026-11;Lelystad;12-17;residentiële behandelgroep;traumasensitief / traumabehandeling;"
        "<5;8;afgeschermd"
    ) in csv.text
