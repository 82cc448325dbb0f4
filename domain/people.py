"""Vocabulary about the child and the referral: sex, perspective, referrer codes, age bands."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from domain.labels import LabelledEnum


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


def age_band(age: int) -> AgeBand:
    """The aggregate band an age falls in."""
    if age < 12:
        return AgeBand.TOT_12
    return AgeBand.VAN_12_TOT_18 if age < 18 else AgeBand.VANAF_18


# Jeugdhulp runs to 18, foster and gezinshuis care to 21, and continues to 23 only if it
# started before 18 (DOMAIN.md section 2). Ages above this are outside the Jeugdwet.
MAX_AGE = 23


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


_CAPABILITY_BIT = {cap: 1 << i for i, cap in enumerate(Capability)}


def capability_mask(capabilities: Iterable[Capability]) -> int:
    """Capabilities as a bit mask, one bit each in the enum's order: a subset test is one AND."""
    mask = 0
    for cap in capabilities:
        mask |= _CAPABILITY_BIT[cap]
    return mask


def sibling_capability(group_size: int) -> Capability | None:
    """The capability a unit needs to take a sibling group of this size together."""
    if group_size < 2:
        return None
    return {2: Capability.SIBLING_GROUP_2, 3: Capability.SIBLING_GROUP_3}.get(
        group_size, Capability.SIBLING_GROUP_4
    )
