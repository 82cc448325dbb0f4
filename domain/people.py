"""Vocabulary about the child and the referral: sex, perspective, referrer codes, age bands."""

from __future__ import annotations

from collections.abc import Iterable

from domain.profile_vocabulary import AgeBand, Capability


def age_band(age: int) -> AgeBand:
    """The aggregate band an age falls in."""
    if age < 12:
        return AgeBand.TOT_12
    return AgeBand.VAN_12_TOT_18 if age < 18 else AgeBand.VANAF_18


# Jeugdhulp runs to 18, foster and gezinshuis care to 21, and continues to 23 only if it
# started before 18 (DOMAIN.md section 2). Ages above this are outside the Jeugdwet.
MAX_AGE = 23


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
