"""Case intake: responsible municipality, possible-Wlz flag, perspectiefregisseur, deadlines.

The entry points the CLI and API use: IntakeCase (validated input), assess (pure rules,
see afwegingskader.woonplaats, .wlz, .regisseur and .deadlines) and render_text (Dutch
text for people). The working-day calendar is an argument, so a region can choose its
holidays without touching the rules.
"""

from __future__ import annotations

from afwegingskader.deadlines import (
    Deadline,
    perspectiefplan_deadline,
    start_agreements_deadline,
    start_deadline,
)
from afwegingskader.intake_models import IntakeCase, IntakeResult
from afwegingskader.intake_text import render_text
from afwegingskader.regisseur import assign_regisseur
from afwegingskader.wlz import flag_wlz
from afwegingskader.woonplaats import determine_municipality
from afwegingskader.workdays import DEFAULT_CALENDAR, WorkingCalendar

__all__ = ["IntakeCase", "IntakeResult", "assess", "render_text"]


def _deadlines(case: IntakeCase, calendar: WorkingCalendar) -> tuple[Deadline, ...]:
    # Each norm with the date it runs from and the date it was met; a norm whose start has
    # not happened yet does not run.
    norms = (
        (start_agreements_deadline, case.crisis_placement_date, case.start_agreements_date),
        (perspectiefplan_deadline, case.crisis_placement_date, case.perspectiefplan_date),
        (start_deadline, case.beschikking_date, case.help_started_date),
    )
    return tuple(
        norm(start, done_on=done_on, today=case.reference_date, calendar=calendar)
        for norm, start, done_on in norms
        if start is not None
    )


def assess(case: IntakeCase, *, calendar: WorkingCalendar = DEFAULT_CALENDAR) -> IntakeResult:
    """Apply the intake rules to one case; raises InvalidInput naming a missing field."""
    municipality = determine_municipality(case.woonplaats, case_start_date=case.case_start_date)
    age = case.child_age
    regisseur = assign_regisseur(
        perspective=case.perspective,
        future_municipality=case.future_municipality,
        responsible_municipality=municipality.municipality,
        crisis=case.crisis,
        beschikking_date=case.beschikking_date,
        crisis_placement_date=case.crisis_placement_date,
        siblings=case.siblings,
        child_protection_measure=case.child_protection_measure,
        calendar=calendar,
    )
    notes: list[str] = []
    if case.beschikking_date is None:
        notes.append(
            "Nog geen beschikking: de termijn voor de start van de hulp (twee weken na de "
            "beschikking) loopt nog niet."
        )
    if case.reference_date is None:
        notes.append("Geen peildatum opgegeven: niet beoordeeld of open termijnen verlopen zijn.")
    return IntakeResult(
        case_start_date=case.case_start_date,
        crisis=case.crisis,
        age=age,
        reference_date=case.reference_date,
        municipality=municipality,
        wlz=flag_wlz(case.wlz, age=age),
        regisseur=regisseur,
        deadlines=_deadlines(case, calendar),
        working_days=calendar.description,
        notes=tuple(notes),
    )
