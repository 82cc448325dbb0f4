"""The crisis desk's quarterly report as seed 004's table, over HTTP on both backends, on a
region with known numbers: registrations and provisions deployed, form × municipality ×
12-/12+ with 'geen' and why, referrer type, length of stay, follow-up, and requests from
outside the region; as CSV too, and with small counts hidden for the planner."""

from __future__ import annotations

from typing import Any

from tests.api.api_support import Api, referral_payload
from tests.api.workflow_support import hold


def _crisis(
    api: Api, child_ref: str, *, age: int = 14, home: str = "lelystad", **extra: Any
) -> str:
    body = referral_payload(child_ref, crisis=True, age=age) | extra
    body["intake"] |= {"crisis": True, "crisis_placement_date": "2026-11-22"}
    body["intake"]["woonplaats"] = {"stay": "geen", "brp_residence": home}
    created = api.call("POST", "/api/v1/referrals", "verwijzer", json=body)
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


def _post(api: Api, url: str, body: dict[str, Any]) -> None:
    answer = api.call("POST", url, "sp", json=body)
    assert answer.status_code == 200, answer.text


def test_the_quarterly_report_has_every_part_of_the_seed_table(api: Api) -> None:
    placed = _crisis(api, "kind-k01")
    for step in ("advice", "proposals"):
        assert api.call("POST", f"/api/v1/referrals/{placed}/{step}", "sp").status_code == 200
    assert hold(api, placed, "crisis_12plus").status_code == 201
    decision = {"outcome": "accept", "reason_code": "crisis"}
    assert (
        api.call("POST", f"/api/v1/referrals/{placed}/decision", "sp", json=decision).status_code
        == 200
    )
    left = {"left_on": "2026-12-03", "outcome": "thuis_met_hulp", "planned": True}
    assert (
        api.call("POST", f"/api/v1/referrals/{placed}/discharge", "sp", json=left).status_code
        == 200
    )
    withdrawn = _crisis(api, "kind-k02", age=9)
    reason = {"withdrawal_reason": "alternatief"}
    assert (
        api.call("POST", f"/api/v1/referrals/{withdrawn}/withdraw", "sp", json=reason).status_code
        == 200
    )
    _crisis(api, "kind-k03", bridging_care="ambulante_crisishulp")
    _crisis(api, "kind-k04")
    _crisis(api, "kind-k05", home="buiten_regio")
    api.call("POST", "/api/v1/referrals", "verwijzer", json=referral_payload("kind-r01"))

    answer = api.call("GET", "/api/v1/reports/crisis_kwartaalrapport", "sp")
    assert answer.status_code == 200, answer.text
    rows = {
        (r["onderdeel"], r["categorie"], r["gemeente"], r["leeftijd"]): r["aantal"]
        for r in answer.json()["rows"]
        if r["kwartaal"] == "2026-Q4"
    }
    assert rows == {
        ("aanmeldingen", "aangemeld", None, "12-"): 1,
        ("aanmeldingen", "aangemeld", None, "12+"): 4,
        ("aanmeldingen", "crisisvoorziening ingezet", None, "12+"): 2,
        ("hulpvorm", "ambulant", "Lelystad", "12+"): 1,
        ("hulpvorm", "crisisbed", "Lelystad", "12+"): 1,
        ("hulpvorm", "geen", "Lelystad", "12-"): 1,
        ("hulpvorm", "geen", "Lelystad", "12+"): 1,
        ("hulpvorm", "geen", "buiten de regio (gemeente niet vastgelegd)", "12+"): 1,
        ("geen_reden", "ander passend aanbod (ambulant, netwerk)", None, "12-"): 1,
        ("geen_reden", "wacht nog op een plek", None, "12+"): 2,
        ("verwijzer", "gemeente (lokale toegang)", None, "12-"): 1,
        ("verwijzer", "gemeente (lokale toegang)", None, "12+"): 4,
        ("verblijfsduur", "8-14 dagen", None, "12+"): 1,
        ("vervolg", "thuis_met_hulp", None, "12+"): 1,
        ("buiten_regio", "aanvraag van buiten de regio", None, "12+"): 1,
    }
    csv = api.call("GET", "/api/v1/reports/crisis_kwartaalrapport?format=csv", "planner")
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    assert "<5" in csv.text and ";4\n" not in csv.text
