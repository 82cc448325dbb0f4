"""Referral status note (a hold that ended by itself), and discharge of departed children

Revision ID: 0005_referral_status_note
Revises: 0004_web_sessions
Create Date: 2026-12-06 18:50:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_referral_status_note"
down_revision: str | None = "0004_web_sessions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Before this revision a provider's departure ended the stay but left the referral
# 'geplaatst', where no action could reach it any more: discharge it with the stay's end.
_DISCHARGE_DEPARTED = """
UPDATE workflow_referral SET
    status = 'uitgestroomd',
    discharged_on = (SELECT o.ended_on FROM capacity_occupancy o
                     WHERE o.id = workflow_referral.occupancy_id),
    discharge_outcome = (SELECT o.outcome FROM capacity_occupancy o
                         WHERE o.id = workflow_referral.occupancy_id)
WHERE status = 'geplaatst' AND occupancy_id IN (
    SELECT id FROM capacity_occupancy WHERE ended_on IS NOT NULL)
"""


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("workflow_referral", schema=None) as batch_op:
        batch_op.add_column(sa.Column("status_note", sa.String(length=500), nullable=True))
    op.execute(_DISCHARGE_DEPARTED)


def downgrade() -> None:
    """Undo this revision (the discharged referrals stay discharged: that was their truth)."""
    with op.batch_alter_table("workflow_referral", schema=None) as batch_op:
        batch_op.drop_column("status_note")
