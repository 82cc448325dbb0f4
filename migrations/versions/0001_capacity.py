"""Capacity ledger: providers, locations, units, occupancies, holds, capacity changes.

Revision ID: 0001_capacity
Revises: (none)
Create Date: 2026-11-23 01:33:16.398793
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001_capacity"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "capacity_provider",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "capacity_location",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("provider_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("municipality", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["capacity_provider.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("capacity_location", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_capacity_location_provider_id"), ["provider_id"], unique=False
        )

    op.create_table(
        "capacity_unit",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("location_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("care_form", sa.String(length=32), nullable=False),
        sa.Column("places", sa.Integer(), nullable=False),
        sa.Column("age_min", sa.Integer(), nullable=False),
        sa.Column("age_max", sa.Integer(), nullable=False),
        sa.Column("sex_policy", sa.String(length=16), nullable=False),
        sa.Column("capabilities", sa.String(length=500), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("closing_date", sa.Date(), nullable=True),
        sa.Column("pref_age_min", sa.Integer(), nullable=True),
        sa.Column("pref_age_max", sa.Integer(), nullable=True),
        sa.Column("pref_sex", sa.String(length=1), nullable=True),
        sa.Column("pref_max_children", sa.Integer(), nullable=True),
        sa.Column("pref_capabilities", sa.String(length=500), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("age_min >= 0 AND age_min <= age_max", name="ck_unit_age_range"),
        sa.CheckConstraint("places >= 0", name="ck_unit_places_nonnegative"),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["capacity_location.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("capacity_unit", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_capacity_unit_care_form"), ["care_form"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_capacity_unit_location_id"), ["location_id"], unique=False
        )

    op.create_table(
        "capacity_change",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("unit_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("places", sa.Integer(), nullable=False),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.Column("remaining", sa.Integer(), nullable=False),
        sa.Column("applied", sa.Boolean(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("places >= 0", name="ck_change_places_nonnegative"),
        sa.CheckConstraint("remaining >= 0", name="ck_change_remaining_nonnegative"),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["capacity_unit.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("capacity_change", schema=None) as batch_op:
        batch_op.create_index("ix_change_unit_effective", ["unit_id", "effective_on"], unique=False)

    op.create_table(
        "capacity_hold",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("unit_id", sa.String(length=64), nullable=False),
        sa.Column("referral_ref", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        sa.Column("occupancy_id", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["capacity_unit.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("capacity_hold", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_capacity_hold_expires_at"), ["expires_at"], unique=False
        )
        batch_op.create_index("ix_hold_unit_state", ["unit_id", "state"], unique=False)

    op.create_table(
        "capacity_occupancy",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("unit_id", sa.String(length=64), nullable=False),
        sa.Column("child_ref", sa.String(length=64), nullable=False),
        sa.Column("since", sa.Date(), nullable=False),
        sa.Column("expected_end", sa.Date(), nullable=True),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("outcome", sa.String(length=32), nullable=True),
        sa.Column("closure_flagged", sa.Boolean(), nullable=False),
        sa.Column("hold_id", sa.String(length=64), nullable=True),
        sa.CheckConstraint("ended_on IS NULL OR ended_on >= since", name="ck_occupancy_ended_on"),
        sa.CheckConstraint(
            "expected_end IS NULL OR expected_end >= since", name="ck_occupancy_expected_end"
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["capacity_unit.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("capacity_occupancy", schema=None) as batch_op:
        batch_op.create_index("ix_occupancy_unit_open", ["unit_id", "ended_on"], unique=False)
        batch_op.create_index(
            "uq_occupancy_open_child",
            ["child_ref"],
            unique=True,
            postgresql_where=sa.text("ended_on IS NULL"),
            sqlite_where=sa.text("ended_on IS NULL"),
        )


def downgrade() -> None:
    """Undo this revision."""
    with op.batch_alter_table("capacity_occupancy", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_occupancy_open_child",
            postgresql_where=sa.text("ended_on IS NULL"),
            sqlite_where=sa.text("ended_on IS NULL"),
        )
        batch_op.drop_index("ix_occupancy_unit_open")

    op.drop_table("capacity_occupancy")
    with op.batch_alter_table("capacity_hold", schema=None) as batch_op:
        batch_op.drop_index("ix_hold_unit_state")
        batch_op.drop_index(batch_op.f("ix_capacity_hold_expires_at"))

    op.drop_table("capacity_hold")
    with op.batch_alter_table("capacity_change", schema=None) as batch_op:
        batch_op.drop_index("ix_change_unit_effective")

    op.drop_table("capacity_change")
    with op.batch_alter_table("capacity_unit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_capacity_unit_location_id"))
        batch_op.drop_index(batch_op.f("ix_capacity_unit_care_form"))

    op.drop_table("capacity_unit")
    with op.batch_alter_table("capacity_location", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_capacity_location_provider_id"))

    op.drop_table("capacity_location")
    op.drop_table("capacity_provider")
