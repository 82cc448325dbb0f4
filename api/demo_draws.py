"""What the demo history takes as given: the simulator's draws from the shipped scenario,
and the assumptions (AANNAME) the scenario does not cover, with the choices drawn from them.

The arrivals, the children's profiles with their advice, and the stay quantiles are drawn
by `simulations.draws` and `simulations.children` exactly as a simulation's replication 0
draws them; the demo keeps a share of the arrivals (its landscape is smaller than the
scenario's region) and turns each kept child into the referral a verwijzer would submit.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from afwegingskader.intake_models import IntakeCase
from afwegingskader.models import Profile
from api.jobs.catalogue import SCENARIO_DIR
from domain.care import CareForm
from domain.profile_vocabulary import DepartureOutcome
from domain.vocabulary import (
    BridgingCare,
    JudgementReason,
    ProviderAnswer,
    ReasonCode,
    RefusalReason,
    Verdict,
    WithdrawalReason,
)
from matcher.models import Proposal
from placements.schemas import AnswerCreate, JudgementCreate, ReferralCreate, WithdrawRequest
from simulations.distributions import Distribution
from simulations.draws import draws
from simulations.model import BlockSource, ChildNeed
from simulations.scenario import LoadedScenario, load_scenario
from simulations.streams import stream

WITHDRAW_DAYS = 365.0  # AANNAME: mean time until a waiting referral is withdrawn
REFUSE_SHARE = 0.08  # AANNAME: a provider refuses a held place
SECOND_CHOICE_SHARE = 0.07  # AANNAME: the second place is chosen for a wish or the distance
CHANGE_SHARE = 0.08  # AANNAME: a gedragswetenschapper changes the advice
HOLD_TTL = timedelta(hours=4)
# AANNAME: why a waiting referral is withdrawn in the demo.
WITHDRAWALS = (
    WithdrawalReason.ALTERNATIEF,
    WithdrawalReason.NIET_MEER_NODIG,
    WithdrawalReason.WENS_OUDERS_KIND,
    WithdrawalReason.GEEN_PLEK,
)
# AANNAME: why a provider refuses a held place in the demo.
REFUSALS = (
    RefusalReason.PAST_NIET_IN_GROEP,
    RefusalReason.GEEN_PERSONEEL,
    RefusalReason.ZORGZWAARTE,
    RefusalReason.VEILIGHEID,
)

WISHES = (ReasonCode.VOORKEUR_OUDERS, ReasonCode.VOORKEUR_KIND, ReasonCode.AFSTAND)
# AANNAME: where children go after a stay (crisis: the desk's follow-up in DOMAIN §9 order).
OUTCOMES_CRISIS = {
    DepartureOutcome.THUIS_MET_HULP: 7,
    DepartureOutcome.THUIS_ZONDER_HULP: 2,
    DepartureOutcome.GROEP: 5,
    DepartureOutcome.PLEEGZORG: 1,
    DepartureOutcome.NETWERKPLAATSING: 1,
    DepartureOutcome.FASEHUIS: 3,
    DepartureOutcome.GESLOTEN: 2,
}
OUTCOMES_STAY = {
    DepartureOutcome.THUIS_MET_HULP: 40,
    DepartureOutcome.THUIS_ZONDER_HULP: 10,
    DepartureOutcome.PLEEGZORG: 10,
    DepartureOutcome.GROEP: 10,
    DepartureOutcome.ZELFSTANDIGHEIDSTRAINING: 10,
    DepartureOutcome.BEGELEID_WONEN: 10,
    DepartureOutcome.OVERIG: 10,
}


@dataclass(frozen=True)
class Drawn:
    """A history's draws: every arrival of the scenario, and which of them the demo keeps."""

    loaded: LoadedScenario
    arrivals: list[float]  # arrival moments in days from the first day
    needs: list[ChildNeed]  # each child's need, its ChildCase (profile, advice) as payload
    stay_u: list[float]  # each child's stay quantile
    by_day: dict[int, list[int]]  # the kept children by arrival day
    stays: dict[str, Distribution]  # stay lengths by care form (gesloten: as behandelgroep)

    @property
    def first_best_wait_days(self) -> int:
        """The scenario's wait for a first-best place before an alternative is taken."""
        return int(self.loaded.scenario.rules.first_best_wait_days)

    def stay_days(self, care_form: str, child: int) -> int:
        """Child `child`'s stay in this form: the form's distribution at its stay quantile."""
        u = np.asarray([self.stay_u[child]], dtype=np.float64)
        return max(1, math.ceil(float(self.stays[care_form].ppf(u)[0])))


def history_scenario(region: str) -> Path | None:
    """The shipped scenario named after the region, which its demo history is drawn from."""
    path = SCENARIO_DIR / f"{region}.yaml"
    return path if path.exists() else None


def draw(scenario: Path, days: int, seed: int, *, region_places: int) -> Drawn:
    """The scenario's arrivals over `days`, thinned to a region of `region_places` places."""
    loaded = load_scenario(scenario)
    settings = replace(loaded.settings, horizon_days=float(days), warmup_days=0.0)
    arrivals, sizes, stay_u = draws(loaded.scenario, settings, seed, 0)
    demand = loaded.scenario.demand
    if sizes is not None or not isinstance(demand, BlockSource):
        raise ValueError("the demo history acts out children one by one, not sibling groups")
    needs = demand.draw_all(stream(seed, 0, "profiles"), arrivals)
    # The same flow per place: each arrival comes with probability (our places / theirs).
    share = region_places / sum(u.places for u in loaded.scenario.units)
    keep = stream(seed, 0, "demo_arrivals").random(len(arrivals)) < share
    by_day: dict[int, list[int]] = defaultdict(list)
    for i, t in enumerate(arrivals.tolist()):
        if keep[i]:
            by_day[int(t)].append(i)
    stays = dict(loaded.scenario.stays)
    stays.setdefault(CareForm.GESLOTEN.value, stays[CareForm.BEHANDELGROEP.value])
    return Drawn(loaded, arrivals.tolist(), needs, stay_u.tolist(), dict(by_day), stays)


