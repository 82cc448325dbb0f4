"""Professional judgement over HTTP, on both backends: a gedragswetenschapper sees the advised
referrals and judges them; bad input gets a 4xx naming the field by its Dutch label and
changes nothing; every judgement is audited; advice-level deviations are reported apart."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, select

from api.audit import AuditEntry
from tests.api.api_support import Api, referral_payload
from tests.api.workflow_support import state_of

CONFIRM = {"verdict": "confirm", "reason_code": "advies_past"}
SECRET_TEXT = "tekst-die-niet-terugkomt-42"


def _change(form: str = "gezinshuis", **extra: Any) -> dict[str, Any]:
    return {
        "verdict": "change",
        "chosen_first_best": form,
        "reason_code": "netwerk",
        "reason_text": SECRET_TEXT,
    } | extra


def _advised(api: Api, child_ref: str = "kind-0001") -> str:
    created = api.call("POST", "/api/v1/referrals", "verwijzer", json=referral_payload(child_ref))
    assert created.status_code == 201, created.text
    rid: str = created.json()["id"]
    assert api.call("POST", f"/api/v1/referrals/{rid}/advice", "sp").status_code == 200
    return rid


def _judge(api: Api, rid: str, body: dict[str, Any], user: str = "gw") -> Any:
    return api.call("POST", f"/api/v1/referrals/{rid}/judgement", user, json=body)


def _view(api: Api, rid: str, user: str = "gw") -> Any:
    answer = api.call("GET", f"/api/v1/referrals/{rid}/judgement", user)
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_the_gedragswetenschapper_sees_the_clinical_profile_but_no_identity(api: Api) -> None:
    payload = referral_payload() | {"bsn": "111222333"}
    payload["profile"] = payload["profile"] | {"birth_date": "2012-05-01"}
    payload["profile"].pop("age")
    payload["intake"]["age"] = None
    payload["intake"]["birth_date"] = "2012-05-01"
    created = api.call("POST", "/api/v1/referrals", "verwijzer", json=payload)
    assert created.status_code == 201, created.text
    rid = created.json()["id"]
    api.call("POST", f"/api/v1/referrals/{rid}/advice", "sp")
    listed = api.call("GET", "/api/v1/judgements/awaiting", "gw").json()
    assert [r["id"] for r in listed] == [rid]
    view = _view(api, rid)
    assert view["profile"]["age"] == 14 and view["profile"]["severity"] == "ernstig"
    text = str(view)
    for hidden in ("111222333", "2012-05-01", "birth_date", "bsn", "verwijzer"):
        assert hidden not in text
    assert view["original_advice"]["first_best"] == "behandelgroep"


def test_a_confirmation_completes_the_judgement_and_is_audited(api: Api) -> None:
    rid = _advised(api)
    answer = _judge(api, rid, CONFIRM)
    assert answer.status_code == 200, answer.text
    assert answer.json()["judgement"] == "afgerond"
    assert api.call("GET", "/api/v1/judgements/awaiting", "gw").json() == []
    with Session(state_of(api).engine) as session:
        vias = session.exec(
            select(AuditEntry.via).where(
                AuditEntry.entity_id == rid, AuditEntry.role == "gedragswetenschapper"
            )
        ).all()
    assert vias == ["POST .../judgement"]


def test_a_change_is_in_force_for_the_servicepunt_and_keeps_the_original(api: Api) -> None:
    rid = _advised(api)
    view = _judge(api, rid, _change()).json()
    assert view["advice_in_force"]["first_best"] == "gezinshuis"
    assert view["original_advice"]["first_best"] == "behandelgroep"
    shown = api.call("GET", f"/api/v1/referrals/{rid}", "sp").json()
    assert shown["first_best"] == "gezinshuis"
    proposals = api.call("POST", f"/api/v1/referrals/{rid}/proposals", "sp").json()
    assert proposals["proposals"][0]["care_form"] == "gezinshuis"


def _unchanged(api: Api, rid: str) -> None:
    view = _view(api, rid, "sp")
    assert view["judgements"] == [] and view["judgement"] == "open"
    assert view["advice_in_force"] == view["original_advice"]


def test_an_unknown_care_form_is_refused_by_its_dutch_label(api: Api) -> None:
    rid = _advised(api)
    answer = _judge(api, rid, _change("villa"))
    assert answer.status_code == 422
    assert answer.json()["detail"].startswith("Gekozen first-best zorgvorm: ")
    assert [f["field"] for f in answer.json()["fields"]] == ["chosen_first_best"]
    assert SECRET_TEXT not in answer.text
    _unchanged(api, rid)


def test_a_judgement_without_a_reason_is_refused_by_its_dutch_label(api: Api) -> None:
    rid = _advised(api)
    answer = _judge(api, rid, {"verdict": "confirm"})
    assert answer.status_code == 422 and answer.json()["detail"].startswith("Reden: ")
    answer = _judge(api, rid, _change(reason_text=None))
    assert answer.status_code == 422 and answer.json()["detail"].startswith("Toelichting: ")
    _unchanged(api, rid)


def test_a_change_that_keeps_the_first_best_is_refused(api: Api) -> None:
    rid = _advised(api)
    answer = _judge(api, rid, _change("behandelgroep"))
    assert answer.status_code == 422
    assert answer.json()["detail"].startswith("Gekozen first-best zorgvorm: ")
    assert SECRET_TEXT not in answer.text
    _unchanged(api, rid)


def test_the_servicepunt_may_not_judge(api: Api) -> None:
    rid = _advised(api)
    assert _judge(api, rid, CONFIRM, "sp").status_code == 403
    _unchanged(api, rid)


def test_gesloten_needs_a_second_different_judge(api: Api) -> None:
    rid = _advised(api)
    first = _judge(api, rid, _change("gesloten"))
    assert first.json()["judgement"] == "tweede_nodig"
    refused = api.call("POST", f"/api/v1/referrals/{rid}/proposals", "sp")
    assert refused.status_code == 409
    assert refused.json()["detail"].startswith("Oordeel gedragswetenschapper: ")
    again = _judge(api, rid, CONFIRM)
    assert again.status_code == 409
    assert again.json()["detail"].startswith("Gedragswetenschapper: ")
    assert [r["id"] for r in api.call("GET", "/api/v1/judgements/awaiting", "gw2").json()] == [rid]
    second = _judge(api, rid, CONFIRM, "gw2")
    assert second.status_code == 200 and second.json()["judgement"] == "afgerond"
    assert api.call("POST", f"/api/v1/referrals/{rid}/proposals", "sp").status_code == 200


def test_a_referral_without_an_advice_has_nothing_to_judge(api: Api) -> None:
    created = api.call("POST", "/api/v1/referrals", "verwijzer", json=referral_payload())
    rid = created.json()["id"]
    assert api.call("GET", f"/api/v1/referrals/{rid}/judgement", "gw").status_code == 409
    refused = _judge(api, rid, CONFIRM)
    assert refused.status_code == 409 and refused.json()["fields"][0]["field"] == "status"
    assert api.call("GET", "/api/v1/referrals/onbekend/judgement", "gw").status_code == 404


def test_advice_deviations_are_reported_apart_from_placement_deviations(api: Api) -> None:
    rid = _advised(api)
    _judge(api, rid, _change())
    log = api.call("GET", "/api/v1/advice-deviations", "sp").json()
    assert [(r["referral_id"], r["gekozen_zorgvorm"]) for r in log["rows"]] == [(rid, "gezinshuis")]
    assert api.call("GET", "/api/v1/deviations", "sp").json()["total"] == 0
    exact = api.call("GET", "/api/v1/reports/adviesafwijkingen", "sp").json()["rows"]
    assert [(r["oorspronkelijke_zorgvorm"], r["aantal"]) for r in exact] == [("behandelgroep", 1)]
    hidden = api.call("GET", "/api/v1/reports/adviesafwijkingen", "planner").json()["rows"]
    assert [r["aantal"] for r in hidden] == ["<5"]
    totals = api.call("GET", "/api/v1/reports/adviesoordelen", "planner").json()["rows"]
    assert totals[0]["percentage_gewijzigd"] == "afgeschermd"
    csv = api.call("GET", "/api/v1/advice-deviations?format=csv", "sp")
    assert csv.status_code == 200 and "gezinshuis" in csv.text
