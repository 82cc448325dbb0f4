"""Users, roles and bearer tokens."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, SQLModel, create_engine, select
from typer.testing import CliRunner

from api import accounts, cli
from api.settings import get_settings
from capacity import db as capacity_db
from capacity.models import Provider
from domain.errors import Conflict, InvalidInput, NotFound
from domain.profile_vocabulary import VerwijzerType
from domain.vocabulary import Role

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest.fixture
def session() -> Iterator[Session]:
    engine = create_engine("sqlite://")
    SQLModel.metadata.create_all(engine)
    with Session(engine) as s:
        yield s


def test_token_authenticates_its_user_until_revoked(session: Session) -> None:
    accounts.create_user(session, username="sp-1", role=Role.SERVICEPUNT, now=NOW)
    token = accounts.issue_token(session, username="sp-1", now=NOW)
    user = accounts.authenticate(session, token, now=NOW)
    assert user is not None and user.username == "sp-1" and user.role == "servicepunt"
    assert accounts.authenticate(session, token + "x", now=NOW) is None
    assert accounts.authenticate(session, "not-a-token", now=NOW) is None
    assert accounts.revoke_tokens(session, username="sp-1", now=NOW) == 1
    assert accounts.authenticate(session, token, now=NOW) is None


def test_token_expires(session: Session) -> None:
    accounts.create_user(session, username="pl", role=Role.PLANNER, now=NOW)
    token = accounts.issue_token(session, username="pl", now=NOW, days=1)
    assert accounts.authenticate(session, token, now=NOW + timedelta(hours=23)) is not None
    assert accounts.authenticate(session, token, now=NOW + timedelta(days=1)) is None


def test_token_is_stored_only_as_hash(session: Session) -> None:
    accounts.create_user(session, username="pl", role=Role.PLANNER, now=NOW)
    token = accounts.issue_token(session, username="pl", now=NOW)
    stored = session.exec(select(accounts.ApiToken)).one()
    assert token not in stored.token_hash and len(stored.token_hash) == 64


def test_deactivated_user_cannot_authenticate_or_get_tokens(session: Session) -> None:
    accounts.create_user(session, username="pl", role=Role.PLANNER, now=NOW)
    token = accounts.issue_token(session, username="pl", now=NOW)
    accounts.deactivate_user(session, username="pl", now=NOW)
    assert accounts.authenticate(session, token, now=NOW) is None
    with pytest.raises(Conflict):
        accounts.issue_token(session, username="pl", now=NOW)


def test_role_specific_fields(session: Session) -> None:
    with pytest.raises(InvalidInput) as info:
        accounts.create_user(session, username="a", role=Role.AANBIEDER, now=NOW)
    assert info.value.field == "provider"
    with pytest.raises(InvalidInput) as info:
        accounts.create_user(session, username="v", role=Role.VERWIJZER, now=NOW)
    assert info.value.field == "verwijzer_type"
    session.add(Provider(id="p1", name="Omega Groep", kind="zorgaanbieder"))
    session.flush()
    user = accounts.create_user(
        session, username="a", role=Role.AANBIEDER, provider_id="p1", now=NOW
    )
    assert user.provider_id == "p1"
    verwijzer = accounts.create_user(
        session,
        username="v",
        role=Role.VERWIJZER,
        verwijzer_type=VerwijzerType.GECERTIFICEERDE_INSTELLING,
        now=NOW,
    )
    assert verwijzer.verwijzer_type == "04"


def test_bad_usernames_and_duplicates(session: Session) -> None:
    with pytest.raises(InvalidInput):
        accounts.create_user(session, username="a b", role=Role.PLANNER, now=NOW)
    accounts.create_user(session, username="ab", role=Role.PLANNER, now=NOW)
    with pytest.raises(Conflict):
        accounts.create_user(session, username="ab", role=Role.ADMIN, now=NOW)
    with pytest.raises(NotFound):
        accounts.issue_token(session, username="nobody", now=NOW)


def test_the_cli_adds_a_gedragswetenschapper(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    get_settings.cache_clear()
    try:
        done = CliRunner().invoke(
            cli.app, ["users", "add", "gw-1", "--role", "gedragswetenschapper"]
        )
    finally:
        get_settings.cache_clear()
    assert done.exit_code == 0, done.output
    assert "gw-1 (gedragswetenschapper) aangemaakt" in done.output
    engine = capacity_db.make_engine(url)
    with Session(engine) as session:
        assert accounts.get_user(session, username="gw-1").role == "gedragswetenschapper"
    engine.dispose()
