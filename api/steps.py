"""The Dutch name of a workflow step, read from the route that made a change (the audit
log's `via`): for the child's timeline and for notifications."""

from __future__ import annotations

# The step a change was, by the last part of its route (web page or API).
STEP_LABEL = {
    "nieuw": "aangemeld",
    "referrals": "aangemeld",
    "advies": "advies gevraagd",
    "advice": "advies gevraagd",
    "voorstellen": "plaatsingsvoorstellen gevraagd",
    "proposals": "plaatsingsvoorstellen gevraagd",
    "vasthouden": "plek vastgehouden",
    "hold": "plek vastgehouden",
    "besluit": "besluit vastgelegd",
    "decision": "besluit vastgelegd",
    "overbrugging": "overbruggingshulp gewijzigd",
    "bridging": "overbruggingshulp gewijzigd",
    "intrekken": "ingetrokken",
    "withdraw": "ingetrokken",
    "uitstroom": "uitgestroomd",
    "discharge": "uitgestroomd",
    "oordeel": "oordeel van een gedragswetenschapper",
    "judgement": "oordeel van een gedragswetenschapper",
    # Who reported it (the provider, or the servicepunt on its capacity page) the
    # timeline says beside the step.
    "vertrek": "vertrek gemeld",
    "departure": "vertrek gemeld",
    "capaciteit": "reservering beëindigd: de eenheid veranderde",
    "capacity-changes": "reservering beëindigd: de eenheid veranderde",
    "bewerken": "profiel bewerkt",
}
HOLD_ENDED = " (hold ended)"


def step_label(via: str) -> str:
    """The Dutch name of the step a route made ('POST .../besluit' -> 'besluit vastgelegd')."""
    if via.endswith(HOLD_ENDED):
        return "reservering verlopen of beëindigd"
    last = via.rstrip("/").rsplit("/", 1)[-1].strip()
    return STEP_LABEL.get(last, "gewijzigd")
