"""The Dutch label of every field a page form has, and messages rewritten to use them.

Validation messages come from the models and services, which name fields by their internal
names ("ligt na reference_date", "is groter dan earlier_placements"); a page error key
carries the form's id ("capaciteit-<unit>.places", "decision.reason_code"). A user reads
neither: `label_of` gives the label for a key, `humanise` puts labels into a message.
"""

from __future__ import annotations

import re

from domain.profile_vocabulary import Perspective

# By the field's last name part: the same name means the same thing on every form.
FIELD_LABELS: dict[str, str] = {
    "child_ref": "Pseudoniem van het kind",
    "bsn": "BSN",
    "verwijzer_type": "Type verwijzer",
    "crisis": "Crisisplaatsing",
    "crisis_placement_date": "Datum crisisplaatsing",
    "bridging_care": "Overbruggingshulp",
    "birth_date": "Geboortedatum",
    "age": "Leeftijd",
    "sex": "Geslacht",
    "capj": "CAP-J-codes",
    "severity": "Zwaarte van de problemen",
    "complexity": "Complexiteit",
    "externalising": "Externaliserend gedrag",
    "earlier_placements": "Eerdere plaatsingen",
    "earlier_breakdowns": "Waarvan afgebroken",
    "parents_view": "Houding van de ouders",
    "treatment_need": "Behandelbehoefte",
    "suicidality": "Suïciderisico",
    "network_safety": "Veiligheid van het netwerkgezin",
    "current_care_form": "Huidige zorgvorm",
    "perspective": "Toekomstperspectief",
    "home_municipality": "Gemeente van herkomst",
    "future_municipality": "Gemeente waar het kind gaat wonen",
    "case_start_date": "Start van de casus",
    "beschikking_date": "Datum beschikking",
    "reference_date": "vandaag",
    "start_agreements_date": "Datum startafspraken",
    "perspectiefplan_date": "Datum perspectiefplan",
    "stay": "Verblijf buiten huis",
    "brp_residence": "BRP-woonadres (gemeente)",
    "brp_residence_before_stay": "BRP-woonadres vóór het verblijf",
    "actual_stay": "Werkelijk verblijf",
    "mother_residence_at_birth": "Inschrijving van de moeder bij de geboorte",
    "gezag": "Gezag",
    "gezag_residences": "Woonplaats van de gezagsdrager(s)",
    "mainly_lived_in": "Gemeente waar het kind vooral woonde",
    "since": "Opgenomen op",
    "expected_end": "Verwachte einddatum",
    "left_on": "Vertrekdatum",
    "planned": "Einde van het verblijf",
    "outcome": "Uitkomst",
    "kind": "Wijziging",
    "effective_on": "Met ingang van",
    "places": "Aantal plaatsen",
    "placed_on": "Plaatsingsdatum",
    "reason_code": "Reden",
    "reason_text": "Toelichting",
    "transfer_text": "Toelichting bij overplaatsing",
    "unit_id": "Eenheid",
    "hours": "Duur van de reservering",
    "verdict": "Oordeel",
    "chosen_form": "Gekozen zorgvorm",
    "chosen_alternatives": "Alternatieven",
    "chosen_first_best": "First-best zorgvorm",
    "scenario": "Scenario",
    "compare_with": "Vergelijken met",
    "replications": "Replicaties",
    "status": "Status",
}
# Codes a message may name, read as the words the forms show.
CODE_LABELS: dict[str, str] = {p.value: p.value.replace("_", " ") for p in Perspective}
# Internal names in a message: snake_case names, and the one-word English names that are
# no Dutch word ("kind" and "status" are, so they stay).
_ENGLISH = ("age", "sex", "capj", "severity", "complexity", "externalising", "perspective",
            "suicidality", "verdict", "hours", "places", "outcome")  # fmt: skip
_NAME = re.compile(r"\b(?:[a-z][a-z0-9]*(?:_[a-z0-9]+)+|" + "|".join(_ENGLISH) + r")\b")
_INDEX = re.compile(r"(\[\d+\]|\.\d+)$")


def label_of(key: str, labels: dict[str, str] | None = None) -> str:
    """The Dutch label of a page error key ('decision.reason_code' -> 'Reden')."""
    if labels and key in labels:
        return labels[key]
    last = _INDEX.sub("", key).rsplit(".", 1)[-1]
    return FIELD_LABELS.get(last, "dit veld")


def humanise(message: str) -> str:
    """The message with internal field names replaced by their quoted Dutch labels."""

    def swap(match: re.Match[str]) -> str:
        name = match.group(0)
        if name in CODE_LABELS:
            return f"‘{CODE_LABELS[name]}’"
        label = FIELD_LABELS.get(name)
        return f"‘{label}’" if label is not None else name

    return _NAME.sub(swap, message)
