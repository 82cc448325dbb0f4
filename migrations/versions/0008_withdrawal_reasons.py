"""Withdrawal reasons, and the provider's answer to a request for a place

Revision ID: 0008_withdrawal_reasons
Revises: 0006_advice_judgement
Create Date: 2026-12-07 00:00:00.000000

- `workflow_referral` gets why and when a referral was withdrawn. Older withdrawals have no
  coded reason: they stay empty (unknown), never guessed.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_withdrawal_reasons"
down_revision: str | None = "0006_advice_judgement"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("workflow_referral", schema=None) as batch_op:
        batch_op.add_column(sa.Column("withdrawal_reason", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("withdrawal_text", sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column("withdrawn_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    """Undo this revision."""
    with op.batch_alter_table("workflow_referral", schema=None) as batch_op:
        batch_op.drop_column("withdrawn_at")
        batch_op.drop_column("withdrawal_text")
        batch_op.drop_column("withdrawal_reason")
