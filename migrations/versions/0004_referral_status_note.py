"""Referral status note: why the service itself moved a referral (a hold that ended)

Revision ID: 0004_referral_status_note
Revises: 0003_simulation_jobs
Create Date: 2026-12-06 18:50:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_referral_status_note"
down_revision: str | None = "0003_simulation_jobs"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("workflow_referral", schema=None) as batch_op:
        batch_op.add_column(sa.Column("status_note", sa.String(length=500), nullable=True))


def downgrade() -> None:
    """Undo this revision."""
    with op.batch_alter_table("workflow_referral", schema=None) as batch_op:
        batch_op.drop_column("status_note")
