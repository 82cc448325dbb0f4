"""Woonplaatsbeginsel: which municipality is responsible for a child's jeugdhulp.

Two determinations, chosen by the date the case started (DOMAIN.md section 6):

- from 1 January 2022, Jeugdwet art. 1.1 'woonplaats' as amended by the Wet wijziging
  woonplaatsbeginsel (Stb. 2020, 78): the child's own BRP address, or the BRP address
  immediately before a stay with a provider, foster parent, shelter or custodial
  institution; failing that the mother's municipality at the child's birth; failing that
  the place of actual stay;
- before 2022, the residence of the holder(s) of parental authority (gezag), with the
  place of actual stay for guardianship by a gecertificeerde instelling (gezag door derden)
  and for an unknown or foreign residence.

A step is only skipped when its input is explicitly 'onbekend' (or abroad): a field that
was simply left out stops the determination with an error naming it, so that a forgotten
field can never silently shift the responsibility to another municipality.
"""

from __future__ import annotations

from datetime import date
from typing import TypeVar

from afwegingskader.woonplaats_models import Residence, WoonplaatsInput, WoonplaatsResult
from afwegingskader.workdays import format_date_nl
from domain.errors import InvalidInput
from domain.places import Municipality, region
from domain.profile_vocabulary import GezagKind, StayKind, WoonplaatsRule, WoonplaatsStep

T = TypeVar("T")

NEW_RULE_START = date(2022, 1, 1)

BASIS_2022 = "Jeugdwet art. 1.1 'woonplaats', zoals gewijzigd per 1 januari 2022 (Stb. 2020, 78)"
BASIS_PRE_2022 = "Jeugdwet art. 1.1 'woonplaats', tekst tot 1 januari 2022"


def _needed(value: T | None, field: str, text: str) -> T:
    """The fact a step needs; InvalidInput naming its field when it was not given."""
    if value is None:
        raise InvalidInput(text, field=field)
    return value


def _required(value: Residence | None, name: str, prefix: str, why: str) -> Residence:
    return _needed(
        value, f"{prefix}.{name}", f"nodig {why}; vul een gemeente, 'buitenland' of 'onbekend' in"
    )


def _name(municipality: Municipality) -> str:
    if municipality == Municipality.BUITEN_REGIO:
        return f"een gemeente buiten de regio {region().name}"
    return municipality.label


def _located(residence: Residence) -> str:
    """Dutch predicate for where a residence is: 'ligt in Almere', 'is niet bekend'."""
    if residence == Residence.ONBEKEND:
        return "is niet bekend"
    if residence == Residence.BUITENLAND:
        return "ligt in het buitenland"
    return f"ligt in {_name(Municipality(residence.value))}"


def _result(
    residence: Residence,
    rule: WoonplaatsRule,
    step: WoonplaatsStep,
    basis: str,
    trace: list[str],
) -> WoonplaatsResult:
    municipality = residence.municipality
    assert municipality is not None, "callers pass a Dutch municipality"
    if municipality.in_region:
        trace.append(f"Verantwoordelijke gemeente: {municipality.label}.")
    elif municipality == Municipality.BUITEN_REGIO:
        trace.append(
            f"De verantwoordelijke gemeente ligt buiten de regio {region().name}: "
            "stem de jeugdhulp af met die gemeente."
        )
    else:
        trace.append(
            f"Verantwoordelijke gemeente: {municipality.place_label}. Die ligt buiten de "
            f"regio {region().name}: stem de jeugdhulp af met die gemeente."
        )
    return WoonplaatsResult(
        municipality=municipality,
        in_region=municipality.in_region,
        rule=rule,
        step=step,
        basis=basis,
        explanation=tuple(trace),
    )


