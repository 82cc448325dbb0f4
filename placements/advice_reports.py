"""Advice-level deviations: where gedragswetenschappers changed the afwegingskader's advice.

Kept apart from the placement deviations (placements.reports): those measure a placement
against the advice in force, these measure the advice in force against the afwegingskader.
The two aggregate tables carry no child (the planner gets them with small counts hidden,
placements.disclosure); the log names pseudonymous referrals, for the servicepunt only.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

from sqlmodel import Session, col, select

from domain.vocabulary import JudgementReason, Verdict
from placements.models import AdviceJudgement, Referral
from placements.reports import Table

LOG_COLUMNS = (
    "referral_id",
    "kind",
    "beoordeeld_op",
    "regelset",
    "oorspronkelijke_zorgvorm",
    "zorgvorm_ervoor",
    "gekozen_zorgvorm",
    "alternatieven",
    "reden",
    "toelichting",
    "oordeel_na",
)


def judgements_between(
    session: Session, since: date | None, until: date | None
) -> list[AdviceJudgement]:
    """Every judgement of an advice on a day within the period, oldest first."""
    rows = session.exec(select(AdviceJudgement).order_by(col(AdviceJudgement.judged_at))).all()
    return [
        r
        for r in rows
        if (since is None or r.judged_at.date() >= since)
        and (until is None or r.judged_at.date() <= until)
    ]


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _label(code: str) -> str:
    try:
        return JudgementReason(code).label
    except ValueError:
        return code


def advice_judgements(
    session: Session, *, since: date | None = None, until: date | None = None
) -> Table:
    """Per rule-set version: judgements, confirmations, changes and the share changed."""
    counts: dict[str, Counter[str]] = {}
    for r in judgements_between(session, since, until):
        counts.setdefault(r.rule_set, Counter())[r.verdict] += 1
    table = Table(
        "adviesoordelen",
        "Oordelen van gedragswetenschappers over het advies, per regelset",
        ("regelset", "oordelen", "bevestigd", "gewijzigd", "percentage_gewijzigd"),
    )
    for rule_set in sorted(counts):
        confirmed = counts[rule_set][Verdict.CONFIRM.value]
        changed = counts[rule_set][Verdict.CHANGE.value]
        total = confirmed + changed
        table.rows.append((rule_set, total, confirmed, changed, _rate(changed, total)))
    return table


def advice_deviations(
    session: Session, *, since: date | None = None, until: date | None = None
) -> Table:
    """Changed advices counted per rule set, original against chosen form, and reason."""
    counts: Counter[tuple[str, str, str, str]] = Counter()
    for r in judgements_between(session, since, until):
        if r.verdict == Verdict.CHANGE.value:
            counts[(r.rule_set, r.original_form, r.chosen_form, r.reason_code)] += 1
    table = Table(
        "adviesafwijkingen",
        "Afwijkingen van het advies door gedragswetenschappers",
        (
            "regelset",
            "oorspronkelijke_zorgvorm",
            "gekozen_zorgvorm",
            "reden",
            "omschrijving",
            "aantal",
        ),
    )
    for (rule_set, original, chosen, reason), n in sorted(counts.items()):
        table.rows.append((rule_set, original, chosen, reason, _label(reason), n))
    return table


def advice_deviation_log(session: Session, *, limit: int | None = None) -> Table:
    """Every change of an advice, newest first, by pseudonymous referral (servicepunt only)."""
    query = (
        select(AdviceJudgement, Referral.child_ref)
        .where(
            col(AdviceJudgement.referral_id) == col(Referral.id),
            AdviceJudgement.verdict == Verdict.CHANGE.value,
        )
        .order_by(col(AdviceJudgement.judged_at).desc(), col(AdviceJudgement.id))
    )
    if limit is not None:
        query = query.limit(limit)
    table = Table("adviesafwijkingenlog", "Afwijkingen van het advies", LOG_COLUMNS)
    for r, child_ref in session.exec(query).all():
        table.rows.append(
            (
                r.referral_id,
                child_ref,
                r.judged_at.isoformat(timespec="minutes"),
                r.rule_set,
                r.original_form,
                r.judged_form,
                r.chosen_form,
                r.chosen_alternatives,
                r.reason_code,
                r.reason_text,
                r.state_after,
            )
        )
    return table
