"""Accounts, audit log, idempotency and the placement workflow

Revision ID: 0002_workflow
Revises: 0001_capacity
Create Date: 2026-11-23 01:58:41.259335
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_workflow"
down_revision: str | None = "0001_capacity"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The audit log is append-only: the database itself refuses UPDATE and DELETE on it.
APPEND_ONLY = {
    "postgresql": [
        """CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger AS $$
        BEGIN RAISE EXCEPTION 'audit_log is append-only'; END; $$ LANGUAGE plpgsql""",
        """CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
        FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()""",
    ],
    "sqlite": [
        """CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END""",
        """CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END""",
    ],
}


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("entity", sa.String(length=32), nullable=False),
        sa.Column("entity_id", sa.String(length=64), nullable=False),
        sa.Column("via", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_log_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_log_entity_id"), ["entity_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_log_user_id"), ["user_id"], unique=False)

    op.create_table(
        "idempotency_record",
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("key", sa.String(length=128), nullable=False),
        sa.Column("endpoint", sa.String(length=200), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("response_json", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("user_id", "key"),
    )
    op.create_table(
        "workflow_referral",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("child_ref", sa.String(length=64), nullable=False),
        sa.Column("bsn_digest", sa.String(length=64), nullable=True),
        sa.Column("verwijzer_user_id", sa.String(length=64), nullable=False),
        sa.Column("verwijzer_type", sa.String(length=2), nullable=False),
        sa.Column("sibling_group", sa.String(length=64), nullable=True),
        sa.Column("urgency", sa.String(length=16), nullable=False),
        sa.Column("beschikking_date", sa.Date(), nullable=True),
        sa.Column("crisis_placement_date", sa.Date(), nullable=True),
        sa.Column("perspective", sa.String(length=32), nullable=False),
        sa.Column("home_municipality", sa.String(length=32), nullable=True),
        sa.Column("responsible_municipality", sa.String(length=32), nullable=False),
        sa.Column("responsibility_explanation", sa.Text(), nullable=False),
        sa.Column("profile_json", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("start_deadline", sa.Date(), nullable=True),
        sa.Column("perspectiefplan_deadline", sa.Date(), nullable=True),
        sa.Column("bridging_care", sa.String(length=32), nullable=False),
        sa.Column("bridging_since", sa.Date(), nullable=True),
        sa.Column("excluded_units", sa.Text(), nullable=False),
        sa.Column("advice_json", sa.Text(), nullable=True),
        sa.Column("first_best", sa.String(length=32), nullable=True),
        sa.Column("rule_set", sa.String(length=100), nullable=True),
        sa.Column("proposals_json", sa.Text(), nullable=True),
        sa.Column("top_unit_id", sa.String(length=64), nullable=True),
        sa.Column("weights_version", sa.String(length=100), nullable=True),
        sa.Column("hold_id", sa.String(length=64), nullable=True),
        sa.Column("placed_unit_id", sa.String(length=64), nullable=True),
        sa.Column("placed_form", sa.String(length=32), nullable=True),
        sa.Column("placed_municipality", sa.String(length=32), nullable=True),
        sa.Column("placed_on", sa.Date(), nullable=True),
        sa.Column("occupancy_id", sa.String(length=64), nullable=True),
        sa.Column("regisseur_team", sa.String(length=200), nullable=True),
        sa.Column("discharged_on", sa.Date(), nullable=True),
        sa.Column("discharge_outcome", sa.String(length=32), nullable=True),
        sa.CheckConstraint("urgency IN ('regulier', 'crisis')", name="ck_referral_urgency"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("workflow_referral", schema=None) as batch_op:
        batch_op.create_index("ix_referral_status", ["status"], unique=False)
        batch_op.create_index("ix_referral_verwijzer", ["verwijzer_user_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_workflow_referral_child_ref"), ["child_ref"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_workflow_referral_sibling_group"), ["sibling_group"], unique=False
        )

    op.create_table(
        "app_user",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.String(length=128), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("region", sa.String(length=64), nullable=False),
        sa.Column("provider_id", sa.String(), nullable=True),
        sa.Column("verwijzer_type", sa.String(length=2), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["capacity_provider.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_app_user_username"), ["username"], unique=True)

    op.create_table(
        "workflow_decision",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("referral_id", sa.String(length=64), nullable=False),
        sa.Column("unit_id", sa.String(length=64), nullable=False),
        sa.Column("hold_id", sa.String(length=64), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("reason_code", sa.String(length=32), nullable=True),
        sa.Column("reason_text", sa.String(length=500), nullable=True),
        sa.Column("decided_by", sa.String(length=64), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["referral_id"],
            ["workflow_referral.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("workflow_decision", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_workflow_decision_referral_id"), ["referral_id"], unique=False
        )

    op.create_table(
        "workflow_deviation",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("referral_id", sa.String(length=64), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("placed_on", sa.Date(), nullable=False),
        sa.Column("advised_form", sa.String(length=32), nullable=False),
        sa.Column("placed_form", sa.String(length=32), nullable=False),
        sa.Column("form_deviates", sa.Boolean(), nullable=False),
        sa.Column("top_unit_id", sa.String(length=64), nullable=True),
        sa.Column("chosen_unit_id", sa.String(length=64), nullable=False),
        sa.Column("place_deviates", sa.Boolean(), nullable=False),
        sa.Column("reason_code", sa.String(length=32), nullable=False),
        sa.Column("reason_text", sa.String(length=500), nullable=True),
        sa.Column("rule_set", sa.String(length=100), nullable=False),
        sa.Column("weights_version", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(
            ["referral_id"],
            ["workflow_referral.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("workflow_deviation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_workflow_deviation_recorded_at"), ["recorded_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_workflow_deviation_referral_id"), ["referral_id"], unique=False
        )

    op.create_table(
        "api_token",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("user_id", sa.String(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("label", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["app_user.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_token_token_hash"), ["token_hash"], unique=True)
        batch_op.create_index(batch_op.f("ix_api_token_user_id"), ["user_id"], unique=False)
    for statement in APPEND_ONLY.get(op.get_bind().dialect.name, []):
        op.execute(statement)


def downgrade() -> None:
    """Undo this revision."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_change ON audit_log")
        op.execute("DROP FUNCTION IF EXISTS audit_log_append_only()")
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_token_user_id"))
        batch_op.drop_index(batch_op.f("ix_api_token_token_hash"))

    op.drop_table("api_token")
    with op.batch_alter_table("workflow_deviation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_workflow_deviation_referral_id"))
        batch_op.drop_index(batch_op.f("ix_workflow_deviation_recorded_at"))

    op.drop_table("workflow_deviation")
    with op.batch_alter_table("workflow_decision", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_workflow_decision_referral_id"))

    op.drop_table("workflow_decision")
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_app_user_username"))

    op.drop_table("app_user")
    with op.batch_alter_table("workflow_referral", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_workflow_referral_sibling_group"))
        batch_op.drop_index(batch_op.f("ix_workflow_referral_child_ref"))
        batch_op.drop_index("ix_referral_verwijzer")
        batch_op.drop_index("ix_referral_status")

    op.drop_table("workflow_referral")
    op.drop_table("idempotency_record")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_log_user_id"))
        batch_op.drop_index(batch_op.f("ix_audit_log_entity_id"))
        batch_op.drop_index(batch_op.f("ix_audit_log_at"))

    op.drop_table("audit_log")
