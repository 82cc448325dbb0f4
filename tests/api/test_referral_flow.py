"""End to end over HTTP: a referral goes through advice, proposals and hold to placement and
discharge; the deviation shows in the report. Runs on both backends (see conftest)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import Session, select

from api.audit import AuditEntry
from domain.places import Municipality
from tests.api.api_support import Api, referral_payload


def _summary_free(api: Api, user: str, form: str, municipality: str, band: str) -> int:
    cells = api.call("GET", "/api/v1/availability/summary", user).json()
    return sum(
        c["free_now"]
        for c in cells
        if (c["care_form"], c["municipality"], c["age_band"])
        == (form, Municipality(municipality).code, band)
    )


def _create(api: Api, payload: dict[str, Any], key: str | None = None) -> Any:
    headers = api.as_("verwijzer") | ({"Idempotency-Key": key} if key else {})
    return api.client.post("/api/v1/referrals", json=payload, headers=headers)


@pytest.mark.region("flevoland")
def test_referral_to_placement_to_discharge(api: Api) -> None:
    # Intake, retried with the same Idempotency-Key: one referral.
    first = _create(api, referral_payload(), key="aanmelding-1")
    assert first.status_code == 201, first.text
    again = _create(api, referral_payload(), key="aanmelding-1")
    assert again.status_code == 201 and again.json() == first.json()
    listed = api.call("GET", "/api/v1/referrals", "sp").json()
    assert listed["total"] == 1
    referral = first.json()
    rid = referral["id"]
    assert referral["responsible_municipality"] == "GM0995"  # Lelystad's CBS code
    assert referral["responsible_municipality_name"] == "Lelystad"
    assert referral["responsible_outside_region"] is False
    assert referral["responsibility_explanation"]
    assert referral["start_deadline"] == "2026-12-04"  # beschikking 20 Nov + 14 days

    # The steps run in order: no hold before proposals.
    early = api.call(
        "POST", f"/api/v1/referrals/{rid}/hold", "sp", json={"unit_id": api.units["gezinshuis_alm"]}
    )
    assert early.status_code == 409

    advice = api.call("POST", f"/api/v1/referrals/{rid}/advice", "sp")
    assert advice.status_code == 200, advice.text
    assert advice.json()["first_best"] == "behandelgroep"
    assert "gezinshuis" in advice.json()["alternatives"]

    proposals = api.call("POST", f"/api/v1/referrals/{rid}/proposals", "sp")
    assert proposals.status_code == 200, proposals.text
    options = proposals.json()["proposals"]
    assert options[0]["unit_id"] == api.units["groep_lely"]
    assert options[0]["kind"] == "first_best_now"
    assert options[0]["terms"], "every proposal explains its score"

    # Staff hold the gezinshuis instead (the parents' preference): the board drops by one.
    before = _summary_free(api, "verwijzer", "gezinshuis", "almere", "12-17")
    held = api.call(
        "POST", f"/api/v1/referrals/{rid}/hold", "sp", json={"unit_id": api.units["gezinshuis_alm"]}
    )
    assert held.status_code == 201, held.text
    assert _summary_free(api, "verwijzer", "gezinshuis", "almere", "12-17") == before - 1

    # A deviating accept without a reason is refused and changes nothing.
    no_reason = api.call(
        "POST", f"/api/v1/referrals/{rid}/decision", "sp", json={"outcome": "accept"}
    )
    assert no_reason.status_code == 422
    assert no_reason.json()["fields"][0]["field"] == "reason_code"
    assert api.call("GET", f"/api/v1/referrals/{rid}", "sp").json()["status"] == "vastgehouden"

    placed = api.call(
        "POST",
        f"/api/v1/referrals/{rid}/decision",
        "sp",
        json={"outcome": "accept", "reason_code": "voorkeur_ouders", "placed_on": "2026-11-23"},
    )
    assert placed.status_code == 200, placed.text
    body = placed.json()
    assert (body["status"], body["placed_form"]) == ("geplaatst", "gezinshuis")
    assert body["regisseur_team"]

    log = api.call("GET", "/api/v1/deviations", "sp").json()
    assert log["total"] == 1
    entry = log["items"][0]
    assert (entry["advised_form"], entry["placed_form"]) == ("behandelgroep", "gezinshuis")
    assert entry["form_deviates"] and entry["place_deviates"]
    assert entry["reason_code"] == "voorkeur_ouders"
    # Where the child was placed: municipality and region.
    assert entry["placed_municipality"] == "GM0034"
    assert (entry["placed_municipality_name"], entry["placed_region"]) == (
        "Almere",
        "regio Flevoland",
    )
    assert entry["rule_set"].startswith("flevoland-standaard")
    assert entry["weights_version"]

    # The exact figures are the servicepunt's; the planner would see "<5" (issue #16).
    report = api.call("GET", "/api/v1/reports/afwijkingen", "sp").json()
    assert report["rows"] == [
        {
            "maand": "2026-11",
            "plaatsingen": 1,
            "afwijking_zorgvorm": 1,
            "afwijking_plek": 1,
            "percentage_zorgvorm": 1.0,
        }
    ]
    csv = api.call("GET", "/api/v1/reports/afwijkingsredenen?format=csv", "planner")
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    # Issue #16: the reason's Dutch label, and one deviation is a small number for the planner.
    assert csv.text.splitlines()[1].startswith("voorkeur van de ouders;<5;")

    out = api.call(
        "POST",
        f"/api/v1/referrals/{rid}/discharge",
        "sp",
        json={"left_on": "2027-02-01", "outcome": "thuis_met_hulp", "planned": True},
    )
    assert out.status_code == 200, out.text
    assert out.json()["status"] == "uitgestroomd"
    assert _summary_free(api, "verwijzer", "gezinshuis", "almere", "12-17") == before

    # Every read and change of the record is in the audit log, by pseudonymous id only.
    engine = api.client.app.state.servicepunt.engine  # type: ignore[attr-defined]
    with Session(engine) as session:
        rows = session.exec(select(AuditEntry).where(AuditEntry.entity_id == rid)).all()
        actions = [(e.action, e.role) for e in rows]
    assert ("create", "verwijzer") in actions
    assert ("update", "servicepunt") in actions and ("read", "servicepunt") in actions


def test_decline_releases_the_hold(api: Api) -> None:
    rid = _create(api, referral_payload()).json()["id"]
    api.call("POST", f"/api/v1/referrals/{rid}/advice", "sp")
    api.call("POST", f"/api/v1/referrals/{rid}/proposals", "sp")
    before = _summary_free(api, "sp", "behandelgroep", "lelystad", "12-17")
    api.call(
        "POST", f"/api/v1/referrals/{rid}/hold", "sp", json={"unit_id": api.units["groep_lely"]}
    )
    declined = api.call(
        "POST",
        f"/api/v1/referrals/{rid}/decision",
        "sp",
        json={"outcome": "decline", "reason_code": "aanbieder_weigert"},
    )
    assert declined.status_code == 200 and declined.json()["status"] == "voorgesteld"
    assert _summary_free(api, "sp", "behandelgroep", "lelystad", "12-17") == before


def test_first_best_placement_is_not_a_deviation(api: Api) -> None:
    rid = _create(api, referral_payload()).json()["id"]
    api.call("POST", f"/api/v1/referrals/{rid}/advice", "sp")
    top = api.call("POST", f"/api/v1/referrals/{rid}/proposals", "sp").json()["proposals"][0]
    api.call("POST", f"/api/v1/referrals/{rid}/hold", "sp", json={"unit_id": top["unit_id"]})
    placed = api.call("POST", f"/api/v1/referrals/{rid}/decision", "sp", json={"outcome": "accept"})
    assert placed.status_code == 200, placed.text
    assert api.call("GET", "/api/v1/deviations", "sp").json()["total"] == 0
    # The exact figures are the servicepunt's; the planner would see "<5" (issue #16).
    rate = api.call("GET", "/api/v1/reports/first_best", "sp").json()["rows"]
    assert rate == [{"maand": "2026-11", "plaatsingen": 1, "first_best": 1, "percentage": 1.0}]


def test_reused_idempotency_key_for_another_request_is_a_conflict(api: Api) -> None:
    assert _create(api, referral_payload(), key="k-1").status_code == 201
    other = _create(api, referral_payload(child_ref="kind-0002"), key="k-1")
    assert other.status_code == 409
    assert other.json()["error"] == "Conflict"
    assert api.call("GET", "/api/v1/referrals", "sp").json()["total"] == 1


def test_referral_type_comes_from_the_verwijzer_or_the_servicepunt(api: Api) -> None:
    # A verwijzer's type is its account's, whatever the payload says.
    own = _create(api, referral_payload() | {"verwijzer_type": "02"})
    assert own.status_code == 201, own.text
    assert own.json()["verwijzer_type"] == "01"
    # The servicepunt registering a referral states the type, or is refused: nothing written.
    missing = api.call("POST", "/api/v1/referrals", "sp", json=referral_payload("kind-0002"))
    assert missing.status_code == 422, missing.text
    assert [f["field"] for f in missing.json()["fields"]] == ["verwijzer_type"]
    assert "type verwijzer" in missing.json()["fields"][0]["message"]
    assert api.call("GET", "/api/v1/referrals", "sp").json()["total"] == 1
    stated = referral_payload("kind-0002") | {"verwijzer_type": "03"}
    made = api.call("POST", "/api/v1/referrals", "sp", json=stated)
    assert made.status_code == 201, made.text
    assert made.json()["verwijzer_type"] == "03"
