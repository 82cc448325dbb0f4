"""A readable Dutch rendering of an Advice, for `servicepunt advise --format text`.

Every rule text appears once: a text already shown with a part of the advice (an
exclusion, a prevention check, a risk factor...) is listed under the reasons by its id and
source only.
"""

from __future__ import annotations

from afwegingskader.models import Advice
from domain.care import CareForm


def _siblings_line(advice: Advice) -> str:
    siblings = advice.siblings
    if siblings.together is None:
        return "Broers en zussen: geen in de aanmelding."
    how = "samen plaatsen" if siblings.together else "apart plaatsen, dicht bij elkaar"
    rule = f" [{siblings.rule_id}]" if siblings.rule_id else ""
    return f"Broers en zussen: {how}{rule}. {siblings.reason}"


def _form_line(advice: Advice, form: CareForm, prefix: str, shown: set[str]) -> list[str]:
    lines = [f"{prefix}{form.label}"]
    for condition in advice.conditions:
        if condition.care_form is form:
            lines.append(f"      voorwaarde [{condition.rule_id}]: {condition.text}")
            shown.add(condition.text)
    return lines


def render_advice(advice: Advice) -> str:
    """The advice as plain Dutch text: first-best, alternatives, exclusions and reasons."""
    shown: set[str] = set()
    lines = [f"Advies afwegingskader ({advice.rule_set.name} {advice.rule_set.version})", ""]
    if advice.continuation:
        lines.append("Voortzetting van de huidige plaatsing: geen nieuwe plaatsing.")
    lines += _form_line(advice, advice.first_best, "Eerste keus: ", shown)
    if advice.family_setting_impossible is not None:
        why = advice.family_setting_impossible
        lines.append(f"Waarom geen gezinssetting [{why.rule_id}]: {why.text}")
        shown.add(why.text)
    if advice.second_opinion is not None:
        opinion = advice.second_opinion
        lines.append(f"Tweede gedragswetenschapper nodig [{opinion.rule_id}]: {opinion.reason}")
        shown.add(opinion.reason)
    if advice.alternatives:
        lines.append("Alternatieven, in volgorde:")
        for i, form in enumerate(advice.alternatives, start=1):
            lines += _form_line(advice, form, f"  {i}. ", shown)
    else:
        lines.append("Alternatieven: geen")
    if advice.warnings:
        lines.append("Let op, controleer de invoer:")
        lines += [f"  ! [{w.rule_id}] {w.text}" for w in advice.warnings]
    if advice.prevention:
        lines.append("Kan lichtere hulp het verblijf voorkomen? (24-uurszorg: nee, tenzij)")
        for check in advice.prevention:
            answer = "ja" if check.could_prevent else "nee"
            lines.append(f"  - {check.option.label}: {answer} [{check.rule_id}] {check.reason}")
            shown.add(check.reason)
    if advice.excluded:
        lines.append("Uitgesloten:")
        for e in advice.excluded:
            lines.append(f"  - {e.care_form.label} [{e.rule_id}]: {e.reason}")
            shown.add(e.reason)
    caps = ", ".join(cap.label for cap in advice.required_capabilities) or "geen bijzondere eisen"
    lines.append(f"De plek moet bieden: {caps}")
    lines.append(_siblings_line(advice))
    shown.add(advice.siblings.reason)
    risk = advice.breakdown_risk
    lines.append(f"Breakdownrisico gezinsplaatsing: {risk.level.label} (score {risk.score:g})")
    lines += [f"  - {factor}" for factor in risk.factors]
    shown.update(risk.factors)
    place = advice.location.municipality.label if advice.location.municipality else "geen voorkeur"
    lines.append(f"Plaats: {place}. {advice.location.reason}")
    shown.add(advice.location.reason)
    if advice.preferences:
        lines.append("Wensen voor de match (geen factor voor de zorgvorm):")
        lines += [f"  - {wish}" for wish in advice.preferences]
    lines.append("")
    lines.append("Redenen en bronnen:")
    seen: set[str] = set()
    for r in advice.reasons:
        if r.rule_id in seen:
            continue
        seen.add(r.rule_id)
        if r.text in shown:
            lines.append(f"  [{r.rule_id}] (zie hierboven) bron: {r.source}")
        else:
            lines.append(f"  [{r.rule_id}] {r.text} (bron: {r.source})")
    for w in advice.warnings:
        lines.append(f"  [{w.rule_id}] (waarschuwing) bron: {w.source}")
    return "\n".join(lines)
