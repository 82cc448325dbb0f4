"""Perspectiefregisseur: which team holds the perspectiefregie, and when it is assigned.

Minimum conditions of a region's perspectiefregie agreements (for Flevoland its Handreiking
perspectiefregie, seed 001, DOMAIN.md section 5; the basis cited comes from the region file):
- perspective home or independent living: the local access team of the municipality
  where the child will live (one named team per municipality);
- perspective long-term stay: the municipality decides together with the provider who
  holds it (a local choice, so the service names who decides, not a team);
- regular placement: assigned at the moment of the beschikking; crisis placement:
  assigned afterwards, under the crisis agreements;
- one regisseur per family is preferred;
- the minimum conditions cover children placed in the voluntary framework; whether a
  child with a child protection measure also gets one is the municipality's choice.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict

from afwegingskader.deadlines import perspectiefplan_deadline, start_agreements_deadline
from afwegingskader.workdays import DEFAULT_CALENDAR, WorkingCalendar, format_date_nl
from domain.errors import InvalidInput
from domain.places import Municipality, region
from domain.profile_vocabulary import Perspective
from domain.vocabulary import AssignMoment, RegieAssignment


def local_team(municipality: Municipality) -> str:
    """The local team that holds perspectiefregie in a municipality of the region (region file)."""
    return region().team_for(municipality.code)


class RegisseurResult(BaseModel):
    """The regisseur's team (or who decides), the moment of assignment, and why."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    assignment: RegieAssignment
    perspective: Perspective | None
    municipality: Municipality | None
    team: str | None
    moment: AssignMoment
    assign_on: date | None
    voluntary_framework: bool
    family_note: str | None
    basis: str
    explanation: tuple[str, ...]


def _where(
    perspective: Perspective | None,
    future_municipality: Municipality | None,
    responsible_municipality: Municipality,
) -> tuple[RegieAssignment, Municipality | None, str | None, str]:
    if perspective is None:
        return (
            RegieAssignment.PERSPECTIEF_ONBEKEND,
            None,
            None,
            "Het toekomstperspectief is nog niet vastgesteld; daarvan hangt af wie de "
            "perspectiefregie krijgt. Leg het perspectief vast.",
        )
    label = perspective.label
    if perspective is Perspective.LANGDURIG_VERBLIJF:
        if not responsible_municipality.in_region:
            return (
                RegieAssignment.BUITEN_REGIO,
                responsible_municipality,
                None,
                f"Perspectief {label}: de verantwoordelijke gemeente ligt buiten de regio; "
                "regel de perspectiefregie met die gemeente.",
            )
        return (
            RegieAssignment.LOKALE_KEUZE,
            responsible_municipality,
            None,
            f"Perspectief {label}: de gemeente {responsible_municipality.label} bepaalt in "
            "samenspraak met de verblijfsinstelling wie de perspectiefregie biedt (lokale "
            "keuze; de instelling kan de regisseur zijn).",
        )
    if future_municipality is None:
        raise InvalidInput(
            f"nodig bij perspectief {label}: de gemeente waar het kind gaat wonen",
            field="future_municipality",
        )
    if not future_municipality.in_region:
        return (
            RegieAssignment.BUITEN_REGIO,
            future_municipality,
            None,
            f"Perspectief {label}: het kind gaat buiten de regio {region().name} wonen "
            f"({future_municipality.place_label}); regel de "
            "perspectiefregie met die gemeente (haar lokale toegang).",
        )
    team = local_team(future_municipality)
    return (
        RegieAssignment.LOKALE_TOEGANG,
        future_municipality,
        team,
        f"Perspectief {label}: de perspectiefregisseur zit in de lokale toegang van "
        f"{future_municipality.label}, waar het kind gaat wonen: {team}.",
    )


def assign_regisseur(
    *,
    perspective: Perspective | None,
    future_municipality: Municipality | None,
    responsible_municipality: Municipality,
    crisis: bool,
    beschikking_date: date | None,
    crisis_placement_date: date | None,
    siblings: int = 0,
    child_protection_measure: bool = False,
    calendar: WorkingCalendar = DEFAULT_CALENDAR,
) -> RegisseurResult:
    """Who holds the perspectiefregie and when the regisseur must be assigned."""
    assignment, municipality, team, where = _where(
        perspective, future_municipality, responsible_municipality
    )
    explanation = [where]
    if crisis:
        if crisis_placement_date is None:
            raise InvalidInput("nodig bij een crisisplaatsing", field="crisis_placement_date")
        moment, assign_on = AssignMoment.NA_CRISISPLAATSING, None
        agreements = start_agreements_deadline(crisis_placement_date, calendar=calendar).due
        plan = perspectiefplan_deadline(crisis_placement_date, calendar=calendar).due
        explanation.append(
            "Crisisplaatsing: de regisseur wordt achteraf toegewezen, volgens de "
            f"crisisafspraken: startafspraken uiterlijk {format_date_nl(agreements)}, "
            f"evaluatie en perspectiefplan uiterlijk {format_date_nl(plan)}."
        )
    else:
        moment, assign_on = AssignMoment.BIJ_BESCHIKKING, beschikking_date
        if beschikking_date is None:
            explanation.append(
                "Reguliere plaatsing: wijs de regisseur toe op het moment van de beschikking "
                "(nog niet afgegeven)."
            )
        else:
            explanation.append(
                "Reguliere plaatsing: de regisseur wordt toegewezen op het moment van de "
                f"beschikking, {format_date_nl(beschikking_date)}."
            )
    if child_protection_measure:
        explanation.append(
            "Er is een jeugdbeschermingsmaatregel: de minimale voorwaarden gelden voor het "
            "vrijwillig kader; de gemeente bepaalt of ook hier een perspectiefregisseur komt "
            "(lokale keuze)."
        )
    family_note = None
    if siblings > 0:
        family_note = (
            f"Het kind heeft {siblings} broer(s)/zus(sen) in de hulp: bij voorkeur één "
            "regisseur voor het hele gezin."
        )
        explanation.append(family_note)
    return RegisseurResult(
        assignment=assignment,
        perspective=perspective,
        municipality=municipality,
        team=team,
        moment=moment,
        assign_on=assign_on,
        voluntary_framework=not child_protection_measure,
        family_note=family_note,
        basis=region().basis["perspectiefregie"],
        explanation=tuple(explanation),
    )
