"""A readable Dutch rendering of an Advice, for `servicepunt advise --format text`."""

from __future__ import annotations

from afwegingskader.models import Advice, RiskLevel

RISK_LABEL = {RiskLevel.LOW: "laag", RiskLevel.MEDIUM: "middel", RiskLevel.HIGH: "hoog"}


def _siblings_line(advice: Advice) -> str:
    together = advice.siblings.together
    if together is None:
        return "geen broers of zussen"
    return "samen plaatsen" if together else "apart plaatsen, dicht bij elkaar"


def render_advice(advice: Advice) -> str:
    """The advice as plain Dutch text: first-best, alternatives, exclusions and reasons."""
    lines = [
        f"Advies afwegingskader ({advice.rule_set.name} {advice.rule_set.version})",
        "",
        f"Eerste keus: {advice.first_best.label}",
    ]
    if advice.alternatives:
        lines.append("Alternatieven, in volgorde:")
        lines += [f"  {i}. {form.label}" for i, form in enumerate(advice.alternatives, start=1)]
    else:
        lines.append("Alternatieven: geen")
    if advice.excluded:
        lines.append("Uitgesloten:")
        lines += [f"  - {e.care_form.label} [{e.rule_id}]: {e.reason}" for e in advice.excluded]
    caps = ", ".join(cap.label for cap in advice.required_capabilities) or "geen bijzondere eisen"
    lines.append(f"De plek moet bieden: {caps}")
    rule = f" [{advice.siblings.rule_id}]" if advice.siblings.rule_id else ""
    lines.append(f"Broers en zussen: {_siblings_line(advice)}{rule}. {advice.siblings.reason}")
    risk = advice.breakdown_risk
    lines.append(
        f"Breakdownrisico gezinsplaatsing: {RISK_LABEL[risk.level]} (score {risk.score:g})"
    )
    lines += [f"  - {factor}" for factor in risk.factors]
    place = advice.location.municipality.label if advice.location.municipality else "geen voorkeur"
    lines.append(f"Plaats: {place}. {advice.location.reason}")
    lines.append("")
    lines.append("Redenen:")
    lines += [f"  [{r.rule_id}] {r.text} (bron: {r.source})" for r in advice.reasons]
    return "\n".join(lines)
