"""IntakeCase validation, assess end to end, render_text, and the example case files."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from afwegingskader import intake
from domain.errors import InvalidInput
from domain.places import Municipality
from domain.profile_vocabulary import WlzOutcome, WoonplaatsRule
from domain.validation import describe
from domain.vocabulary import AssignMoment, DeadlineKind, DeadlineStatus, RegieAssignment

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "cases"

CRISIS: dict[str, Any] = {
    "case_start_date": "2026-12-24",
    "crisis": True,
    "crisis_placement_date": "2026-12-24",
    "age": 14,
    "perspective": "terug_naar_huis",
    "future_municipality": "lelystad",
    "woonplaats": {"stay": "jeugdhulpaanbieder", "brp_residence_before_stay": "lelystad"},
}

REGULAR: dict[str, Any] = {
    "case_start_date": "2026-10-05",
    "beschikking_date": "2026-11-12",
    "birth_date": "2012-06-30",
    "perspective": "langdurig_verblijf",
    "woonplaats": {"stay": "geen", "brp_residence": "zeewolde"},
}


def _case(base: dict[str, Any], **changes: Any) -> intake.IntakeCase:
    return intake.IntakeCase.model_validate({**base, **changes})


def _error(base: dict[str, Any], **changes: Any) -> str:
    with pytest.raises(ValidationError) as caught:
        intake.IntakeCase.model_validate({**base, **changes})
    return describe(caught.value)


@pytest.mark.region("flevoland")
def test_crisis_case_end_to_end() -> None:
    result = intake.assess(_case(CRISIS))
    assert result.municipality.municipality == Municipality("lelystad")
    assert result.municipality.rule is WoonplaatsRule.VANAF_2022
    assert result.regisseur.team == "jeugd- en gezinsteams"
    assert result.regisseur.moment is AssignMoment.NA_CRISISPLAATSING
    due = {d.kind: d.due for d in result.deadlines}
    assert due == {
        DeadlineKind.STARTAFSPRAKEN: date(2026, 12, 28),
        DeadlineKind.PERSPECTIEFPLAN: date(2027, 1, 7),
    }
    assert result.wlz.outcome is WlzOutcome.ONVOLDOENDE_GEGEVENS
    assert any("Nog geen beschikking" in n for n in result.notes)


@pytest.mark.region("flevoland")
def test_regular_case_end_to_end() -> None:
    result = intake.assess(_case(REGULAR))
    assert result.age == 14  # on the beschikking date, the latest event
    assert result.municipality.municipality == Municipality("zeewolde")
    assert result.regisseur.assignment is RegieAssignment.LOKALE_KEUZE
    assert result.regisseur.assign_on == date(2026, 11, 12)
    assert [(d.kind, d.due) for d in result.deadlines] == [
        (DeadlineKind.START_HULP, date(2026, 11, 26))
    ]


def test_crisis_followed_by_a_beschikking_has_all_three_deadlines() -> None:
    result = intake.assess(_case(CRISIS, beschikking_date="2027-01-04"))
    assert [d.kind for d in result.deadlines] == [
        DeadlineKind.STARTAFSPRAKEN,
        DeadlineKind.PERSPECTIEFPLAN,
        DeadlineKind.START_HULP,
    ]


def test_reference_date_drives_status_and_age() -> None:
    case = _case(
        REGULAR,
        reference_date="2026-11-30",
        help_started_date=None,
        birth_date="2012-11-29",
    )
    result = intake.assess(case)
    assert result.age == 14
    assert result.deadlines[0].status is DeadlineStatus.VERLOPEN


def test_recorded_progress_is_judged() -> None:
    case = _case(CRISIS, start_agreements_date="2026-12-28", perspectiefplan_date="2027-01-08")
    status = {d.kind: d.status for d in intake.assess(case).deadlines}
    assert status[DeadlineKind.STARTAFSPRAKEN] is DeadlineStatus.GEHAALD
    assert status[DeadlineKind.PERSPECTIEFPLAN] is DeadlineStatus.TE_LAAT


def test_wlz_age_rule_uses_the_childs_age() -> None:
    wlz = {
        "grounds": ["psychiatrisch"],
        "needs_24h_care_or_supervision": "ja",
        "lasting_need": "ja",
    }
    young = intake.assess(_case(CRISIS, wlz=wlz, age=17)).wlz
    adult = intake.assess(_case(CRISIS, wlz=wlz, age=18)).wlz
    assert (young.possible_wlz, adult.possible_wlz) == (False, True)


# (changes, the field the error must name)
BAD_INPUT: list[tuple[dict[str, Any], str]] = [
    ({"crisis_placement_date": None}, "crisis_placement_date"),
    ({"crisis": False}, "crisis_placement_date"),
    ({"future_municipality": "atlantis"}, "future_municipality"),
    ({"future_municipality": None}, "future_municipality"),
    ({"woonplaats": {"stay": "geen", "brp_residence": "atlantis"}}, "woonplaats.brp_residence"),
    ({"age": None}, "birth_date"),
    ({"age": -1}, "age"),
    ({"age": 30}, "age"),
    ({"birth_date": "2012-01-01", "age": 3}, "age"),
    ({"birth_date": "2027-01-01", "age": None}, "birth_date"),
    ({"age": None, "birth_date": "2000-01-01"}, "birth_date"),
    ({"case_start_date": "2014-12-31"}, "case_start_date"),
    ({"case_start_date": "2026-12-25"}, "crisis_placement_date"),
    ({"beschikking_date": "2026-12-01"}, "beschikking_date"),
    ({"start_agreements_date": "2026-12-23"}, "start_agreements_date"),
    ({"perspectiefplan_date": "2026-12-20"}, "perspectiefplan_date"),
    ({"help_started_date": "2026-12-28"}, "help_started_date"),
    ({"reference_date": "2026-12-23"}, "case_start_date"),
    (
        {"reference_date": "2026-12-27", "start_agreements_date": "2026-12-28"},
        "start_agreements_date",
    ),
    ({"siblings": -1}, "siblings"),
    ({"crisis_placement_date": "9999-12-31"}, "crisis_placement_date"),
    ({"reference_date": "2101-01-01"}, "reference_date"),
    ({"crisis_placement_date": "2026-02-30"}, "crisis_placement_date"),
    ({"wlz": {"lasting_need": "misschien"}}, "wlz.lasting_need"),
    ({"nickname": "x"}, "nickname"),
    (
        {"woonplaats": {"stay": "geen", "brp_residence_before_stay": "urk"}},
        "woonplaats.brp_residence_before_stay",
    ),
]


@pytest.mark.parametrize(("changes", "field"), BAD_INPUT)
def test_bad_input_names_the_field(changes: dict[str, Any], field: str) -> None:
    message = _error(CRISIS, **changes)
    assert message.splitlines()[0].startswith(f"{field}: ")


def test_regular_case_rejects_crisis_only_fields() -> None:
    message = _error(REGULAR, start_agreements_date="2026-11-13")
    assert message.startswith("start_agreements_date: ")


def test_errors_do_not_echo_submitted_values() -> None:
    message = _error(CRISIS, future_municipality="Geheimstad", woonplaats={"brp_residence": "Xq"})
    assert "Geheimstad" not in message
    assert "Xq" not in message


def test_missing_woonplaats_fact_is_a_domain_error_naming_the_field() -> None:
    case = _case(CRISIS, woonplaats={"stay": "pleegouder"})
    with pytest.raises(InvalidInput) as caught:
        intake.assess(case)
    assert caught.value.field == "woonplaats.brp_residence_before_stay"


def test_models_are_frozen() -> None:
    case = _case(CRISIS)
    with pytest.raises(ValidationError):
        case.crisis = False  # type: ignore[misc]
    result = intake.assess(case)
    with pytest.raises(ValidationError):
        result.age = 3  # type: ignore[misc]


@pytest.mark.region("flevoland")
def test_render_text_shows_all_four_parts_in_dutch() -> None:
    text = intake.render_text(intake.assess(_case(CRISIS)))
    assert "Verantwoordelijke gemeente: Lelystad" in text
    assert "Wlz: onvoldoende gegevens" in text
    assert "Perspectiefregisseur: jeugd- en gezinsteams (lokale toegang Lelystad)" in text
    assert "startafspraken na crisisplaatsing: uiterlijk maandag 28 december 2026 [open]" in text
    assert (
        "evaluatie en perspectiefplan na crisisplaatsing: uiterlijk donderdag 7 januari 2027"
        in text
    )


@pytest.mark.region("flevoland")
def test_render_text_outside_region() -> None:
    case = _case(REGULAR, woonplaats={"stay": "geen", "brp_residence": "buiten_regio"})
    text = intake.render_text(intake.assess(case))
    assert "Verantwoordelijke gemeente: buiten de regio Flevoland" in text
    assert "Perspectiefregisseur: buiten de regio: regelen met die gemeente" in text


def test_result_round_trips_through_json() -> None:
    result = intake.assess(_case(CRISIS))
    again = intake.IntakeResult.model_validate_json(result.model_dump_json())
    assert again == result


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.json")), ids=lambda p: p.name)
def test_example_cases_assess_cleanly(path: Path) -> None:
    case = intake.IntakeCase.model_validate(json.loads(path.read_text(encoding="utf-8")))
    text = intake.render_text(intake.assess(case))
    assert "Verantwoordelijke gemeente:" in text


def test_there_are_example_cases() -> None:
    assert len(list(EXAMPLES.glob("*.json"))) >= 2
