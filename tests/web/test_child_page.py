"""Issue #22 item 3: a child's page shows the profile as entered and a timeline of every step
from the audit log, with who did it and when (in the region's time)."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from api.steps import step_label
from api.web.render import enum_label
from domain.vocabulary import Role
from tests.web.test_pages import _place_deviating
from tests.web.web_support import Site


def test_the_page_shows_the_profile_as_entered(client: TestClient, site: Site) -> None:
    rid = _place_deviating(client, site)
    page = client.get(f"/servicepunt/aanmeldingen/{rid}").text
    profile = page.split('id="kop-profiel"')[1].split("</section>")[0]
    pairs = dict(re.findall(r"<dt>([^<]*)</dt><dd>([^<]*)</dd>", profile))
    assert pairs["Zwaarte van de problemen"] == "ernstig" and pairs["Geslacht"] == "jongen"
    assert pairs["CAP-J-codes"] == "A200"
    assert pairs["Trauma"] == "ja" and pairs["Licht verstandelijke beperking (LVB)"] == "nee"
    assert pairs["Toekomstperspectief"] == "terug naar huis"
    assert pairs["Gemeente van herkomst"] == "Lelystad"
    assert "reference_date" not in profile and "_" not in "".join(pairs)


def test_the_timeline_lists_each_step_with_who_and_when(client: TestClient, site: Site) -> None:
    rid = _place_deviating(client, site)
    page = client.get(f"/servicepunt/aanmeldingen/{rid}").text
    section = page.split('id="kop-tijdlijn"')[1].split("</section>")[0]
    steps = re.findall(r"<li><time>([^<]*)</time>: ([^,]*), door ([^<]*)</li>", section)
    whats = [what for _, what, _ in steps]
    assert whats[0] == "aangemeld"
    for later in ("advies gevraagd", "plaatsingsvoorstellen gevraagd", "plek vastgehouden",
                  "besluit vastgelegd"):  # fmt: skip
        assert later in whats, whats
    assert whats.index("advies gevraagd") < whats.index("besluit vastgelegd")
    assert all(at == "23-11-2026 10:00" for at, _, _ in steps)  # 09:00 UTC, Amsterdam time
    assert steps[0][2].endswith("(verwijzer)") and steps[-1][2].endswith("(servicepunt)")
    assert "gelezen" not in section  # reads are not steps


def test_step_labels_cover_the_web_and_api_routes() -> None:
    assert step_label("POST /servicepunt/aanmeldingen/{referral_id}/besluit") == (
        "besluit vastgelegd"
    )
    assert step_label("POST .../advice") == "advies gevraagd"
    for departure in ("/aanbieder/verblijven/{id}/vertrek", "/servicepunt/capaciteit/verblijven"
                      "/{id}/vertrek", "/api/v1/occupancies/{occupancy_id}/departure"):  # fmt: skip
        assert step_label(f"POST {departure}") == "vertrek gemeld"
    assert step_label("POST .../hold (hold ended)") == "reservering verlopen of beëindigd"
    assert step_label("POST /iets/onbekends") == "gewijzigd"


def test_the_timeline_names_each_role_in_dutch() -> None:
    assert enum_label(Role, "admin") == "beheerder"
    assert enum_label(Role, "perspectiefregisseur") == "perspectiefregisseur"
    assert enum_label(Role, "vroegere_rol") == "vroegere_rol"  # a role no longer known
