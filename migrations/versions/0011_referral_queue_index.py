"""An index for the waiting queue per first-best care form

Revision ID: 0011_referral_queue_index
Revises: 0010_transfer_text
Create Date: 2026-12-07 17:20:00.000000

- `ix_referral_first_best_status` on `workflow_referral (first_best, status)`: every
  proposal reads the children waiting for the same first-best care form (the wait-or-take
  estimate, placements.proposals); the status index alone made PostgreSQL visit every
  waiting referral of every form (measured on the demo with 277 waiting: 0.73 -> 0.21 ms).
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0011_referral_queue_index"
down_revision: str | None = "0010_transfer_text"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the index."""
    op.create_index("ix_referral_first_best_status", "workflow_referral", ["first_best", "status"])


def downgrade() -> None:
    """Drop the index."""
    op.drop_index("ix_referral_first_best_status", table_name="workflow_referral")
