"""Issue #22 item 8: a printable record of the advice and the placement decision, with the
rule-set and weighting versions, for the child's file."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from api.audit import AuditEntry
from tests.web.test_pages import _place_deviating
from tests.web.web_support import Site, login


def test_the_print_page_has_advice_decision_deviation_and_versions(
    client: TestClient, site: Site
) -> None:
    rid = _place_deviating(client, site)
    detail = client.get(f"/servicepunt/aanmeldingen/{rid}").text
    assert f'href="/servicepunt/aanmeldingen/{rid}/afdruk"' in detail
    page = client.get(f"/servicepunt/aanmeldingen/{rid}/afdruk")
    assert page.status_code == 200
    text = page.text
    assert "First-best: <strong>residentiële behandelgroep</strong>" in text
    assert "geaccepteerd (gezinshuis alm), reden: voorkeur van de ouders" in text
    assert "Afwijking: zorgvorm gezinshuis in plaats van residentiële behandelgroep" in text
    assert "Regelset afwegingskader: " in text and "Weging en beleid van de voorstellen: " in text
    assert "<form" not in text.split("<main")[1]  # nothing to click on paper
    assert "Afgedrukt</dt><dd>23-11-2026 10:00 door" in text
    with Session(site.app.state.servicepunt.engine) as session:
        printed = session.exec(
            select(AuditEntry).where(col(AuditEntry.via).endswith("/afdruk"))
        ).all()
    assert [(e.action, e.entity_id) for e in printed] == [("export", rid)]


def test_only_the_servicepunt_prints_or_edits(client: TestClient, site: Site) -> None:
    rid = _place_deviating(client, site)
    login(client, site, "verwijzer")
    for path in ("afdruk", "bewerken"):
        answer = client.get(f"/servicepunt/aanmeldingen/{rid}/{path}")
        assert answer.status_code == 403, path
        assert "residentiële behandelgroep" not in answer.text
