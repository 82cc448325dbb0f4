"""The referral form (aanmelding): for the servicepunt and for verwijzers, with errors per field.

The form's field names are the dotted paths of ReferralCreate (`profile.age`,
`intake.beschikking_date`...), so every validation error lands next to its own field.
Nothing is stored unless the whole referral is valid.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from afwegingskader.woonplaats import determine_municipality
from afwegingskader.woonplaats_models import Residence, WoonplaatsInput
from api import audit
from api.deps import NowDep, SessionDep, StateDep
from api.web.auth import Form, FormDep, Referrer, WebSession
from api.web.common import api_action, audit_change, errors_by_field
from api.web.field_labels import humanise, label_of
from api.web.render import BRIDGING_LABEL, PERSPECTIVE_LABEL, page, place_name
from domain.care import CareForm
from domain.codelist import default_codelist
from domain.errors import DomainError
from domain.places import Municipality, all_municipalities, region_municipalities
from domain.profile_vocabulary import (
    Complexity,
    Externalising,
    NetworkSafety,
    ParentsView,
    Severity,
    StayKind,
    Suicidality,
    TreatmentNeed,
    VerwijzerType,
)
from domain.vocabulary import Role
from placements import service as workflow
from placements.schemas import ReferralCreate

router = APIRouter(include_in_schema=False)

CHECKBOXES = (
    "profile.trauma",
    "profile.lvb",
    "profile.psychiatric",
    "profile.substance_use",
    "profile.runaway_exploitation",
    "profile.parents_problems",
    "profile.earlier_ambulant_help",
    "profile.child_agrees",
    "profile.network_family_available",
    "profile.continuation_of_current_placement",
)
# Fields the form asks once but the model holds twice: errors on the copy go to the original.
ALIASES = {
    "intake.age": "profile.age",
    "intake.birth_date": "profile.birth_date",
    "intake.perspective": "profile.perspective",
    # The reference date is today: "today lies before the birth date" is a birth date ahead.
    "intake.reference_date": "profile.birth_date",
    "profile.reference_date": "profile.birth_date",
    "intake.crisis": "crisis",
    "profile.crisis": "crisis",
    "intake.crisis_placement_date": "crisis_placement_date",
}
LABELS = {
    "-": "aanmelding",
    "child_ref": "Pseudoniem van het kind",
    "bsn": "BSN (optioneel)",
    "verwijzer_type": "Type verwijzer (COD327)",
    "crisis": "Crisisplaatsing",
    "crisis_placement_date": "Datum crisisplaatsing",
    "bridging_care": "Overbruggingshulp nu",
    "profile.birth_date": "Geboortedatum",
    "profile.age": "Leeftijd (jaren)",
    "profile.sex": "Geslacht",
    "profile.capj": "CAP-J-codes",
    "profile.severity": "Zwaarte van de problemen",
    "profile.complexity": "Complexiteit",
    "profile.externalising": "Externaliserend gedrag",
    "profile.earlier_placements": "Eerdere plaatsingen",
    "profile.earlier_breakdowns": "Waarvan afgebroken",
    "profile.parents_view": "Houding van de ouders",
    "profile.treatment_need": "Behandelbehoefte",
    "profile.trauma": "Trauma",
    "profile.lvb": "Licht verstandelijke beperking (LVB)",
    "profile.psychiatric": "Psychiatrische problematiek",
    "profile.substance_use": "Middelengebruik / verslaving",
    "profile.runaway_exploitation": "Weglopen of (risico op) seksuele uitbuiting",
    "profile.suicidality": "Suïciderisico",
    "profile.parents_problems": "Ouders hebben eigen problemen (ggz, verslaving, lvb, geweld)",
    "profile.earlier_ambulant_help": "Ambulante hulp thuis al ingezet zonder voldoende resultaat",
    "profile.network_safety": "Veiligheid van het netwerkgezin",
    "profile.continuation_of_current_placement": "Voortzetting van de huidige plaatsing na 18",
    "profile.current_care_form": "Huidige zorgvorm",
    "profile.religion_wish": "Wens over religie (alleen voor de match)",
    "profile.culture_wish": "Wens over cultuur of taal (alleen voor de match)",
    "profile.child_agrees": "Kind stemt in met de plaatsing",
    "profile.network_family_available": "Netwerkgezin beschikbaar",
    "profile.perspective": "Toekomstperspectief",
    "profile.home_municipality": "Gemeente van herkomst",
    "intake.future_municipality": "Gemeente waar het kind gaat wonen",
    "intake.case_start_date": "Start van de casus",
    "intake.beschikking_date": "Datum beschikking",
    "intake.woonplaats.stay": "Verblijf buiten huis",
    "intake.woonplaats.brp_residence": "BRP-woonadres (gemeente)",
    "intake.woonplaats.brp_residence_before_stay": "BRP-woonadres vóór het verblijf",
}
CHOICES: dict[str, list[tuple[str, str]]] = {
    "sex": [("m", "jongen"), ("v", "meisje"), ("x", "anders / onbekend")],
    "severity": [(s.value, s.value) for s in Severity],
    "complexity": [(c.value, c.value) for c in Complexity],
    "externalising": [(e.value, e.value) for e in Externalising],
    "parents_view": [(p.value, p.value) for p in ParentsView],
    "treatment_need": [
        (TreatmentNeed.GEEN.value, "geen"),
        (TreatmentNeed.AMBULANT.value, "ambulant (kan in een gezin wonen)"),
        (TreatmentNeed.INTENSIEF_GEZIN.value, "intensief in een gezinssetting"),
        (TreatmentNeed.RESIDENTIEEL.value, "residentieel (vraagt een groep: 24-uurszorg)"),
    ],
    "suicidality": [(v.value, v.value) for v in Suicidality],
    "network_safety": [(v.value, v.value) for v in NetworkSafety],
    "care_form": [(f.value, f.label) for f in CareForm],
    "stay": [(k.value, k.label) for k in StayKind],
    "verwijzer_type": [(v.value, f"{v.value} {v.label}") for v in VerwijzerType],
    "bridging": list(BRIDGING_LABEL.items()),
    "perspective": list(PERSPECTIVE_LABEL.items()),
}


def municipality_choices() -> list[tuple[str, str]]:
    """The region's municipalities first, then every other one in the country, by name."""
    inside = region_municipalities()
    others = sorted(
        (m for m in all_municipalities() if m not in inside and m != Municipality.BUITEN_REGIO),
        key=lambda m: m.label,
    )
    return [(m.value, m.label) for m in inside] + [
        (m.value, f"{m.label} (buiten de regio)") for m in others
    ]


