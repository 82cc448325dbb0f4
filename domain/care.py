"""Care forms (hulpvormen), their main categories, codes and order of home-likeness."""

from __future__ import annotations

from enum import StrEnum


class CareCategory(StrEnum):
    """The main care categories the afwegingskader weighs between."""

    PLEEGZORG = "pleegzorg"
    GEZINSHUIS = "gezinshuis"
    BEHANDELGROEP = "behandelgroep"
    # Stays aimed at independent living for older youth (kamertraining, begeleid wonen).
    ZELFSTANDIGHEID = "zelfstandigheid"
    GESLOTEN = "gesloten"


class CareForm(StrEnum):
    """A concrete care form a unit offers and an advice names."""

    PLEEGZORG_NETWERK = "pleegzorg_netwerk"
    PLEEGZORG_BESTAND = "pleegzorg_bestand"
    PLEEGZORG_DEELTIJD = "pleegzorg_deeltijd"
    PLEEGZORG_CRISIS = "pleegzorg_crisis"
    GEZINSHUIS = "gezinshuis"
    BEHANDELGROEP = "behandelgroep"
    CRISISGROEP_12MIN = "crisisgroep_12min"
    CRISISGROEP_12PLUS = "crisisgroep_12plus"
    KAMERTRAINING = "kamertraining"
    BEGELEID_WONEN = "begeleid_wonen"
    GESLOTEN = "gesloten"

    @property
    def category(self) -> CareCategory:
        """The main category this form belongs to."""
        return CATEGORY[self]

    @property
    def label(self) -> str:
        """Dutch label for pages and reports."""
        return LABEL[self]

    @property
    def is_crisis(self) -> bool:
        """True for the crisis forms (crisis foster care and the crisis groups)."""
        return self in CRISIS_FORMS


CATEGORY: dict[CareForm, CareCategory] = {
    CareForm.PLEEGZORG_NETWERK: CareCategory.PLEEGZORG,
    CareForm.PLEEGZORG_BESTAND: CareCategory.PLEEGZORG,
    CareForm.PLEEGZORG_DEELTIJD: CareCategory.PLEEGZORG,
    CareForm.PLEEGZORG_CRISIS: CareCategory.PLEEGZORG,
    CareForm.GEZINSHUIS: CareCategory.GEZINSHUIS,
    CareForm.BEHANDELGROEP: CareCategory.BEHANDELGROEP,
    CareForm.CRISISGROEP_12MIN: CareCategory.BEHANDELGROEP,
    CareForm.CRISISGROEP_12PLUS: CareCategory.BEHANDELGROEP,
    CareForm.KAMERTRAINING: CareCategory.ZELFSTANDIGHEID,
    CareForm.BEGELEID_WONEN: CareCategory.ZELFSTANDIGHEID,
    CareForm.GESLOTEN: CareCategory.GESLOTEN,
}

LABEL: dict[CareForm, str] = {
    CareForm.PLEEGZORG_NETWERK: "netwerkpleegzorg",
    CareForm.PLEEGZORG_BESTAND: "bestandspleegzorg",
    CareForm.PLEEGZORG_DEELTIJD: "deeltijdpleegzorg",
    CareForm.PLEEGZORG_CRISIS: "crisispleegzorg",
    CareForm.GEZINSHUIS: "gezinshuis",
    CareForm.BEHANDELGROEP: "residentiële behandelgroep",
    CareForm.CRISISGROEP_12MIN: "crisisgroep 12-",
    CareForm.CRISISGROEP_12PLUS: "crisisgroep 12+",
    CareForm.KAMERTRAINING: "kamertraining (training zelfstandig wonen)",
    CareForm.BEGELEID_WONEN: "begeleid wonen / fasehuis",
    CareForm.GESLOTEN: "gesloten jeugdhulp (JeugdzorgPlus)",
}

CRISIS_FORMS = frozenset(
    {CareForm.PLEEGZORG_CRISIS, CareForm.CRISISGROEP_12MIN, CareForm.CRISISGROEP_12PLUS}
)

# Richtlijn Uithuisplaatsing: as home-like as possible. Lower is more home-like.
HOMELIKENESS: dict[CareCategory, int] = {
    CareCategory.PLEEGZORG: 0,
    CareCategory.GEZINSHUIS: 1,
    CareCategory.ZELFSTANDIGHEID: 2,
    CareCategory.BEHANDELGROEP: 3,
    CareCategory.GESLOTEN: 4,
}

# CBS Beleidsinformatie Jeugd, hulpvorm codes (DOMAIN.md section 8).
CBS_HULPVORM: dict[CareCategory, str] = {
    CareCategory.PLEEGZORG: "11",
    CareCategory.GEZINSHUIS: "12",
    CareCategory.GESLOTEN: "13",
    CareCategory.BEHANDELGROEP: "14",
    CareCategory.ZELFSTANDIGHEID: "14",
}

# iJw JZ020 product categories: 43 verblijf incl. behandeling, 44 excl. behandeling, 46 crisis.
IJW_PRODUCT_CATEGORY: dict[CareForm, str] = {
    CareForm.PLEEGZORG_NETWERK: "44",
    CareForm.PLEEGZORG_BESTAND: "44",
    CareForm.PLEEGZORG_DEELTIJD: "44",
    CareForm.PLEEGZORG_CRISIS: "46",
    CareForm.GEZINSHUIS: "44",
    CareForm.BEHANDELGROEP: "43",
    CareForm.CRISISGROEP_12MIN: "46",
    CareForm.CRISISGROEP_12PLUS: "46",
    CareForm.KAMERTRAINING: "44",
    CareForm.BEGELEID_WONEN: "44",
    CareForm.GESLOTEN: "43",
}


# Residential (non-crisis) forms: a group setting, not a family. The afwegingskader's age
# threshold for residential first-best applies to these.
RESIDENTIAL_FORMS = frozenset({CareForm.BEHANDELGROEP, CareForm.GESLOTEN})


def forms_of(category: CareCategory) -> tuple[CareForm, ...]:
    """All care forms in one category, in declaration order."""
    return tuple(form for form in CareForm if CATEGORY[form] is category)
