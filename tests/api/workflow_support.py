"""Helpers of the workflow tests over HTTP: a referral brought to 'voorgesteld', a hold,
the referral as the servicepunt reads it, and its audit entries."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session, select

from api.audit import AuditEntry
from api.deps import ServiceState
from tests.api.api_support import Api, referral_payload


def state_of(api: Api) -> ServiceState:
    """The app's shared state (settings, engine, capacity sync)."""
    state: ServiceState = api.client.app.state.servicepunt  # type: ignore[attr-defined]
    return state


def proposed(api: Api, child_ref: str = "kind-0001") -> str:
    """A new referral, advised and with proposals: status 'voorgesteld'."""
    created = api.call("POST", "/api/v1/referrals", "verwijzer", json=referral_payload(child_ref))
    assert created.status_code == 201, created.text
    rid: str = created.json()["id"]
    assert api.call("POST", f"/api/v1/referrals/{rid}/advice", "sp").status_code == 200
    assert api.call("POST", f"/api/v1/referrals/{rid}/proposals", "sp").status_code == 200
    return rid


def hold(api: Api, rid: str, unit: str = "groep_lely", **extra: Any) -> Any:
    """POST a hold of a place in `unit` (a short name of the seeded region)."""
    body = {"unit_id": api.units[unit]} | extra
    return api.call("POST", f"/api/v1/referrals/{rid}/hold", "sp", json=body)


def referral(api: Api, rid: str) -> Any:
    """The referral as the servicepunt reads it."""
    answer = api.call("GET", f"/api/v1/referrals/{rid}", "sp")
    assert answer.status_code == 200, answer.text
    return answer.json()


def audit_of(api: Api, rid: str) -> list[tuple[str, str, str, str]]:
    """(action, role, user id, via) of every audit entry of the referral."""
    with Session(state_of(api).engine) as session:
        rows = session.exec(select(AuditEntry).where(AuditEntry.entity_id == rid)).all()
        return [(e.action, e.role, e.user_id, e.via) for e in rows]


def expires_at(answer: Any) -> datetime:
    """The expiry in a hold answer."""
    return datetime.fromisoformat(answer.json()["expires_at"])
