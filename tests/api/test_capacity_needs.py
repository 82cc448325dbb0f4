"""Issue #21 item 1: the integral view of needed against available capacity per month,
municipality, age band, care form and capability, with numbers known by construction, and
small counts hidden for the planner."""

from __future__ import annotations

from typing import Any

from domain.places import Municipality
from tests.api.api_support import Api, referral_payload

NAME = "behoefte_aanbod_integraal"
LELYSTAD = Municipality("lelystad").value
# The default referral: a 14-year-old in Lelystad whose advice is a behandelgroep with trauma
# expertise; the younger child's is foster care with trauma expertise.
TREATMENT = (LELYSTAD, "12-17", "behandelgroep", "trauma")
FOSTER = (LELYSTAD, "0-11", "pleegzorg_bestand", "trauma")
YOUNGER = {"age": 9, "treatment_need": False, "severity": "matig", "complexity": "enkelvoudig",
           "externalising": "geen"}  # fmt: skip


def _advised(api: Api, child_ref: str, **profile: Any) -> str:
    payload = referral_payload(child_ref, **profile)
    created = api.call("POST", "/api/v1/referrals", "verwijzer", json=payload)
    assert created.status_code == 201, created.text
    rid: str = created.json()["id"]
    assert api.call("POST", f"/api/v1/referrals/{rid}/advice", "sp").status_code == 200
    return rid


def _rows(api: Api, user: str) -> dict[tuple[str, ...], tuple[Any, Any, Any]]:
    answer = api.call("GET", f"/api/v1/reports/{NAME}", user)
    assert answer.status_code == 200, answer.text
    return {
        (r["maand"], r["gemeente"], r["leeftijd"], r["zorgvorm"], r["deskundigheid"]): (
            r["benodigd"],
            r["vrij"],
            r["tekort"],
        )
        for r in answer.json()["rows"]
    }


def test_needed_against_available_per_month_and_dimension(api: Api) -> None:
    # 23 November: three children advised; one needs foster care that no free place offers.
    _advised(api, "kind-n01")
    placed = _advised(api, "kind-n02")
    _advised(api, "kind-n03", **YOUNGER)
    api.clock.advance(days=10)  # 3 December
    # Two places opened in the behandelgroep from 2 December: 8 before, 10 since.
    opened = api.call(
        "POST",
        f"/api/v1/units/{api.units['groep_lely']}/capacity-changes",
        "sp",
        json={"kind": "places_opened", "effective_on": "2026-12-02", "places": 2},
    )
    assert opened.status_code == 201, opened.text
    # One of the two treatment children is placed there today.
    assert api.call("POST", f"/api/v1/referrals/{placed}/proposals", "sp").status_code == 200
    held = api.call(
        "POST", f"/api/v1/referrals/{placed}/hold", "sp", json={"unit_id": api.units["groep_lely"]}
    )
    assert held.status_code == 201, held.text
    decided = api.call(
        "POST", f"/api/v1/referrals/{placed}/decision", "sp", json={"outcome": "accept"}
    )
    assert decided.status_code == 200, decided.text

    rows = _rows(api, "sp")
    months = sorted({key[0] for key in rows})
    assert months == [f"2026-{m:02d}" for m in range(1, 13)]  # twelve months up to now
    assert {key[1:] for key in rows} == {TREATMENT, FOSTER}  # where children waited
    # 30 November: both treatment children wait against 8 free places; the foster child
    # against none (the Lelystad foster family offers no trauma expertise).
    assert rows[("2026-11", *TREATMENT)] == (2, 8, 0)
    assert rows[("2026-11", *FOSTER)] == (1, 0, 1)
    # Today: one treatment child placed; 10 places, one taken.
    assert rows[("2026-12", *TREATMENT)] == (1, 9, 0)
    assert rows[("2026-12", *FOSTER)] == (1, 0, 1)
    # Before anyone was referred: no need; the places as they were (8) stay in view.
    assert rows[("2026-10", *TREATMENT)] == (0, 8, 0)

    # The planner: the children's counts hidden, the shortage too; places stay.
    planner = _rows(api, "planner")
    assert planner[("2026-11", *TREATMENT)] == ("<5", 8, "afgeschermd")
    assert planner[("2026-11", *FOSTER)] == ("<5", 0, "afgeschermd")
    assert planner[("2026-10", *TREATMENT)] == (0, 8, 0)
    csv = api.call("GET", f"/api/v1/reports/{NAME}?format=csv", "planner")
    assert csv.status_code == 200 and "2026-11;" in csv.text and "<5" in csv.text
