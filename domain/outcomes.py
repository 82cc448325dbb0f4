"""Where a child went after a stay: the departure outcome recorded with every departure.

The categories follow the Flevoland crisis-desk follow-up figures (DOMAIN.md section 9), so
recorded departures can be compared with those seed figures.
"""

from __future__ import annotations

from enum import StrEnum


class DepartureOutcome(StrEnum):
    """The situation a child moved on to when leaving a unit."""

    THUIS_ZONDER_HULP = "thuis_zonder_hulp"
    THUIS_MET_HULP = "thuis_met_hulp"
    NETWERKPLAATSING = "netwerkplaatsing"
    PLEEGZORG = "pleegzorg"
    GROEP = "groep"
    GESLOTEN = "gesloten"
    ZELFSTANDIGHEIDSTRAINING = "zelfstandigheidstraining"
    BEGELEID_WONEN = "begeleid_wonen"
    CRISISGROEP_UIT_PLEEGZORG = "crisisgroep_uit_pleegzorg"
    FASEHUIS = "fasehuis"
    OVERIG = "overig"

    @property
    def label(self) -> str:
        """Dutch label for pages and reports."""
        return OUTCOME_LABEL[self]


OUTCOME_LABEL: dict[DepartureOutcome, str] = {
    DepartureOutcome.THUIS_ZONDER_HULP: "naar huis zonder hulp",
    DepartureOutcome.THUIS_MET_HULP: "naar huis met hulp",
    DepartureOutcome.NETWERKPLAATSING: "netwerkplaatsing",
    DepartureOutcome.PLEEGZORG: "pleegzorg",
    DepartureOutcome.GROEP: "groep",
    DepartureOutcome.GESLOTEN: "gesloten jeugdhulp",
    DepartureOutcome.ZELFSTANDIGHEIDSTRAINING: "training zelfstandigheid",
    DepartureOutcome.BEGELEID_WONEN: "begeleid wonen",
    DepartureOutcome.CRISISGROEP_UIT_PLEEGZORG: "crisisgroep vanuit pleegzorg",
    DepartureOutcome.FASEHUIS: "fasehuis",
    DepartureOutcome.OVERIG: "overig",
}
