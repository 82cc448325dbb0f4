"""Transfers and the end of a stay over HTTP on both backends: a move is a new placement
linked to the one before, with a reason, and ends it; a discharge records planned or
unplanned; the reports count endings per form and provider, destinations, moves per child,
transfers by direction, and return to care within 12 months, with known numbers."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlmodel import Session, select

from domain.profile_vocabulary import VerwijzerType
from placements import service as workflow
from placements.models import Referral
from placements.schemas import ReferralCreate
from tests.api.api_support import Api, referral_payload
from tests.api.workflow_support import audit_of, hold, proposed, referral, state_of

AFSCHALEN = {"transfer_reason": "afschalen", "transfer_planned": True}


def _placed(api: Api, child_ref: str, unit: str = "groep_lely", **decision: Any) -> str:
    rid = proposed(api, child_ref)
    return _place(api, rid, unit, **decision)


def _place(api: Api, rid: str, unit: str, **decision: Any) -> str:
    assert hold(api, rid, unit).status_code == 201
    body = {"outcome": "accept"} | decision
    done = api.call("POST", f"/api/v1/referrals/{rid}/decision", "sp", json=body)
    assert done.status_code == 200, done.text
    return rid


def _discharge(api: Api, rid: str, **body: Any) -> Any:
    return api.call("POST", f"/api/v1/referrals/{rid}/discharge", "sp", json=body)


def _transfer(api: Api, rid: str, body: dict[str, Any]) -> Any:
    return api.call("POST", f"/api/v1/referrals/{rid}/transfer", "sp", json=body)


def _referred_again(api: Api, child_ref: str, *, days: int) -> None:
    """A new referral of the child, `days` after now (written directly: tokens would expire)."""
    data = ReferralCreate.model_validate(referral_payload(child_ref))
    with Session(state_of(api).engine) as session:
        workflow.create_referral(
            session,
            data=data,
            verwijzer_user_id="verwijzer",
            verwijzer_type=VerwijzerType.GEMEENTE,
            bsn_key="test",
            now=api.clock() + timedelta(days=days),
        )
        session.commit()


def _rows(api: Api, name: str, user: str = "sp") -> list[dict[str, Any]]:
    answer = api.call("GET", f"/api/v1/reports/{name}", user)
    assert answer.status_code == 200, answer.text
    rows: list[dict[str, Any]] = answer.json()["rows"]
    return rows


def test_a_transfer_is_a_new_placement_linked_to_the_one_before(api: Api) -> None:
    first = _placed(api, "kind-t01")
    for body, label in (
        ({"transfer_planned": True}, "Reden van overplaatsing"),
        ({"transfer_reason": "weg", "transfer_planned": True}, "Reden van overplaatsing"),
        (
            {"transfer_reason": "afschalen", "transfer_planned": "misschien"},
            "Overplaatsing gepland",
        ),
    ):
        refused = _transfer(api, first, body)
        assert refused.status_code == 422 and label in refused.json()["detail"], refused.text
    created = _transfer(api, first, AFSCHALEN)
    assert created.status_code == 201, created.text
    follow_up = created.json()
    assert follow_up["status"] == "aangemeld" and follow_up["child_ref"] == "kind-t01"
    assert (follow_up["previous_referral_id"], follow_up["transfer_reason"]) == (first, "afschalen")
    assert follow_up["start_deadline"] is None  # the child is in care: no start norm
    assert ("create", "servicepunt") in {a[:2] for a in audit_of(api, follow_up["id"])}
    again = _transfer(api, first, AFSCHALEN)
    assert again.status_code == 409 and "Reden van overplaatsing" in again.json()["detail"]
    # Until the follow-up is placed the child stays where it is.
    assert referral(api, first)["status"] == "geplaatst"
    api.clock.advance(days=10)
    for step in ("advice", "proposals"):
        assert (
            api.call("POST", f"/api/v1/referrals/{follow_up['id']}/{step}", "sp").status_code == 200
        )
    _place(api, follow_up["id"], "gezinshuis_alm", reason_code="professioneel_oordeel")
    before = referral(api, first)
    assert (before["status"], before["discharged_on"]) == ("uitgestroomd", "2026-12-03")
    assert (before["discharge_outcome"], before["discharge_planned"]) == ("overig", True)
    assert _transfer(api, first, AFSCHALEN).status_code == 409  # no longer placed
    _placed(api, "kind-t02")
    assert _rows(api, "verhuizingen") == [
        {"verhuizingen": "0", "kinderen": 1},
        {"verhuizingen": "1", "kinderen": 1},
        {"verhuizingen": "2", "kinderen": 0},
        {"verhuizingen": "3+", "kinderen": 0},
    ]
    assert _rows(api, "overplaatsingen") == [
        {
            "van_zorgvorm": "behandelgroep",
            "naar_zorgvorm": "gezinshuis",
            "richting": "afschalen",
            "reden": "afschalen",
            "aantal": 1,
        }
    ]
    # The stay that ended in a transfer is no leaving of care.
    assert _rows(api, "terugkeer_12_maanden") == []


def test_a_discharge_needs_planned_or_not_and_the_endings_are_reported(api: Api) -> None:
    planned = _placed(api, "kind-u01")
    broken = _placed(api, "kind-u02")
    elsewhere = _placed(api, "kind-u03", "gezinshuis_alm", reason_code="geen_capaciteit")
    refused = _discharge(api, planned, left_on="2026-12-01", outcome="thuis_met_hulp")
    assert refused.status_code == 422 and "Einde van het verblijf" in refused.json()["detail"]
    assert referral(api, planned)["status"] == "geplaatst"
    for rid, outcome, ended in (
        (planned, "thuis_met_hulp", True),
        (broken, "groep", False),
        (elsewhere, "pleegzorg", False),
    ):
        done = _discharge(api, rid, left_on="2026-12-01", outcome=outcome, planned=ended)
        assert done.status_code == 200, done.text
        assert done.json()["discharge_planned"] is ended
    assert _rows(api, "uitstroom_zorgvorm") == [
        {
            "zorgvorm": "behandelgroep",
            "uitgestroomd": 2,
            "gepland": 1,
            "ongepland": 1,
            "onbekend": 0,
            "percentage_ongepland": 0.5,
        },
        {
            "zorgvorm": "gezinshuis",
            "uitgestroomd": 1,
            "gepland": 0,
            "ongepland": 1,
            "onbekend": 0,
            "percentage_ongepland": 1.0,
        },
    ]
    per_provider = _rows(api, "uitstroom_aanbieder")
    assert [(r["aanbieder"], r["uitgestroomd"], r["ongepland"]) for r in per_provider] == [
        ("Omega Groep", 1, 1),
        ("Triade Vitree", 2, 1),
    ]
    destinations = _rows(api, "uitstroom_bestemming")
    assert [(r["zorgvorm"], r["bestemming"], r["aantal"]) for r in destinations] == [
        ("behandelgroep", "groep", 1),
        ("behandelgroep", "thuis_met_hulp", 1),
        ("gezinshuis", "pleegzorg", 1),
    ]
    hidden = _rows(api, "uitstroom_zorgvorm", "planner")
    assert hidden[0]["ongepland"] == "<5" and hidden[0]["percentage_ongepland"] == "afgeschermd"
    # One of them is referred again within a year, another only after it.
    _referred_again(api, "kind-u01", days=120)
    _referred_again(api, "kind-u02", days=420)
    assert _rows(api, "terugkeer_12_maanden") == [
        {"maand": "2026-12", "uitgestroomd": 3, "terug_binnen_12_maanden": 1, "percentage": 0.3333}
    ]


def test_a_transfer_for_another_reason_needs_its_explanation(api: Api) -> None:
    first = _placed(api, "kind-t05")
    for text in (None, "  "):
        body = {"transfer_reason": "anders", "transfer_planned": True, "transfer_text": text}
        refused = _transfer(api, first, body)
        assert refused.status_code == 422, refused.text
        assert "Toelichting bij overplaatsing" in refused.json()["detail"]
        assert [e["field"] for e in refused.json()["fields"]] == ["transfer_text"]
    with Session(state_of(api).engine) as session:
        assert (
            session.exec(select(Referral).where(Referral.previous_referral_id == first)).all() == []
        )
    body = {
        "transfer_reason": "anders",
        "transfer_planned": False,
        "transfer_text": " pleeggezin stopt ",
    }
    created = _transfer(api, first, body)
    assert created.status_code == 201, created.text
    with Session(state_of(api).engine) as session:
        follow_up = session.get(Referral, created.json()["id"])
        assert follow_up is not None
        assert (follow_up.transfer_reason, follow_up.transfer_text) == (
            "anders",
            "pleeggezin stopt",
        )
