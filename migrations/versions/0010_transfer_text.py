"""The explanation of a transfer: required when its reason is 'anders'

Revision ID: 0010_transfer_text
Revises: 0009_referral_versions
Create Date: 2026-12-07 03:20:00.000000

- `workflow_referral.transfer_text`: why a placed child moves, in words, when none of the
  coded transfer reasons fits (issue #21).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_transfer_text"
down_revision: str | None = "0009_referral_versions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add the column (empty for the transfers recorded before)."""
    with op.batch_alter_table("workflow_referral", schema=None) as batch_op:
        batch_op.add_column(sa.Column("transfer_text", sa.String(length=500), nullable=True))


def downgrade() -> None:
    """Drop the column (the explanations go with it)."""
    with op.batch_alter_table("workflow_referral", schema=None) as batch_op:
        batch_op.drop_column("transfer_text")
