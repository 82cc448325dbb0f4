"""Rule files: malformed files get one clear error naming file, rule and field; the engine's
order semantics and its deterministic fallback."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from afwegingskader.engine import FALLBACK_RULE_ID, advise
from afwegingskader.models import Profile
from afwegingskader.ruleset import DEFAULT_RULES, load_rule_set, parse_rule_set
from domain.care import CareForm as F
from domain.errors import ConfigError

BASE_ORDER = (F.PLEEGZORG_BESTAND, F.GEZINSHUIS, F.BEHANDELGROEP)
PROFILE = Profile(
    age=8,
    reference_date=date(2025, 11, 3),
    sex="v",
    severity="matig",
    complexity="meervoudig",
    perspective="terug_naar_huis",
)


def rule_file(tmp_path: Path, rule_list: list[dict[str, Any]], **header: Any) -> Path:
    """A rule file with a valid header (overridable) and the given rules."""
    data: dict[str, Any] = {
        "name": "test",
        "version": "0.1",
        "order": ["pleegzorg_bestand", "gezinshuis", "behandelgroep"],
        "fallback": ["behandelgroep"],
        "breakdown_risk": {"medium": 2, "high": 4},
        "rules": rule_list,
    }
    data.update(header)
    path = tmp_path / "regels.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def rule(rid: str = "R-1", **fields: Any) -> dict[str, Any]:
    """A valid rule with overridable fields (None removes a field)."""
    base: dict[str, Any] = {"id": rid, "text": "tekst", "source": "lokale keuze", "then": {}}
    base.update(fields)
    return {k: v for k, v in base.items() if v is not None}


BAD_RULES = [
    ("then.exclude", [rule(then={"exclude": "pleegzorg_xx"})], "onbekende zorgvorm 'pleegzorg_xx'"),
    ("then.order[1]", [rule(then={"order": ["gezinshuis", "pleeggezin"]})], "onbekende zorgvorm"),
    ("then.order", [rule(then={"order": ["gezinshuis", "gezinshuis"]})], "dubbel"),
    ("then.first", [rule(then={"first": 3})], "onbekende zorgvorm"),
    ("then.demote", [rule(then={"demote": {"form": "gezinshuis"}})], "below"),
    (
        "then.promote.above",
        [rule(then={"promote": {"form": "gezinshuis", "above": "x"}})],
        "zorgvorm",
    ),
    ("then.require", [rule(then={"require": "telepathie"})], "onbekende capability"),
    ("then.siblings", [rule(then={"siblings": "misschien"})], "samen of apart"),
    ("then.risk", [rule(then={"risk": "hoog"})], "getal"),
    ("then.location", [rule(then={"location": "amsterdam"})], "home_municipality"),
    ("then.vlieg", [rule(then={"vlieg": True})], "onbekende actie"),
    ("then", [rule(then=None)], "ontbreekt"),
    ("then", [rule(then=["exclude"])], "mapping"),
    ("text", [rule(text=None)], "ontbreekt"),
    ("source", [rule(source="  ")], "niet-lege tekst"),
    ("kleur", [rule(kleur="rood")], "onbekend veld"),
    ("id", [rule("R-1"), rule("R-1")], "al eerder"),
    ("when.leeftijd", [rule(when={"leeftijd": 3})], "onbekend feit 'leeftijd'"),
    ("when.age.~=", [rule(when={"age": {"~=": 3}})], "operator '~='"),
    ("when.age.>=", [rule(when={"age": {">=": "twaalf"}})], "geheel getal"),
    ("when.crisis", [rule(when={"crisis": "ja"})], "true of false"),
    ("when.severity", [rule(when={"severity": "zwaar"})], "onbekende waarde"),
    ("when.perspective.>", [rule(when={"perspective": {">": "terug_naar_huis"}})], "past niet"),
    ("when.capj.has", [rule(when={"capj": {"has": "Z999"}})], "onbekende CAP-J-code 'Z999'"),
    ("when.capj", [rule(when={"capj": "A"})], "has_any"),
    ("when.any", [rule(when={"any": []})], "niet-lege lijst"),
    ("when.not", [rule(when={"not": "crisis"})], "mapping"),
    ("when.all[1].age.in", [rule(when={"all": [{"crisis": True}, {"age": {"in": 3}}]})], "lijst"),
    (
        "when",
        [rule("R-1", when={"breakdown_risk": "high"}), rule("R-2", then={"risk": 1})],
        "na de laatste risicoregel (R-2)",
    ),
]


@pytest.mark.parametrize(("field", "rules", "detail"), BAD_RULES, ids=[b[0] for b in BAD_RULES])
def test_malformed_rule_names_file_rule_and_field(
    tmp_path: Path, field: str, rules: list[dict[str, Any]], detail: str
) -> None:
    path = rule_file(tmp_path, rules)
    with pytest.raises(ConfigError) as caught:
        load_rule_set(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: regel R-1: {field}: ")
    assert detail in message


BAD_HEADERS = [
    ("version", {"version": 1.0}, "aanhalingstekens"),
    ("name", {"name": ""}, "niet-lege tekst"),
    ("auteur", {"auteur": "x"}, "onbekend veld"),
    ("order[0]", {"order": ["pleeggezin"]}, "onbekende zorgvorm"),
    ("fallback", {"fallback": []}, "niet-lege lijst"),
    ("breakdown_risk", {"breakdown_risk": {"medium": 5, "high": 4}}, "medium < high"),
    ("breakdown_risk.high", {"breakdown_risk": {"medium": 1, "high": "veel"}}, "getal"),
    ("rules", {"rules": []}, "niet-lege lijst"),
    ("rules[0].id", {"rules": [{"text": "x"}]}, "id ontbreekt"),
]


@pytest.mark.parametrize(
    ("field", "header", "detail"), BAD_HEADERS, ids=[b[0] for b in BAD_HEADERS]
)
def test_malformed_header_names_file_and_field(
    tmp_path: Path, field: str, header: dict[str, Any], detail: str
) -> None:
    path = rule_file(tmp_path, [rule()], **header)
    with pytest.raises(ConfigError) as caught:
        load_rule_set(path)
    assert str(caught.value).startswith(f"{path}: {field}: ")
    assert detail in str(caught.value)


def test_yaml_syntax_error_is_one_clean_error(tmp_path: Path) -> None:
    path = tmp_path / "kapot.yaml"
    path.write_text("name: x\nrules: [\n  - id: R-1\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_rule_set(path)
    assert str(caught.value).startswith(f"{path}: geen geldige YAML (regel ")


def test_missing_file_and_non_mapping(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="kan bestand niet lezen"):
        load_rule_set(tmp_path / "bestaat-niet.yaml")
    path = tmp_path / "lijst.yaml"
    path.write_text("- 1\n- 2\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="verwacht een mapping"):
        load_rule_set(path)


def test_fallback_when_rules_leave_no_form(tmp_path: Path) -> None:
    rules = [rule(then={"exclude": ["pleegzorg_bestand", "gezinshuis", "behandelgroep"]})]
    advice = advise(PROFILE, load_rule_set(rule_file(tmp_path, rules)))
    # behandelgroep is excluded, so the chain goes on to the most home-like free form.
    assert advice.first_best is F.PLEEGZORG_NETWERK
    assert advice.alternatives == ()
    assert advice.reasons[-1].rule_id == FALLBACK_RULE_ID
    assert advice.first_best not in {e.care_form for e in advice.excluded}


def test_fallback_lifts_an_exclusion_only_when_everything_is_excluded(tmp_path: Path) -> None:
    rules = [rule(then={"exclude": [form.value for form in F]})]
    advice = advise(PROFILE, load_rule_set(rule_file(tmp_path, rules)))
    assert advice.first_best is F.BEHANDELGROEP
    assert F.BEHANDELGROEP not in {e.care_form for e in advice.excluded}
    assert len(advice.excluded) == len(F) - 1
    assert "opheffing van de uitsluiting" in advice.reasons[-1].text


@pytest.mark.parametrize(
    ("action", "expected"),
    [
        # Already in the wanted direction: nothing moves (a demotion must not lift).
        ({"demote": {"form": "behandelgroep", "below": "pleegzorg_bestand"}}, None),
        ({"promote": {"form": "pleegzorg_bestand", "above": "behandelgroep"}}, None),
        # Against the current order: the form moves directly next to the anchor.
        (
            {"demote": {"form": "pleegzorg_bestand", "below": "gezinshuis"}},
            (F.GEZINSHUIS, F.PLEEGZORG_BESTAND, F.BEHANDELGROEP),
        ),
        (
            {"promote": {"form": "behandelgroep", "above": "gezinshuis"}},
            (F.PLEEGZORG_BESTAND, F.BEHANDELGROEP, F.GEZINSHUIS),
        ),
        # A form that is not a candidate is neither moved nor added.
        ({"promote": {"form": "pleegzorg_netwerk", "above": "gezinshuis"}}, None),
        ({"first": "pleegzorg_deeltijd"}, (F.PLEEGZORG_DEELTIJD, *BASE_ORDER)),
        ({"order": ["gezinshuis"]}, (F.GEZINSHUIS,)),
    ],
)
def test_order_actions(tmp_path: Path, action: dict[str, Any], expected: Any) -> None:
    advice = advise(PROFILE, load_rule_set(rule_file(tmp_path, [rule(then=action)])))
    assert advice.acceptable == (expected or BASE_ORDER)


def test_exclusion_is_sticky_against_later_first(tmp_path: Path) -> None:
    rules = [
        rule("R-1", then={"exclude": "gezinshuis"}),
        rule("R-2", then={"first": "gezinshuis"}),
    ]
    advice = advise(PROFILE, load_rule_set(rule_file(tmp_path, rules)))
    assert advice.acceptable == (F.PLEEGZORG_BESTAND, F.BEHANDELGROEP)


def test_apart_outweighs_together_whatever_the_order(tmp_path: Path) -> None:
    profile = PROFILE.model_copy(update={"siblings": ()})
    with_sibling = Profile.model_validate({**profile.model_dump(), "siblings": [{"id": "s1"}]})
    rules = [
        rule("R-1", then={"siblings": "apart"}),
        rule("R-2", then={"siblings": "samen", "require": "sibling_group"}),
    ]
    advice = advise(with_sibling, load_rule_set(rule_file(tmp_path, rules)))
    assert (advice.siblings.together, advice.siblings.rule_id) == (False, "R-1")
    assert advice.required_capabilities == ()


def test_risk_factor_text_and_thresholds(tmp_path: Path) -> None:
    rules = [
        rule("R-1", then={"risk": {"weight": 1.5, "factor": "eigen factor"}}),
        rule("R-2", then={"risk": 0.5}),
        rule("R-3", when={"breakdown_risk": "medium", "breakdown_score": {">=": 2}}, then={}),
    ]
    advice = advise(PROFILE, load_rule_set(rule_file(tmp_path, rules)))
    assert advice.breakdown_risk.factors == ("eigen factor", "tekst")
    assert advice.breakdown_risk.score == 2.0
    assert "R-3" in [r.rule_id for r in advice.reasons]


def test_two_rules_forcing_different_first_best_at_one_priority_are_refused(
    tmp_path: Path,
) -> None:
    path = rule_file(
        tmp_path,
        [
            rule("A-1", when={"age": {">=": 10}}, then={"first": "gezinshuis"}),
            rule("B-2", when={"severity": "ernstig"}, then={"first": "behandelgroep"}),
        ],
    )
    with pytest.raises(ConfigError) as caught:
        load_rule_set(path)
    message = str(caught.value)
    assert "A-1" in message and "B-2" in message and "priority" in message


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ({"crisis": True}, {"crisis": False}),  # exclusive booleans
        ({"age": {"<": 12}}, {"age": {">=": 12}}),  # exclusive ranges
        ({"severity": "licht"}, {"severity": {">=": "matig"}}),  # ordered values
        ({"all": [{"perspective": "terug_naar_huis"}]}, {"perspective": "zelfstandig_wonen"}),
    ],
)
def test_exclusive_conditions_or_other_priorities_may_force_different_forms(
    tmp_path: Path, first: dict[str, Any], second: dict[str, Any]
) -> None:
    exclusive = [
        rule("A-1", when=first, then={"first": "gezinshuis"}),
        rule("B-2", when=second, then={"first": "behandelgroep"}),
    ]
    assert load_rule_set(rule_file(tmp_path, exclusive)).rule_ids == ("A-1", "B-2")
    ranked = [
        rule("A-1", when={"age": 13}, priority=1, then={"first": "gezinshuis"}),
        rule("B-2", when={"age": 13}, priority=2, then={"first": "behandelgroep"}),
    ]
    rules = load_rule_set(rule_file(tmp_path, ranked))
    # The higher priority ends on top, whatever the file order.
    assert advise(PROFILE.model_copy(update={"age": 13}), rules).first_best is F.BEHANDELGROEP


def test_the_shipped_rules_pass_the_contradiction_check_and_set_the_age_threshold() -> None:
    rules = load_rule_set(DEFAULT_RULES)
    assert rules.residential_min_age == 12
    raw = yaml.safe_load(DEFAULT_RULES.read_text(encoding="utf-8"))
    raw["rules"].append(
        {"id": "X-99", "text": "t", "source": "s", "priority": 50, "then": {"first": "gezinshuis"}}
    )
    with pytest.raises(ConfigError, match="BH-04 en X-99"):
        parse_rule_set(raw, "kopie.yaml")


@pytest.mark.parametrize(
    ("then", "needle"),
    [
        ({"risk": {"weight": 1, "per": "severity", "from": 0, "to": 2}}, "kies uit age"),
        ({"risk": {"weight": 1, "per": "age", "from": 5, "to": 5}}, "from < to"),
        ({"prevention": {"thuis": True}}, "ambulant_thuis"),
        ({"warn": True, "exclude": "gezinshuis"}, "waarschuwing"),
        ({"second_opinion": "ja"}, "true of false"),
    ],
)
def test_new_actions_are_validated(tmp_path: Path, then: dict[str, Any], needle: str) -> None:
    with pytest.raises(ConfigError, match=needle):
        load_rule_set(rule_file(tmp_path, [rule(then=then)]))


def test_bad_residential_min_age_names_the_field(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="residential_min_age"):
        load_rule_set(rule_file(tmp_path, [rule()], residential_min_age="twaalf"))
