"""The referral list at the service level: a verwijzer's own only, one status if asked,
oldest first, one page at a time with the total of all."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlmodel import Session

from domain.vocabulary import ReferralStatus
from placements import service as workflow
from tests.placements.placements_support import T0, referral_row, sqlite_engine

S = ReferralStatus


def _seed(session: Session) -> list[str]:
    rows = [
        referral_row(S.AANGEMELD, verwijzer="a", at=T0),
        referral_row(S.GEPLAATST, verwijzer="b", at=T0 + timedelta(hours=1)),
        referral_row(S.AANGEMELD, verwijzer="a", at=T0 + timedelta(hours=2)),
    ]
    session.add_all(rows)
    session.commit()
    return [r.id for r in rows]


def _list(
    session: Session, *, verwijzer_user_id: str | None = None, status: str | None = None
) -> tuple[list[str], int]:
    rows, total = workflow.list_referrals(
        session, verwijzer_user_id=verwijzer_user_id, status=status, limit=50, offset=0
    )
    return [r.id for r in rows], total


def test_the_list_is_oldest_first_with_its_total(tmp_path: Path) -> None:
    with sqlite_engine(tmp_path) as engine, Session(engine) as session:
        ids = _seed(session)
        assert _list(session) == (ids, 3)


def test_a_verwijzer_gets_only_its_own(tmp_path: Path) -> None:
    with sqlite_engine(tmp_path) as engine, Session(engine) as session:
        ids = _seed(session)
        assert _list(session, verwijzer_user_id="a") == ([ids[0], ids[2]], 2)


def test_a_status_narrows_the_list(tmp_path: Path) -> None:
    with sqlite_engine(tmp_path) as engine, Session(engine) as session:
        ids = _seed(session)
        assert _list(session, status="geplaatst") == ([ids[1]], 1)
        assert _list(session, status="onbekend") == ([], 0)


def test_a_page_keeps_the_total_of_all(tmp_path: Path) -> None:
    with sqlite_engine(tmp_path) as engine, Session(engine) as session:
        ids = _seed(session)
        rows, total = workflow.list_referrals(
            session, verwijzer_user_id=None, status=None, limit=1, offset=1
        )
        assert ([r.id for r in rows], total) == ([ids[1]], 3)
