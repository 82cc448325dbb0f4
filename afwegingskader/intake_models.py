"""Input (IntakeCase) and output (IntakeResult) of the case intake rules.

Validation errors are phrased "field: message" so domain.validation names the field; they
never repeat the submitted values (the data are about children).
"""

from __future__ import annotations

from datetime import date
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from afwegingskader.deadlines import Deadline
from afwegingskader.regisseur import RegisseurResult
from afwegingskader.wlz import WlzFlag, WlzInput
from afwegingskader.woonplaats_models import WoonplaatsInput, WoonplaatsResult
from domain.fields import PlausibleDate, WholeNumber
from domain.people import MAX_AGE
from domain.places import Municipality
from domain.profile_vocabulary import Perspective

# The Jeugdwet (and with it the woonplaatsbeginsel) took effect on 1 January 2015; an
# earlier start date is a typing error or a case that must be entered with its start
# under the Jeugdwet.
JEUGDWET_START = date(2015, 1, 1)
MAX_SIBLINGS = 20
# Deadlines are computed from these dates; a date this far ahead is a typing error, and
# near date.max the date arithmetic itself would overflow.
LATEST_DATE = date(2100, 12, 31)
_DATE_FIELDS = (
    "case_start_date",
    "beschikking_date",
    "crisis_placement_date",
    "reference_date",
    "birth_date",
    "help_started_date",
    "start_agreements_date",
    "perspectiefplan_date",
)

_HOME_PERSPECTIVES = (Perspective.TERUG_NAAR_HUIS, Perspective.ZELFSTANDIG_WONEN)


def _years_between(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


class IntakeCase(BaseModel):
    """The facts of one case that the intake rules need. Give birth_date or age."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    case_start_date: PlausibleDate = Field(
        description="start van de casus; bepaalt welke woonplaatsregel"
    )
    beschikking_date: PlausibleDate | None = Field(
        default=None, description="datum van de beschikking"
    )
    crisis: bool = False
    crisis_placement_date: PlausibleDate | None = None
    reference_date: PlausibleDate | None = Field(
        default=None, description="peildatum: voor de leeftijd en of termijnen verlopen zijn"
    )
    birth_date: PlausibleDate | None = None
    age: WholeNumber | None = Field(default=None, ge=0, le=MAX_AGE, description="leeftijd in jaren")
    perspective: Perspective | None = None
    future_municipality: Municipality | None = Field(
        default=None, description="gemeente waar het kind gaat wonen"
    )
    child_protection_measure: bool = Field(
        default=False, description="er is een jeugdbeschermingsmaatregel (gedwongen kader)"
    )
    siblings: WholeNumber = Field(
        default=0, ge=0, le=MAX_SIBLINGS, description="broers/zussen in de hulp"
    )
    woonplaats: WoonplaatsInput
    wlz: WlzInput = WlzInput()
    help_started_date: PlausibleDate | None = Field(
        default=None, description="hulp of plaatsing daadwerkelijk gestart"
    )
    start_agreements_date: PlausibleDate | None = None
    perspectiefplan_date: PlausibleDate | None = None

    @property
    def assessment_date(self) -> date:
        """The date ages are computed on: the peildatum, else the latest event of the case."""
        if self.reference_date is not None:
            return self.reference_date
        events = [self.case_start_date, self.beschikking_date, self.crisis_placement_date]
        return max(d for d in events if d is not None)

    @property
    def child_age(self) -> int:
        """Age in whole years on the assessment date."""
        if self.birth_date is not None:
            return _years_between(self.birth_date, self.assessment_date)
        assert self.age is not None, "validated: birth_date or age is present"
        return self.age

    @model_validator(mode="after")
    def _crisis_fields(self) -> Self:
        if self.crisis and self.crisis_placement_date is None:
            raise ValueError("crisis_placement_date: verplicht bij een crisisplaatsing")
        if not self.crisis:
            for name in ("crisis_placement_date", "start_agreements_date", "perspectiefplan_date"):
                if getattr(self, name) is not None:
                    raise ValueError(f"{name}: alleen invullen bij een crisisplaatsing (crisis)")
        if self.help_started_date is not None and self.beschikking_date is None:
            raise ValueError("help_started_date: alleen invullen als er een beschikking is")
        if self.perspective in _HOME_PERSPECTIVES and self.future_municipality is None:
            raise ValueError(
                "future_municipality: verplicht bij perspectief terug_naar_huis of "
                "zelfstandig_wonen (de gemeente waar het kind gaat wonen)"
            )
        return self

    @model_validator(mode="after")
    def _dates_in_order(self) -> Self:
        for name in _DATE_FIELDS:
            value: date | None = getattr(self, name)
            if value is not None and value > LATEST_DATE:
                raise ValueError(f"{name}: ligt te ver in de toekomst")
        if self.case_start_date < JEUGDWET_START:
            raise ValueError(
                "case_start_date: ligt vóór de Jeugdwet (1 januari 2015); gebruik de start "
                "onder de Jeugdwet"
            )
        after_start = (
            "beschikking_date",
            "crisis_placement_date",
            "help_started_date",
            "start_agreements_date",
            "perspectiefplan_date",
        )
        for name in after_start:
            value = getattr(self, name)
            if value is not None and value < self.case_start_date:
                raise ValueError(f"{name}: ligt vóór case_start_date")
        if self.crisis_placement_date is not None:
            for name in ("start_agreements_date", "perspectiefplan_date"):
                value = getattr(self, name)
                if value is not None and value < self.crisis_placement_date:
                    raise ValueError(f"{name}: ligt vóór crisis_placement_date")
        if self.reference_date is not None:
            for name in ("case_start_date", *after_start, "birth_date"):
                value = getattr(self, name)
                if value is not None and value > self.reference_date:
                    raise ValueError(f"{name}: ligt na reference_date (de peildatum)")
        return self

    @model_validator(mode="after")
    def _age(self) -> Self:
        if self.birth_date is None and self.age is None:
            raise ValueError("birth_date: birth_date of age is verplicht")
        if self.birth_date is not None:
            if self.birth_date > self.case_start_date:
                raise ValueError("birth_date: ligt na case_start_date")
            derived = _years_between(self.birth_date, self.assessment_date)
            if self.age is not None and self.age != derived:
                raise ValueError("age: past niet bij birth_date")
            if derived > MAX_AGE:
                raise ValueError(
                    f"birth_date: het kind is ouder dan {MAX_AGE} (buiten de Jeugdwet)"
                )
        return self


class IntakeResult(BaseModel):
    """Responsible municipality, Wlz flag, perspectiefregisseur and deadlines of a case."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    case_start_date: date
    crisis: bool
    age: int
    reference_date: date | None
    municipality: WoonplaatsResult
    wlz: WlzFlag
    regisseur: RegisseurResult
    deadlines: tuple[Deadline, ...]
    working_days: str
    notes: tuple[str, ...]
