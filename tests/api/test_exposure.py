"""Issue #16 on both backends: the deviation log is audited, CSV exports are safe, Dutch and
pseudonymous, and the planner sees small numbers suppressed."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from api.audit import AuditEntry
from tests.api.api_support import Api, referral_payload
from tests.web.web_support import csrf_of

INJECTION = '=HYPERLINK("http://evil.example";"klik")'


def _sign_in(client: TestClient, api: Api, user: str) -> str:
    form = client.get("/inloggen")
    page = client.post(
        "/inloggen",
        data={"csrf": csrf_of(form.text), "gebruikersnaam": user, "token": api.tokens[user]},
    )
    assert page.status_code == 200, page.text
    return str(page.text)


def _place_with_deviation(api: Api, child_ref: str, reason_text: str) -> str:
    created = api.call("POST", "/api/v1/referrals", "verwijzer", json=referral_payload(child_ref))
    rid: str = created.json()["id"]
    api.call("POST", f"/api/v1/referrals/{rid}/advice", "sp")
    api.call("POST", f"/api/v1/referrals/{rid}/proposals", "sp")
    held = api.call(
        "POST", f"/api/v1/referrals/{rid}/hold", "sp", json={"unit_id": api.units["gezinshuis_alm"]}
    )
    assert held.status_code == 201, held.text
    decision = {
        "outcome": "accept",
        "reason_code": "voorkeur_ouders",
        "reason_text": reason_text,
        "placed_on": "2026-11-23",
    }
    placed = api.call("POST", f"/api/v1/referrals/{rid}/decision", "sp", json=decision)
    assert placed.status_code == 200, placed.text
    return rid


def _audit(api: Api, via: str) -> list[AuditEntry]:
    engine = api.client.app.state.servicepunt.engine  # type: ignore[attr-defined]
    with Session(engine) as session:
        return list(session.exec(select(AuditEntry).where(AuditEntry.via == via)).all())


def test_every_read_of_the_deviation_log_is_audited(api: Api) -> None:
    rid = _place_with_deviation(api, "kind-audit-1", "ouders willen dichtbij")
    assert api.call("GET", "/api/v1/deviations", "sp").json()["total"] == 1
    (entry,) = _audit(api, "GET /api/v1/deviations")
    assert (entry.entity, entry.entity_id, entry.action, entry.role) == (
        "referral",
        rid,
        "read",
        "servicepunt",
    )
    _sign_in(api.client, api, "sp")
    assert api.client.get("/servicepunt/afwijkingen").status_code == 200
    assert [(e.entity_id, e.action) for e in _audit(api, "GET /servicepunt/afwijkingen")] == [
        (rid, "read")
    ]
    assert api.client.get("/servicepunt/afwijkingen.csv").status_code == 200
    assert [(e.entity_id, e.action) for e in _audit(api, "GET /servicepunt/afwijkingen.csv")] == [
        (rid, "export")
    ]


def test_csv_exports_are_neutralised_dutch_and_pseudonymous(api: Api) -> None:
    rid = _place_with_deviation(api, "kind-csv-1", INJECTION)
    _sign_in(api.client, api, "sp")
    answer = api.client.get("/servicepunt/afwijkingen.csv")
    body = answer.content.decode("utf-8")
    assert body.startswith("\ufeffkind (pseudoniem);")  # BOM: Excel reads UTF-8
    assert rid not in body and api.units["gezinshuis_alm"] not in body  # no internal ids
    header, row = body.lstrip("\ufeff").splitlines()
    assert "geadviseerde zorgvorm" in header and "referral_id" not in header
    assert row.startswith("kind-csv-1;")
    assert "residentiële behandelgroep" in row and "gezinshuis alm" in row
    assert "voorkeur van de ouders" in row and "voorkeur_ouders" not in row
    assert "'=HYPERLINK" in row and ";=HYPERLINK" not in row.replace('"', "")
    report = api.call("GET", "/api/v1/reports/afwijkingsredenen?format=csv", "sp")
    lines = report.content.decode("utf-8").splitlines()
    assert lines[0] == "\ufeffreden;aantal;aandeel"
    assert lines[1] == "voorkeur van de ouders;1;1"  # a share of 1, Dutch number format


def _report(api: Api, name: str, user: str) -> list[dict[str, Any]]:
    answer = api.call("GET", f"/api/v1/reports/{name}", user)
    assert answer.status_code == 200, answer.text
    rows: list[dict[str, Any]] = answer.json()["rows"]
    return rows


def test_the_planner_sees_small_numbers_suppressed_and_the_servicepunt_exact(api: Api) -> None:
    _place_with_deviation(api, "kind-klein-1", "")
    exact = {"maand": "2026-11", "plaatsingen": 1, "afwijking_zorgvorm": 1, "afwijking_plek": 1}
    assert _report(api, "afwijkingen", "sp") == [exact | {"percentage_zorgvorm": 1.0}]
    assert _report(api, "afwijkingen", "planner") == [
        {
            "maand": "2026-11",
            "plaatsingen": "<5",
            "afwijking_zorgvorm": "<5",
            "afwijking_plek": "<5",
            "percentage_zorgvorm": "afgeschermd",
        }
    ]
    csv = api.call("GET", "/api/v1/reports/afwijkingsredenen?format=csv", "planner")
    assert csv.content.decode("utf-8").splitlines()[1] == "voorkeur van de ouders;<5;afgeschermd"
    # The dashboard and its CSV downloads: suppressed for the planner, exact for the servicepunt.
    # (Clients of their own for their cookies, on the app that is already running.)
    planner = TestClient(api.client.app)
    _sign_in(planner, api, "planner")
    page = planner.get("/planner").text
    assert "<td>&lt;5</td>" in page and "staan als &lt;5" in page
    assert "<5" in planner.get("/planner/csv/doorlooptijd").text
    staff = TestClient(api.client.app)
    _sign_in(staff, api, "sp")
    assert "&lt;5" not in staff.get("/planner").text
    assert "<5" not in staff.get("/planner/csv/doorlooptijd").text
