"""Proposals for one child: the feasible options ranked, with the trade-offs made visible.

`propose` always shows the cases staff weigh: first-best now; first-best later (the date,
and bridging care until then); an alternative now, with what is given up; and kindgericht
werven when the advice allows foster care but no foster family fits. Fast: one vectorised
pass over a UnitTable (build it once per snapshot with matcher.table.build_table).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import numpy as np

from capacity.snapshot import UnitView
from domain.care import CareCategory
from domain.errors import InvalidInput
from domain.vocabulary import ProposalKind
from matcher.expected import live_estimate
from matcher.models import Bridging, MatchRequest, PairScore, Proposal
from matcher.policies import Policy, shipped_policy
from matcher.score_table import score_units
from matcher.scoring import score_pair
from matcher.table import FORMS, UnitTable, build_table
from matcher.weights import Weights, default_weights

# The norm: bridging care, ambulant help or the placement starts within two weeks.
BRIDGING_NORM_DAYS = 14
KIND_ORDER = list(ProposalKind)


def _bridging(referral: MatchRequest, today: date, until: date) -> Bridging:
    days = (until - today).days
    if referral.crisis:
        help_ = "crisisopvang of ambulante crisishulp tot de plek vrij is"
    else:
        help_ = "ambulante hulp thuis of in het netwerk, logeren/respijtzorg of deeltijd"
    text = (
        f"Overbruggingshulp van {today.isoformat()} tot {until.isoformat()} ({days} dagen): "
        f"{help_}."
    )
    if days > BRIDGING_NORM_DAYS:
        text += " Let op: de overbruggingshulp moet binnen twee weken na de beschikking starten."
    return Bridging(start=today, end=until, days=days, advice=text)


def _given_up(option: PairScore, best_first: PairScore | None, referral: MatchRequest) -> list[str]:
    first = referral.advice.first_best
    lost = [f"eerste keus van het advies ({first.label}) wordt niet gevolgd"]
    if best_first is None:
        return lost
    theirs = {t.term: t for t in best_first.terms}
    for term in option.terms:
        other = theirs[term.term]
        if term.points < other.points:
            lost.append(
                f"{term.label}: {other.points - term.points} punten minder "
                f"({term.explanation}; bij de eerste keus: {other.explanation})"
            )
    return lost


def propose(
    referral: MatchRequest,
    units: Sequence[UnitView] | UnitTable,
    *,
    today: date,
    weights: Weights | None = None,
    per_kind: int = 3,
    waiting: Sequence[MatchRequest] | None = None,
    policy: Policy | None = None,
) -> list[Proposal]:
    """Ranked placement options for one child, best score first (kindgericht werven last).

    With `waiting` (the other children waiting, as the matcher sees them) every proposal
    carries the wait-or-take reasoning: when a first-best place is expected for this child
    (matcher.expected, with the policy's max_wait_days and crisis urgency; the shipped
    policy by default) and whether to wait for it or take an alternative now.
    """
    weights = weights or default_weights()
    if isinstance(units, UnitTable):
        if units.today != today:
            raise InvalidInput("de eenhedentabel hoort bij een andere dag", field="today")
        table = units
    else:
        table = build_table(units, today)
    scores = score_units(referral, table, weights)
    rank = np.asarray(
        [referral.advice.rank(FORMS[f]) for f in table.form[scores.index]], dtype=np.int64
    )
    later = scores.available_ord > today.toordinal()
    kinds = {
        ProposalKind.FIRST_BEST_NOW: (rank == 0) & ~later,
        ProposalKind.FIRST_BEST_LATER: (rank == 0) & later,
        ProposalKind.ALTERNATIVE_NOW: (rank > 0) & ~later,
        ProposalKind.ALTERNATIVE_LATER: (rank > 0) & later,
    }
    picked: list[tuple[ProposalKind, int]] = []
    for kind, mask in kinds.items():
        rows = np.flatnonzero(mask)
        # Best score first; equal scores in unit id order (the table is sorted by id).
        order = rows[np.lexsort((scores.index[rows], -scores.total[rows]))][:per_kind]
        picked.extend((kind, int(r)) for r in order)

    detailed = {
        r: score_pair(referral, table.units[int(scores.index[r])], today, weights)
        for _, r in picked
    }
    first_rows = [r for k, r in picked if k.name.startswith("FIRST_BEST")]
    best_first = max((detailed[r] for r in first_rows), key=lambda s: s.total, default=None)
    proposals = []
    for kind, r in picked:
        unit = table.units[int(scores.index[r])]
        parts = detailed[r]
        available = date.fromordinal(int(scores.available_ord[r]))
        is_later = available > today
        label = unit.care_form.label
        when = f"vanaf {available.isoformat()}" if is_later else "nu"
        given_up = (
            ()
            if kind.name.startswith("FIRST_BEST")
            else tuple(_given_up(parts, best_first, referral))
        )
        proposals.append(
            Proposal(
                kind=kind,
                unit_id=unit.unit_id,
                unit_name=unit.name,
                care_form=unit.care_form.value,
                score=parts.total,
                terms=parts.terms,
                available_from=available,
                bridging=_bridging(referral, today, available) if is_later else None,
                given_up=given_up,
                summary=f"{label} in {unit.municipality.label}, plek {when} (score {parts.total})",
                weights_version=weights.version,
            )
        )
    proposals.sort(key=lambda p: (-(p.score or 0), KIND_ORDER.index(p.kind), p.unit_id or ""))

    foster_forms = [f for f in referral.advice.acceptable if f.category is CareCategory.PLEEGZORG]
    foster_fits = bool(table.foster[scores.index].any()) if len(scores.index) else False
    if foster_forms and not foster_fits:
        form = foster_forms[0]
        proposals.append(
            Proposal(
                kind=ProposalKind.KINDGERICHT_WERVEN,
                unit_id=None,
                unit_name=None,
                care_form=form.value,
                score=None,
                summary=(
                    f"Geen passend pleeggezin ({form.label}) beschikbaar vóór "
                    f"{referral.deadline.isoformat()}: start kindgericht werven van een "
                    "pleeggezin voor dit kind, met overbruggingshulp tot er een gezin is."
                ),
                weights_version=weights.version,
            )
        )
    if waiting is not None:
        rule = policy or shipped_policy()
        estimate = live_estimate(
            referral, table.units, waiting, today,
            max_wait_days=rule.first_best.max_wait_days, crisis_days=rule.crisis_days,
        )  # fmt: skip
        has_alternative = any(p.kind.name.startswith("ALTERNATIVE") for p in proposals)
        text = estimate.reasoning(today, has_alternative=has_alternative)
        proposals = [p.model_copy(update={"wait_or_take": text}) for p in proposals]
    return proposals


def weights_version(weights: Weights | None = None) -> str:
    """The version of the weights proposals are scored with (the shipped ones by default)."""
    return (weights or default_weights()).version
