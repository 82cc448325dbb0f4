"""Perspectiefregie on the pages: the servicepunt assigns a regisseur on the referral page;
the regisseur sees only their own children and records a task as done (bad input refused
beside the field, nothing saved); another regisseur's task stays hidden."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from api.accounts import User
from api.audit import AuditEntry
from placements.lifecycle_models import RegieTask
from tests.web.web_support import Site, csrf_of, login, referral_payload

FIELD_ERROR = re.compile(r'<p class="veldfout" id="fout-([^"]+)">')


def _assigned(client: TestClient, site: Site) -> tuple[str, str]:
    """A referral with regisseur 'pr', assigned on the servicepunt page; its first task."""
    headers = {"Authorization": f"Bearer {site.tokens['verwijzer']}"}
    created = client.post("/api/v1/referrals", json=referral_payload("kind-0001"), headers=headers)
    rid = str(created.json()["id"])
    token = csrf_of(login(client, site, "sp").text)
    with Session(site.app.state.servicepunt.engine) as session:
        pr = session.exec(select(User.id).where(User.username == "pr")).one()
    page = client.get(f"/servicepunt/aanmeldingen/{rid}")
    assert f"/servicepunt/aanmeldingen/{rid}/regisseur" in page.text
    url = f"/servicepunt/aanmeldingen/{rid}/regisseur"
    refused = client.post(url, data={"csrf": token, "regisseur_user_id": "niemand"})
    assert refused.status_code == 422
    assert "regie-regisseur_user_id" in FIELD_ERROR.findall(refused.text)
    done = client.post(url, data={"csrf": token, "regisseur_user_id": pr})
    assert done.status_code == 200 and "Opgeslagen: regisseur" in done.text
    with Session(site.app.state.servicepunt.engine) as session:
        task = session.exec(select(RegieTask).where(RegieTask.kind == "perspectiefplan")).one()
    return rid, task.id


def test_the_regisseur_records_a_task_on_the_page(client: TestClient, site: Site) -> None:
    rid, task_id = _assigned(client, site)
    home = login(client, site, "pr")
    assert "kind-0001" in home.text and f'data-taak="{task_id}"' in home.text
    token = csrf_of(home.text)
    url = f"/regisseur/taken/{task_id}/afgerond"
    refused = client.post(url, data={"csrf": token, "done_on": "2099-01-01"})
    assert refused.status_code == 422
    assert f"taak-{task_id}-done_on" in FIELD_ERROR.findall(refused.text)
    done = client.post(url, data={"csrf": token, "done_on": "2026-11-23"})
    assert done.status_code == 200 and "Opgeslagen: afgerond" in done.text
    assert re.search(rf'data-taak="{task_id}" data-stand="gehaald"', done.text)
    with Session(site.app.state.servicepunt.engine) as session:
        vias = session.exec(select(AuditEntry.via).where(AuditEntry.entity_id == rid)).all()
    assert "POST /regisseur/taken/{task_id}/afgerond" in vias


def test_another_regisseur_sees_and_records_nothing(client: TestClient, site: Site) -> None:
    _, task_id = _assigned(client, site)
    home = login(client, site, "pr2")
    assert "kind-0001" not in home.text
    token = csrf_of(home.text)
    url = f"/regisseur/taken/{task_id}/afgerond"
    assert client.post(url, data={"csrf": token, "done_on": "2026-11-23"}).status_code == 404
