"""Vocabulary about the child and the referral: sex, perspective, referrer codes, age bands."""

from __future__ import annotations

from enum import StrEnum


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


class Perspective(StrEnum):
    """Toekomstperspectief: the end goal of all care for the child."""

    TERUG_NAAR_HUIS = "terug_naar_huis"
    ZELFSTANDIG_WONEN = "zelfstandig_wonen"
    LANGDURIG_VERBLIJF = "langdurig_verblijf"


class VerwijzerType(StrEnum):
    """COD327 referrer codes."""

    GEMEENTE = "01"
    HUISARTS = "02"
    JEUGDARTS = "03"
    GECERTIFICEERDE_INSTELLING = "04"
    MEDISCH_SPECIALIST = "05"
    GEEN = "06"
    RECHTER_OM = "08"

    @property
    def label(self) -> str:
        """Dutch label."""
        return VERWIJZER_LABEL[self]


VERWIJZER_LABEL: dict[VerwijzerType, str] = {
    VerwijzerType.GEMEENTE: "gemeente (lokale toegang)",
    VerwijzerType.HUISARTS: "huisarts",
    VerwijzerType.JEUGDARTS: "jeugdarts",
    VerwijzerType.GECERTIFICEERDE_INSTELLING: "gecertificeerde instelling",
    VerwijzerType.MEDISCH_SPECIALIST: "medisch specialist",
    VerwijzerType.GEEN: "geen verwijzer",
    VerwijzerType.RECHTER_OM: "rechter of officier van justitie",
}


class AgeBand(StrEnum):
    """Age bands of the anonymous availability aggregate."""

    TOT_12 = "0-11"
    VAN_12_TOT_18 = "12-17"
    VANAF_18 = "18+"


def age_band(age: int) -> AgeBand:
    """The aggregate band an age falls in."""
    if age < 12:
        return AgeBand.TOT_12
    return AgeBand.VAN_12_TOT_18 if age < 18 else AgeBand.VANAF_18


# Jeugdhulp runs to 18, foster and gezinshuis care to 21, and continues to 23 only if it
# started before 18 (DOMAIN.md section 2). Ages above this are outside the Jeugdwet.
MAX_AGE = 23


class Capability(StrEnum):
    """What a place can offer; an advice requires some, a unit declares its own."""

    TRAUMA = "trauma"
    LVB = "lvb"
    CRISIS = "crisis"
    SIBLING_GROUP_2 = "sibling_group_2"
    SIBLING_GROUP_3 = "sibling_group_3"
    SIBLING_GROUP_4 = "sibling_group_4"
    GEDRAGSPROBLEMATIEK = "gedragsproblematiek"
    PSYCHIATRIE = "psychiatrie"
    VERSLAVING = "verslaving"
    JONGE_KINDEREN = "jonge_kinderen"
    ZELFSTANDIGHEIDSTRAINING = "zelfstandigheidstraining"
    BEVEILIGD = "beveiligd"
    UITBUITING = "uitbuiting"

    @property
    def label(self) -> str:
        """Dutch label."""
        return CAPABILITY_LABEL[self]


CAPABILITY_LABEL: dict[Capability, str] = {
    Capability.TRAUMA: "traumasensitief / traumabehandeling",
    Capability.LVB: "licht verstandelijke beperking (LVB)",
    Capability.CRISIS: "crisisopvang",
    Capability.SIBLING_GROUP_2: "broers/zussen: groep van 2",
    Capability.SIBLING_GROUP_3: "broers/zussen: groep van 3",
    Capability.SIBLING_GROUP_4: "broers/zussen: groep van 4 of meer",
    Capability.GEDRAGSPROBLEMATIEK: "ernstige gedragsproblematiek",
    Capability.PSYCHIATRIE: "psychiatrische problematiek",
    Capability.VERSLAVING: "verslavingsproblematiek",
    Capability.JONGE_KINDEREN: "jonge kinderen (0-4)",
    Capability.ZELFSTANDIGHEIDSTRAINING: "training zelfstandig wonen",
    Capability.BEVEILIGD: "beveiligd / gesloten",
    Capability.UITBUITING: "weglopen en (seksuele) uitbuiting: veiligheidsplan en expertise",
}


def sibling_capability(group_size: int) -> Capability | None:
    """The capability a unit needs to take a sibling group of this size together."""
    if group_size < 2:
        return None
    return {2: Capability.SIBLING_GROUP_2, 3: Capability.SIBLING_GROUP_3}.get(
        group_size, Capability.SIBLING_GROUP_4
    )
