"""The waiting list and the reports: tables of plain values, ready for JSON and CSV.

No report carries a child's data: only counts, rates and pseudonymous referral ids where
the servicepunt itself needs them (the waiting list).
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlmodel import Session, col, select

from capacity import views as capacity_views
from domain import nl_format
from domain.care import CareForm
from domain.labels import LabelledEnum
from domain.people import age_band
from domain.places import Municipality
from domain.profile_vocabulary import AgeBand
from domain.vocabulary import BridgingCare, NormStatus, ReasonCode, Urgency
from placements.match import profile_of
from placements.models import OPEN_STATUSES, Deviation, Referral

# How many days before the 14-day deadline a waiting child shows amber (lokale keuze).
AT_RISK_DAYS = 3
Cell = str | int | float | None


@dataclass(frozen=True)
class Table:
    """A titled table: columns and rows of plain values."""

    name: str
    title: str
    columns: tuple[str, ...]
    rows: list[tuple[Cell, ...]] = field(default_factory=list)

    def as_dicts(self) -> list[dict[str, Cell]]:
        """Rows as column -> value mappings."""
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]

    def add_coded_counts(
        self, counts: Counter[tuple[str, str]], codes: type[LabelledEnum]
    ) -> Table:
        """Rows (group, code, the code's label, count) in order; a code that is no longer
        one of `codes` stands for its own label."""
        labels = {code.value: code.label for code in codes}
        for (group, code), n in sorted(counts.items()):
            self.rows.append((group, code, labels.get(code, code), n))
        return self


def started_on(referral: Referral) -> date | None:
    """The day help started: bridging care or the placement, whichever came first."""
    days = [d for d in (referral.bridging_since, referral.placed_on) if d is not None]
    return min(days) if days else None


def norm_status(referral: Referral, today: date) -> NormStatus:
    """Where the referral stands against the 14-day start norm on `today`."""
    if referral.start_deadline is None:
        return NormStatus.GEEN_BESCHIKKING
    start = started_on(referral)
    if start is not None:
        return NormStatus.GEHAALD if start <= referral.start_deadline else NormStatus.TE_LAAT
    days_left = (referral.start_deadline - today).days
    if days_left < 0:
        return NormStatus.TE_LAAT
    return NormStatus.RISICO if days_left <= AT_RISK_DAYS else NormStatus.OP_TIJD


def _month(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def _quarter(day: date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _referrals(session: Session, since: date | None, until: date | None) -> list[Referral]:
    rows = session.exec(select(Referral).order_by(col(Referral.created_at))).all()
    return [
        r
        for r in rows
        if (since is None or r.created_at.date() >= since)
        and (until is None or r.created_at.date() <= until)
    ]


def _placed(referrals: Iterable[Referral]) -> list[Referral]:
    return [r for r in referrals if r.placed_on is not None]


def waiting_list(session: Session, *, today: date) -> Table:
    """Every referral without a placement, with bridging care and the 14-day norm."""
    table = Table(
        "wachtlijst",
        "Wachtlijst",
        (
            "referral_id",
            "kind",
            "urgentie",
            "status",
            "wacht_sinds",
            "dagen_wachtend",
            "first_best",
            "overbrugging",
            "start_uiterlijk",
            "norm_14_dagen",
            "perspectiefplan_uiterlijk",
        ),
    )
    open_values = sorted(OPEN_STATUSES)
    query = select(Referral).where(col(Referral.status).in_(open_values))
    for r in session.exec(query.order_by(col(Referral.created_at))).all():
        since = nl_format.local_day(r.created_at) or today
        table.rows.append(
            (
                r.id,
                r.child_ref,
                r.urgency,
                r.status,
                since.isoformat(),
                (today - since).days,
                r.first_best,
                r.bridging_care,
                r.start_deadline.isoformat() if r.start_deadline else None,
                norm_status(r, today).value,
                r.perspectiefplan_deadline.isoformat() if r.perspectiefplan_deadline else None,
            )
        )
    return table


def deviations(session: Session, *, since: date | None = None, until: date | None = None) -> Table:
    """Deviation rate per month: care-form level and place level."""
    placed = _placed(_referrals(session, since, until))
    logged = {d.referral_id: d for d in session.exec(select(Deviation)).all()}
    per_month: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for r in placed:
        assert r.placed_on is not None
        counts = per_month[_month(r.placed_on)]
        counts[0] += 1
        deviation = logged.get(r.id)
        counts[1] += bool(deviation and deviation.form_deviates)
        counts[2] += bool(deviation and deviation.place_deviates)
    table = Table(
        "afwijkingen",
        "Afwijkingen van advies en voorstel per maand",
        ("maand", "plaatsingen", "afwijking_zorgvorm", "afwijking_plek", "percentage_zorgvorm"),
    )
    for month in sorted(per_month):
        n, form, place = per_month[month]
        table.rows.append((month, n, form, place, _rate(form, n)))
    return table


def deviation_reasons(
    session: Session, *, since: date | None = None, until: date | None = None
) -> Table:
    """Deviations counted by reason code."""
    counts: Counter[str] = Counter()
    for d in session.exec(select(Deviation)).all():
        if (since is None or d.placed_on >= since) and (until is None or d.placed_on <= until):
            counts[d.reason_code] += 1
    total = sum(counts.values())
    table = Table(
        "afwijkingsredenen", "Afwijkingen per reden", ("reden", "omschrijving", "aantal", "aandeel")
    )
    for code in ReasonCode:
        if counts[code.value]:
            table.rows.append(
                (
                    code.value,
                    code.label,
                    counts[code.value],
                    _rate(counts[code.value], total),
                )
            )
    return table


def _monthly_share(
    placed: Iterable[Referral], counts_when: Callable[[Referral], bool], table: Table
) -> Table:
    """Per month of placement: placements, how many meet the condition, and the share."""
    per_month: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for r in placed:
        assert r.placed_on is not None
        counts = per_month[_month(r.placed_on)]
        counts[0] += 1
        counts[1] += counts_when(r)
    for month in sorted(per_month):
        n, hits = per_month[month]
        table.rows.append((month, n, hits, _rate(hits, n)))
    return table


def first_best_rate(
    session: Session, *, since: date | None = None, until: date | None = None
) -> Table:
    """Share of placements in the first-best care form, per month."""
    return _monthly_share(
        _placed(_referrals(session, since, until)),
        lambda r: r.placed_form == r.first_best,
        Table(
            "first_best",
            "First-best plaatsingen per maand",
            ("maand", "plaatsingen", "first_best", "percentage"),
        ),
    )


def _percentile(values: Sequence[int], q: float) -> float:
    ordered = sorted(values)
    return float(ordered[min(len(ordered) - 1, int(q * len(ordered)))])


def time_to_placement(
    session: Session, *, since: date | None = None, until: date | None = None
) -> Table:
    """Days from referral to placement, per month and care form: median and 90th percentile."""
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    for r in _placed(_referrals(session, since, until)):
        assert r.placed_on is not None and r.placed_form is not None
        groups[(_month(r.placed_on), r.placed_form)].append(
            (r.placed_on - r.created_at.date()).days
        )
    table = Table(
        "doorlooptijd",
        "Dagen van aanmelding tot plaatsing",
        ("maand", "zorgvorm", "plaatsingen", "mediaan_dagen", "p90_dagen"),
    )
    for (month, form), days in sorted(groups.items()):
        table.rows.append(
            (month, form, len(days), float(statistics.median(days)), _percentile(days, 0.9))
        )
    return table


def start_norm_compliance(
    session: Session, *, today: date, since: date | None = None, until: date | None = None
) -> Table:
    """Per month of the beschikking: how many started help within 14 days."""
    per_month: dict[str, Counter[str]] = defaultdict(Counter)
    for r in _referrals(session, since, until):
        if r.beschikking_date is not None:
            per_month[_month(r.beschikking_date)][norm_status(r, today).value] += 1
    table = Table(
        "norm_14_dagen",
        "Start binnen 14 dagen na beschikking",
        ("maand", "beschikkingen", "gehaald", "te_laat", "nog_lopend", "percentage_gehaald"),
    )
    for month in sorted(per_month):
        c = per_month[month]
        n = sum(c.values())
        done = c[NormStatus.GEHAALD.value]
        late = c[NormStatus.TE_LAAT.value]
        table.rows.append((month, n, done, late, n - done - late, _rate(done, done + late)))
    return table


def bridging_overview(session: Session, *, today: date) -> Table:
    """Waiting referrals by bridging care and norm status."""
    counts: Counter[tuple[str, str]] = Counter()
    open_values = sorted(OPEN_STATUSES)
    for r in session.exec(select(Referral).where(col(Referral.status).in_(open_values))).all():
        counts[(r.bridging_care, norm_status(r, today).value)] += 1
    table = Table(
        "overbrugging",
        "Wachtenden per overbrugging en norm",
        ("overbrugging", "norm_14_dagen", "aantal"),
    )
    for kind in BridgingCare:
        for status in NormStatus:
            if counts[(kind.value, status.value)]:
                table.rows.append((kind.value, status.value, counts[(kind.value, status.value)]))
    return table


def out_of_region(
    session: Session, *, since: date | None = None, until: date | None = None
) -> Table:
    """Placements outside the region, per month."""
    return _monthly_share(
        _placed(_referrals(session, since, until)),
        lambda r: not _in_region(r.placed_municipality),
        Table(
            "buiten_regio",
            "Plaatsingen buiten de regio",
            ("maand", "plaatsingen", "buiten_regio", "percentage"),
        ),
    )


def _in_region(stored: str | None) -> bool:
    return stored is not None and Municipality(stored).in_region


def staying_outside(
    session: Session, *, since: date | None = None, until: date | None = None
) -> Table:
    """Beschikkingen voor jeugdigen van de regio die buiten de regio verblijven.

    Placed children whose responsible municipality belongs to the region and who stay in a
    unit outside it, per responsible municipality and the municipality and region of the
    stay (seed 004 asks for this view).
    """
    counts: Counter[tuple[str, str]] = Counter()
    for r in _placed(_referrals(session, since, until)):
        if not _in_region(r.responsible_municipality) or r.placed_municipality is None:
            continue
        place = Municipality(r.placed_municipality)
        if not place.in_region:
            counts[(Municipality(r.responsible_municipality).value, place.value)] += 1
    table = Table(
        "beschikkingen_buiten_regio",
        "Beschikkingen voor jeugdigen van de regio die buiten de regio verblijven",
        ("gemeente", "geplaatst_in", "beschikkingen"),
    )
    for key in sorted(counts):
        table.rows.append((*key, counts[key]))
    return table


def needed_vs_available(session: Session, *, now: datetime) -> Table:
    """Per care form: children waiting with it as first-best against free places now."""
    open_values = sorted(OPEN_STATUSES)
    needed: Counter[str] = Counter(
        r.first_best
        for r in session.exec(select(Referral).where(col(Referral.status).in_(open_values))).all()
        if r.first_best
    )
    free: Counter[str] = Counter()
    places: Counter[str] = Counter()
    for view in capacity_views.unit_views(session, now=now):
        free[view.care_form.value] += view.free_now
        places[view.care_form.value] += view.places
    table = Table(
        "behoefte_aanbod",
        "Benodigde tegenover beschikbare capaciteit",
        ("zorgvorm", "wachtend_first_best", "vrij_nu", "plaatsen", "tekort"),
    )
    for form in CareForm:
        if needed[form.value] or places[form.value]:
            gap = max(0, needed[form.value] - free[form.value])
            table.rows.append(
                (form.value, needed[form.value], free[form.value], places[form.value], gap)
            )
    return table


def crisis_quarter(session: Session, *, quarter: str | None = None) -> Table:
    """Crisis placements per care form × municipality × 12-/12+ (the crisis desk's table)."""
    counts: Counter[tuple[str, str, str, str]] = Counter()
    for r in _placed(_referrals(session, None, None)):
        if r.urgency != Urgency.CRISIS.value:
            continue
        assert r.placed_on is not None and r.placed_form is not None
        q = _quarter(r.placed_on)
        if quarter is not None and q != quarter:
            continue
        band = "12-" if age_band(profile_of(r).years) is AgeBand.TOT_12 else "12+"
        counts[(q, r.placed_form, r.responsible_municipality, band)] += 1
    table = Table(
        "crisis_kwartaal",
        "Crisisplaatsingen per kwartaal, zorgvorm, gemeente en leeftijd",
        ("kwartaal", "zorgvorm", "gemeente", "leeftijd", "aantal"),
    )
    for key in sorted(counts):
        table.rows.append((*key, counts[key]))
    return table