def choices() -> dict[str, list[tuple[str, str]]]:
    """CHOICES with the municipalities of the selected region."""
    places = municipality_choices()
    residence = [*places, *((r, place_name(r)) for r in (Residence.BUITENLAND, Residence.ONBEKEND))]
    return {**CHOICES, "municipality": places, "residence": residence}


def _opt(form: Form, name: str) -> str | None:
    return form.get(name) or None


def profile_payload(form: Form, *, today: str) -> dict[str, Any]:
    """The child's fields of the form as a Profile payload (perspective, crisis and home
    municipality included; not yet validated)."""
    age = _opt(form, "profile.age")
    birth = _opt(form, "profile.birth_date")
    profile: dict[str, Any] = {
        "reference_date": today,
        "birth_date": birth,
        "age": age,
        "sex": form.get("profile.sex"),
        "capj": [c.upper() for c in re.split(r"[\s,;]+", form.get("profile.capj")) if c],
        "severity": form.get("profile.severity"),
        "complexity": form.get("profile.complexity"),
        "externalising": form.get("profile.externalising") or "geen",
        "parents_view": form.get("profile.parents_view") or "ambivalent",
        "treatment_need": form.get("profile.treatment_need") or "geen",
        "suicidality": form.get("profile.suicidality") or "geen",
        "network_safety": form.get("profile.network_safety") or "onbekend",
        "current_care_form": _opt(form, "profile.current_care_form"),
        "religion_wish": _opt(form, "profile.religion_wish"),
        "culture_wish": _opt(form, "profile.culture_wish"),
        "earlier_placements": form.get("profile.earlier_placements") or "0",
        "earlier_breakdowns": form.get("profile.earlier_breakdowns") or "0",
        "perspective": form.get("profile.perspective"),
        "home_municipality": _opt(form, "profile.home_municipality"),
        "crisis": form.get("crisis") == "ja",
    }
    return profile | {name.split(".")[1]: form.get(name) == "ja" for name in CHECKBOXES}


