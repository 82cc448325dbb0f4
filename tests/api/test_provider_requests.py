"""The provider accepts or refuses a held place, over HTTP on both backends: a hold asks its
provider; the servicepunt sees the open requests, a provider only its own; the answer keeps
the response time; a refusal needs a coded reason (refused by its Dutch label, nothing
changed), releases the hold and is counted per provider, with known numbers."""

from __future__ import annotations

from typing import Any

from tests.api.api_support import Api
from tests.api.workflow_support import audit_of, hold, proposed, referral

SECRET_TEXT = "weigertekst-die-niet-terugkomt-23"


def _open(api: Api, user: str = "sp", state: str = "open") -> list[dict[str, Any]]:
    answer = api.call("GET", f"/api/v1/provider-requests?state={state}", user)
    assert answer.status_code == 200, answer.text
    rows: list[dict[str, Any]] = answer.json()
    return rows


def _answer(api: Api, request_id: str, body: dict[str, Any], user: str = "aanbieder") -> Any:
    return api.call("POST", f"/api/v1/provider-requests/{request_id}/answer", user, json=body)


def _held(api: Api, child_ref: str, unit: str = "groep_lely") -> tuple[str, str]:
    rid = proposed(api, child_ref)
    assert hold(api, rid, unit).status_code == 201
    [request] = [r for r in _open(api) if r["referral_id"] == rid]
    return rid, str(request["id"])


def _free(api: Api, unit: str) -> int:
    units = api.call("GET", "/api/v1/units?limit=200", "sp").json()["items"]
    free: int = {u["unit_id"]: u["free_now"] for u in units}[api.units[unit]]
    return free


def _rows(api: Api, name: str, user: str = "sp") -> list[dict[str, Any]]:
    answer = api.call("GET", f"/api/v1/reports/{name}", user)
    assert answer.status_code == 200, answer.text
    rows: list[dict[str, Any]] = answer.json()["rows"]
    return rows


def test_a_hold_asks_its_provider_and_only_that_provider_sees_it(api: Api) -> None:
    rid, request_id = _held(api, "kind-0001")
    [seen] = _open(api)
    assert (seen["child_ref"], seen["unit_id"], seen["state"]) == (
        "kind-0001",
        api.units["groep_lely"],
        "open",
    )
    assert seen["provider_id"] == api.providers["p1"]
    assert [r["id"] for r in _open(api, "aanbieder")] == [request_id]
    assert _open(api, "aanbieder2") == []
    assert ("read", "aanbieder") in {a[:2] for a in audit_of(api, rid)}
    # Another provider cannot answer it, nor learn that it exists.
    assert _answer(api, request_id, {"answer": "accept"}, "aanbieder2").status_code == 404
    assert _open(api)[0]["state"] == "open"


def test_an_acceptance_keeps_the_hold_and_the_response_time(api: Api) -> None:
    rid, request_id = _held(api, "kind-0001")
    api.clock.advance(minutes=47)
    done = _answer(api, request_id, {"answer": "accept"})
    assert done.status_code == 200, done.text
    assert (done.json()["state"], done.json()["response_minutes"]) == ("geaccepteerd", 47)
    assert referral(api, rid)["status"] == "vastgehouden"
    assert _open(api) == []
    assert (
        _answer(api, request_id, {"answer": "refuse", "refusal_reason": "veiligheid"}).status_code
        == 409
    )
    assert ("update", "aanbieder") in {a[:2] for a in audit_of(api, rid)}


def test_a_refusal_without_a_reason_is_refused_by_its_dutch_label(api: Api) -> None:
    rid, request_id = _held(api, "kind-0001")
    for body, label in (
        ({"answer": "refuse"}, "Reden van weigeren"),
        ({"answer": "refuse", "refusal_reason": "onbekend"}, "Reden van weigeren"),
        ({"answer": "refuse", "refusal_reason": "anders"}, "Toelichting bij weigeren"),
        ({"answer": "misschien"}, "Antwoord van de aanbieder"),
        ({"answer": "accept", "refusal_reason": "veiligheid"}, "Reden van weigeren"),
    ):
        refused = _answer(api, request_id, body)
        assert refused.status_code == 422, refused.text
        assert label in refused.json()["detail"]
    assert _open(api)[0]["state"] == "open"
    assert referral(api, rid)["status"] == "vastgehouden"


def test_a_refusal_releases_the_hold_and_tells_the_servicepunt_why(api: Api) -> None:
    rid, request_id = _held(api, "kind-0001")
    held_free = _free(api, "groep_lely")
    body = {"answer": "refuse", "refusal_reason": "anders", "refusal_text": SECRET_TEXT}
    done = _answer(api, request_id, body)
    assert done.status_code == 200, done.text
    assert done.json()["state"] == "geweigerd"
    after = referral(api, rid)
    assert after["status"] == "voorgesteld"
    assert "anders" in after["status_note"] and SECRET_TEXT not in after["status_note"]
    assert _free(api, "groep_lely") == held_free + 1
    # The servicepunt holds another place: a new request, to that unit's provider.
    assert hold(api, rid, "gezinshuis_alm").status_code == 201
    assert [r["provider_id"] for r in _open(api)] == [api.providers["p2"]]


def test_a_request_whose_hold_ended_has_lapsed_and_cannot_be_answered(api: Api) -> None:
    rid, request_id = _held(api, "kind-0001")
    decline = {"outcome": "decline", "reason_code": "afstand"}
    assert (
        api.call("POST", f"/api/v1/referrals/{rid}/decision", "sp", json=decline).status_code == 200
    )
    assert _open(api) == []
    assert [r["state"] for r in _open(api, "aanbieder", "alle")] == ["vervallen"]
    assert _answer(api, request_id, {"answer": "accept"}).status_code == 409


def test_answers_and_refusals_are_reported_per_provider(api: Api) -> None:
    accepted_rid, accepted = _held(api, "kind-0001")
    api.clock.advance(minutes=30)
    assert _answer(api, accepted, {"answer": "accept"}).status_code == 200
    _, refused = _held(api, "kind-0002")
    api.clock.advance(minutes=90)
    body = {"answer": "refuse", "refusal_reason": "geen_personeel"}
    assert _answer(api, refused, body).status_code == 200
    _held(api, "kind-0003", "gezinshuis_alm")  # left open
    assert _rows(api, "aanbieder_antwoorden") == [
        {
            "aanbieder": "Omega Groep",
            "verzoeken": 1,
            "geaccepteerd": 0,
            "geweigerd": 0,
            "vervallen": 0,
            "open": 1,
            "mediaan_reactietijd_minuten": None,
        },
        {
            "aanbieder": "Triade Vitree",
            "verzoeken": 2,
            "geaccepteerd": 1,
            "geweigerd": 1,
            "vervallen": 0,
            "open": 0,
            "mediaan_reactietijd_minuten": 60,
        },
    ]
    assert _rows(api, "weigeringen") == [
        {
            "aanbieder": "Triade Vitree",
            "reden": "geen_personeel",
            "omschrijving": "geen personeel",
            "aantal": 1,
        }
    ]
    hidden = _rows(api, "aanbieder_antwoorden", "planner")
    assert (
        hidden[1]["geweigerd"] == "<5" and hidden[1]["mediaan_reactietijd_minuten"] == "afgeschermd"
    )
    assert accepted_rid
