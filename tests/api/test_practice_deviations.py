"""A deviation log practice can use, over HTTP on both backends: the added reason codes, a
withdrawal that needs a coded reason (refused by its Dutch label, nothing changed), and the
advice-level deviations reported next to the placement deviations, with known numbers."""

from __future__ import annotations

from typing import Any

from tests.api.api_support import Api, referral_payload
from tests.api.workflow_support import audit_of, hold, proposed, referral

SECRET_TEXT = "toelichting-die-niet-terugkomt-17"


def _withdraw(api: Api, rid: str, body: dict[str, Any], user: str = "sp") -> Any:
    return api.call("POST", f"/api/v1/referrals/{rid}/withdraw", user, json=body)


def _rows(api: Api, name: str, user: str = "sp") -> list[dict[str, Any]]:
    answer = api.call("GET", f"/api/v1/reports/{name}", user)
    assert answer.status_code == 200, answer.text
    rows: list[dict[str, Any]] = answer.json()["rows"]
    return rows


def _accept(api: Api, rid: str, **extra: Any) -> Any:
    body = {"outcome": "accept", "placed_on": "2026-11-24"} | extra
    return api.call("POST", f"/api/v1/referrals/{rid}/decision", "sp", json=body)


def test_a_withdrawal_without_a_reason_is_refused_by_its_dutch_label(api: Api) -> None:
    rid = proposed(api)
    assert hold(api, rid).status_code == 201
    before = audit_of(api, rid)
    for body, label in (
        ({}, "Reden van intrekken"),
        ({"withdrawal_reason": "vergeten"}, "Reden van intrekken"),
        ({"withdrawal_reason": "anders"}, "Toelichting bij intrekken"),
        ({"withdrawal_reason": "anders", "withdrawal_text": "   "}, "Toelichting bij intrekken"),
    ):
        refused = _withdraw(api, rid, body)
        assert refused.status_code == 422, refused.text
        assert label in refused.json()["detail"]
    assert referral(api, rid)["status"] == "vastgehouden"
    assert [a for a in audit_of(api, rid) if a[0] == "update"] == [
        a for a in before if a[0] == "update"
    ]


def test_a_withdrawal_keeps_its_reason_and_is_audited(api: Api) -> None:
    rid = proposed(api)
    done = _withdraw(
        api, rid, {"withdrawal_reason": "anders", "withdrawal_text": SECRET_TEXT}, "verwijzer"
    )
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "ingetrokken"
    assert done.json()["withdrawal_reason"] == "anders"
    assert ("update", "verwijzer") in {a[:2] for a in audit_of(api, rid)}
    again = _withdraw(api, rid, {"withdrawal_reason": "dubbel"})
    assert again.status_code == 409
    assert referral(api, rid)["withdrawal_reason"] == "anders"


def test_withdrawal_reasons_are_counted_and_hidden_when_small_for_the_planner(api: Api) -> None:
    reasons = ["alternatief", "alternatief", "wens_ouders_kind"]
    for n, reason in enumerate(reasons):
        rid = proposed(api, f"kind-i{n:02d}")
        assert _withdraw(api, rid, {"withdrawal_reason": reason}).status_code == 200
    proposed(api, "kind-open")  # still open: not counted
    assert _rows(api, "intrekkingsredenen") == [
        {
            "reden": "alternatief",
            "omschrijving": "ander passend aanbod (ambulant, netwerk)",
            "aantal": 2,
            "aandeel": 0.6667,
        },
        {
            "reden": "wens_ouders_kind",
            "omschrijving": "wens van ouders of kind",
            "aantal": 1,
            "aandeel": 0.3333,
        },
    ]
    hidden = _rows(api, "intrekkingsredenen", "planner")
    assert [(r["aantal"], r["aandeel"]) for r in hidden] == [("<5", "afgeschermd")] * 2


def test_the_new_placement_reason_codes_are_accepted_and_logged(api: Api) -> None:
    rid = proposed(api)
    assert hold(api, rid, "gezinshuis_alm").status_code == 201
    # The advice is behandelgroep: a gezinshuis deviates and needs a reason.
    assert _accept(api, rid).status_code == 422
    assert _accept(api, rid, reason_code="besluit_gi_rechter").status_code == 200
    log = api.call("GET", "/api/v1/deviations", "sp").json()["items"]
    assert [(d["reason_code"], d["form_deviates"]) for d in log] == [("besluit_gi_rechter", True)]


def test_advice_and_placement_deviations_are_reported_side_by_side(api: Api) -> None:
    # One advice changed by a gedragswetenschapper (behandelgroep -> gezinshuis) and placed
    # as changed; one advice confirmed and then placed in another form ('te lang gewacht').
    changed = api.call(
        "POST", "/api/v1/referrals", "verwijzer", json=referral_payload("kind-a01")
    ).json()["id"]
    assert api.call("POST", f"/api/v1/referrals/{changed}/advice", "sp").status_code == 200
    change = {
        "verdict": "change",
        "chosen_first_best": "gezinshuis",
        "reason_code": "netwerk",
        "reason_text": SECRET_TEXT,
    }
    judged = api.call("POST", f"/api/v1/referrals/{changed}/judgement", "gw", json=change)
    assert judged.status_code == 200, judged.text
    assert api.call("POST", f"/api/v1/referrals/{changed}/proposals", "sp").status_code == 200
    assert hold(api, changed, "gezinshuis_alm").status_code == 201
    assert _accept(api, changed).status_code == 200

    confirmed = proposed(api, "kind-a02")
    confirm = {"verdict": "confirm", "reason_code": "advies_past"}
    assert (
        api.call("POST", f"/api/v1/referrals/{confirmed}/judgement", "gw", json=confirm)
    ).status_code == 200
    assert hold(api, confirmed, "gezinshuis_alm").status_code == 201
    assert _accept(api, confirmed, reason_code="te_lang_gewacht").status_code == 200

    [month] = _rows(api, "afwijkingen_niveaus")
    assert month == {
        "maand": "2026-11",
        "adviesoordelen": 2,
        "advies_gewijzigd": 1,
        "percentage_advies_gewijzigd": 0.5,
        "plaatsingen": 2,
        "afwijking_zorgvorm": 1,
        "afwijking_plek": 1,
        "percentage_zorgvorm": 0.5,
    }
    reasons = _rows(api, "afwijkingsredenen_niveaus")
    assert [(r["niveau"], r["reden"], r["aantal"]) for r in reasons] == [
        ("advies", "netwerk", 1),
        ("plaatsing", "te_lang_gewacht", 1),
    ]
    assert SECRET_TEXT not in str(reasons)
    [hidden] = _rows(api, "afwijkingen_niveaus", "planner")
    assert hidden["advies_gewijzigd"] == "<5"
    assert hidden["percentage_zorgvorm"] == "afgeschermd"
