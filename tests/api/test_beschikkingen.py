"""The register of beschikkingen over HTTP on both backends: entered by hand or imported from
a JW301-shaped CSV file (whole or not at all, the first bad row named by line and column),
audited per record, and the two-week norm per municipality with known numbers."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import Session, select

from api.audit import AuditEntry
from tests.api.api_support import Api, referral_payload
from tests.api.workflow_support import state_of

pytestmark = pytest.mark.region("flevoland")  # cases about Flevoland data

HEADER = (
    "kind;bsn;geboortedatum;gemeente;toewijzingnummer;productcategorie;productcode;"
    "begindatum;einddatum;volume;eenheid;frequentie;toewijzingsdatum;buiten_regio"
)
ROWS = [
    "kind-b01;111222333;2012-03-04;lelystad;1001;43;43A01;2026-11-10;2027-11-09;365;14;6;2026-11-01;nee",
    "kind-b02;;2010-05-06;lelystad;1002;44;44B02;2026-11-20;;365;14;;2026-11-01;",
    "kind-b03;;2015-07-08;almere;1001;46;46C01;2026-12-01;;30;14;6;2026-11-20;nee",
]


def _entry(**extra: Any) -> dict[str, Any]:
    return {
        "child_ref": "kind-h01",
        "birth_date": "2011-01-02",
        "municipality": "dronten",
        "allocation_number": "2001",
        "product_category": "43",
        "product_code": "43A01",
        "start_date": "2026-11-10",
        "volume": 365,
        "unit": "14",
        "decided_on": "2026-11-01",
    } | extra


def _import(api: Api, text: str) -> Any:
    headers = api.as_("sp") | {"Content-Type": "text/csv"}
    return api.client.post("/api/v1/beschikkingen/import", content=text.encode(), headers=headers)


def _total(api: Api) -> int:
    answer = api.call("GET", "/api/v1/beschikkingen", "sp")
    assert answer.status_code == 200, answer.text
    total: int = answer.json()["total"]
    return total


def _audited(api: Api) -> list[tuple[str, str]]:
    with Session(state_of(api).engine) as session:
        rows = session.exec(select(AuditEntry).where(AuditEntry.entity == "beschikking")).all()
        return [(e.action, e.via) for e in rows]


def test_a_beschikking_entered_by_hand_is_kept_and_audited(api: Api) -> None:
    done = api.call("POST", "/api/v1/beschikkingen", "sp", json=_entry(bsn="111222333"))
    assert done.status_code == 201, done.text
    body = done.json()
    assert (body["child_ref"], body["source"]) == ("kind-h01", "hand")
    assert (body["municipality"], body["municipality_name"]) == ("GM0303", "Dronten")
    assert "bsn" not in body and "bsn_digest" not in body
    assert ("create", "POST /api/v1/beschikkingen") in _audited(api)
    again = api.call("POST", "/api/v1/beschikkingen", "sp", json=_entry(child_ref="kind-h02"))
    assert again.status_code == 409 and "Toewijzingnummer" in again.json()["detail"]
    assert _total(api) == 1
    assert ("read", "GET /api/v1/beschikkingen") in _audited(api)


def test_bad_input_by_hand_is_refused_by_its_dutch_label_and_changes_nothing(api: Api) -> None:
    for extra, label in (
        ({"volume": 0}, "Volume"),
        ({"municipality": "buiten_regio"}, "Gemeente"),
        ({"end_date": "2026-11-01"}, "Einddatum"),
        ({"product_category": "45"}, "Productcategorie"),
        ({"unit": "99"}, "Eenheid"),
        ({"allocation_number": "12345678901"}, "Toewijzingnummer"),
        ({"decided_on": "1900-01-01"}, "Toewijzingsdatum"),
        ({"bsn": "123456789"}, "BSN"),
    ):
        refused = api.call("POST", "/api/v1/beschikkingen", "sp", json=_entry(**extra))
        assert refused.status_code == 422, (extra, refused.text)
        assert label in refused.json()["detail"], (extra, refused.json())
        assert "123456789" not in refused.text
    assert _total(api) == 0
    assert _audited(api) == []  # nothing created, and no record read


def test_a_csv_file_is_imported_whole(api: Api) -> None:
    done = _import(api, "\n".join([HEADER, *ROWS]) + "\n")
    assert done.status_code == 201, done.text
    assert done.json() == {"imported": 3}
    assert _total(api) == 3
    created = [a for a in _audited(api) if a[0] == "create"]
    assert created == [("create", "POST /api/v1/beschikkingen/import")] * 3
    # The same numbers again: refused, naming the first row, nothing added.
    again = _import(api, "\n".join([HEADER, *ROWS]))
    assert again.status_code == 422 and "regel 2" in again.json()["detail"]
    assert _total(api) == 3


def test_a_csv_file_with_a_bad_row_is_refused_whole_naming_line_and_column(api: Api) -> None:
    bad_date = ROWS[2].replace("2026-12-01", "2026-13-01")
    duplicate = ROWS[2].replace("almere;1001", "lelystad;1001")
    for lines, wanted in (
        ([HEADER, ROWS[0], ROWS[1], bad_date], ("regel 4", "begindatum", "Begindatum")),
        ([HEADER, ROWS[0], duplicate], ("regel 3", "toewijzingnummer", "Toewijzingnummer")),
        ([HEADER, ROWS[0].replace(";43;", ";45;")], ("regel 2", "Productcategorie")),
        ([HEADER, ROWS[0].replace("111222333", "123456789")], ("regel 2", "BSN")),
        ([HEADER, ROWS[0].replace(";nee", ";misschien")], ("regel 2", "buiten_regio")),
        ([HEADER.replace(";volume", ""), ROWS[0]], ("kolom 'volume' ontbreekt",)),
        ([HEADER, ROWS[0] + ";extra"], ("regel 2 heeft 15 cellen",)),
        ([HEADER.replace("volume", "geheimenaam"), ROWS[0]], ("kolom 10 van de kop",)),
        ([HEADER], ("geen regels",)),
        (["", ""], ("leeg",)),
        ([""], ("verplicht",)),
    ):
        refused = _import(api, "\n".join(lines))
        assert refused.status_code == 422, (lines, refused.text)
        detail = refused.json()["detail"]
        assert all(part in detail for part in wanted), detail
        assert "123456789" not in refused.text and "geheimenaam" not in refused.text
    assert _total(api) == 0
    assert not [a for a in _audited(api) if a[0] == "create"]


def test_the_two_week_norm_per_municipality(api: Api) -> None:
    # Today is 2026-11-23. Lelystad: one met, one late; Almere: one open, one late (not
    # started after 14 days); Dronten: begins after its deadline, but the child's referral
    # got bridging care today, within the norm; it stays outside the region.
    lines = [
        HEADER,
        *ROWS,
        "kind-b04;;2012-01-01;almere;1002;43;43A01;2026-12-01;;365;14;;2026-11-01;nee",
        "kind-e01;;2012-01-01;dronten;3001;43;43A01;2026-12-20;;365;14;;2026-11-15;ja",
    ]
    assert _import(api, "\n".join(lines)).status_code == 201
    bridged = referral_payload("kind-e01") | {"bridging_care": "ambulant"}
    assert api.call("POST", "/api/v1/referrals", "verwijzer", json=bridged).status_code == 201
    answer = api.call("GET", "/api/v1/reports/beschikkingen_norm", "sp")
    assert answer.status_code == 200, answer.text
    assert answer.json()["rows"] == [
        {
            "gemeente": "GM0034",
            "gemeente_naam": "Almere",
            "beschikkingen": 2,
            "gehaald": 0,
            "te_laat": 1,
            "open": 1,
            "percentage_gehaald": 0.0,
            "buiten_regio": 0,
        },
        {
            "gemeente": "GM0303",
            "gemeente_naam": "Dronten",
            "beschikkingen": 1,
            "gehaald": 1,
            "te_laat": 0,
            "open": 0,
            "percentage_gehaald": 1.0,
            "buiten_regio": 1,
        },
        {
            "gemeente": "GM0995",
            "gemeente_naam": "Lelystad",
            "beschikkingen": 2,
            "gehaald": 1,
            "te_laat": 1,
            "open": 0,
            "percentage_gehaald": 0.5,
            "buiten_regio": 0,
        },
    ]
    planner = api.call("GET", "/api/v1/reports/beschikkingen_norm", "planner").json()["rows"]
    assert planner[1]["gehaald"] == "<5" and planner[1]["percentage_gehaald"] == "afgeschermd"
