"""The perspectiefregisseur over HTTP on both backends: the servicepunt assigns one to a child
and its siblings (one per family); the regisseur sees only their own children and records
tasks, each open, met or late with working days; bad input is refused by its Dutch label and
changes nothing; every step is audited; the task report has known numbers."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, select

from api.accounts import User
from tests.api.api_support import Api, referral_payload
from tests.api.workflow_support import audit_of, state_of


def _user_id(api: Api, username: str) -> str:
    with Session(state_of(api).engine) as session:
        return session.exec(select(User.id).where(User.username == username)).one()


def _create(
    api: Api, child_ref: str, *, crisis: bool = False, sibling_of: str | None = None
) -> str:
    body = referral_payload(child_ref, crisis=crisis)
    if crisis:
        body["intake"] |= {"crisis": True, "crisis_placement_date": "2026-11-20"}
    if sibling_of:
        body["sibling_of"] = sibling_of
    created = api.call("POST", "/api/v1/referrals", "verwijzer", json=body)
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


def _children(api: Api, user: str) -> list[dict[str, Any]]:
    answer = api.call("GET", "/api/v1/regie/children", user)
    assert answer.status_code == 200, answer.text
    rows: list[dict[str, Any]] = answer.json()
    return rows


def _assign(api: Api, rid: str, regisseur: str) -> Any:
    body = {"regisseur_user_id": regisseur}
    return api.call("POST", f"/api/v1/referrals/{rid}/regisseur", "sp", json=body)


def _done(api: Api, task_id: str, body: dict[str, Any], user: str = "pr") -> Any:
    return api.call("POST", f"/api/v1/regie/tasks/{task_id}/done", user, json=body)


def _tasks(child: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {t["kind"]: t for t in child["tasks"]}


def test_siblings_get_the_same_regisseur_who_sees_only_their_own(api: Api) -> None:
    crisis = _create(api, "kind-r01", crisis=True)
    sibling = _create(api, "kind-r02", sibling_of=crisis)
    refused = _assign(api, crisis, _user_id(api, "gw"))
    assert refused.status_code == 422 and "Perspectiefregisseur" in refused.json()["detail"]
    assert _children(api, "sp") == []
    assigned = _assign(api, crisis, _user_id(api, "pr"))
    assert assigned.status_code == 200, assigned.text
    assert sorted(assigned.json()["referral_ids"]) == sorted([crisis, sibling])
    later = _create(api, "kind-r03", sibling_of=sibling)  # born into the family: same regisseur
    mine = {c["child_ref"]: c for c in _children(api, "pr")}
    assert sorted(mine) == ["kind-r01", "kind-r02", "kind-r03"]
    assert _children(api, "pr2") == []
    assert len(_children(api, "sp")) == 3
    # Crisis on Friday 20 November: start agreements by Monday, plan and evaluation in 14 days.
    crisis_tasks = _tasks(mine["kind-r01"])
    assert {k: t["due"] for k, t in crisis_tasks.items()} == {
        "startafspraken": "2026-11-23",
        "perspectiefplan": "2026-12-04",
        "evaluatie": "2026-12-04",
        # Aged 14 on 23 November 2026, so born on 24 November 2011 at the earliest.
        "perspectief_165": "2028-05-24",
        "perspectief_175": "2029-05-24",
    }
    assert crisis_tasks["startafspraken"]["status"] == "open"
    regular = _tasks(mine["kind-r03"])
    assert {k: t["due"] for k, t in regular.items()} == {
        "perspectiefplan": "2026-12-07",
        "evaluatie": "2027-02-22",
        "perspectief_165": "2028-05-24",
        "perspectief_175": "2029-05-24",
    }
    assert ("update", "servicepunt") in {a[:2] for a in audit_of(api, sibling)}
    assert ("read", "perspectiefregisseur") in {a[:2] for a in audit_of(api, later)}


def test_tasks_are_met_or_late_in_working_days(api: Api) -> None:
    crisis = _create(api, "kind-r01", crisis=True)
    assert _assign(api, crisis, _user_id(api, "pr")).status_code == 200
    tasks = _tasks(_children(api, "pr")[0])
    start, evaluation = tasks["startafspraken"]["id"], tasks["evaluatie"]["id"]
    for body, user, code, label in (
        ({"done_on": "2026-11-24"}, "pr", 422, "Afgerond op"),  # tomorrow
        (
            {"done_on": "2026-11-23", "next_evaluation": "2027-01-04"},
            "pr",
            422,
            "Volgende evaluatie",
        ),
        ({"done_on": "niet"}, "pr", 422, "Afgerond op"),
        ({"done_on": "2026-11-23"}, "pr2", 404, None),
    ):
        refused = _done(api, start, body, user)
        assert refused.status_code == code, refused.text
        assert label is None or label in refused.json()["detail"]
    assert _tasks(_children(api, "pr")[0])["startafspraken"]["status"] == "open"
    met = _done(api, start, {"done_on": "2026-11-23"})
    assert met.status_code == 200 and met.json()["status"] == "gehaald"
    assert _done(api, start, {"done_on": "2026-11-23"}).status_code == 409
    api.clock.advance(days=15)  # Tuesday 8 December: the plan was due Friday 4 December
    late = _tasks(_children(api, "pr")[0])["perspectiefplan"]
    assert (late["status"], late["working_days"]) == ("te_laat", -2)
    done = _done(api, evaluation, {"done_on": "2026-12-08", "next_evaluation": "2027-03-08"})
    assert done.status_code == 200 and done.json()["status"] == "te_laat"
    evaluations = [t for t in _children(api, "pr")[0]["tasks"] if t["kind"] == "evaluatie"]
    assert [(t["due"], t["status"]) for t in evaluations] == [
        ("2026-12-04", "te_laat"),
        ("2027-03-08", "open"),
    ]
    report = api.call("GET", "/api/v1/reports/regie_taken", "sp").json()["rows"]
    assert report == [
        {"taak": "startafspraken", "taken": 1, "open": 0, "gehaald": 1, "te_laat": 0},
        {"taak": "perspectiefplan", "taken": 1, "open": 0, "gehaald": 0, "te_laat": 1},
        {"taak": "evaluatie", "taken": 2, "open": 1, "gehaald": 0, "te_laat": 1},
        {"taak": "perspectief_165", "taken": 1, "open": 1, "gehaald": 0, "te_laat": 0},
        {"taak": "perspectief_175", "taken": 1, "open": 1, "gehaald": 0, "te_laat": 0},
    ]


def test_the_perspective_after_18_is_due_at_16_and_a_half_from_the_birth_date(api: Api) -> None:
    body = referral_payload("kind-r09") | {}
    body["profile"] = body["profile"] | {"birth_date": "2012-05-31"}
    created = api.call("POST", "/api/v1/referrals", "verwijzer", json=body)
    assert created.status_code == 201, created.text
    assert _assign(api, created.json()["id"], _user_id(api, "pr")).status_code == 200
    tasks = _tasks(_children(api, "pr")[0])
    # 31 May 2012 + 16½ years: 30 November 2028 (November has no 31st).
    assert (tasks["perspectief_165"]["due"], tasks["perspectief_175"]["due"]) == (
        "2028-11-30",
        "2029-11-30",
    )


def _placed_in(api: Api, child_ref: str, unit: str) -> str:
    rid = _create(api, child_ref)
    for step in ("advice", "proposals"):
        assert api.call("POST", f"/api/v1/referrals/{rid}/{step}", "sp").status_code == 200
    held = api.call(
        "POST", f"/api/v1/referrals/{rid}/hold", "sp", json={"unit_id": api.units[unit]}
    )
    assert held.status_code == 201, held.text
    decision = {"outcome": "accept", "reason_code": "voorkeur_kind"}
    placed = api.call("POST", f"/api/v1/referrals/{rid}/decision", "sp", json=decision)
    assert placed.status_code == 200, placed.text
    return rid


def _continue(api: Api, rid: str, until: str) -> Any:
    body = {"continued_until": until}
    return api.call("POST", f"/api/v1/referrals/{rid}/continuation", "sp", json=body)


def test_a_gezinshuis_placement_continues_after_18_up_to_21(api: Api) -> None:
    not_placed = _create(api, "kind-v00")
    assert _continue(api, not_placed, "2031-06-01").status_code == 409
    group = _placed_in(api, "kind-v01", "groep_lely")
    refused = _continue(api, group, "2031-06-01")
    assert refused.status_code == 409 and "Voortgezet tot" in refused.json()["detail"]
    rid = _placed_in(api, "kind-v02", "gezinshuis_alm")
    # Aged 14 on 23 November 2026: 18 on 24 November 2029 at the earliest, 21 in 2032.
    for until in ("2029-06-01", "2033-01-01", "2029-11-24"):
        refused = _continue(api, rid, until)
        assert refused.status_code == 422 and "Voortgezet tot" in refused.json()["detail"]
    assert api.call("GET", f"/api/v1/referrals/{rid}", "sp").json()["continued_until"] is None
    done = _continue(api, rid, "2031-06-01")
    assert done.status_code == 200, done.text
    assert done.json()["continued_until"] == "2031-06-01"
    unit = api.units["gezinshuis_alm"]
    stays = api.call("GET", f"/api/v1/units/{unit}/occupancies", "sp").json()
    assert [s["expected_end"] for s in stays if s["child_ref"] == "kind-v02"] == ["2031-06-01"]
    assert ("update", "servicepunt") in {a[:2] for a in audit_of(api, rid)}
