"""Withdrawal reasons, and the provider's answer to a request for a place

Revision ID: 0008_placement_lifecycle
Revises: 0006_advice_judgement
Create Date: 2026-12-07 00:00:00.000000

- `workflow_referral` gets why and when a referral was withdrawn. Older withdrawals have no
  coded reason: they stay empty (unknown), never guessed.
- `workflow_referral.discharge_planned`: whether a stay ended as planned or broke down;
  older discharges stay unknown.
- `workflow_referral.continued_until`: foster care or a gezinshuis continued after 18.
- `workflow_referral.previous_referral_id`, `transfer_reason`, `transfer_planned`: a
  transfer's follow-up referral, linked to the placement it moves the child from.
- `workflow_provider_request` holds each request to a provider for a held place, with the
  answer, the refusal reason and the response time. Holds made before this revision were
  never asked of a provider in the service: they get no request.
- `workflow_referral.regisseur_user_id` and `regie_task`: the perspectiefregisseur of a
  child and their tasks (start agreements, perspectiefplan, evaluations).
- `register_beschikking` is the register of beschikkingen (JW301 allocations), by hand or
  imported from CSV.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_placement_lifecycle"
down_revision: str | None = "0007_municipality_codes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("workflow_referral", schema=None) as batch_op:
        batch_op.add_column(sa.Column("withdrawal_reason", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("withdrawal_text", sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column("withdrawn_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("discharge_planned", sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column("continued_until", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("previous_referral_id", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("transfer_reason", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("transfer_planned", sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column("regisseur_user_id", sa.String(length=64), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_workflow_referral_regisseur_user_id"),
            ["regisseur_user_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_workflow_referral_previous_referral_id"),
            ["previous_referral_id"],
            unique=False,
        )
    op.create_table(
        "workflow_provider_request",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("referral_id", sa.String(length=64), nullable=False),
        sa.Column("hold_id", sa.String(length=64), nullable=False),
        sa.Column("unit_id", sa.String(length=64), nullable=False),
        sa.Column("provider_id", sa.String(length=64), nullable=False),
        sa.Column("requested_by", sa.String(length=64), nullable=False),
        sa.Column("requested_at", sa.DateTime(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("answered_by", sa.String(length=64), nullable=True),
        sa.Column("answered_at", sa.DateTime(), nullable=True),
        sa.Column("response_minutes", sa.Integer(), nullable=True),
        sa.Column("refusal_reason", sa.String(length=32), nullable=True),
        sa.Column("refusal_text", sa.String(length=500), nullable=True),
        sa.CheckConstraint(
            "state IN ('open', 'geaccepteerd', 'geweigerd')", name="ck_provider_request_state"
        ),
        sa.ForeignKeyConstraint(["referral_id"], ["workflow_referral.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("hold_id"),
    )
    with op.batch_alter_table("workflow_provider_request", schema=None) as batch_op:
        batch_op.create_index(
            "ix_provider_request_provider_state", ["provider_id", "state"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_workflow_provider_request_referral_id"), ["referral_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_workflow_provider_request_requested_at"), ["requested_at"], unique=False
        )
    _beschikking_table()
    op.create_table(
        "regie_task",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("referral_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("due", sa.Date(), nullable=False),
        sa.Column("done_on", sa.Date(), nullable=True),
        sa.Column("done_by", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["referral_id"], ["workflow_referral.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("regie_task", schema=None) as batch_op:
        batch_op.create_index("ix_regie_task_referral_kind", ["referral_id", "kind"], unique=False)


def _beschikking_table() -> None:
    op.create_table(
        "register_beschikking",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("child_ref", sa.String(length=64), nullable=False),
        sa.Column("bsn_digest", sa.String(length=64), nullable=True),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("municipality", sa.String(length=32), nullable=False),
        sa.Column("allocation_number", sa.String(length=8), nullable=False),
        sa.Column("product_category", sa.String(length=2), nullable=False),
        sa.Column("product_code", sa.String(length=5), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("volume", sa.Integer(), nullable=False),
        sa.Column("unit", sa.String(length=2), nullable=False),
        sa.Column("frequency", sa.String(length=1), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("placed_outside_region", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("municipality", "allocation_number", name="uq_beschikking_allocation"),
    )
    with op.batch_alter_table("register_beschikking", schema=None) as batch_op:
        batch_op.create_index(
            "ix_beschikking_municipality_decided", ["municipality", "decided_on"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_register_beschikking_child_ref"), ["child_ref"], unique=False
        )


def downgrade() -> None:
    """Undo this revision."""
    op.drop_table("regie_task")
    op.drop_table("register_beschikking")
    op.drop_table("workflow_provider_request")
    with op.batch_alter_table("workflow_referral", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_workflow_referral_regisseur_user_id"))
        batch_op.drop_column("regisseur_user_id")
        batch_op.drop_index(batch_op.f("ix_workflow_referral_previous_referral_id"))
        batch_op.drop_column("transfer_planned")
        batch_op.drop_column("transfer_reason")
        batch_op.drop_column("previous_referral_id")
        batch_op.drop_column("discharge_planned")
        batch_op.drop_column("continued_until")
        batch_op.drop_column("withdrawn_at")
        batch_op.drop_column("withdrawal_text")
        batch_op.drop_column("withdrawal_reason")
