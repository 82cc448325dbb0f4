"""Where a child went after a stay: the departure outcome recorded with every departure.

The categories follow the Flevoland crisis-desk follow-up figures (DOMAIN.md section 9), so
recorded departures can be compared with those seed figures.
"""

from __future__ import annotations

from domain.labels import LabelledEnum


class DepartureOutcome(LabelledEnum):
    """The situation a child moved on to when leaving a unit."""

    THUIS_ZONDER_HULP = "thuis_zonder_hulp", "naar huis zonder hulp"
    THUIS_MET_HULP = "thuis_met_hulp", "naar huis met hulp"
    NETWERKPLAATSING = "netwerkplaatsing", "netwerkplaatsing"
    PLEEGZORG = "pleegzorg", "pleegzorg"
    GROEP = "groep", "groep"
    GESLOTEN = "gesloten", "gesloten jeugdhulp"
    ZELFSTANDIGHEIDSTRAINING = "zelfstandigheidstraining", "training zelfstandigheid"
    BEGELEID_WONEN = "begeleid_wonen", "begeleid wonen"
    CRISISGROEP_UIT_PLEEGZORG = "crisisgroep_uit_pleegzorg", "crisisgroep vanuit pleegzorg"
    FASEHUIS = "fasehuis", "fasehuis"
    OVERIG = "overig", "overig"
