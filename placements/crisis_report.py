"""The crisis desk's quarterly report, complete as seed 004's table (Flevoland crisis desk,
Q3 2016), in one long table that serves as CSV and on the planner page:

- `aanmeldingen`: crisis referrals registered, and crisis provisions deployed (a crisis
  placement, or ambulant crisis help or crisis shelter as bridging care);
- `hulpvorm`: per form (ambulant, crisisbed, pleegzorg, geen) × municipality × 12-/12+, the
  form being what the child got: a placement, else ambulant crisis help, else none;
- `geen_reden`: why those without help got none (the withdrawal reason; 'wacht nog' while
  the referral is open);
- `verwijzer`: the referrer type (COD327);
- `verblijfsduur`: length of the crisis stays that ended, in day bands;
- `vervolg`: where the child went after a crisis stay (seed 004, table 3);
- `buiten_regio`: requests for children from outside the region.

Every row is a count of children, keyed by the quarter of the event it counts (registration,
or the end of the stay). Aggregates only; small counts hidden for the planner.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

from sqlmodel import Session, select

from domain.people import age_band
from domain.places import Municipality
from domain.profile_vocabulary import AgeBand, VerwijzerType
from domain.vocabulary import BridgingCare, Urgency, WithdrawalReason
from placements.match import profile_of
from placements.models import OPEN_STATUSES, Referral
from placements.reports import Table

AMBULANT = frozenset({BridgingCare.AMBULANT.value, BridgingCare.AMBULANTE_CRISISHULP.value})
DEPLOYED = AMBULANT | {BridgingCare.CRISISOPVANG.value}
STAY_BANDS = ((7, "0-7 dagen"), (14, "8-14 dagen"), (28, "15-28 dagen"))
Key = tuple[str, str, str, str | None, str | None]


def _quarter(day: date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def _band(referral: Referral) -> str:
    return "12-" if age_band(profile_of(referral).years) is AgeBand.TOT_12 else "12+"


def _form(referral: Referral) -> str:
    """What the child got: a place (pleegzorg or a crisis bed), ambulant help, or none."""
    if referral.placed_form is not None:
        return "pleegzorg" if referral.placed_form.startswith("pleegzorg") else "crisisbed"
    return "ambulant" if referral.bridging_care in AMBULANT else "geen"


def _why_none(referral: Referral) -> str:
    if referral.status in OPEN_STATUSES:
        return "wacht nog op een plek"
    try:
        return WithdrawalReason(referral.withdrawal_reason or "").label
    except ValueError:
        return "onbekend"


def _stay_band(days: int) -> str:
    return next((label for limit, label in STAY_BANDS if days <= limit), "meer dan 28 dagen")


def _municipality(value: str) -> str:
    try:
        return Municipality(value).label
    except ValueError:
        return value


SECTIONS = (
    "aanmeldingen",
    "hulpvorm",
    "geen_reden",
    "verwijzer",
    "verblijfsduur",
    "vervolg",
    "buiten_regio",
)


def _row_order(key: Key) -> tuple[str, int, str, str, str]:
    quarter, section, category, place, band = key
    return (quarter, SECTIONS.index(section), category, place or "", band or "")


def crisis_quarter_report(
    session: Session, *, since: date | None = None, until: date | None = None
) -> Table:
    """The crisis desk's quarterly table (see the module doc), every quarter in the period."""
    counts: Counter[Key] = Counter()
    query = select(Referral).where(Referral.urgency == Urgency.CRISIS.value)
    for r in session.exec(query).all():
        band = _band(r)
        registered = r.created_at.date()
        if (since is None or registered >= since) and (until is None or registered <= until):
            q = _quarter(registered)
            counts[(q, "aanmeldingen", "aangemeld", None, band)] += 1
            if r.placed_form is not None or r.bridging_care in DEPLOYED:
                counts[(q, "aanmeldingen", "crisisvoorziening ingezet", None, band)] += 1
            form = _form(r)
            place = _municipality(r.responsible_municipality)
            counts[(q, "hulpvorm", form, place, band)] += 1
            if form == "geen":
                counts[(q, "geen_reden", _why_none(r), None, band)] += 1
            try:
                referrer = VerwijzerType(r.verwijzer_type).label
            except ValueError:
                referrer = r.verwijzer_type
            counts[(q, "verwijzer", referrer, None, band)] += 1
            if r.responsible_municipality == Municipality.BUITEN_REGIO.value:
                counts[(q, "buiten_regio", "aanvraag van buiten de regio", None, band)] += 1
        ended = r.discharged_on
        if r.placed_on is None or ended is None:
            continue
        if (since is None or ended >= since) and (until is None or ended <= until):
            q = _quarter(ended)
            counts[(q, "verblijfsduur", _stay_band((ended - r.placed_on).days), None, band)] += 1
            counts[(q, "vervolg", r.discharge_outcome or "onbekend", None, band)] += 1
    table = Table(
        "crisis_kwartaalrapport",
        "Kwartaalrapportage crisiscoördinatiepunt",
        ("kwartaal", "onderdeel", "categorie", "gemeente", "leeftijd", "aantal"),
    )
    for key in sorted(counts, key=_row_order):
        table.rows.append((*key, counts[key]))
    return table
