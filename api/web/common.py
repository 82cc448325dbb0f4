"""Small helpers the page modules share: audit entries and field errors."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from pydantic import ValidationError
from sqlmodel import Session, col, select

from api import audit
from api.accounts import User
from api.web.auth import WebSession
from api.web.field_labels import humanise
from domain.errors import DomainError, InvalidInput
from domain.validation import field_errors
from domain.vocabulary import Role
from placements.models import AdviceJudgement

# The key under which a page form's route names the API action it performs.
API_ACTION = "x-api-action"


def api_action(action: str) -> dict[str, str]:
    """The `openapi_extra` of a page form's route that names the API action it performs,
    as "METHOD /api/v1/path" (the page routes are not in the schema: it only marks them).
    tests/web/test_role_actions.py compares these with each role's API write routes."""
    return {API_ACTION: action}


def referral_action(step: str) -> dict[str, str]:
    """The api_action of a step on one referral: POST /api/v1/referrals/{referral_id}/<step>."""
    return api_action(f"POST /api/v1/referrals/{{referral_id}}/{step}")


def audit_reads(
    session: Session, web: WebSession, referral_ids: Iterable[str], *, via: str, now: datetime
) -> None:
    """Log that this user read these referrals on a page, and commit."""
    audit_change(session, web, referral_ids, via=via, now=now, action=audit.AuditAction.READ)


def audit_change(
    session: Session,
    web: WebSession,
    referral_ids: Iterable[str],
    *,
    via: str,
    now: datetime,
    action: audit.AuditAction = audit.AuditAction.UPDATE,
) -> None:
    """Log reads or changes of referrals in the caller's transaction, then commit it."""
    audit.record_by(session, web.user, action, list(referral_ids), via, now, commit=True)


def errors_by_field(exc: ValidationError | DomainError, prefix: str = "") -> dict[str, str]:
    """Field name -> Dutch message ('-' for the form as a whole); input is never echoed, and
    internal field names in a message read as their Dutch labels."""
    out: dict[str, str] = {}
    for problem in field_errors(exc):
        name = f"{prefix}{problem.field}" if problem.field != "-" else "-"
        out.setdefault(name, humanise(problem.message))
    return out


def status_of(exc: ValidationError | DomainError) -> int:
    """A form's answer status: 409 when the step was refused by the state of things (a
    conflict, a full unit, an unknown record), 422 for bad input."""
    return 409 if isinstance(exc, DomainError) and not isinstance(exc, InvalidInput) else 422


def judge_names(session: Session, rows: Iterable[AdviceJudgement]) -> dict[str, str]:
    """The display names of the gedragswetenschappers of these judgements, by user id."""
    ids = sorted({row.judged_by for row in rows})
    if not ids:
        return {}
    users = session.exec(select(User).where(col(User.id).in_(ids))).all()
    return {u.id: u.display_name for u in users}


def labels_for(errors: Iterable[str], labels: dict[str, str]) -> dict[str, str]:
    """Dutch labels for the error summary of a page with many forms: each key is
    '<form>.<field>', labelled by the field."""
    return {key: labels.get(key.rpartition(".")[2], key) for key in errors}


def regisseur_context(session: Session) -> dict[str, object]:
    """The active perspectiefregisseurs to choose from on a referral page, and every
    regisseur's name."""
    query = select(User).where(User.role == Role.PERSPECTIEFREGISSEUR.value)
    users = session.exec(query).all()
    names = {u.id: u.display_name or u.username for u in users}
    options = sorted(((u.id, names[u.id]) for u in users if u.active), key=lambda o: o[1])
    return {"regisseur_options": options, "regisseur_names": names}
