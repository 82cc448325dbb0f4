"""The vocabulary of the child: who it is, who referred it, what its profile says as the
afwegingskader weighs it, the Wlz and woonplaats findings, and where it went after a stay.

Each enum's value is what the database and the API carry. A LabelledEnum member also
carries the Dutch label that pages, texts and reports show, written next to the value. The
workflow's own codes (statuses, reasons, holds, roles) are in domain/vocabulary.py; the care
forms keep their own module (domain/care.py) with their categories.
"""

from __future__ import annotations

from enum import StrEnum

from domain.labels import LabelledEnum

# People, referrers and units


class Sex(StrEnum):
    """Sex as registered: m(an), v(rouw), x (other or unknown)."""

    M = "m"
    V = "v"
    X = "x"


class SexPolicy(StrEnum):
    """Which children a unit takes."""

    GEMENGD = "gemengd"
    JONGENS = "jongens"
    MEISJES = "meisjes"

    def admits(self, sex: Sex) -> bool:
        """True when a child of this sex may be placed under this policy."""
        if self is SexPolicy.GEMENGD:
            return True
        return sex is (Sex.M if self is SexPolicy.JONGENS else Sex.V)


class Perspective(LabelledEnum):
    """Toekomstperspectief: the end goal of all care for the child."""

    TERUG_NAAR_HUIS = "terug_naar_huis", "terug naar huis"
    ZELFSTANDIG_WONEN = "zelfstandig_wonen", "zelfstandig wonen"
    LANGDURIG_VERBLIJF = "langdurig_verblijf", "langdurig verblijf"


class VerwijzerType(LabelledEnum):
    """COD327 referrer codes."""

    GEMEENTE = "01", "gemeente (lokale toegang)"
    HUISARTS = "02", "huisarts"
    JEUGDARTS = "03", "jeugdarts"
    GECERTIFICEERDE_INSTELLING = "04", "gecertificeerde instelling"
    MEDISCH_SPECIALIST = "05", "medisch specialist"
    GEEN = "06", "geen verwijzer"
    RECHTER_OM = "08", "rechter of officier van justitie"


class AgeBand(StrEnum):
    """Age bands of the anonymous availability aggregate."""

    TOT_12 = "0-11"
    VAN_12_TOT_18 = "12-17"
    VANAF_18 = "18+"


class Capability(LabelledEnum):
    """What a place can offer; an advice requires some, a unit declares its own."""

    TRAUMA = "trauma", "traumasensitief / traumabehandeling"
    LVB = "lvb", "licht verstandelijke beperking (LVB)"
    CRISIS = "crisis", "crisisopvang"
    SIBLING_GROUP_2 = "sibling_group_2", "broers/zussen: groep van 2"
    SIBLING_GROUP_3 = "sibling_group_3", "broers/zussen: groep van 3"
    SIBLING_GROUP_4 = "sibling_group_4", "broers/zussen: groep van 4 of meer"
    GEDRAGSPROBLEMATIEK = "gedragsproblematiek", "ernstige gedragsproblematiek"
    PSYCHIATRIE = "psychiatrie", "psychiatrische problematiek"
    VERSLAVING = "verslaving", "verslavingsproblematiek"
    JONGE_KINDEREN = "jonge_kinderen", "jonge kinderen (0-4)"
    ZELFSTANDIGHEIDSTRAINING = "zelfstandigheidstraining", "training zelfstandig wonen"
    BEVEILIGD = "beveiligd", "beveiligd / gesloten"
    UITBUITING = "uitbuiting", "weglopen en (seksuele) uitbuiting: veiligheidsplan en expertise"


# Departures: the categories follow the Flevoland crisis-desk follow-up figures
# (DOMAIN.md section 9), so recorded departures can be compared with them.


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


# The afwegingskader's input and advice


class Severity(StrEnum):
    """Zwaarte of the problems."""

    LICHT = "licht"
    MATIG = "matig"
    ERNSTIG = "ernstig"


class Complexity(StrEnum):
    """Complexity of the problems."""

    ENKELVOUDIG = "enkelvoudig"
    MEERVOUDIG = "meervoudig"
    COMPLEX = "complex"


class Externalising(StrEnum):
    """Externalising (acting-out) behaviour at the start of the placement."""

    GEEN = "geen"
    LICHT = "licht"
    MATIG = "matig"
    ERNSTIG = "ernstig"


class TreatmentNeed(StrEnum):
    """How much treatment the child needs, and where it can be given (low to high)."""

    GEEN = "geen"
    # Treatment the child can get while living in a family (ambulant).
    AMBULANT = "ambulant"
    # Intensive treatment within a family setting: therapeutic foster care or a gezinshuis
    # with treatment.
    INTENSIEF_GEZIN = "intensief_gezin"
    # Only when the treatment needs a group setting: 24-hour specialist care or safety.
    RESIDENTIEEL = "residentieel"


