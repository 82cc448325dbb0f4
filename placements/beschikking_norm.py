"""The two-week norm over the register of beschikkingen: within 14 days of the beschikking's
own date, ambulante hulp, bridging care or the placement has started (seed 004, section E).

A beschikking's help has started on its begindatum, or earlier when a referral of the same
child got bridging care or a placement first. On a given day the norm is met, late, or still
open (not started and the 14 days not yet over). Counted per municipality; aggregates only.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from sqlmodel import Session, col, select

from domain.places import region_municipalities
from domain.vocabulary import DueState
from placements.lifecycle_models import Beschikking
from placements.models import Referral
from placements.reports import Table, started_on

NORM_DAYS = 14


def norm_of(decided_on: date, started: date | None, today: date) -> DueState:
    """Met, late or open on `today`, for help decided on `decided_on` that started `started`
    (a start after `today` has not happened yet)."""
    done = started if started is not None and started <= today else None
    return DueState.on(today, decided_on + timedelta(days=NORM_DAYS), done)


def _referral_starts(session: Session, child_refs: set[str]) -> dict[str, date]:
    """The earliest start of help from the servicepunt's own referrals, per child."""
    starts: dict[str, date] = {}
    if not child_refs:
        return starts
    query = select(Referral).where(col(Referral.child_ref).in_(sorted(child_refs)))
    for referral in session.exec(query).all():
        start = started_on(referral)
        if start is not None and (
            referral.child_ref not in starts or start < starts[referral.child_ref]
        ):
            starts[referral.child_ref] = start
    return starts


def start_norm(
    session: Session, *, today: date, since: date | None = None, until: date | None = None
) -> Table:
    """Per municipality: beschikkingen decided in the period, met, late and open, the share
    met of those decided, and how many stay outside the region."""
    rows = [
        b
        for b in session.exec(select(Beschikking)).all()
        if (since is None or b.decided_on >= since) and (until is None or b.decided_on <= until)
    ]
    starts = _referral_starts(session, {b.child_ref for b in rows})
    counts: dict[str, Counter[str]] = {}
    for b in rows:
        started = min(d for d in (b.start_date, starts.get(b.child_ref)) if d is not None)
        c = counts.setdefault(b.municipality, Counter())
        c[norm_of(b.decided_on, started, today).value] += 1
        c["buiten_regio"] += b.placed_outside_region
    table = Table(
        "beschikkingen_norm",
        "Beschikkingen en de 2-wekennorm per gemeente",
        (
            "gemeente",
            "beschikkingen",
            "gehaald",
            "te_laat",
            "open",
            "percentage_gehaald",
            "buiten_regio",
        ),
    )
    order = [m.value for m in region_municipalities()]
    for municipality in sorted(counts, key=lambda m: (order.index(m) if m in order else 99, m)):
        c = counts[municipality]
        met, late, waiting = c["gehaald"], c["te_laat"], c["open"]
        decided = met + late
        share = round(met / decided, 4) if decided else None
        table.rows.append(
            (municipality, met + late + waiting, met, late, waiting, share, c["buiten_regio"])
        )
    return table
