"""Possible-Wlz flag: might this child belong under the Wet langdurige zorg, not the Jeugdwet?

The Wlz applies when a child has a condition or disability, AND needs 24-hour care nearby
or permanent supervision, AND that need is lasting (Wlz art. 3.2.1). The CIZ decides;
under-18s with only a psychiatric disorder have no Wlz access (the psychiatric ground
counts from 18). The service only flags: every criterion is reported as met, not met or
unknown, and the outcome says who decides (DOMAIN.md section 6).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from domain.profile_vocabulary import Finding, WlzCriterion, WlzGround, WlzOutcome

BASIS = "Wet langdurige zorg art. 3.2.1; het CIZ beslist over toegang"
PSYCHIATRIC_MIN_AGE = 18


class WlzInput(BaseModel):
    """What is known about the Wlz criteria; everything defaults to unknown."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    grounds: tuple[WlzGround, ...] | None = Field(
        default=None,
        max_length=len(WlzGround),
        description="aandoeningen of beperkingen; leeg = geen; null = onbekend",
    )
    needs_24h_care_or_supervision: Finding = Finding.ONBEKEND
    lasting_need: Finding = Finding.ONBEKEND


class CriterionFinding(BaseModel):
    """One criterion as the service saw it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    criterion: WlzCriterion
    finding: Finding
    explanation: str


class WlzFlag(BaseModel):
    """The possible-Wlz flag with each criterion it saw; the CIZ decides, never the service."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    outcome: WlzOutcome
    possible_wlz: bool
    criteria: tuple[CriterionFinding, ...]
    basis: str
    explanation: str


def _ground_finding(grounds: tuple[WlzGround, ...] | None, age: int) -> CriterionFinding:
    criterion = WlzCriterion.GRONDSLAG
    if grounds is None:
        return CriterionFinding(
            criterion=criterion,
            finding=Finding.ONBEKEND,
            explanation="niet bekend of er een aandoening of beperking is",
        )
    counted: list[WlzGround] = [
        g for g in dict.fromkeys(grounds) if g is not WlzGround.PSYCHIATRISCH
    ]
    if WlzGround.PSYCHIATRISCH in grounds and age >= PSYCHIATRIC_MIN_AGE:
        counted.append(WlzGround.PSYCHIATRISCH)
    if counted:
        names = ", ".join(g.label for g in counted)
        return CriterionFinding(criterion=criterion, finding=Finding.JA, explanation=names)
    if WlzGround.PSYCHIATRISCH in grounds:
        return CriterionFinding(
            criterion=criterion,
            finding=Finding.NEE,
            explanation=(
                f"alleen een psychische stoornis; onder {PSYCHIATRIC_MIN_AGE} jaar geeft "
                "dat geen toegang tot de Wlz"
            ),
        )
    return CriterionFinding(
        criterion=criterion, finding=Finding.NEE, explanation="geen aandoening of beperking"
    )


def _plain_finding(criterion: WlzCriterion, finding: Finding) -> CriterionFinding:
    text = {
        Finding.JA: "volgens de aanmelding wel",
        Finding.NEE: "volgens de aanmelding niet",
        Finding.ONBEKEND: "nog niet bekend; uitzoeken",
    }[finding]
    return CriterionFinding(criterion=criterion, finding=finding, explanation=text)


def flag_wlz(data: WlzInput, *, age: int) -> WlzFlag:
    """Flag a possible Wlz case from the three criteria; the CIZ decides."""
    criteria = (
        _ground_finding(data.grounds, age),
        _plain_finding(WlzCriterion.ZORGBEHOEFTE_24_UUR, data.needs_24h_care_or_supervision),
        _plain_finding(WlzCriterion.BLIJVEND, data.lasting_need),
    )
    findings = {c.finding for c in criteria}
    if findings == {Finding.JA}:
        outcome = WlzOutcome.MOGELIJK_WLZ
        explanation = (
            "Mogelijk Wlz; het CIZ beslist. Aan alle drie de criteria lijkt voldaan: "
            "overweeg een aanvraag bij het CIZ."
        )
    elif Finding.NEE in findings:
        outcome = WlzOutcome.GEEN_AANWIJZING
        missing = ", ".join(c.criterion.label for c in criteria if c.finding is Finding.NEE)
        explanation = (
            f"Geen aanwijzing voor de Wlz: niet voldaan aan: {missing}. Jeugdhulp valt onder "
            "de Jeugdwet. Het CIZ beslist als er toch een aanvraag komt."
        )
    else:
        outcome = WlzOutcome.ONVOLDOENDE_GEGEVENS
        unknown = ", ".join(c.criterion.label for c in criteria if c.finding is Finding.ONBEKEND)
        explanation = (
            f"Onvoldoende gegevens om mogelijke Wlz te signaleren; nog uit te zoeken: {unknown}. "
            "Het CIZ beslist."
        )
    return WlzFlag(
        outcome=outcome,
        possible_wlz=outcome is WlzOutcome.MOGELIJK_WLZ,
        criteria=criteria,
        basis=BASIS,
        explanation=explanation,
    )
