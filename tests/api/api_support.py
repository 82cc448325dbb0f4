"""Helpers shared by the API tests: the test clock, the API handle, request payloads."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient

from api import accounts
from capacity import db as capacity_db
from capacity import service as capacity_service
from domain.profile_vocabulary import Capability, VerwijzerType
from domain.vocabulary import Role

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class Region:
    """What seed_region made: users' tokens, unit ids and provider ids, by short name."""

    tokens: dict[str, str] = field(default_factory=dict)
    units: dict[str, str] = field(default_factory=dict)
    providers: dict[str, str] = field(default_factory=dict)


@dataclass
class Api(Region):
    """A running app with its seeded region."""

    client: TestClient = field(kw_only=True)
    clock: Clock = field(kw_only=True)
    backend: str = field(kw_only=True)

    def as_(self, user: str) -> dict[str, str]:
        """Authorization header of a user."""
        return {"Authorization": f"Bearer {self.tokens[user]}"}

    def call(self, method: str, url: str, user: str, **kwargs: Any) -> Any:
        """A request as `user`."""
        return self.client.request(method, url, headers=self.as_(user), **kwargs)


def referral_payload(child_ref: str = "kind-0001", **profile: Any) -> dict[str, Any]:
    """A regular referral of a 14-year-old who needs treatment; profile fields overridable."""
    base = {
        "age": 14,
        "reference_date": "2026-11-23",
        "sex": "m",
        "capj": ["A200"],
        "severity": "ernstig",
        "complexity": "complex",
        "externalising": "matig",
        "treatment_need": True,
        "trauma": True,
        "earlier_placements": 1,
        "parents_view": "ambivalent",
        "child_agrees": True,
        "perspective": "terug_naar_huis",
        "home_municipality": "lelystad",
    }
    return {
        "child_ref": child_ref,
        "profile": base | profile,
        "intake": {
            "case_start_date": "2026-11-01",
            "beschikking_date": "2026-11-20",
            "age": base["age"] if "age" not in profile else profile["age"],
            "perspective": (base | profile)["perspective"],
            "future_municipality": "lelystad",
            "woonplaats": {"stay": "geen", "brp_residence": "lelystad"},
        },
    }


def seed_region(engine: Any) -> Region:
    """Providers, units of several care forms, and a user with a token for every role."""
    region = Region()
    with capacity_db.transaction(engine) as s:
        for key, name in (
            ("p1", "Triade Vitree"),
            ("p2", "Omega Groep"),
            ("pz", "Pleegzorg Flevoland"),
        ):
            region.providers[key] = capacity_service.create_provider(
                s, name=name, kind="pleegzorg" if key == "pz" else "zorgaanbieder"
            ).id
        loc = {
            key: capacity_service.create_location(
                s, provider_id=region.providers[prov], name=f"locatie {key}", municipality=muni
            ).id
            for key, prov, muni in (
                ("lely", "p1", "lelystad"),
                ("alm", "p2", "almere"),
                ("pz_dronten", "pz", "dronten"),
                ("pz_lely", "pz", "lelystad"),
            )
        }
        specs = [
            (
                "groep_lely",
                "lely",
                "behandelgroep",
                8,
                12,
                17,
                (Capability.TRAUMA, Capability.GEDRAGSPROBLEMATIEK),
            ),
            ("gezinshuis_alm", "alm", "gezinshuis", 4, 4, 17, (Capability.TRAUMA,)),
            (
                "crisis_12plus",
                "lely",
                "crisisgroep_12plus",
                6,
                12,
                17,
                (Capability.CRISIS, Capability.GEDRAGSPROBLEMATIEK),
            ),
            ("pleeg_dronten", "pz_dronten", "pleegzorg_bestand", 2, 0, 12, (Capability.TRAUMA,)),
            ("pleeg_lely", "pz_lely", "pleegzorg_bestand", 1, 0, 12, ()),
        ]
        for key, location, form, places, lo, hi, caps in specs:
            region.units[key] = capacity_service.create_unit(
                s,
                location_id=loc[location],
                name=key.replace("_", " "),
                care_form=form,
                places=places,
                age_min=lo,
                age_max=hi,
                capabilities=caps,
            ).id
        users: list[tuple[str, Role, dict[str, Any]]] = [
            ("sp", Role.SERVICEPUNT, {}),
            ("verwijzer", Role.VERWIJZER, {"verwijzer_type": VerwijzerType.GEMEENTE}),
            ("verwijzer2", Role.VERWIJZER, {"verwijzer_type": VerwijzerType.HUISARTS}),
            ("aanbieder", Role.AANBIEDER, {"provider_id": region.providers["p1"]}),
            ("aanbieder2", Role.AANBIEDER, {"provider_id": region.providers["p2"]}),
            ("planner", Role.PLANNER, {}),
            ("admin", Role.ADMIN, {}),
            ("gw", Role.GEDRAGSWETENSCHAPPER, {}),
            ("gw2", Role.GEDRAGSWETENSCHAPPER, {}),
            ("pr", Role.PERSPECTIEFREGISSEUR, {}),
            ("pr2", Role.PERSPECTIEFREGISSEUR, {}),
        ]
        for name, role, extra in users:
            accounts.create_user(s, username=name, role=role, now=T0, **extra)
            region.tokens[name] = accounts.issue_token(s, username=name, now=T0)
    return region