def payload_of(form: Form, *, role: str, today: str) -> dict[str, Any]:
    """The ReferralCreate payload the form describes (not yet validated)."""
    crisis = form.get("crisis") == "ja"
    age = _opt(form, "profile.age")
    birth = _opt(form, "profile.birth_date")
    profile = profile_payload(form, today=today)
    woonplaats = {
        "stay": _opt(form, "intake.woonplaats.stay"),
        "brp_residence": _opt(form, "intake.woonplaats.brp_residence"),
        "brp_residence_before_stay": _opt(form, "intake.woonplaats.brp_residence_before_stay"),
    }
    intake: dict[str, Any] = {
        "case_start_date": form.get("intake.case_start_date"),
        "beschikking_date": _opt(form, "intake.beschikking_date"),
        "crisis": crisis,
        "crisis_placement_date": _opt(form, "crisis_placement_date"),
        "reference_date": today,
        "birth_date": birth,
        "age": age,
        "perspective": form.get("profile.perspective") or None,
        "future_municipality": _opt(form, "intake.future_municipality"),
        "woonplaats": {k: v for k, v in woonplaats.items() if v is not None},
    }
    payload: dict[str, Any] = {
        "child_ref": form.get("child_ref"),
        "bsn": _opt(form, "bsn"),
        "bridging_care": form.get("bridging_care") or "geen",
        "profile": profile,
        "intake": intake,
    }
    if role == Role.SERVICEPUNT.value:
        payload["verwijzer_type"] = _opt(form, "verwijzer_type")
    return payload


def place_errors(errors: dict[str, str]) -> dict[str, str]:
    placed: dict[str, str] = {}
    for name, problem in errors.items():
        # "profile.capj[1]" or "profile.capj.1" belongs to the field "profile.capj".
        base = re.sub(r"(\[\d+\]|\.\d+)$", "", name)
        if base.startswith("woonplaats."):  # the intake's own prefix for its woonplaats part
            base = "intake." + base
        target = ALIASES.get(base, base)
        text = "ligt in de toekomst" if base.endswith("reference_date") else problem
        if target in LABELS:
            placed.setdefault(target, text)
        else:
            placed.setdefault("-", f"{label_of(base)}: {text}")
    return placed