def _actual_stay(
    data: WoonplaatsInput, rule: WoonplaatsRule, basis: str, prefix: str, trace: list[str]
) -> WoonplaatsResult:
    residence = _required(
        data.actual_stay, "actual_stay", prefix, "omdat eerdere stappen niets opleverden"
    )
    if residence.municipality is None:
        raise InvalidInput(
            "de woonplaats is niet vast te stellen: het werkelijk verblijf moet een "
            "Nederlandse gemeente zijn",
            field=f"{prefix}.actual_stay",
        )
    trace.append(f"De plaats van werkelijk verblijf bij de hulpvraag {_located(residence)}.")
    return _result(residence, rule, WoonplaatsStep.WERKELIJK_VERBLIJF, basis, trace)


def _rule_2022(data: WoonplaatsInput, prefix: str, trace: list[str]) -> WoonplaatsResult:
    rule = WoonplaatsRule.VANAF_2022
    stay = _needed(
        data.stay,
        f"{prefix}.stay",
        "nodig voor de regel vanaf 2022; kies 'geen' als het kind thuis woont",
    )
    if stay is StayKind.GEEN:
        residence = _required(data.brp_residence, "brp_residence", prefix, "voor onderdeel 1°")
        step, basis = WoonplaatsStep.BRP_ADRES, f"{BASIS_2022}, onder 1°"
        trace.append(f"Onderdeel 1°: het BRP-woonadres van het kind {_located(residence)}.")
    else:
        residence = _required(
            data.brp_residence_before_stay, "brp_residence_before_stay", prefix, "voor 2°"
        )
        step, basis = WoonplaatsStep.ADRES_VOOR_VERBLIJF, f"{BASIS_2022}, onder 2°"
        trace.append(
            f"Onderdeel 2°: het kind verblijft bij {stay.label}; het BRP-woonadres "
            f"direct vóór dat verblijf {_located(residence)}."
        )
    if residence == Residence.BUITENLAND:
        # A child living abroad has no Dutch municipality to follow: DOMAIN.md section 6
        # sends it straight to the place of actual stay.
        trace.append(
            "Omdat het kind in het buitenland woont, telt de plaats van werkelijk verblijf."
        )
        return _actual_stay(data, rule, f"{BASIS_2022}, verblijf buitenland", prefix, trace)
    if data.brp_annotation_2_26 or residence == Residence.ONBEKEND:
        if data.brp_annotation_2_26:
            trace.append(
                "Bij het woonadres staat een aantekening (art. 2.26 Wet BRP): "
                "dat adres telt niet; onderdeel 3° geldt."
            )
        else:
            trace.append("Het adres is niet vast te stellen: onderdeel 3° geldt.")
        mother = _required(
            data.mother_residence_at_birth, "mother_residence_at_birth", prefix, "voor 3°"
        )
        if mother.municipality is not None:
            trace.append(
                "Onderdeel 3°: de moeder stond bij de geboorte van het kind als ingezetene "
                f"ingeschreven in {_name(mother.municipality)}."
            )
            return _result(
                mother, rule, WoonplaatsStep.MOEDER_BIJ_GEBOORTE, f"{BASIS_2022}, onder 3°", trace
            )
        trace.append(
            "De moeder stond bij de geboorte niet als ingezetene in een Nederlandse gemeente "
            "ingeschreven, of dat is niet bekend: de plaats van werkelijk verblijf telt."
        )
        return _actual_stay(data, rule, f"{BASIS_2022}, onder 3°, slot", prefix, trace)
    return _result(residence, rule, step, basis, trace)


