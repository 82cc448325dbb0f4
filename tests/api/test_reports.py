"""The reports, each against a region whose numbers are known by construction."""

from __future__ import annotations

from typing import Any

import pytest

from api.routes.reports import json_table
from capacity import service as capacity_service
from domain.profile_vocabulary import Capability
from placements import reports
from tests.api.api_support import Api, referral_payload


def _rows(api: Api, name: str, user: str = "sp") -> list[dict[str, Any]]:
    # The servicepunt sees the exact figures; the planner sees small counts as "<5" (#16).
    response = api.call("GET", f"/api/v1/reports/{name}", user)
    assert response.status_code == 200, response.text
    rows: list[dict[str, Any]] = response.json()["rows"]
    return rows


def _place(api: Api, rid: str, unit: str, reason: str | None = None) -> None:
    api.call("POST", f"/api/v1/referrals/{rid}/advice", "sp")
    api.call("POST", f"/api/v1/referrals/{rid}/proposals", "sp")
    held = api.call("POST", f"/api/v1/referrals/{rid}/hold", "sp", json={"unit_id": unit})
    assert held.status_code == 201, held.text
    decision: dict[str, Any] = {"outcome": "accept", "placed_on": "2026-11-24"}
    if reason:
        decision["reason_code"] = reason
    placed = api.call("POST", f"/api/v1/referrals/{rid}/decision", "sp", json=decision)
    assert placed.status_code == 200, placed.text


def _out_of_region_crisis_group(api: Api) -> str:
    engine = api.client.app.state.servicepunt.engine  # type: ignore[attr-defined]
    sync = api.client.app.state.servicepunt.sync  # type: ignore[attr-defined]
    with sync.transaction(engine) as session:
        provider = capacity_service.create_provider(session, name="Aanbieder elders")
        location = capacity_service.create_location(
            # A provider outside the region registers its unit with its municipality.
            session,
            provider_id=provider.id,
            name="Elders",
            municipality="Harderwijk",
        )
        unit = capacity_service.create_unit(
            session,
            location_id=location.id,
            name="crisisgroep elders",
            care_form="crisisgroep_12plus",
            places=6,
            age_min=12,
            age_max=17,
            capabilities=(Capability.CRISIS, Capability.GEDRAGSPROBLEMATIEK, Capability.TRAUMA),
        )
    return unit.id


