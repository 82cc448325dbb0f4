"""The table of the default rule set's cases: for each rule, a profile that makes it fire and
what the advice must then show (run by test_afweging_rules)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from afwegingskader.models import Profile
from domain.care import CareForm as F
from domain.places import Municipality as Place
from domain.profile_vocabulary import Capability as Cap
from domain.profile_vocabulary import RiskLevel

# An 8-year-old without network, moderate multiple problems, long-term perspective: the rules
# below fire (the 24-uurszorg check, exclusions with their reasons, the age's risk points) and
# the advice is bestandspleegzorg then gezinshuis.
BASE: dict[str, Any] = {
    "age": 8,
    "reference_date": date(2025, 11, 3),
    "sex": "m",
    "severity": "matig",
    "complexity": "meervoudig",
    "perspective": "langdurig_verblijf",
}
BASE_FIRED = (
    "GS-01", "PV-00", "PV-01", "NW-01", "BG-01", "DT-02", "OJ-00", "BR-01", "CR-00", "LO-03",
)  # fmt: skip


def profile(**overrides: Any) -> Profile:
    """A valid profile: BASE with overrides."""
    return Profile.model_validate({**BASE, **overrides})


def siblings(*contra: tuple[str, ...]) -> list[dict[str, Any]]:
    """Sibling links, one per tuple of contraindications."""
    return [{"id": f"s{i}", "contraindications": list(c)} for i, c in enumerate(contra)]


@dataclass(frozen=True)
class Case:
    """One row: a profile, the rule that must fire and what it must do."""

    rule: str
    profile: dict[str, Any]
    acceptable: tuple[F, ...] | None = None
    excluded_by: dict[F, str] = field(default_factory=dict)
    capabilities: tuple[Cap, ...] = ()
    no_capabilities: tuple[Cap, ...] = ()
    siblings: tuple[bool | None, str | None] | None = None
    risk: tuple[RiskLevel, float] | None = None
    factor: bool = False
    location: Place | str | None = "-"
    warning: bool = False
    prevention: dict[str, bool] = field(default_factory=dict)
    conditions: tuple[F, ...] = ()
    second_opinion: bool | None = None
    continuation: bool | None = None


NON_CRISIS = (F.PLEEGZORG_BESTAND, F.GEZINSHUIS, F.BEHANDELGROEP)
SAFE_NETWORK = {"network_family_available": True, "network_safety": "veilig"}
RESIDENTIAL = {"treatment_need": "residentieel", "severity": "ernstig", "complexity": "complex"}

CASES = [
    Case(
        "GS-01",
        {},
        acceptable=(F.PLEEGZORG_BESTAND, F.GEZINSHUIS),
        excluded_by={F.GESLOTEN: "GS-01"},
    ),
    Case(
        "PV-00",
        {"earlier_ambulant_help": True},
        prevention={"ambulant_thuis": False, "deeltijd": False, "gezinsopname": False},
    ),
    Case("PV-01", {}, prevention={"ambulant_thuis": True}),
    Case("PV-02", {"earlier_ambulant_help": True}, prevention={"ambulant_thuis": False}),
    Case("PV-03", {"parents_view": "steunend"}, prevention={"deeltijd": True}),
    Case("PV-04", {"parents_problems": True}, prevention={"gezinsopname": True}),
    Case("PV-05", {"crisis": True}, prevention={"ambulant_thuis": True}),
    Case(
        "LT-01",
        {"age": 21, "perspective": "zelfstandig_wonen"},
        acceptable=(F.BEGELEID_WONEN, F.KAMERTRAINING),
        excluded_by={
            F.PLEEGZORG_BESTAND: "LT-01",
            F.PLEEGZORG_DEELTIJD: "LT-01",
            F.PLEEGZORG_CRISIS: "LT-01",
            F.GEZINSHUIS: "LT-01",
        },
    ),
    Case("LT-02", {"age": 18}, warning=True),
    Case(
        "LT-03",
        {"age": 18},
        acceptable=(F.BEGELEID_WONEN, F.KAMERTRAINING),
        excluded_by={F.PLEEGZORG_BESTAND: "LT-03", F.GEZINSHUIS: "LT-03"},
    ),
    Case(
        "CO-01",
        {
            "age": 18,
            **SAFE_NETWORK,
            "continuation_of_current_placement": True,
            "current_care_form": "pleegzorg_netwerk",
        },
        acceptable=(
            F.PLEEGZORG_NETWERK,
            F.PLEEGZORG_BESTAND,
            F.GEZINSHUIS,
            F.KAMERTRAINING,
            F.BEGELEID_WONEN,
        ),
        continuation=True,
    ),
    Case(
        "CO-02",
        {
            "age": 20,
            "continuation_of_current_placement": True,
            "current_care_form": "pleegzorg_bestand",
        },
        acceptable=(F.PLEEGZORG_BESTAND, F.GEZINSHUIS, F.KAMERTRAINING, F.BEGELEID_WONEN),
        continuation=True,
    ),
    Case(
        "CO-03",
        {"age": 19, "continuation_of_current_placement": True, "current_care_form": "gezinshuis"},
        acceptable=(F.GEZINSHUIS, F.PLEEGZORG_BESTAND, F.KAMERTRAINING, F.BEGELEID_WONEN),
        continuation=True,
    ),
    Case("WA-02", {"continuation_of_current_placement": True}, warning=True, continuation=False),
    Case("WA-03", {"age": 19, "continuation_of_current_placement": True}, warning=True),
    Case("NW-01", {}, excluded_by={F.PLEEGZORG_NETWERK: "NW-01"}),
    Case(
        "NW-04",
        {"network_family_available": True, "network_safety": "onveilig"},
        excluded_by={F.PLEEGZORG_NETWERK: "NW-04"},
    ),
    Case(
        "NW-02",
        SAFE_NETWORK,
        acceptable=(F.PLEEGZORG_NETWERK, F.PLEEGZORG_BESTAND, F.GEZINSHUIS),
    ),
    Case(
        "NW-03",
        {"network_family_available": True},
        acceptable=(F.PLEEGZORG_NETWERK, F.PLEEGZORG_BESTAND, F.GEZINSHUIS),
        conditions=(F.PLEEGZORG_NETWERK,),
    ),
    Case("WA-04", {"network_safety": "veilig"}, warning=True),
    Case(
        "CJ-01",
        {**SAFE_NETWORK, "capj": ["D101"], "parents_view": "afwijzend"},
        acceptable=(F.PLEEGZORG_BESTAND, F.PLEEGZORG_NETWERK, F.GEZINSHUIS),
    ),
    Case("ZW-01", {"severity": "ernstig"}, acceptable=(F.GEZINSHUIS, F.PLEEGZORG_BESTAND)),
    Case("BG-01", {}, excluded_by={F.BEHANDELGROEP: "BG-01"}),
    Case("BH-02", {"treatment_need": "ambulant"}, excluded_by={F.BEHANDELGROEP: "BG-01"}),
    Case(
        "BH-03",
        {"treatment_need": "intensief_gezin"},
        acceptable=(F.GEZINSHUIS, F.PLEEGZORG_BESTAND),
        conditions=(F.PLEEGZORG_BESTAND,),
    ),
    Case(
        "BH-04",
        {**RESIDENTIAL, "age": 12, **SAFE_NETWORK},
        acceptable=(F.BEHANDELGROEP, F.PLEEGZORG_NETWERK, F.GEZINSHUIS, F.PLEEGZORG_BESTAND),
        second_opinion=False,
    ),
    Case(
        "BH-05",
        {**RESIDENTIAL, "age": 11},
        acceptable=(F.GEZINSHUIS, F.PLEEGZORG_BESTAND, F.BEHANDELGROEP),
        conditions=(F.GEZINSHUIS,),
        second_opinion=False,
    ),
    Case(
        "UZ-01",
        {**RESIDENTIAL, "age": 11, "suicidality": "acuut"},
        acceptable=(F.BEHANDELGROEP, F.GEZINSHUIS, F.PLEEGZORG_BESTAND),
        second_opinion=True,
    ),
    Case(
        "WA-01",
        {"treatment_need": "residentieel", "severity": "licht", "complexity": "enkelvoudig"},
        warning=True,
    ),
    Case("WA-05", {"psychiatric": True}, warning=True),
    Case(
        "PS-01",
        {"suicidality": "verhoogd", "treatment_need": "ambulant"},
        capabilities=(Cap.PSYCHIATRIE,),
    ),
    Case("SC-01", {"suicidality": "acuut", "treatment_need": "ambulant"}, warning=True),
    Case("VS-01", {"substance_use": True}, capabilities=(Cap.VERSLAVING,)),
    Case(
        "WL-01",
        {"runaway_exploitation": True},
        capabilities=(Cap.UITBUITING,),
        second_opinion=False,
    ),
    Case("WL-02", {"runaway_exploitation": True, "severity": "ernstig"}, second_opinion=True),
    Case("PO-01", {"capj": ["D510"]}),
    Case(
        "MW-01",
        {"culture_wish": "Turks sprekend gezin"},
        acceptable=(F.PLEEGZORG_BESTAND, F.GEZINSHUIS),
    ),
    Case("JK-01", {"age": 3}, capabilities=(Cap.JONGE_KINDEREN,)),
    Case(
        "JK-02",
        {**RESIDENTIAL, "age": 3, "suicidality": "acuut"},
        acceptable=(F.GEZINSHUIS, F.PLEEGZORG_BESTAND),
        excluded_by={F.BEHANDELGROEP: "JK-02"},
        second_opinion=False,
    ),
    Case(
        "DT-01",
        {"severity": "licht", "parents_view": "steunend", "perspective": "terug_naar_huis"},
        acceptable=(F.PLEEGZORG_DEELTIJD, F.PLEEGZORG_BESTAND, F.GEZINSHUIS),
    ),
    Case("DT-02", {}, excluded_by={F.PLEEGZORG_DEELTIJD: "DT-02"}),
    Case("OJ-00", {"age": 17}, excluded_by={F.KAMERTRAINING: "OJ-00", F.BEGELEID_WONEN: "OJ-00"}),
    Case(
        "OJ-01",
        {"age": 16, "perspective": "zelfstandig_wonen"},
        acceptable=(F.KAMERTRAINING, F.PLEEGZORG_BESTAND, F.GEZINSHUIS, F.BEGELEID_WONEN),
    ),
    Case(
        "OJ-02",
        {"age": 19},
        acceptable=(F.BEGELEID_WONEN, F.KAMERTRAINING),
    ),
    Case(
        "SB-01",
        {"siblings": siblings((), ())},
        siblings=(True, "SB-01"),
        capabilities=(Cap.SIBLING_GROUP_3,),
    ),
    Case(
        "SB-02",
        {"siblings": siblings(("threat",))},
        siblings=(False, "SB-02"),
        no_capabilities=(Cap.SIBLING_GROUP_2, Cap.SIBLING_GROUP_3, Cap.SIBLING_GROUP_4),
    ),
    Case(
        "SB-03",
        {"siblings": siblings((), ("heavy_conflict",))},
        siblings=(True, "SB-03"),
        capabilities=(Cap.SIBLING_GROUP_2,),
        no_capabilities=(Cap.SIBLING_GROUP_3,),
    ),
    Case(
        "SB-04",
        {"siblings": siblings((), (), ())},
        acceptable=(F.GEZINSHUIS, F.PLEEGZORG_BESTAND),
        capabilities=(Cap.SIBLING_GROUP_4,),
    ),
    Case("TR-01", {"capj": ["A104"]}, capabilities=(Cap.TRAUMA,)),
    Case("LV-01", {"capj": ["C104"]}, capabilities=(Cap.LVB,)),
    Case("GP-01", {"externalising": "ernstig"}, capabilities=(Cap.GEDRAGSPROBLEMATIEK,)),
    Case(
        "ZS-01",
        {"age": 16, "perspective": "zelfstandig_wonen"},
        capabilities=(Cap.ZELFSTANDIGHEIDSTRAINING,),
    ),
    Case("BR-01", {"age": 11}, risk=(RiskLevel.MEDIUM, 2.1), factor=True),
    Case("BR-02", {"age": 4, "externalising": "ernstig"}, risk=(RiskLevel.LOW, 1.0), factor=True),
    Case(
        "BR-03",
        {"age": 4, "earlier_placements": 1, "earlier_breakdowns": 1},
        risk=(RiskLevel.LOW, 0.75),
        factor=True,
    ),
    Case(
        "BR-04",
        {"age": 4, "earlier_placements": 3},
        risk=(RiskLevel.LOW, 1.0),
        factor=True,
    ),
    Case("BR-05", {"age": 4, "trauma": True}, risk=(RiskLevel.LOW, 1.0), factor=True),
    Case("BR-06", {"age": 14, "child_agrees": True}, risk=(RiskLevel.MEDIUM, 2.0), factor=True),
    Case(
        "BR-07", {"age": 14, "parents_view": "steunend"}, risk=(RiskLevel.MEDIUM, 2.0), factor=True
    ),
    Case("BR-08", {"age": 4, "parents_view": "afwijzend"}, risk=(RiskLevel.LOW, 1.0), factor=True),
    Case("BR-09", {"age": 4, "substance_use": True}, risk=(RiskLevel.LOW, 1.0), factor=True),
    Case(
        "BR-10",
        {"age": 14, "trauma": True},
        risk=(RiskLevel.HIGH, 4.0),
        acceptable=(F.GEZINSHUIS, F.PLEEGZORG_BESTAND),
        conditions=(F.PLEEGZORG_BESTAND,),
    ),
    Case(
        "KW-01",
        {"age": 11},
        acceptable=(F.PLEEGZORG_BESTAND, F.GEZINSHUIS),
        conditions=(F.PLEEGZORG_BESTAND,),
    ),
    Case(
        "CR-00",
        {},
        excluded_by={
            F.PLEEGZORG_CRISIS: "CR-00",
            F.CRISISGROEP_12MIN: "CR-00",
            F.CRISISGROEP_12PLUS: "CR-00",
        },
    ),
    Case("CR-01", {"crisis": True}, capabilities=(Cap.CRISIS,)),
    Case(
        "CR-02",
        {"crisis": True},
        acceptable=(F.PLEEGZORG_CRISIS, F.CRISISGROEP_12MIN),
        excluded_by={F.CRISISGROEP_12PLUS: "CR-02"},
    ),
    Case(
        "CR-03",
        {"crisis": True, "age": 12},
        acceptable=(F.CRISISGROEP_12PLUS, F.PLEEGZORG_CRISIS),
        excluded_by={F.CRISISGROEP_12MIN: "CR-03"},
    ),
    Case(
        "CR-05",
        {"crisis": True, "age": 13, "treatment_need": True},
        acceptable=(F.CRISISGROEP_12PLUS, F.PLEEGZORG_CRISIS),
    ),
    Case(
        "CR-06",
        {"crisis": True, "age": 12, **SAFE_NETWORK},
        acceptable=(F.PLEEGZORG_NETWERK, F.CRISISGROEP_12PLUS, F.PLEEGZORG_CRISIS),
        excluded_by={form: "CR-06" for form in NON_CRISIS},
    ),
    Case(
        "LO-01",
        {"perspective": "terug_naar_huis", "home_municipality": "lelystad"},
        location=Place("lelystad"),
    ),
    Case(
        "LO-02",
        {"home_municipality": "lelystad", "responsible_municipality": "almere"},
        location=Place("almere"),
    ),
    Case("LO-03", {}, location=None),
]