def _rule_pre_2022(data: WoonplaatsInput, prefix: str, trace: list[str]) -> WoonplaatsResult:
    rule = WoonplaatsRule.VOOR_2022
    gezag = _needed(
        data.gezag,
        f"{prefix}.gezag",
        "nodig voor de regel van vóór 2022 (ouders, voogd_persoon of voogd_gi)",
    )
    if gezag is GezagKind.VOOGD_GI:
        trace.append(
            "Gezag door derden: een gecertificeerde instelling is voogd; "
            "de plaats van werkelijk verblijf telt."
        )
        return _actual_stay(data, rule, f"{BASIS_PRE_2022}, onder 2°", prefix, trace)
    if not data.gezag_residences:
        raise InvalidInput(
            "nodig: de woonplaats van de gezagsdrager(s); gebruik 'onbekend' als die "
            "niet bekend is",
            field=f"{prefix}.gezag_residences",
        )
    holders = data.gezag_residences
    if len(holders) == 2 and holders[0] != holders[1]:
        residence = _needed(
            data.mainly_lived_in,
            f"{prefix}.mainly_lived_in",
            "nodig: de gezagsdragers wonen niet in dezelfde gemeente; "
            "geef aan bij wie het kind vooral woonde",
        )
        step = WoonplaatsStep.HOOFDVERBLIJF
        trace.append(
            "Twee gezagsdragers in verschillende woonplaatsen: de woonplaats van de "
            f"gezagsdrager bij wie het kind vooral woonde telt; die {_located(residence)}."
        )
    else:
        residence, step = holders[0], WoonplaatsStep.GEZAGSDRAGER
        who = "de voogd" if gezag is GezagKind.VOOGD_PERSOON else "de gezagsdrager(s)"
        trace.append(f"De woonplaats van {who} {_located(residence)}.")
    if residence.municipality is None:
        trace.append(
            "Die woonplaats is onbekend of ligt in het buitenland: "
            "de plaats van werkelijk verblijf telt."
        )
        return _actual_stay(data, rule, f"{BASIS_PRE_2022}, onder 3°", prefix, trace)
    return _result(residence, rule, step, f"{BASIS_PRE_2022}, onder 1°", trace)


def _comparison(old: Municipality, new: Municipality) -> str:
    prefix = "Volgens de regel vanaf 2022 zou"
    if old == new == Municipality.BUITEN_REGIO:
        # buiten_regio stands for any municipality outside the region, so two of them may
        # still be different municipalities.
        return (
            f"{prefix} ook een gemeente buiten de regio verantwoordelijk zijn; of het "
            "dezelfde gemeente is, moet buiten de regio worden nagegaan."
        )
    if old == new:
        return f"{prefix} dezelfde gemeente ({_name(new)}) verantwoordelijk zijn."
    return (
        f"{prefix} {_name(new)} verantwoordelijk zijn: een overdracht verandert de "
        "verantwoordelijke gemeente."
    )


def determine_municipality(
    data: WoonplaatsInput, *, case_start_date: date, prefix: str = "woonplaats"
) -> WoonplaatsResult:
    """The responsible municipality under the woonplaatsbeginsel, with its explanation."""
    start = format_date_nl(case_start_date)
    if case_start_date >= NEW_RULE_START:
        trace = [f"De casus is gestart op {start}: de regel vanaf 1 januari 2022 geldt."]
        return _rule_2022(data, prefix, trace)
    trace = [
        f"De casus is gestart op {start}, vóór 1 januari 2022: de oude regel (woonplaats "
        "van de gezagsdrager) blijft gelden.",
    ]
    result = _rule_pre_2022(data, prefix, trace)
    notes = [
        "Let op: controleer of de verantwoordelijkheid volgens het overgangsrecht al is "
        "overgedragen aan de gemeente volgens de regel vanaf 2022."
    ]
    # Staff need to see when a transfer would change the paying municipality; the 2022
    # facts are optional for old cases, so a missing one just means no comparison.
    try:
        newer: WoonplaatsResult | None = _rule_2022(data, prefix, [])
    except InvalidInput:
        newer = None
    if newer is not None:
        notes.append(_comparison(result.municipality, newer.municipality))
    return result.model_copy(
        update={
            "explanation": (*result.explanation, *notes),
            "municipality_under_2022_rule": None if newer is None else newer.municipality,
        }
    )
