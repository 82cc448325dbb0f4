"""How providers answer requests for held places: per provider, the requests, acceptances,
refusals, lapsed and open ones, and the median response time; and the refusals by reason.

Aggregates only (no child); providers are named, as they are organisations. The planner
gets the tables with small counts hidden (placements.disclosure).
"""

from __future__ import annotations

import statistics
from collections import Counter
from datetime import date

from sqlmodel import Session, select

from capacity.models import Provider
from domain.vocabulary import RefusalReason, RequestState
from placements.lifecycle_models import ProviderRequest
from placements.models import Referral
from placements.provider_requests import state_of
from placements.reports import Table


def _requests(
    session: Session, since: date | None, until: date | None
) -> list[tuple[ProviderRequest, RequestState, str]]:
    """(request, its state, the provider's name) of every request made within the period."""
    query = select(ProviderRequest, Referral, Provider).where(
        ProviderRequest.referral_id == Referral.id, ProviderRequest.provider_id == Provider.id
    )
    return [
        (request, state_of(request, referral), provider.name)
        for request, referral, provider in session.exec(query).all()
        if (since is None or request.requested_at.date() >= since)
        and (until is None or request.requested_at.date() <= until)
    ]


def provider_answers(
    session: Session, *, since: date | None = None, until: date | None = None
) -> Table:
    """Per provider: requests by state and the median response time of the answered ones."""
    counts: dict[str, Counter[RequestState]] = {}
    minutes: dict[str, list[int]] = {}
    for request, state, name in _requests(session, since, until):
        counts.setdefault(name, Counter())[state] += 1
        if request.response_minutes is not None:
            minutes.setdefault(name, []).append(request.response_minutes)
    table = Table(
        "aanbieder_antwoorden",
        "Verzoeken aan aanbieders: antwoorden en reactietijd",
        (
            "aanbieder",
            "verzoeken",
            "geaccepteerd",
            "geweigerd",
            "vervallen",
            "open",
            "mediaan_reactietijd_minuten",
        ),
    )
    for name in sorted(counts):
        c = counts[name]
        answered = minutes.get(name)
        table.rows.append(
            (
                name,
                sum(c.values()),
                c[RequestState.GEACCEPTEERD],
                c[RequestState.GEWEIGERD],
                c[RequestState.VERVALLEN],
                c[RequestState.OPEN],
                statistics.median(answered) if answered else None,
            )
        )
    return table


def refusal_reasons(
    session: Session, *, since: date | None = None, until: date | None = None
) -> Table:
    """Refusals per provider and coded reason."""
    counts: Counter[tuple[str, str]] = Counter()
    for request, state, name in _requests(session, since, until):
        if state is RequestState.GEWEIGERD and request.refusal_reason:
            counts[(name, request.refusal_reason)] += 1
    return Table(
        "weigeringen",
        "Weigeringen door aanbieders, per reden",
        ("aanbieder", "reden", "omschrijving", "aantal"),
    ).add_coded_counts(counts, RefusalReason)
