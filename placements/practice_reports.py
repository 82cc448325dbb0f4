"""Reports for practice on why things went otherwise: deviations at both levels side by side
(a gedragswetenschapper changing the advice, a placement differing from the advice in force)
and the reasons referrals were withdrawn.

Aggregates only: counts per month or per coded reason, no child. The planner gets them with
small counts hidden (placements.disclosure).
"""

from __future__ import annotations

from collections import Counter
from datetime import date

from sqlmodel import Session, select

from domain.vocabulary import JudgementReason, ReasonCode, Verdict, WithdrawalReason
from placements import advice_reports, reports
from placements.models import Deviation, Referral
from placements.reports import Table

ADVIES = "advies"
PLAATSING = "plaatsing"


def _within(day: date, since: date | None, until: date | None) -> bool:
    return (since is None or day >= since) and (until is None or day <= until)


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def deviations_both_levels(
    session: Session, *, since: date | None = None, until: date | None = None
) -> Table:
    """Per month: advices judged and changed next to placements and their deviations."""
    monthly = reports.deviations(session, since=since, until=until)
    placed = {str(row[0]): row[1:4] for row in monthly.rows}
    judged: dict[str, list[int]] = {}
    for j in advice_reports.judgements_between(session, since, until):
        counts = judged.setdefault(j.judged_at.strftime("%Y-%m"), [0, 0])
        counts[0] += 1
        counts[1] += j.verdict == Verdict.CHANGE.value
    table = Table(
        "afwijkingen_niveaus",
        "Afwijkingen per maand: advies (gedragswetenschapper) naast plaatsing",
        (
            "maand",
            "adviesoordelen",
            "advies_gewijzigd",
            "percentage_advies_gewijzigd",
            "plaatsingen",
            "afwijking_zorgvorm",
            "afwijking_plek",
            "percentage_zorgvorm",
        ),
    )
    for month in sorted(set(placed) | set(judged)):
        n_judged, changed = judged.get(month, [0, 0])
        n_placed, form, place = (int(v or 0) for v in placed.get(month, (0, 0, 0)))
        table.rows.append(
            (
                month,
                n_judged,
                changed,
                _rate(changed, n_judged),
                n_placed,
                form,
                place,
                _rate(form, n_placed),
            )
        )
    return table


def deviation_reasons_both_levels(
    session: Session, *, since: date | None = None, until: date | None = None
) -> Table:
    """Every coded reason of a deviation, advice level and placement level, counted."""
    counts: Counter[tuple[str, str]] = Counter()
    for j in advice_reports.judgements_between(session, since, until):
        if j.verdict == Verdict.CHANGE.value:
            counts[(ADVIES, j.reason_code)] += 1
    for d in session.exec(select(Deviation)).all():
        if _within(d.placed_on, since, until):
            counts[(PLAATSING, d.reason_code)] += 1
    table = Table(
        "afwijkingsredenen_niveaus",
        "Redenen van afwijkingen: advies en plaatsing",
        ("niveau", "reden", "omschrijving", "aantal"),
    )
    levels: tuple[tuple[str, dict[str, str]], ...] = (
        (ADVIES, {c.value: c.label for c in JudgementReason}),
        (PLAATSING, {c.value: c.label for c in ReasonCode}),
    )
    for level, labels in levels:
        for code, label in labels.items():
            if counts[(level, code)]:
                table.rows.append((level, code, label, counts[(level, code)]))
    return table


def withdrawal_reasons(
    session: Session, *, since: date | None = None, until: date | None = None
) -> Table:
    """Withdrawn referrals counted by their coded reason ('onbekend': withdrawn before reasons
    were recorded)."""
    query = select(Referral.withdrawal_reason, Referral.withdrawn_at, Referral.updated_at).where(
        Referral.status == "ingetrokken"
    )
    counts: Counter[str] = Counter()
    for reason, withdrawn_at, updated_at in session.exec(query).all():
        if _within((withdrawn_at or updated_at).date(), since, until):
            counts[reason or "onbekend"] += 1
    total = sum(counts.values())
    table = Table(
        "intrekkingsredenen",
        "Ingetrokken aanmeldingen per reden",
        ("reden", "omschrijving", "aantal", "aandeel"),
    )
    labelled = [(c.value, c.label) for c in WithdrawalReason]
    for code, label in [*labelled, ("onbekend", "geen reden vastgelegd")]:
        if counts[code]:
            table.rows.append((code, label, counts[code], _rate(counts[code], total)))
    return table
