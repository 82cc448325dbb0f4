"""The register of beschikkingen on the servicepunt's page: entered by hand (bad input refused
beside the field, nothing saved, a BSN never shown back) and a pasted CSV file read whole or
refused naming its line and column; every new record audited."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from api.audit import AuditEntry
from placements.lifecycle_models import Beschikking
from tests.web.web_support import Site, csrf_of, login

FIELD_ERROR = re.compile(r'<p class="veldfout" id="fout-([^"]+)">')
HEADER = (
    "kind;geboortedatum;gemeente;toewijzingnummer;productcategorie;productcode;"
    "begindatum;volume;eenheid;toewijzingsdatum"
)
GOOD = "kind-c01;2012-03-04;urk;501;43;43A01;2026-11-10;365;14;2026-11-01"
HAND = {
    "child_ref": "kind-h01",
    "birth_date": "2011-01-02",
    "municipality": "zeewolde",
    "allocation_number": "77",
    "product_category": "44",
    "product_code": "44X",
    "start_date": "2026-11-10",
    "volume": "365",
    "unit": "14",
    "decided_on": "2026-11-01",
}


def _count(site: Site) -> int:
    with Session(site.app.state.servicepunt.engine) as session:
        return int(session.exec(select(func.count()).select_from(Beschikking)).one())


def _created(site: Site) -> list[str]:
    with Session(site.app.state.servicepunt.engine) as session:
        query = select(AuditEntry.via).where(
            AuditEntry.entity == "beschikking", AuditEntry.action == "create"
        )
        return list(session.exec(query).all())


@pytest.mark.region("flevoland")
def test_a_beschikking_is_entered_by_hand_on_the_page(client: TestClient, site: Site) -> None:
    home = login(client, site, "sp")
    assert 'href="/servicepunt/beschikkingen"' in home.text
    token = csrf_of(client.get("/servicepunt/beschikkingen").text)
    bad = HAND | {"volume": "0", "bsn": "123456789"}
    refused = client.post("/servicepunt/beschikkingen", data={"csrf": token} | bad)
    assert refused.status_code == 422
    assert "hand-volume" in FIELD_ERROR.findall(refused.text)
    assert "123456789" not in refused.text
    assert _count(site) == 0
    done = client.post("/servicepunt/beschikkingen", data={"csrf": token} | HAND)
    assert done.status_code == 200 and "beschikking opgeslagen" in done.text
    assert "kind-h01" in done.text and _count(site) == 1
    assert _created(site) == ["POST /servicepunt/beschikkingen"]


@pytest.mark.region("flevoland")
def test_a_pasted_csv_file_is_read_whole_or_refused(client: TestClient, site: Site) -> None:
    login(client, site, "sp")
    token = csrf_of(client.get("/servicepunt/beschikkingen").text)
    url = "/servicepunt/beschikkingen/import"
    bad = "\n".join([HEADER, GOOD, GOOD.replace(";501;", ";502;").replace(";14;", ";99;")])
    refused = client.post(url, data={"csrf": token, "csv": bad})
    assert refused.status_code == 422
    assert "regel 3, kolom eenheid (Eenheid)" in refused.text
    assert _count(site) == 0
    good = "\n".join([HEADER, GOOD, GOOD.replace(";501;", ";502;")])
    done = client.post(url, data={"csrf": token, "csv": good})
    assert done.status_code == 200 and "2 ingelezen" in done.text
    assert _count(site) == 2
    assert _created(site) == ["POST /servicepunt/beschikkingen/import"] * 2