def _date_or_none(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def profile_checks(profile: dict[str, Any]) -> dict[str, str]:
    """The profile's own checks that run only once every field is valid, run anyway."""
    errors: dict[str, str] = {}
    if profile["birth_date"] is None and profile["age"] is None:
        errors["profile.birth_date"] = "vul de geboortedatum of de leeftijd in"
    placements, breakdowns = (str(profile[k]) for k in ("earlier_placements", "earlier_breakdowns"))
    if placements.isdigit() and breakdowns.isdigit() and int(breakdowns) > int(placements):
        errors["profile.earlier_breakdowns"] = humanise("is groter dan earlier_placements")
    return errors


def _checks_hidden_by_field_errors(payload: dict[str, Any]) -> dict[str, str]:
    """What the models check only once every field is valid, checked anyway, so that one
    submit shows every error: the profile's checks, and the woonplaats questions."""
    errors = profile_checks(payload["profile"])
    intake = payload["intake"]
    start = _date_or_none(str(intake["case_start_date"] or ""))
    if start is not None:
        try:
            woonplaats = WoonplaatsInput.model_validate(intake["woonplaats"])
            determine_municipality(woonplaats, case_start_date=start, prefix="intake.woonplaats")
        except (ValidationError, DomainError) as exc:
            errors |= errors_by_field(exc, prefix="intake.woonplaats." if isinstance(
                exc, ValidationError) else "")  # fmt: skip
    return errors


def _form_page(
    web: WebSession, *, values: dict[str, str], errors: dict[str, str], status_code: int = 200
) -> HTMLResponse:
    return page(
        "referral_form.html",
        web,
        status_code=status_code,
        values=values,
        errors=errors,
        **profile_fields(),
    )


def profile_fields() -> dict[str, Any]:
    """What the child's fields (_kind_velden.html) need besides values and errors."""
    return {
        "choices": choices(),
        "checkboxes": CHECKBOXES,
        "labels": LABELS,
        "capj": default_codelist(),
    }


@router.get("/aanmeldingen/nieuw")
def new_referral(web: Referrer) -> HTMLResponse:
    """An empty referral form."""
    return _form_page(web, values={"bridging_care": "geen"}, errors={})


@router.post("/aanmeldingen/nieuw", openapi_extra=api_action("POST /api/v1/referrals"))
def submit_referral(
    web: Referrer, form: FormDep, session: SessionDep, state: StateDep, now: NowDep
) -> Response:
    """Validate and register the referral; on any error show the form again, saving nothing."""
    payload = payload_of(form, role=web.role, today=now.date().isoformat())
    # The BSN is never written back into the page.
    values = {name: vals[0] for name, vals in form.fields.items() if name not in {"bsn", "csrf"}}
    try:
        data = ReferralCreate.model_validate(payload)
    except ValidationError as exc:
        errors = place_errors(errors_by_field(exc))
        hidden = place_errors(_checks_hidden_by_field_errors(payload))
        errors |= {k: v for k, v in hidden.items() if k not in errors}
        if web.role == Role.SERVICEPUNT.value and not values.get("verwijzer_type"):
            errors.setdefault("verwijzer_type", "is verplicht: maak een keuze")
        return _form_again(web, values, errors)
    try:
        own = web.user.verwijzer_type if web.role == Role.VERWIJZER.value else None
        verwijzer_type = workflow.referrer_type(own, data.verwijzer_type)
        referral = workflow.create_referral(
            session,
            data=data,
            verwijzer_user_id=web.user.id,
            verwijzer_type=verwijzer_type,
            bsn_key=state.settings.secret_key,
            now=now,
        )
    except (ValidationError, DomainError) as exc:
        session.rollback()
        return _form_again(web, values, place_errors(errors_by_field(exc)))
    audit_change(
        session,
        web,
        [referral.id],
        via="POST /aanmeldingen/nieuw",
        now=now,
        action=audit.AuditAction.CREATE,
    )
    if web.role == Role.SERVICEPUNT.value:
        return RedirectResponse(f"/servicepunt/aanmeldingen/{referral.id}", status_code=303)
    return RedirectResponse("/verwijzer?aangemeld=1", status_code=303)


def _form_again(web: WebSession, values: dict[str, str], errors: dict[str, str]) -> HTMLResponse:
    """The form with every error beside its field and the values typed (never the BSN)."""
    for name, problem in errors.items():
        # An empty field reads "kies een van: ..." or "moet een datum zijn"; say "verplicht".
        if problem.startswith(("kies een van", "moet een")) and not values.get(name):
            errors[name] = "is verplicht: maak een keuze"
    ordered = {k: errors[k] for k in LABELS if k in errors}  # in the order of the form
    ordered |= errors
    return _form_page(web, values=values, errors=ordered, status_code=422)
