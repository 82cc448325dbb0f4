"""How stays end and what follows: planned or unplanned (a breakdown) per care form and per
provider, the destinations in the seed's follow-up categories, moves per child, and return
to care within 12 months.

Aggregates only; the planner gets them with small counts hidden (placements.disclosure).
The simulator draws stays from its own scenario files and does not yet use these breakdown
rates: feeding them in needs a per-form breakdown share in the scenario format (see README).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import date, timedelta

from sqlmodel import Session, col, select

from capacity.models import Location, Provider, Unit
from domain.profile_vocabulary import DepartureOutcome
from placements import transfers
from placements.models import Referral
from placements.reports import Table

RETURN_WINDOW = timedelta(days=365)
ENDING_COLUMNS = ("uitgestroomd", "gepland", "ongepland", "onbekend", "percentage_ongepland")


def _discharged(session: Session, since: date | None, until: date | None) -> list[Referral]:
    query = select(Referral).where(col(Referral.discharged_on).is_not(None))
    return [
        r
        for r in session.exec(query).all()
        if r.discharged_on is not None
        and (since is None or r.discharged_on >= since)
        and (until is None or r.discharged_on <= until)
    ]


def _endings(name: str, title: str, key: str, rows: Iterable[tuple[str, Referral]]) -> Table:
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for group, r in rows:
        ending = (
            "onbekend"
            if r.discharge_planned is None
            else ("gepland" if r.discharge_planned else "ongepland")
        )
        counts[group][ending] += 1
    table = Table(name, title, (key, *ENDING_COLUMNS))
    for group in sorted(counts):
        c = counts[group]
        known = c["gepland"] + c["ongepland"]
        share = round(c["ongepland"] / known, 4) if known else None
        total = c["gepland"] + c["ongepland"] + c["onbekend"]
        table.rows.append((group, total, c["gepland"], c["ongepland"], c["onbekend"], share))
    return table


def endings_per_form(
    session: Session, *, since: date | None = None, until: date | None = None
) -> Table:
    """Ended stays per care form: planned, unplanned (breakdown), unknown."""
    rows = [(r.placed_form or "onbekend", r) for r in _discharged(session, since, until)]
    return _endings("uitstroom_zorgvorm", "Einde verblijf per zorgvorm", "zorgvorm", rows)


def endings_per_provider(
    session: Session, *, since: date | None = None, until: date | None = None
) -> Table:
    """Ended stays per provider: planned, unplanned (breakdown), unknown."""
    names = dict(
        session.exec(
            select(Unit.id, Provider.name).where(
                col(Unit.location_id) == col(Location.id),
                col(Location.provider_id) == col(Provider.id),
            )
        ).all()
    )
    rows = [
        (names.get(r.placed_unit_id or "", "onbekend"), r)
        for r in _discharged(session, since, until)
    ]
    return _endings("uitstroom_aanbieder", "Einde verblijf per aanbieder", "aanbieder", rows)


def destinations(
    session: Session, *, since: date | None = None, until: date | None = None
) -> Table:
    """Where children went after their stay, per care form, in the seed's categories."""
    counts: Counter[tuple[str, str]] = Counter(
        (r.placed_form or "onbekend", r.discharge_outcome or "onbekend")
        for r in _discharged(session, since, until)
    )
    return Table(
        "uitstroom_bestemming",
        "Vervolg na het verblijf, per zorgvorm",
        ("zorgvorm", "bestemming", "omschrijving", "aantal"),
    ).add_coded_counts(counts, DepartureOutcome)


def _placements_per_child(session: Session) -> dict[str, list[Referral]]:
    per_child: dict[str, list[Referral]] = defaultdict(list)
    query = select(Referral).where(col(Referral.placed_on).is_not(None))
    for r in session.exec(query).all():
        per_child[r.child_ref].append(r)
    return per_child


def moves_per_child(session: Session) -> Table:
    """Children by how often they moved: each placement after the first is a move."""
    buckets: Counter[str] = Counter()
    for placements in _placements_per_child(session).values():
        moves = len(placements) - 1
        buckets["3+" if moves >= 3 else str(moves)] += 1
    table = Table("verhuizingen", "Verhuizingen per kind", ("verhuizingen", "kinderen"))
    for bucket in ("0", "1", "2", "3+"):
        table.rows.append((bucket, buckets[bucket]))
    return table


def returns_within_a_year(
    session: Session, *, since: date | None = None, until: date | None = None
) -> Table:
    """Per month of leaving: children who left care, and how many were referred again within
    12 months (a stay that ended in a transfer is no leaving: the child moved on in care)."""
    later: dict[str, list[date]] = defaultdict(list)
    moved_on: set[str] = set()
    for r in session.exec(select(Referral)).all():
        later[r.child_ref].append(r.created_at.date())
        if r.previous_referral_id is not None and r.placed_on is not None:
            moved_on.add(r.previous_referral_id)
    per_month: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for r in _discharged(session, since, until):
        if r.id in moved_on:
            continue
        assert r.discharged_on is not None
        counts = per_month[r.discharged_on.strftime("%Y-%m")]
        counts[0] += 1
        window_end = r.discharged_on + RETURN_WINDOW
        counts[1] += any(r.discharged_on < d <= window_end for d in later[r.child_ref])
    table = Table(
        "terugkeer_12_maanden",
        "Terug in zorg binnen 12 maanden na uitstroom",
        ("maand", "uitgestroomd", "terug_binnen_12_maanden", "percentage"),
    )
    for month in sorted(per_month):
        left, back = per_month[month]
        table.rows.append((month, left, back, round(back / left, 4) if left else None))
    return table


def transfers_by_direction(
    session: Session, *, since: date | None = None, until: date | None = None
) -> Table:
    """Placed transfers: from which form to which, step up or down, and why."""
    query = select(Referral).where(
        col(Referral.previous_referral_id).is_not(None), col(Referral.placed_on).is_not(None)
    )
    counts: Counter[tuple[str, str, str, str]] = Counter()
    for r in session.exec(query).all():
        assert r.placed_on is not None and r.previous_referral_id is not None
        if (since is not None and r.placed_on < since) or (
            until is not None and r.placed_on > until
        ):
            continue
        before = session.get(Referral, r.previous_referral_id)
        if before is None or before.placed_form is None or r.placed_form is None:
            continue
        way = transfers.direction(before.placed_form, r.placed_form)
        counts[(before.placed_form, r.placed_form, way, r.transfer_reason or "onbekend")] += 1
    table = Table(
        "overplaatsingen",
        "Overplaatsingen: van zorgvorm naar zorgvorm, op- of afschalen, en waarom",
        ("van_zorgvorm", "naar_zorgvorm", "richting", "reden", "aantal"),
    )
    for key, n in sorted(counts.items()):
        table.rows.append((*key, n))
    return table
