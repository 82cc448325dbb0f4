"""Roles: every endpoint a role must not use answers 403; no party sees another's data."""

from __future__ import annotations

from tests.api.api_support import Api, referral_payload

ROLES = ("sp", "verwijzer", "aanbieder", "planner", "admin", "gw", "pr")
SP, VW, AB, PL, AD, GW, PR = ROLES
# Who may call each endpoint. A new endpoint must be added here (see the meta-test).
ALLOWED: dict[tuple[str, str], set[str]] = {
    ("POST", "/api/v1/advice"): {SP},
    ("POST", "/api/v1/intake"): {SP},
    ("GET", "/api/v1/me"): set(ROLES),
    ("POST", "/api/v1/referrals"): {SP, VW},
    ("GET", "/api/v1/referrals"): {SP, VW},
    ("GET", "/api/v1/referrals/{referral_id}"): {SP, VW},
    ("POST", "/api/v1/referrals/{referral_id}/advice"): {SP},
    ("POST", "/api/v1/referrals/{referral_id}/proposals"): {SP},
    ("POST", "/api/v1/referrals/{referral_id}/hold"): {SP},
    ("POST", "/api/v1/referrals/{referral_id}/decision"): {SP},
    ("POST", "/api/v1/referrals/{referral_id}/bridging"): {SP},
    ("POST", "/api/v1/referrals/{referral_id}/withdraw"): {SP, VW},
    ("POST", "/api/v1/referrals/{referral_id}/discharge"): {SP},
    ("POST", "/api/v1/referrals/{referral_id}/transfer"): {SP},
    # The perspectiefregisseur follows their own children; the servicepunt assigns them.
    ("POST", "/api/v1/referrals/{referral_id}/regisseur"): {SP},
    ("POST", "/api/v1/referrals/{referral_id}/continuation"): {SP},
    ("GET", "/api/v1/regie/children"): {SP, PR},
    ("POST", "/api/v1/regie/tasks/{task_id}/done"): {PR},
    # The gedragswetenschapper judges advices; the servicepunt follows the judgement.
    ("GET", "/api/v1/judgements/awaiting"): {SP, GW},
    ("GET", "/api/v1/referrals/{referral_id}/judgement"): {SP, GW},
    ("POST", "/api/v1/referrals/{referral_id}/judgement"): {GW},
    ("GET", "/api/v1/advice-deviations"): {SP},
    # A hold asks its provider: the provider answers its own, the servicepunt sees them all.
    ("GET", "/api/v1/provider-requests"): {SP, AB},
    ("POST", "/api/v1/provider-requests/{request_id}/answer"): {AB},
    # The register of beschikkingen holds children's records: the servicepunt only.
    ("POST", "/api/v1/beschikkingen"): {SP},
    ("GET", "/api/v1/beschikkingen"): {SP},
    ("POST", "/api/v1/beschikkingen/import"): {SP},
    ("GET", "/api/v1/units"): {SP, AB},
    ("GET", "/api/v1/units/{unit_id}/occupancies"): {SP, AB},
    ("POST", "/api/v1/units/{unit_id}/admissions"): {SP, AB},
    ("POST", "/api/v1/occupancies/{occupancy_id}/departure"): {SP, AB},
    ("POST", "/api/v1/occupancies/{occupancy_id}/expected-departure"): {SP, AB},
    ("POST", "/api/v1/units/{unit_id}/capacity-changes"): {SP, AB},
    ("GET", "/api/v1/availability"): {SP},
    ("GET", "/api/v1/availability/summary"): set(ROLES),
    ("GET", "/api/v1/reports"): {SP, PL},
    ("GET", "/api/v1/reports/{name}"): {SP, PL},
    ("GET", "/api/v1/waiting-list"): {SP},
    ("GET", "/api/v1/deviations"): {SP},
    # Planners queue simulations; the servicepunt (reader of the planner reports) may read.
    ("GET", "/api/v1/simulations/scenarios"): {SP, PL},
    ("POST", "/api/v1/simulations"): {PL},
    ("GET", "/api/v1/simulations"): {SP, PL},
    ("GET", "/api/v1/simulations/{job_id}"): {SP, PL},
    ("GET", "/api/v1/simulations/{job_id}/files/{name}"): {SP, PL},
}


