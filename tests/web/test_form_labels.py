"""Issue #22 item 1: one submit shows every field error, each under its Dutch label; no page
or CSV shows an internal field name where a Dutch label exists."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from api.web.field_labels import FIELD_LABELS
from tests.web.test_pages import _errors, _place_deviating, _referral
from tests.web.web_support import Site, csrf_of, login

# Every internal name with a label, as it could leak: "birth_date", "profile.birth_date",
# "woonplaats.stay", "decision.reason_code", "capaciteit-<id>.places"...
INTERNAL = re.compile(
    r"\b(?:[a-z]+[.-])*(?:" + "|".join(n for n in FIELD_LABELS if "_" in n) + r")\b"
)
DOTTED = re.compile(r"\b(?:profile|intake|woonplaats|decision|discharge|hold|opname|vertrek|"
                    r"capaciteit|verwacht)[.-][a-z0-9_-]*\.[a-z_]+\b")  # fmt: skip

# Codes that have a Dutch label on the forms.
CODES = re.compile(r"\b(?:terug_naar_huis|zelfstandig_wonen|langdurig_verblijf|buiten_regio)\b")


def _visible(html: str) -> str:
    """The text a user reads: tags, attribute values and scripts left out."""
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", text)


def _assert_no_internal_names(html: str) -> None:
    text = _visible(html)
    found = INTERNAL.findall(text) + DOTTED.findall(text) + CODES.findall(text)
    assert not found, found


def test_one_submit_shows_every_error_with_dutch_labels(client: TestClient, site: Site) -> None:
    page = login(client, site, "sp")
    page = client.get("/aanmeldingen/nieuw")
    answer = client.post(
        "/aanmeldingen/nieuw",
        data={
            "csrf": csrf_of(page.text),
            "child_ref": "kind-0001",
            "bsn": "123456782",
            "profile.sex": "v",
            "profile.earlier_placements": "1",
            "profile.earlier_breakdowns": "x",  # a field error...
            "intake.case_start_date": "2026-11-01",
            "profile.perspective": "terug_naar_huis",
            "profile.culture_wish": "Turks sprekend",
        },
    )
    assert answer.status_code == 422
    errors = _errors(answer.text)
    # ... and at the same time everything the models check only once the fields are valid.
    expected = {
        "verwijzer_type", "profile-birth_date", "profile-severity", "profile-complexity",
        "profile-earlier_breakdowns", "intake-woonplaats-stay",
    }  # fmt: skip
    assert expected <= set(errors), errors
    assert errors["profile-birth_date"] == "vul de geboortedatum of de leeftijd in"
    assert "Er is niets opgeslagen: controleer 7 velden" in answer.text  # future municipality too
    summary = answer.text.split('class="foutoverzicht"')[1].split("</div>")[0]
    for label in ("Geboortedatum", "Zwaarte van de problemen", "Verblijf buiten huis"):
        assert f">{label}</a>" in summary
    assert 'value="Turks sprekend"' in answer.text  # values are kept
    assert "123456782" not in answer.text and "blijft dit veld bewust leeg" in answer.text
    _assert_no_internal_names(answer.text)


def test_cross_field_messages_name_fields_by_label(client: TestClient, site: Site) -> None:
    page = login(client, site, "sp")
    page = client.get("/aanmeldingen/nieuw")
    answer = client.post(
        "/aanmeldingen/nieuw",
        data={
            "csrf": csrf_of(page.text), "child_ref": "kind-0002", "verwijzer_type": "01",
            "profile.birth_date": "2030-01-01", "profile.sex": "m",
            "profile.severity": "licht", "profile.complexity": "enkelvoudig",
            "profile.earlier_placements": "1", "profile.earlier_breakdowns": "3",
            "profile.perspective": "terug_naar_huis", "intake.case_start_date": "2026-11-01",
            "intake.woonplaats.stay": "geen", "intake.woonplaats.brp_residence": "almere",
        },
    )  # fmt: skip
    assert answer.status_code == 422
    errors = _errors(answer.text)
    assert errors["profile-birth_date"] == "ligt in de toekomst"
    assert errors["profile-earlier_breakdowns"] == "is groter dan ‘Eerdere plaatsingen’"
    _assert_no_internal_names(answer.text)


@pytest.mark.region("flevoland")
def test_municipality_lists_use_proper_names_and_unknown_once(
    client: TestClient, site: Site
) -> None:
    login(client, site, "sp")
    page = client.get("/aanmeldingen/nieuw").text
    brp = page.split('id="veld-intake-woonplaats-brp_residence"')[1].split("</select>")[0]
    options = re.findall(r"<option [^>]*>([^<]*)</option>", brp)
    assert "Almere" in options and "Noordoostpolder" in options and "almere" not in options
    assert sum("onbekend" in o for o in options) == 1


def test_provider_and_decision_errors_name_the_field_by_label(
    client: TestClient, site: Site
) -> None:
    token = csrf_of(login(client, site, "aanbieder").text)
    unit = site.units["groep_lely"]
    bad = client.post(
        f"/aanbieder/eenheden/{unit}/capaciteit",
        data={"csrf": token, "kind": "places_opened", "effective_on": "2026-11-23",
              "places": "-3"},
    )  # fmt: skip
    assert bad.status_code == 422
    assert ">Aantal plaatsen</a>" in bad.text
    _assert_no_internal_names(bad.text)
    rid = _referral(client, site, beschikking_date="2026-11-20")
    token = csrf_of(login(client, site, "sp").text)
    base = f"/servicepunt/aanmeldingen/{rid}"
    client.post(base + "/advies", data={"csrf": token})
    client.post(base + "/voorstellen", data={"csrf": token})
    client.post(base + "/vasthouden", data={"csrf": token, "unit_id": site.units["gezinshuis_alm"]})
    refused = client.post(base + "/besluit", data={"csrf": token, "outcome": "accept"})
    assert refused.status_code == 422
    assert ">Reden</a>" in refused.text
    _assert_no_internal_names(refused.text)


def test_lists_and_csv_exports_show_no_internal_names(client: TestClient, site: Site) -> None:
    _place_deviating(client, site)
    _referral(client, site, beschikking_date="2026-11-11")
    for path in ("/servicepunt/wachtlijst", "/servicepunt/afwijkingen", "/servicepunt"):
        _assert_no_internal_names(client.get(path).text)
    for path in ("/servicepunt/wachtlijst.csv", "/servicepunt/afwijkingen.csv"):
        header = client.get(path).text.splitlines()[0]
        assert "_" not in header, header
