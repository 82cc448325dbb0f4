"""The planner page shows the reports of a placement's wider life (issue 21) beside the
others: the crisis desk's quarterly table, deviations at both levels, provider answers, the
two-week norm of the register, endings and moves, and the regisseurs' tasks."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session

from api.routes.reports import REPORTS
from tests.web.web_support import Site, login

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