def _routes(api: Api) -> set[tuple[str, str]]:
    """Every API operation, from the published OpenAPI schema."""
    paths = api.client.get("/openapi.json").json()["paths"]
    return {
        (method.upper(), path)
        for path, operations in paths.items()
        if path.startswith("/api/")
        for method in operations
    }


def _concrete(path: str) -> str:
    return (
        path.replace("{referral_id}", "onbekend")
        .replace("{unit_id}", "onbekend")
        .replace("{occupancy_id}", "onbekend")
        .replace("{job_id}", "onbekend")
        .replace("{request_id}", "onbekend")
        .replace("{task_id}", "onbekend")
        .replace("{name}", "afwijkingen")
    )


def test_every_endpoint_has_a_role_rule(api: Api) -> None:
    assert _routes(api) == set(ALLOWED)


def test_roles_outside_an_endpoint_get_403_and_strangers_401(api: Api) -> None:
    wrong = []
    for (method, path), allowed in ALLOWED.items():
        url = _concrete(path)
        anonymous = api.client.request(method, url, json={})
        if anonymous.status_code != 401:
            wrong.append((method, path, "anonymous", anonymous.status_code))
        for role in set(ROLES) - allowed:
            response = api.call(method, url, role, json={})
            if response.status_code != 403 or response.json().get("error") != "Forbidden":
                wrong.append((method, path, role, response.status_code))
    assert wrong == []


def test_verwijzer_sees_only_its_own_referrals(api: Api) -> None:
    own = api.call("POST", "/api/v1/referrals", "verwijzer", json=referral_payload()).json()
    other = api.call(
        "POST", "/api/v1/referrals", "verwijzer2", json=referral_payload(child_ref="kind-0002")
    ).json()
    listed = api.call("GET", "/api/v1/referrals", "verwijzer").json()
    assert [r["id"] for r in listed["items"]] == [own["id"]]
    assert api.call("GET", f"/api/v1/referrals/{other['id']}", "verwijzer").status_code == 404
    withdraw = api.call(
        "POST",
        f"/api/v1/referrals/{other['id']}/withdraw",
        "verwijzer",
        json={"withdrawal_reason": "dubbel"},
    )
    assert withdraw.status_code == 404
    assert api.call("GET", "/api/v1/referrals", "sp").json()["total"] == 2


def test_provider_touches_only_its_own_units(api: Api) -> None:
    units = api.call("GET", "/api/v1/units", "aanbieder").json()["items"]
    assert {u["unit_id"] for u in units} == {api.units["groep_lely"], api.units["crisis_12plus"]}
    admission = {"child_ref": "kind-9000", "since": "2026-11-23"}
    foreign = api.call(
        "POST",
        f"/api/v1/units/{api.units['gezinshuis_alm']}/admissions",
        "aanbieder",
        json=admission,
    )
    assert foreign.status_code == 403
    own = api.call(
        "POST", f"/api/v1/units/{api.units['groep_lely']}/admissions", "aanbieder", json=admission
    )
    assert own.status_code == 201
    stays = api.call("GET", f"/api/v1/units/{api.units['groep_lely']}/occupancies", "aanbieder2")
    assert stays.status_code == 403
    departure = {"left_on": "2026-11-24", "outcome": "thuis_met_hulp"}
    stay_id = own.json()["occupancy_id"]
    other = api.call(
        "POST", f"/api/v1/occupancies/{stay_id}/departure", "aanbieder2", json=departure
    )
    assert other.status_code == 403


def test_verwijzer_board_holds_counts_only(api: Api) -> None:
    cells = api.call("GET", "/api/v1/availability/summary", "verwijzer").json()
    assert cells
    assert set(cells[0]) == {
        "care_form",
        "municipality",
        "municipality_name",
        "age_band",
        "free_now",
        "coming_free",
    }


def test_unknown_token_is_refused(api: Api) -> None:
    assert api.call("GET", "/api/v1/me", "planner").status_code == 200
    bad = api.client.get("/api/v1/me", headers={"Authorization": "Bearer sp_nope"})
    assert bad.status_code == 401 and bad.json()["error"] == "NotAuthenticated"
