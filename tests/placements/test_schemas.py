"""The referral's schemas: the public shape is built from the table row with
model_validate(from_attributes=True), keeps its JSON field names, turns the stored text into
lines and the advice into an object, and never shows a BSN or its digest."""

from __future__ import annotations

import json

from placements.schemas import ReferralBase, ReferralCreate, ReferralPublic
from tests.placements.placements_support import referral_row

PUBLIC_FIELDS = {
    "id",
    "child_ref",
    "status",
    "status_note",
    "urgency",
    "verwijzer_type",
    "sibling_group",
    "beschikking_date",
    "perspective",
    "responsible_municipality",
    "responsibility_explanation",
    "start_deadline",
    "perspectiefplan_deadline",
    "bridging_care",
    "first_best",
    "rule_set",
    "advice",
    "top_unit_id",
    "weights_version",
    "placed_unit_id",
    "placed_form",
    "placed_on",
    "regisseur_team",
    "discharged_on",
    "discharge_outcome",
    "discharge_planned",
    "continued_until",
    "previous_referral_id",
    "transfer_reason",
    "withdrawal_reason",
    "created_at",
    # Computed: the municipality's name and whether it lies outside the region.
    "responsible_municipality_name",
    "responsible_outside_region",
}


def test_the_public_referral_keeps_its_json_field_names() -> None:
    dumped = ReferralPublic.model_validate(referral_row()).model_dump(mode="json")
    assert set(dumped) == PUBLIC_FIELDS


def test_the_public_referral_never_shows_a_bsn_or_its_digest() -> None:
    text = ReferralPublic.model_validate(referral_row()).model_dump_json()
    assert "bsn" not in text and "digest-that-no-reader-sees" not in text


def test_the_public_referral_reads_the_stored_text_as_lines_and_the_advice_as_data() -> None:
    row = referral_row()
    row.advice_json = json.dumps({"first_best": "pleegzorg"})
    public = ReferralPublic.model_validate(row)
    assert public.responsibility_explanation == ["eerste regel", "tweede regel"]
    assert public.advice == {"first_best": "pleegzorg"}
    assert ReferralPublic.model_validate(referral_row()).advice is None


def test_the_public_status_is_the_plain_value() -> None:
    dumped = ReferralPublic.model_validate(referral_row()).model_dump(mode="json")
    assert dumped["status"] == "aangemeld" and type(dumped["status"]) is str


def test_create_and_public_share_the_base() -> None:
    assert issubclass(ReferralCreate, ReferralBase) and issubclass(ReferralPublic, ReferralBase)
