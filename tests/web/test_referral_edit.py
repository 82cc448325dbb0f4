"""Issue #22 item 3: editing a referral keeps the old version, and a changed profile gets a
new advice (which waits for its own judgement); after proposals the profile is fixed."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from placements.models import Referral, ReferralVersion
from tests.web.test_pages import _referral
from tests.web.web_support import Site, csrf_of, login


def _stored(site: Site, rid: str) -> Referral:
    with Session(site.app.state.servicepunt.engine) as session:
        referral = session.get(Referral, rid)
        assert referral is not None
        return referral


def _versions(site: Site, rid: str) -> list[ReferralVersion]:
    with Session(site.app.state.servicepunt.engine) as session:
        query = select(ReferralVersion).where(ReferralVersion.referral_id == rid)
        return list(session.exec(query).all())


def _form_values(html: str) -> dict[str, str]:
    """The edit form's inputs, selects and checkboxes as a browser would send them."""
    values = dict(re.findall(r'<input id="[^"]+" name="([^"]+)" type="(?:text|number|date)" '
                             r'value="([^"]*)"', html))  # fmt: skip
    for name, body in re.findall(r'<select id="[^"]+" name="([^"]+)"(.*?)</select>', html, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected>', body)
        values[name] = chosen.group(1) if chosen else ""
    for name in re.findall(r'name="([^"]+)" type="checkbox" value="ja" checked', html):
        values[name] = "ja"
    return values


def test_an_edit_keeps_the_old_profile_and_advises_again(client: TestClient, site: Site) -> None:
    rid = _referral(client, site, beschikking_date="2026-11-20")
    token = csrf_of(login(client, site, "sp").text)
    base = f"/servicepunt/aanmeldingen/{rid}"
    client.post(base + "/advies", data={"csrf": token})
    before = _stored(site, rid)
    assert before.first_best == "behandelgroep" and before.advice_round == 1
    form = client.get(base + "/bewerken")
    assert form.status_code == 200
    values = _form_values(form.text)
    assert values["profile.severity"] == "ernstig" and values["profile.trauma"] == "ja"
    # A milder child: no treatment need, light problems.
    values |= {"profile.severity": "licht", "profile.complexity": "enkelvoudig",
               "profile.treatment_need": "geen", "profile.externalising": "geen"}  # fmt: skip
    saved = client.post(base + "/bewerken", data=values | {"csrf": token})
    assert saved.status_code == 200 and "Opgeslagen: profiel en advies" in saved.text
    after = _stored(site, rid)
    assert after.first_best != "behandelgroep" and after.advice_round == 2
    assert after.judgement == "open"  # the new advice waits for its own judgement
    [kept] = _versions(site, rid)
    assert kept.version == 1 and kept.profile_json == before.profile_json
    assert kept.first_best == "behandelgroep"
    assert "Versie 1, vervangen op 23-11-2026 10:00" in saved.text
    assert "profiel bewerkt" in saved.text.split('id="kop-tijdlijn"')[1]


def test_an_unchanged_profile_keeps_its_advice_and_errors_show_at_once(
    client: TestClient, site: Site
) -> None:
    rid = _referral(client, site, beschikking_date="2026-11-20")
    token = csrf_of(login(client, site, "sp").text)
    base = f"/servicepunt/aanmeldingen/{rid}"
    client.post(base + "/advies", data={"csrf": token})
    values = _form_values(client.get(base + "/bewerken").text)
    same = client.post(base + "/bewerken", data=values | {"csrf": token})
    assert "Opgeslagen: profiel." in same.text and _stored(site, rid).advice_round == 1
    bad = client.post(
        base + "/bewerken",
        data=values | {"csrf": token, "profile.severity": "", "profile.age": "",
                       "profile.earlier_placements": "0", "profile.earlier_breakdowns": "2"},
    )  # fmt: skip
    assert bad.status_code == 422
    found = re.findall(r'<p class="veldfout" id="fout-([^"]+)">', bad.text)
    assert {"profile-severity", "profile-birth_date", "profile-earlier_breakdowns"} <= set(found)
    assert len(_versions(site, rid)) == 1  # the refused edit kept nothing


def test_after_proposals_the_profile_cannot_be_edited(client: TestClient, site: Site) -> None:
    rid = _referral(client, site, beschikking_date="2026-11-20")
    token = csrf_of(login(client, site, "sp").text)
    base = f"/servicepunt/aanmeldingen/{rid}"
    client.post(base + "/advies", data={"csrf": token})
    client.post(base + "/voorstellen", data={"csrf": token})
    page = client.get(base).text
    assert "/bewerken" not in page
    refused = client.post(base + "/bewerken", data={"csrf": token, "profile.sex": "m"})
    assert refused.status_code == 409 and "aanmelding heeft status" in refused.text
    assert _versions(site, rid) == []
