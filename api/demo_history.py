"""The demo region's history: about two years of Flevoland, driven through the real workflow.

The simulator draws what happens: the arrivals, each child's profile and advice, and each
stay's length come from the shipped scenario `simulations/scenarios/flevoland.yaml`
through the code a simulation runs (`simulations.draws`, `simulations.children`), and the
children already in care on the first day leave after the scenario's residual stays
(`simulations.draws.initial_stays`). This module only acts them out, day by day with
`now` at each simulated moment, through the public service functions the pages call:
`placements.service` (create_referral, advise, propose, hold_place, decide, withdraw),
`placements.judgement.judge` and `placements.departures.record_departure`. Every rule of
the workflow and the ledger applies; nothing is written around them. Each step is in the
audit log as the pages log it, by the demo user who took it, via "servicepunt demo: step".

What the scenario does not say is a demo assumption (AANNAME; the constants and the choices
drawn from them are in api.demo_draws), drawn from a stream of its own, so the simulator's
streams stay as a simulation draws them:
- The demo landscape (capacity.demo) has about a third of the region's places, so each
  arrival comes with probability (landscape places / scenario places): the same flow per
  place.
- The servicepunt takes a free first-best place at once; after the scenario's
  `first_best_wait_days` (a crisis: at once) the best free alternative (a deviation with
  reason 'geen capaciteit' or 'crisis'); now and then the second place, for the parents'
  or the child's wish or the distance. A provider refuses a held place now and then.
- A waiting child's referral is withdrawn after an exponential time (mean WITHDRAW_DAYS).
- A gedragswetenschapper judges every advice; most are confirmed.
- A stay in a form without a stay distribution in the scenario (gesloten) lasts as long
  as a behandelgroep stay.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from api import audit
from api.demo_draws import (
    CONFIRMED,
    HOLD_TTL,
    WITHDRAW_DAYS,
    Drawn,
    bridging,
    choose,
    departure_outcome,
    draw,
    first_judgement,
    provider_answer,
    referral_for,
    withdrawal,
)
from capacity.demo import Landscape
from capacity.models import Occupancy, Unit
from capacity.schemas import DepartureRequest
from capacity.snapshot import UnitView
from capacity.views import unit_views
from domain.care import CareForm
from domain.profile_vocabulary import VerwijzerType
from domain.vocabulary import DecisionOutcome, JudgementState, ProviderAnswer, Role
from matcher.table import UnitTable, build_table
from placements import departures, provider_requests
from placements import judgement as judgements
from placements import proposals as placement_proposals
from placements import service as workflow
from placements.lifecycle_models import ProviderRequest
from placements.match import advice_of
from placements.models import Referral
from placements.schemas import DecisionCreate
from simulations.children import ChildCase
from simulations.draws import initial_stays
from simulations.model import ChildNeed, UnitSpec
from simulations.streams import stream

HISTORY_DAYS = 730


@dataclass(frozen=True)
class Actors:
    """The demo users the history acts as."""

    verwijzer: str
    servicepunt: str
    provider: str
    judges: tuple[str, str]

    @property
    def users(self) -> tuple[tuple[str, Role], ...]:
        """(user id, role) by the actor numbers below, for the audit log."""
        return (
            (self.verwijzer, Role.VERWIJZER),
            (self.servicepunt, Role.SERVICEPUNT),
            (self.judges[0], Role.GEDRAGSWETENSCHAPPER),
            (self.judges[1], Role.GEDRAGSWETENSCHAPPER),
            (self.provider, Role.AANBIEDER),
        )


VERWIJZER, SERVICEPUNT, JUDGE, SECOND_JUDGE, PROVIDER = range(5)


@dataclass
class _Waiting:
    """A referral the driver still has to place (what the staff keep in mind about it)."""

    referral: Referral  # kept, so the session finds it in its identity map
    child: int  # the simulator's child number: its stay quantile
    crisis: bool
    since: date
    withdraw_on: date
    first_best: str
    acceptable: frozenset[str]
    ask: bool = True  # ask for proposals at the next round
    refused: set[str] = field(default_factory=set)


def _at(day: date, hours: float) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC) + timedelta(hours=hours)


class _History:
    """One history run on one session: the day loop and its bookkeeping."""

    def __init__(
        self,
        session: Session,
        drawn: Drawn,
        start: date,
        actors: Actors,
        *,
        seed: int,
    ) -> None:
        self.session = session
        self.drawn = drawn
        self.start = start
        self.actors = actors
        self.seed = seed
        self.rng = stream(seed, 0, "demo_history")
        self.wait_days = drawn.first_best_wait_days
        self.leaving: dict[date, list[str]] = defaultdict(list)
        self.crisis_stays: set[str] = set()
        self.waiting: list[_Waiting] = []
        # The ledger's units as the matcher sees them; a unit whose places changed is read
        # again (only it) before the next proposals, and the table is built again.
        self.views: dict[str, UnitView] = {}
        self.changed: set[str] = set()
        self.table: UnitTable | None = None

    # Departures: the simulator's stays

    def schedule_initial(self) -> None:
        """The children in care on the first day leave after the scenario's residual stays."""
        stays = self.session.exec(
            select(Occupancy).order_by(col(Occupancy.unit_id), col(Occupancy.child_ref))
        ).all()
        by_unit: dict[str, list[Occupancy]] = defaultdict(list)
        for stay in stays:
            by_unit[stay.unit_id].append(stay)
        units = self.session.exec(select(Unit).order_by(Unit.id)).all()
        specs = [UnitSpec(u.id, u.care_form, u.places, occupied=len(by_unit[u.id])) for u in units]
        left = initial_stays(specs, self.drawn.stays, stream(self.seed, 0, "initial"))
        taken: dict[str, int] = defaultdict(int)
        for spec in specs:
            for stay in by_unit[spec.unit_id]:
                days = left[spec.care_form][taken[spec.care_form]]
                taken[spec.care_form] += 1
                self.leaving[self.start + timedelta(days=max(1, math.ceil(days)))].append(stay.id)
                if CareForm(spec.care_form).is_crisis:
                    self.crisis_stays.add(stay.id)

    def depart(self, day: date) -> None:
        """Every stay due today ends, with a drawn outcome; the places come free."""
        for occupancy_id in self.leaving.pop(day, []):  # in the order they were scheduled
            outcome = departure_outcome(occupancy_id in self.crisis_stays, self.rng)
            stay = self.session.get(Occupancy, occupancy_id)
            assert stay is not None
            departure = DepartureRequest(left_on=day, outcome=outcome)
            discharged = departures.record_departure(
                self.session, occupancy_id=occupancy_id, data=departure, now=_at(day, 9)
            )
            if discharged is not None:
                self._log(SERVICEPUNT, discharged.id, "departure", _at(day, 9))
            self._freed(stay.unit_id, day)

    def _freed(self, unit_id: str, day: date) -> None:
        unit = self.session.get(Unit, unit_id)
        assert unit is not None
        self.changed.add(unit_id)
        for child in self.waiting:
            # Staff ask again when a place they would take came free: before the wait for a
            # first-best place is over (not in a crisis), only a first-best one.
            patient = not child.crisis and (day - child.since).days < self.wait_days
            wanted = (
                unit.care_form == child.first_best
                if patient
                else unit.care_form in child.acceptable
            )
            if wanted:
                child.ask = True

    # Arrivals: the simulator's children, registered, advised and judged

    def arrive(self, number: int, child: int, need: ChildNeed, moment: datetime) -> None:
        """Register the child's referral as a verwijzer would, advise it and judge it."""
        case = need.payload
        assert isinstance(case, ChildCase)
        data = referral_for(number, case.profile, moment.date(), bridging(case.profile, self.rng))
        referral = workflow.create_referral(
            self.session, data=data, verwijzer_user_id=self.actors.verwijzer,
            verwijzer_type=VerwijzerType.GEMEENTE, bsn_key="", now=moment,  # no BSN: no key
        )  # fmt: skip
        self._log(VERWIJZER, referral.id, "referrals", moment, audit.AuditAction.CREATE)
        advice = workflow.advise(self.session, referral_id=referral.id, now=moment)
        self._log(SERVICEPUNT, referral.id, "advice", moment)
        self._judge(referral, advice.alternatives, moment + timedelta(minutes=30))
        in_force = advice_of(referral)
        forms = frozenset(str(f) for f in (in_force.first_best, *in_force.alternatives))
        withdraw = moment.date() + timedelta(days=math.ceil(self.rng.exponential(WITHDRAW_DAYS)))
        self.waiting.append(
            _Waiting(
                referral, child, case.profile.crisis, moment.date(), withdraw,
                in_force.first_best.value, forms,
            )
        )  # fmt: skip

    def _judge(self, referral: Referral, alternatives: tuple[CareForm, ...], now: datetime) -> None:
        """One gedragswetenschapper judges; a second one where the advice needs two."""
        first = first_judgement(alternatives, self.rng)
        judgements.judge(
            self.session, referral_id=referral.id, data=first, user_id=self.actors.judges[0],
            now=now,
        )  # fmt: skip
        self._log(JUDGE, referral.id, "judgements", now)
        if judgements.state_of(referral) is JudgementState.TWEEDE_NODIG:
            judgements.judge(
                self.session, referral_id=referral.id, data=CONFIRMED,
                user_id=self.actors.judges[1], now=now + timedelta(hours=1),
            )  # fmt: skip
            self._log(SECOND_JUDGE, referral.id, "judgements", now + timedelta(hours=1))

    # The servicepunt's round at the end of the day: withdrawals, proposals, holds, decisions

    def round(self, day: date) -> None:
        """Withdraw what is due, then try to place every waiting child (crisis first)."""
        still: list[_Waiting] = []
        for child in self.waiting:
            if child.withdraw_on <= day:
                workflow.withdraw(
                    self.session, referral_id=child.referral.id, now=_at(day, 12),
                    data=withdrawal(self.rng),
                )  # fmt: skip
                self._log(SERVICEPUNT, child.referral.id, "withdraw", _at(day, 12))
            else:
                still.append(child)
        self.waiting = still
        order = sorted(still, key=lambda c: (not c.crisis, c.since, c.child))
        for n, child in enumerate(order):
            waited = (day - child.since).days
            if waited == self.wait_days:
                child.ask = True  # alternatives become acceptable today
            # AANNAME: a long wait is reviewed weekly (the waiting-list meeting), on the
            # weekday the child was registered; a crisis and a fresh referral every day.
            not_today = not child.crisis and waited > self.wait_days and waited % 7 != 0
            if not_today or not child.ask:
                continue
            if self._try(child, day, waited, _at(day, 16) + timedelta(minutes=n)):
                self.waiting.remove(child)

    def _units(self, now: datetime) -> UnitTable:
        """The matcher's table of the ledger now, read again after every capacity change."""
        if not self.views or self.changed:
            ids = sorted(self.changed) if self.views else None
            self.views.update(
                (v.unit_id, v) for v in unit_views(self.session, now=now, unit_ids=ids)
            )
            self.changed.clear()
            self.table = None
        if self.table is None or self.table.today != now.date():
            self.table = build_table(list(self.views.values()), now.date())
        return self.table

    def _try(self, child: _Waiting, day: date, waited: int, now: datetime) -> bool:
        """Ask for proposals and place the child if the policy takes one; True if placed."""
        child.ask = False
        proposed = placement_proposals.propose(
            self.session, referral_id=child.referral.id, units=self._units(now),
            wait_days=self.wait_days, now=now,
        )  # fmt: skip
        self._log(SERVICEPUNT, child.referral.id, "proposals", now)
        choice = choose(
            proposed.proposals, refused=child.refused, crisis=child.crisis, waited=waited,
            wait_days=self.wait_days, rng=self.rng,
        )  # fmt: skip
        if choice is None:
            return False
        pick, reason = choice
        unit_id = pick.unit_id
        assert unit_id is not None
        hold = workflow.hold_place(
            self.session, referral_id=child.referral.id, unit_id=unit_id, ttl=HOLD_TTL,
            user_id=self.actors.servicepunt, now=now,
        )  # fmt: skip
        self._log(SERVICEPUNT, child.referral.id, "hold", now)
        self.changed.add(unit_id)
        after, answer = provider_answer(self.rng)
        answered = now + after
        asked = self.session.exec(
            select(ProviderRequest).where(ProviderRequest.hold_id == hold.id)
        ).one()
        provider_requests.answer(
            self.session, request_id=asked.id, provider_id=asked.provider_id, data=answer,
            user_id=self.actors.provider, now=answered,
        )  # fmt: skip
        self._log(PROVIDER, child.referral.id, "provider answer", answered)
        if answer.answer is ProviderAnswer.REFUSE:
            child.refused.add(unit_id)
            child.ask = True
            return False
        decided = answered + timedelta(minutes=30)
        stay_days = self.drawn.stay_days(pick.care_form, child.child)
        accept = DecisionCreate(
            outcome=DecisionOutcome.ACCEPT, reason_code=reason,
            expected_end=day + timedelta(days=stay_days),
        )  # fmt: skip
        referral = self._decide(child, accept, decided)
        assert referral.occupancy_id is not None
        self.leaving[day + timedelta(days=stay_days)].append(referral.occupancy_id)
        if CareForm(pick.care_form).is_crisis:
            self.crisis_stays.add(referral.occupancy_id)
        return True

    def _decide(self, child: _Waiting, data: DecisionCreate, now: datetime) -> Referral:
        workflow.decide(
            self.session, referral_id=child.referral.id, data=data,
            user_id=self.actors.servicepunt, now=now,
        )  # fmt: skip
        self._log(SERVICEPUNT, child.referral.id, "decision", now)
        return workflow.get_referral(self.session, child.referral.id)

    def _log(
        self,
        actor: int,
        referral_id: str,
        step: str,
        now: datetime,
        action: audit.AuditAction = audit.AuditAction.UPDATE,
    ) -> None:
        """The step in the audit log, as the pages log it, named as done by the demo."""
        user_id, role = self.actors.users[actor]
        audit.record(
            self.session, user_id=user_id, role=role.value, action=action, entity="referral",
            entity_ids=[referral_id], via=f"servicepunt demo: {step}", at=now,
        )  # fmt: skip


def first_day(now: datetime, days: int) -> date:
    """The first simulated day of a history of `days` days up to `now` (excluded)."""
    return now.date() - timedelta(days=days)


def load_history(
    engine: Engine,
    landscape: Landscape,
    scenario: Path,
    *,
    now: datetime,
    actors: Actors,
    seed: int,
    days: int = HISTORY_DAYS,
) -> None:
    """Act out each day from the history's first day up to yesterday on the landscape
    (loaded as it was on the first day), one transaction a day."""
    start = first_day(now, days)
    region = sum(u.places for u in landscape.units if u.municipality.in_region)
    drawn = draw(scenario, days, seed, region_places=region)
    with Session(engine, expire_on_commit=False) as session:
        history = _History(session, drawn, start, actors, seed=seed)
        history.schedule_initial()
        number = 0
        for offset in range(days):
            day = start + timedelta(days=offset)
            history.depart(day)
            for i in drawn.by_day.get(offset, []):
                # Office hours: the arrival's moment in the day, put between 8:00 and 16:00.
                moment = _at(day, 8 + 8 * (drawn.arrivals[i] - offset))
                history.arrive(number, i, drawn.needs[i], min(moment, now))
                number += 1
            history.round(day)
            session.commit()
