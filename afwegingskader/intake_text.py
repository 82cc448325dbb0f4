"""Readable Dutch text of an intake result, for servicepunt staff."""

from __future__ import annotations

from afwegingskader.intake_models import IntakeResult
from afwegingskader.workdays import format_date_nl
from domain.places import Municipality, region
from domain.vocabulary import RegieAssignment


def _municipality(result: IntakeResult) -> list[str]:
    decision = result.municipality
    name = decision.municipality.label
    if decision.municipality == Municipality.BUITEN_REGIO:
        name = f"buiten de regio {region().name}"
    elif not decision.in_region:
        name = f"{decision.municipality.place_label}, buiten de regio {region().name}"
    lines = [
        f"Verantwoordelijke gemeente: {name}",
        f"  {decision.rule.label}; grondslag: {decision.basis}",
    ]
    lines += [f"  - {line}" for line in decision.explanation]
    return lines


def _wlz(result: IntakeResult) -> list[str]:
    flag = result.wlz
    lines = [f"Wlz: {flag.outcome.label}"]
    for item in flag.criteria:
        lines.append(f"  - {item.criterion.label}: {item.finding.value} ({item.explanation})")
    lines.append(f"  {flag.explanation}")
    return lines


def _regisseur(result: IntakeResult) -> list[str]:
    regie = result.regisseur
    if regie.assignment is RegieAssignment.LOKALE_TOEGANG and regie.municipality is not None:
        headline = f"{regie.team} (lokale toegang {regie.municipality.label})"
    elif regie.assignment is RegieAssignment.LOKALE_KEUZE and regie.municipality is not None:
        headline = f"lokale keuze van de gemeente {regie.municipality.label} met de instelling"
    elif regie.assignment is RegieAssignment.BUITEN_REGIO:
        where = "" if regie.municipality is None else f" ({regie.municipality.label})"
        headline = f"buiten de regio: regelen met die gemeente{where}"
    else:
        headline = "nog te bepalen (perspectief onbekend)"
    perspective = "onbekend"
    if regie.perspective is not None:
        perspective = regie.perspective.label
    lines = [f"Perspectiefregisseur: {headline}", f"  perspectief: {perspective}"]
    lines += [f"  - {line}" for line in regie.explanation]
    return lines


def _deadlines(result: IntakeResult) -> list[str]:
    lines = [f"Termijnen ({result.working_days}):"]
    if not result.deadlines:
        lines.append("  geen")
    for item in result.deadlines:
        lines.append(
            f"  - {item.kind.label}: uiterlijk {format_date_nl(item.due)} [{item.status.label}]"
        )
        lines.append(f"    {item.explanation}")
    return lines


def render_text(result: IntakeResult) -> str:
    """The intake result as readable Dutch text."""
    kind = "crisisplaatsing" if result.crisis else "reguliere plaatsing"
    header = [
        f"Intake: casus gestart op {format_date_nl(result.case_start_date)}, {kind}, "
        f"leeftijd {result.age} jaar",
    ]
    if result.reference_date is not None:
        header.append(f"Peildatum: {format_date_nl(result.reference_date)}")
    if result.crisis:
        desk = region()
        header.append(f"Crisisdesk regio {desk.name}: {desk.crisis_desk_hours()}")
    sections = [
        header,
        _municipality(result),
        _wlz(result),
        _regisseur(result),
        _deadlines(result),
    ]
    if result.notes:
        sections.append(["Opmerkingen:", *(f"  - {note}" for note in result.notes)])
    return "\n\n".join("\n".join(section) for section in sections)
