"""Search, filters and pages for the servicepunt's lists: the workbench, the waiting list
and the deviation log share one filter form and one way to page.

The filters read from the query string (`?q=kind-00&gemeente=GM0034&pagina=2`; a
municipality's name works as well as its code): pseudonym (part of it), responsible
municipality, care form (first-best or placed), urgency, status
and a date range on the day the referral came in (the region's calendar day). Each becomes
a condition on the referral in the database query. A value that is not one of the choices,
or not a date, is an error beside its field, and the list is shown unfiltered.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import ColumnElement, and_, or_
from sqlmodel import col

from api.web.render import STATUS_LABEL, place_name
from domain.care import CareForm
from domain.nl_format import REGION_TZ
from domain.places import Municipality, region_municipalities
from domain.vocabulary import Urgency
from placements.models import Referral

PAGE_SIZE = 50
FIELDS = ("q", "gemeente", "zorgvorm", "urgentie", "status", "van", "tot")
LABELS = {
    "q": "Pseudoniem bevat",
    "gemeente": "Gemeente (verantwoordelijk)",
    "zorgvorm": "Zorgvorm (first-best of geplaatst)",
    "urgentie": "Urgentie",
    "status": "Status",
    "van": "Aangemeld vanaf",
    "tot": "Aangemeld tot en met",
}


def choices(statuses: Sequence[str] | None = None) -> dict[str, list[tuple[str, str]]]:
    """The options of the select fields (statuses limited to those the list can hold)."""
    shown = statuses if statuses is not None else list(STATUS_LABEL)
    return {
        "gemeente": [(m.value, place_name(m.value)) for m in region_municipalities()],
        "zorgvorm": [(f.value, f.label) for f in CareForm],
        "urgentie": [(u.value, u.value) for u in Urgency],
        "status": [(s, STATUS_LABEL.get(s, s)) for s in shown],
    }


@dataclass(frozen=True)
class ListFilter:
    """The filters of one list view, and the page asked for."""

    values: dict[str, str] = field(default_factory=dict)
    van: date | None = None
    tot: date | None = None
    page: int = 1
    applied: bool = True  # False after an error: the values show, but filter nothing

    @property
    def active(self) -> bool:
        """True when any filter narrows the list."""
        return self.applied and any(self.values.get(name) for name in FIELDS)

    def conditions(self) -> list[ColumnElement[bool]]:
        """The filters as conditions on Referral."""
        v = self.values if self.applied else {}
        out: list[ColumnElement[bool]] = []
        if v.get("q"):
            out.append(col(Referral.child_ref).contains(v["q"], autoescape=True))
        if v.get("gemeente"):
            out.append(col(Referral.responsible_municipality) == v["gemeente"])
        if v.get("zorgvorm"):
            form = v["zorgvorm"]
            out.append(or_(col(Referral.first_best) == form, col(Referral.placed_form) == form))
        if v.get("urgentie"):
            out.append(col(Referral.urgency) == v["urgentie"])
        if v.get("status"):
            out.append(col(Referral.status) == v["status"])
        if self.van is not None:
            out.append(col(Referral.created_at) >= _start_of(self.van))
        if self.tot is not None:
            out.append(col(Referral.created_at) < _start_of(self.tot + timedelta(days=1)))
        return out

    def where(self) -> ColumnElement[bool]:
        """All conditions together (true when there are none)."""
        return and_(True, *self.conditions())

    def link(self, page: int) -> str:
        """The query string of this filter on another page."""
        params = {k: v for k, v in self.values.items() if v and self.applied}
        if page > 1:
            params["pagina"] = str(page)
        return "?" + urlencode(params) if params else "?"


def _start_of(day: date) -> datetime:
    """The first moment of a calendar day in the region, in UTC (as the database keeps it)."""
    return datetime.combine(day, time(0), REGION_TZ).astimezone(UTC)


def parse(
    query: Mapping[str, str], statuses: Sequence[str] | None = None
) -> tuple[ListFilter, dict[str, str]]:
    """The filter a query string asks for, and the errors per field (Dutch, input not echoed).

    With any error the filter is empty: the list is shown whole, beside the messages."""
    values = {name: query.get(name, "").strip()[:64] for name in FIELDS}
    with suppress(ValueError):  # a municipality by name as well as by its code
        values["gemeente"] = Municipality(values["gemeente"]).value if values["gemeente"] else ""
    errors: dict[str, str] = {}
    for name, options in choices(statuses).items():
        if values[name] and values[name] not in {value for value, _ in options}:
            errors[name] = "kies een van de opties in de lijst"
    days: dict[str, date | None] = {}
    for name in ("van", "tot"):
        try:
            days[name] = date.fromisoformat(values[name]) if values[name] else None
        except ValueError:
            errors[name] = "moet een datum zijn (JJJJ-MM-DD)"
    van, tot = days.get("van"), days.get("tot")
    if van is not None and tot is not None and tot < van:
        errors["tot"] = "ligt vóór ‘Aangemeld vanaf’"
    raw_page = query.get("pagina", "1")
    page = int(raw_page) if raw_page.isdigit() and 0 < int(raw_page) < 100_000 else 1
    if errors:
        return ListFilter(values=values, applied=False), errors
    return ListFilter(values=values, van=van, tot=tot, page=page), {}


@dataclass(frozen=True)
class Page:
    """One page of a list: its rows, where it is, and links to the pages beside it."""

    rows: list[Any]
    number: int
    pages: int
    total: int
    previous: str | None
    next: str | None


def paginate(rows: Sequence[Any], wanted: ListFilter) -> Page:
    """The page of rows the filter asks for (the last page when it asks beyond it)."""
    total = len(rows)
    pages = max(1, math.ceil(total / PAGE_SIZE))
    number = min(wanted.page, pages)
    at = (number - 1) * PAGE_SIZE
    shown = replace(wanted, page=number)
    return Page(
        rows=list(rows[at : at + PAGE_SIZE]),
        number=number,
        pages=pages,
        total=total,
        previous=shown.link(number - 1) if number > 1 else None,
        next=shown.link(number + 1) if number < pages else None,
    )


def form_context(
    wanted: ListFilter, errors: Mapping[str, str], statuses: Sequence[str] | None = None
) -> dict[str, Any]:
    """What the filter form in _lijstfilters.html shows."""
    return {
        "entered": wanted.values,
        "errors": dict(errors),
        "labels": LABELS,
        "choices": choices(statuses),
        "active": wanted.active,
    }