def referral_for(number: int, profile: Profile, on: date, bridging: BridgingCare) -> ReferralCreate:
    """The referral a verwijzer submits for a simulated child (its profile as drawn)."""
    municipality = profile.home_municipality
    assert municipality is not None  # the simulator draws one for every child
    stays_home = profile.perspective.value != "langdurig_verblijf"
    intake = IntakeCase.model_validate(
        {
            "case_start_date": on,
            "beschikking_date": on,
            "crisis": profile.crisis,
            "crisis_placement_date": on if profile.crisis else None,
            "age": profile.age,
            "perspective": profile.perspective,
            "future_municipality": municipality if stays_home else None,
            "woonplaats": {"stay": "geen", "brp_residence": municipality},
        }
    )
    return ReferralCreate(
        child_ref=f"demo-kind-{number:04d}", bridging_care=bridging, profile=profile,
        intake=intake,
    )  # fmt: skip


# The demo's choices, each drawn from the history's own stream (in this order per call).

# A gedragswetenschapper confirms the advice; the second one, where it needs two, always does.
CONFIRMED = JudgementCreate(verdict=Verdict.CONFIRM, reason_code=JudgementReason.ADVIES_PAST)


def bridging(profile: Profile, rng: np.random.Generator) -> BridgingCare:
    """AANNAME: bridging care while a child waits; ambulant for 40 % (none in a crisis)."""
    if profile.crisis:
        return BridgingCare.GEEN
    u = float(rng.random())
    return BridgingCare.AMBULANT if u < 0.4 else BridgingCare.GEEN


def first_judgement(
    alternatives: tuple[CareForm, ...], rng: np.random.Generator
) -> JudgementCreate:
    """The first gedragswetenschapper's verdict: a change now and then, else a confirmation."""
    if alternatives and float(rng.random()) < CHANGE_SHARE:
        return JudgementCreate(
            verdict=Verdict.CHANGE, chosen_first_best=alternatives[0],
            reason_code=JudgementReason.NETWERK,
            reason_text="Het netwerk biedt meer dan het profiel laat zien.",
        )  # fmt: skip
    return CONFIRMED


def withdrawal(rng: np.random.Generator) -> WithdrawRequest:
    """A waiting referral withdrawn, for one of the demo's reasons."""
    return WithdrawRequest(withdrawal_reason=WITHDRAWALS[int(rng.integers(len(WITHDRAWALS)))])


def choose(
    proposals: list[Proposal],
    *,
    refused: set[str],
    crisis: bool,
    waited: int,
    wait_days: int,
    rng: np.random.Generator,
) -> tuple[Proposal, ReasonCode | None] | None:
    """The servicepunt's pick among the places free now that no provider refused, with the
    deviation reason, or None to wait: a first-best place at once; after `wait_days` (a
    crisis: at once) the best alternative; now and then the second place for a wish."""
    free = [p for p in proposals if p.unit_id and p.kind.name.endswith("_NOW")]
    free = [p for p in free if p.unit_id not in refused]
    first = [p for p in free if p.kind.name.startswith("FIRST_BEST")]
    reason: ReasonCode | None = None
    if first:
        chosen = first
    elif free and (crisis or waited >= wait_days):
        chosen = free
        reason = ReasonCode.CRISIS if crisis else ReasonCode.GEEN_CAPACITEIT
    else:
        return None
    pick = chosen[0]
    if len(chosen) > 1 and float(rng.random()) < SECOND_CHOICE_SHARE:
        pick, reason = chosen[1], WISHES[int(rng.integers(len(WISHES)))]
    top = next(p.unit_id for p in proposals if p.unit_id is not None)
    if pick.unit_id != top and reason is None:
        # The best proposal was refused before, or is only free later.
        reason = ReasonCode.AANBIEDER_WEIGERT if top in refused else ReasonCode.GEEN_CAPACITEIT
    return pick, reason


def provider_answer(rng: np.random.Generator) -> tuple[timedelta, AnswerCreate]:
    """The provider's answer to a request for a held place, within the hour: after how long,
    and whether it accepts or (now and then) refuses, with a reason."""
    after = timedelta(minutes=int(rng.integers(5, 60)))
    refuse = float(rng.random()) < REFUSE_SHARE
    refusal = REFUSALS[int(rng.integers(len(REFUSALS)))] if refuse else None
    answer = ProviderAnswer.REFUSE if refuse else ProviderAnswer.ACCEPT
    return after, AnswerCreate(answer=answer, refusal_reason=refusal)


def departure_outcome(crisis: bool, rng: np.random.Generator) -> DepartureOutcome:
    """Where a child goes after a stay, by the weights of OUTCOMES_CRISIS or OUTCOMES_STAY."""
    weights = OUTCOMES_CRISIS if crisis else OUTCOMES_STAY
    keys = list(weights)
    p = np.asarray([weights[k] for k in keys], dtype=np.float64)
    return keys[int(rng.choice(len(keys), p=p / p.sum()))]