class Suicidality(StrEnum):
    """Suicide risk as the referrer assesses it (low to high)."""

    GEEN = "geen"
    VERHOOGD = "verhoogd"
    ACUUT = "acuut"


class NetworkSafety(StrEnum):
    """Whether the child's own network (a network family) is safe for the child."""

    ONBEKEND = "onbekend"
    VEILIG = "veilig"
    ONVEILIG = "onveilig"


class ParentsView(StrEnum):
    """How the birth parents view the placement."""

    STEUNEND = "steunend"
    AMBIVALENT = "ambivalent"
    AFWIJZEND = "afwijzend"


class Contraindication(StrEnum):
    """Reasons not to place siblings together (Richtlijn Uithuisplaatsing)."""

    SPECIALIST_TREATMENT = "specialist_treatment"
    THREAT = "threat"
    HEAVY_CONFLICT = "heavy_conflict"
    SEXUAL_ABUSE = "sexual_abuse"


class RiskLevel(LabelledEnum):
    """Breakdown risk of a family placement."""

    LOW = "low", "laag"
    MEDIUM = "medium", "middel"
    HIGH = "high", "hoog"


class PreventionOption(LabelledEnum):
    """Help that could prevent a stay (24-uurszorg: nee, tenzij)."""

    AMBULANT_THUIS = "ambulant_thuis", "ambulante hulp thuis"
    DEELTIJD = "deeltijd", "deeltijdverblijf"
    GEZINSOPNAME = "gezinsopname", "gezinsopname"


# Wet langdurige zorg


class Finding(StrEnum):
    """What is known about one criterion."""

    JA = "ja"
    NEE = "nee"
    ONBEKEND = "onbekend"


class WlzGround(LabelledEnum):
    """Grondslagen for Wlz care: the kind of condition or disability."""

    SOMATISCH = "somatisch", "somatische aandoening of beperking"
    PSYCHOGERIATRISCH = "psychogeriatrisch", "psychogeriatrische aandoening"
    PSYCHIATRISCH = "psychiatrisch", "psychische stoornis"
    VERSTANDELIJK = "verstandelijk", "verstandelijke beperking"
    LICHAMELIJK = "lichamelijk", "lichamelijke beperking"
    ZINTUIGLIJK = "zintuiglijk", "zintuiglijke beperking"


class WlzCriterion(LabelledEnum):
    """The three criteria that must all hold."""

    GRONDSLAG = "grondslag", "aandoening of beperking"
    ZORGBEHOEFTE_24_UUR = (
        "zorgbehoefte_24_uur",
        "24 uur per dag zorg in de nabijheid of permanent toezicht",
    )
    BLIJVEND = "blijvend", "de zorgbehoefte is blijvend"


class WlzOutcome(LabelledEnum):
    """The flag: possible Wlz, no indication, or not enough known to tell."""

    MOGELIJK_WLZ = "mogelijk_wlz", "mogelijk Wlz; CIZ beslist"
    GEEN_AANWIJZING = "geen_aanwijzing", "geen aanwijzing voor Wlz"
    ONVOLDOENDE_GEGEVENS = (
        "onvoldoende_gegevens",
        "onvoldoende gegevens; nog uitzoeken (CIZ beslist)",
    )


# Woonplaatsbeginsel


class StayKind(LabelledEnum):
    """Where the child stays, in the sense of onderdeel 2° of the 2022 rule."""

    GEEN = "geen", "geen verblijf buiten huis"
    JEUGDHULPAANBIEDER = "jeugdhulpaanbieder", "een jeugdhulpaanbieder"
    PLEEGOUDER = "pleegouder", "een pleegouder"
    OPVANG_BESCHERMD_WONEN = (
        "opvang_beschermd_wonen",
        "een instelling voor opvang of beschermd wonen (Wmo 2015)",
    )
    JUSTITIELE_JEUGDINRICHTING = "justitiele_jeugdinrichting", "een justitiële jeugdinrichting"


class GezagKind(StrEnum):
    """Who holds parental authority (gezag), for the pre-2022 rule."""

    OUDERS = "ouders"
    VOOGD_PERSOON = "voogd_persoon"
    VOOGD_GI = "voogd_gi"


class WoonplaatsRule(LabelledEnum):
    """Which determination was applied."""

    VANAF_2022 = "vanaf_2022", "regel vanaf 1 januari 2022"
    VOOR_2022 = "voor_2022", "regel van vóór 2022 (gezagsdrager)"


class WoonplaatsStep(StrEnum):
    """The step of the determination that settled the municipality."""

    BRP_ADRES = "brp_adres"
    ADRES_VOOR_VERBLIJF = "adres_voor_verblijf"
    MOEDER_BIJ_GEBOORTE = "moeder_bij_geboorte"
    WERKELIJK_VERBLIJF = "werkelijk_verblijf"
    GEZAGSDRAGER = "gezagsdrager"
    HOOFDVERBLIJF = "hoofdverblijf"
