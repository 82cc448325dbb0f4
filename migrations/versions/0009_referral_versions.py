"""Earlier versions of a referral's profile, kept when staff edit the referral; when a user
last read their notifications

Revision ID: 0009_referral_versions
Revises: 0006_advice_judgement
Create Date: 2026-12-07 00:40:00.000000

- `workflow_referral_version` holds the profile (and the first-best and rule set in force
  with it) as it was before each edit, numbered per referral.
- `notice_seen` holds, per user, when they last opened their notifications (issue #22).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_referral_versions"
down_revision: str | None = "0008_placement_lifecycle"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add the version table and the notification read marker."""
    op.create_table(
        "notice_seen",
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("seen_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("user_id"),
    )
    op.create_table(
        "workflow_referral_version",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("referral_id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("profile_json", sa.Text(), nullable=False),
        sa.Column("first_best", sa.String(length=32), nullable=True),
        sa.Column("rule_set", sa.String(length=100), nullable=True),
        sa.Column("replaced_at", sa.DateTime(), nullable=False),
        sa.Column("replaced_by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["referral_id"], ["workflow_referral.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("referral_id", "version", name="uq_referral_version"),
    )
    with op.batch_alter_table("workflow_referral_version", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_workflow_referral_version_referral_id"), ["referral_id"], unique=False
        )


def downgrade() -> None:
    """Drop both tables (the earlier profiles go with them)."""
    with op.batch_alter_table("workflow_referral_version", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_workflow_referral_version_referral_id"))
    op.drop_table("workflow_referral_version")
    op.drop_table("notice_seen")
