"""Referral rows built in memory, and a throwaway SQLite database with every table."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import SQLModel, create_engine

import migrations.registry  # noqa: F401  (every table, for create_all)
from domain.vocabulary import ReferralStatus
from placements.models import Referral

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def referral_row(
    status: ReferralStatus = ReferralStatus.AANGEMELD,
    *,
    note: str | None = None,
    verwijzer: str = "v",
    at: datetime = T0,
) -> Referral:
    """A referral with the columns a row needs and nothing decided yet."""
    return Referral(
        child_ref="kind-0001",
        bsn_digest="digest-that-no-reader-sees",
        verwijzer_user_id=verwijzer,
        verwijzer_type="01",
        urgency="regulier",
        perspective="terug_naar_huis",
        responsible_municipality="utrecht",
        responsibility_explanation="eerste regel\ntweede regel",
        profile_json="{}",
        status=status,
        status_note=note,
        created_at=at,
        updated_at=at,
    )


@contextmanager
def sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    """A file database with every table of the service."""
    engine = create_engine(f"sqlite:///{tmp_path / 'placements.db'}")
    SQLModel.metadata.create_all(engine)
    try:
        yield engine
    finally:
        engine.dispose()
