"""The `then` block of a rule: the actions a rule takes, parsed and validated.

Within one rule the actions apply in the order of the fields of Actions: exclude, order,
first, promote, demote, require, siblings, risk, location. `first` is kept until every rule
has fired and then applied by the rule's priority (lowest first, so the highest priority ends
on top). The other actions (warn, prevention, second_opinion, age_exception, continuation)
only add to the advice's notes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from afwegingskader.conditions import Where
from domain.care import CareForm
from domain.profile_vocabulary import Capability

ACTION_KEYS = (
    "exclude",
    "order",
    "first",
    "promote",
    "demote",
    "require",
    "siblings",
    "risk",
    "location",
    "conditions",
    "warn",
    "prevention",
    "second_opinion",
    "age_exception",
    "continuation",
)
# `require: sibling_group` asks for the capability that fits the whole sibling group; the
# engine resolves it only when the siblings are placed together.
SIBLING_GROUP = "sibling_group"
SIBLING_CHOICES = {"samen": True, "apart": False}
LOCATIONS = ("home_municipality", "responsible_municipality", "none")
PREVENTION_KEYS = ("ambulant_thuis", "deeltijd", "gezinsopname")
# Whole-number facts a risk weight may scale with (`risk: {weight, per, from, to}`).
SCALED_FACTS = ("age", "earlier_placements", "earlier_breakdowns")


@dataclass(frozen=True, slots=True)
class Actions:
    """What a rule does when it fires; applied in the order of the fields."""

    exclude: tuple[CareForm, ...] = ()
    order: tuple[CareForm, ...] | None = None
    first: CareForm | None = None
    promote: tuple[tuple[CareForm, CareForm], ...] = ()  # (form, directly above this form)
    demote: tuple[tuple[CareForm, CareForm], ...] = ()  # (form, directly below this form)
    require: tuple[Capability, ...] = ()
    require_sibling_group: bool = False
    siblings_together: bool | None = None
    risk_weight: float | None = None
    risk_factor: str = ""
    # A weight per unit of a fact: weight * (clamp(fact, from, to) - from).
    risk_per: str | None = None
    risk_from: int = 0
    risk_to: int = 0
    location: str | None = None
    conditions: tuple[CareForm, ...] = ()
    warn: bool = False
    prevention: tuple[tuple[str, bool], ...] = ()
    second_opinion: bool = False
    age_exception: bool = False
    continuation: bool = False

    def risk_points(self, facts: dict[str, Any]) -> float:
        """The points this rule adds to the breakdown score for these facts."""
        weight = self.risk_weight or 0.0
        if self.risk_per is None:
            return weight
        value = min(max(facts[self.risk_per], self.risk_from), self.risk_to)
        return float(weight * (value - self.risk_from))


def _form(raw: Any, where: Where, path: str) -> CareForm:
    try:
        return CareForm(raw)
    except ValueError:
        known = ", ".join(CareForm)
        raise where.error(path, f"onbekende zorgvorm {raw!r}; kies uit: {known}") from None


def _forms(raw: Any, where: Where, path: str, *, allow_single: bool = True) -> tuple[CareForm, ...]:
    if allow_single and not isinstance(raw, list):
        return (_form(raw, where, path),)
    if not isinstance(raw, list) or not raw:
        raise where.error(path, "verwacht een niet-lege lijst van zorgvormen")
    forms = tuple(_form(item, where, f"{path}[{i}]") for i, item in enumerate(raw))
    if len(set(forms)) != len(forms):
        raise where.error(path, "een zorgvorm staat dubbel in de lijst")
    return forms


def _moves(raw: Any, where: Where, path: str, anchor: str) -> tuple[tuple[CareForm, CareForm], ...]:
    items = raw if isinstance(raw, list) else [raw]
    moves = []
    for i, item in enumerate(items):
        sub = f"{path}[{i}]" if isinstance(raw, list) else path
        if not isinstance(item, dict) or set(item) != {"form", anchor}:
            raise where.error(sub, f"verwacht {{form: <zorgvorm>, {anchor}: <zorgvorm>}}")
        form = _form(item["form"], where, f"{sub}.form")
        other = _form(item[anchor], where, f"{sub}.{anchor}")
        if form is other:
            raise where.error(sub, "form en " + anchor + " zijn dezelfde zorgvorm")
        moves.append((form, other))
    return tuple(moves)


def _require(raw: Any, where: Where, path: str) -> tuple[tuple[Capability, ...], bool]:
    items = raw if isinstance(raw, list) else [raw]
    caps: list[Capability] = []
    group = False
    for i, item in enumerate(items):
        if item == SIBLING_GROUP:
            group = True
            continue
        try:
            caps.append(Capability(item))
        except ValueError:
            known = ", ".join([*Capability, SIBLING_GROUP])
            sub = f"{path}[{i}]" if isinstance(raw, list) else path
            raise where.error(sub, f"onbekende capability {item!r}; kies uit: {known}") from None
    return tuple(caps), group


def _risk(raw: Any, where: Where, default_factor: str) -> dict[str, Any]:
    out: dict[str, Any] = {"risk_factor": default_factor}
    weight = raw
    if isinstance(raw, dict):
        unknown = set(raw) - {"weight", "factor", "per", "from", "to"}
        if unknown or "weight" not in raw:
            raise where.error(
                "then.risk",
                "verwacht een getal of {weight: <getal>, factor: <tekst>, per: <feit>, "
                "from: <getal>, to: <getal>}",
            )
        weight = raw["weight"]
        if "factor" in raw:
            if not isinstance(raw["factor"], str) or not raw["factor"].strip():
                raise where.error("then.risk.factor", "verwacht een niet-lege tekst")
            out["risk_factor"] = " ".join(raw["factor"].split())
        if "per" in raw:
            if raw["per"] not in SCALED_FACTS:
                raise where.error("then.risk.per", f"kies uit {', '.join(SCALED_FACTS)}")
            low, high = raw.get("from"), raw.get("to")
            if not (_whole(low) and _whole(high)):
                raise where.error("then.risk", "per vraagt gehele getallen from en to")
            assert isinstance(low, int) and isinstance(high, int)
            if not low < high:
                raise where.error("then.risk", "verwacht from < to")
            out |= {"risk_per": raw["per"], "risk_from": low, "risk_to": high}
        elif "from" in raw or "to" in raw:
            raise where.error("then.risk", "from en to horen bij per")
    if isinstance(weight, bool) or not isinstance(weight, int | float):
        raise where.error("then.risk", f"gewicht moet een getal zijn, niet {weight!r}")
    out["risk_weight"] = float(weight)
    return out


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _flag(raw: dict[str, Any], key: str, where: Where) -> bool:
    if not isinstance(raw[key], bool):
        raise where.error(f"then.{key}", f"verwacht true of false, niet {raw[key]!r}")
    return bool(raw[key])


def _prevention(raw: Any, where: Where) -> tuple[tuple[str, bool], ...]:
    if not isinstance(raw, dict) or not raw:
        raise where.error("then.prevention", f"verwacht {{{': ja|nee, '.join(PREVENTION_KEYS)}}}")
    out = []
    for key, value in raw.items():
        if key not in PREVENTION_KEYS:
            raise where.error(f"then.prevention.{key}", f"kies uit {', '.join(PREVENTION_KEYS)}")
        if not isinstance(value, bool):
            raise where.error(f"then.prevention.{key}", "verwacht true of false")
        out.append((str(key), value))
    return tuple(out)


def parse_actions(raw: Any, where: Where, text: str) -> Actions:
    """Validate a `then` block; the risk factor text defaults to the rule text."""
    if not isinstance(raw, dict):
        raise where.error("then", "verwacht een mapping van acties (mag leeg zijn: {})")
    unknown = [key for key in raw if key not in ACTION_KEYS]
    if unknown:
        raise where.error(
            f"then.{unknown[0]}", f"onbekende actie; kies uit: {', '.join(ACTION_KEYS)}"
        )
    kwargs: dict[str, Any] = {}
    if "exclude" in raw:
        kwargs["exclude"] = _forms(raw["exclude"], where, "then.exclude")
    if "order" in raw:
        kwargs["order"] = _forms(raw["order"], where, "then.order", allow_single=False)
    if "first" in raw:
        kwargs["first"] = _form(raw["first"], where, "then.first")
    if "promote" in raw:
        kwargs["promote"] = _moves(raw["promote"], where, "then.promote", "above")
    if "demote" in raw:
        kwargs["demote"] = _moves(raw["demote"], where, "then.demote", "below")
    if "require" in raw:
        kwargs["require"], kwargs["require_sibling_group"] = _require(
            raw["require"], where, "then.require"
        )
    if "siblings" in raw:
        if raw["siblings"] not in SIBLING_CHOICES:
            raise where.error("then.siblings", f"kies samen of apart, niet {raw['siblings']!r}")
        kwargs["siblings_together"] = SIBLING_CHOICES[raw["siblings"]]
    if "risk" in raw:
        kwargs |= _risk(raw["risk"], where, text)
    if "location" in raw:
        if raw["location"] not in LOCATIONS:
            raise where.error(
                "then.location", f"kies uit {', '.join(LOCATIONS)}, niet {raw['location']!r}"
            )
        kwargs["location"] = raw["location"]
    if "conditions" in raw:
        kwargs["conditions"] = _forms(raw["conditions"], where, "then.conditions")
    for key in ("warn", "second_opinion", "age_exception", "continuation"):
        if key in raw:
            kwargs[key] = _flag(raw, key, where)
    if "prevention" in raw:
        kwargs["prevention"] = _prevention(raw["prevention"], where)
    if kwargs.get("warn") and len(kwargs) > 1:
        raise where.error(
            "then.warn", "een waarschuwing doet verder niets; zet andere acties in een eigen regel"
        )
    return Actions(**kwargs)