@pytest.mark.region("flevoland")
def test_reports_count_what_happened(api: Api) -> None:
    elders = _out_of_region_crisis_group(api)
    create = "/api/v1/referrals"
    crisis = referral_payload("kind-c01", crisis=True)
    crisis["intake"] |= {"crisis": True, "crisis_placement_date": "2026-11-22"}
    crisis_id = api.call("POST", create, "verwijzer", json=crisis).json()["id"]
    regular_id = api.call("POST", create, "verwijzer", json=referral_payload("kind-r01")).json()[
        "id"
    ]
    waiting = referral_payload("kind-w01") | {"bridging_care": "ambulant"}
    api.call("POST", create, "verwijzer", json=waiting)
    late = referral_payload("kind-w02")
    late["intake"]["beschikking_date"] = "2026-11-02"  # 14 days ran out on 16 November
    api.call("POST", create, "verwijzer", json=late)

    _place(api, crisis_id, elders, reason="geen_capaciteit")
    _place(api, regular_id, api.units["groep_lely"])

    assert _rows(api, "buiten_regio") == [
        {"maand": "2026-11", "plaatsingen": 2, "buiten_regio": 1, "percentage": 0.5}
    ]
    # The region's children staying outside it: where, by municipality (names in the CSV).
    # The JSON names every municipality beside its code, a place of stay with its region.
    assert _rows(api, "beschikkingen_buiten_regio") == [
        {
            "gemeente": "GM0995",
            "gemeente_naam": "Lelystad",
            "geplaatst_in": "GM0243",
            "geplaatst_in_naam": "Harderwijk",
            "geplaatst_in_regio": "jeugdregio Noord-Veluwe",
            "beschikkingen": 1,
        }
    ]
    columns = api.call("GET", "/api/v1/reports/beschikkingen_buiten_regio", "sp").json()["columns"]
    assert columns == [
        "gemeente",
        "gemeente_naam",
        "geplaatst_in",
        "geplaatst_in_naam",
        "geplaatst_in_regio",
        "beschikkingen",
    ]
    exported = api.call("GET", "/api/v1/reports/beschikkingen_buiten_regio?format=csv", "sp")
    assert exported.status_code == 200
    assert "Lelystad" in exported.text
    assert "Harderwijk (jeugdregio Noord-Veluwe)" in exported.text
    assert "GM0243" not in exported.text
    assert _rows(api, "beschikkingen_buiten_regio", "planner")[0]["beschikkingen"] == "<5"
    assert _rows(api, "first_best") == [
        {"maand": "2026-11", "plaatsingen": 2, "first_best": 2, "percentage": 1.0}
    ]
    assert _rows(api, "crisis_kwartaal") == [
        {
            "kwartaal": "2026-Q4",
            "zorgvorm": "crisisgroep_12plus",
            "gemeente": "GM0995",
            "gemeente_naam": "Lelystad",
            "leeftijd": "12+",
            "aantal": 1,
        }
    ]
    times = _rows(api, "doorlooptijd")
    assert {(r["zorgvorm"], r["plaatsingen"], r["mediaan_dagen"]) for r in times} == {
        ("crisisgroep_12plus", 1, 1.0),
        ("behandelgroep", 1, 1.0),
    }
    assert _rows(api, "overbrugging") == [
        {"overbrugging": "geen", "norm_14_dagen": "te_laat", "aantal": 1},
        {"overbrugging": "ambulant", "norm_14_dagen": "gehaald", "aantal": 1},
    ]
    norm = {r["maand"]: r for r in _rows(api, "norm_14_dagen")}
    # Beschikkingen of 20 Nov: placed or bridged in time (3); of 2 Nov: nothing started (1).
    assert norm["2026-11"] == {
        "maand": "2026-11",
        "beschikkingen": 4,
        "gehaald": 3,
        "te_laat": 1,
        "nog_lopend": 0,
        "percentage_gehaald": 0.75,
    }
    need = {r["zorgvorm"]: r for r in _rows(api, "behoefte_aanbod")}
    assert need["behandelgroep"]["vrij_nu"] == 7  # 8 places, one child placed
    assert need["behandelgroep"]["wachtend_first_best"] == 0  # the waiting two are not advised
    waiting_list = api.call("GET", "/api/v1/waiting-list", "sp").json()["rows"]
    assert sorted(r["norm_14_dagen"] for r in waiting_list) == ["gehaald", "te_laat"]
    assert api.call("GET", "/api/v1/waiting-list", "planner").status_code == 403
    # The planner: every count here is below 5; the shares would give them back.
    assert _rows(api, "buiten_regio", "planner") == [
        {"maand": "2026-11", "plaatsingen": "<5", "buiten_regio": "<5", "percentage": "afgeschermd"}
    ]
    assert _rows(api, "norm_14_dagen", "planner") == [
        {
            "maand": "2026-11",
            "beschikkingen": "<5",
            "gehaald": "<5",
            "te_laat": "<5",
            "nog_lopend": 0,
            "percentage_gehaald": "afgeschermd",
        }
    ]


def test_a_report_s_json_names_every_municipality_beside_its_code() -> None:
    table = reports.Table("proef", "Proef", ("gemeente", "geplaatst_in", "aantal"))
    table.rows.extend(
        [("GM0363", "GM0243", 3), ("Almere", None, 1), ("buiten_regio", "onbekend", 2)]
    )
    answer = json_table(table)
    assert answer["columns"] == [
        "gemeente",
        "gemeente_naam",
        "geplaatst_in",
        "geplaatst_in_naam",
        "geplaatst_in_regio",
        "aantal",
    ]
    named = [
        (r["gemeente_naam"], r["geplaatst_in_naam"], r["geplaatst_in_regio"])
        for r in answer["rows"]
    ]
    assert named == [
        ("Amsterdam", "Harderwijk", "jeugdregio Noord-Veluwe"),
        ("Almere", None, None),  # a name stays itself; an empty cell stays empty
        ("buiten de regio (gemeente niet vastgelegd)", "onbekend", "onbekend"),
    ]
    assert [r["gemeente"] for r in answer["rows"]] == ["GM0363", "Almere", "buiten_regio"]
