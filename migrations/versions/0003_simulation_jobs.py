"""Simulation jobs: a planner's queued scenario runs, their progress and summaries

Revision ID: 0003_simulation_jobs
Revises: 0002_workflow
Create Date: 2026-11-23 04:13:23.338998
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_simulation_jobs"
down_revision: str | None = "0002_workflow"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "simulation_job",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("created_by", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("scenario", sa.String(length=64), nullable=False),
        sa.Column("compare_with", sa.String(length=64), nullable=True),
        sa.Column("replications", sa.Integer(), nullable=False),
        sa.Column("progress_done", sa.Integer(), nullable=False),
        sa.Column("progress_total", sa.Integer(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("claimed_by", sa.String(length=128), nullable=True),
        sa.Column("started_at", sa.DateTime(), nullable=True),
        sa.Column("heartbeat_at", sa.DateTime(), nullable=True),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("summary_json", sa.Text(), nullable=True),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(["created_by"], ["app_user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("simulation_job", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_simulation_job_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_simulation_job_created_by"), ["created_by"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_simulation_job_status"), ["status"], unique=False)


def downgrade() -> None:
    """Undo this revision."""
    with op.batch_alter_table("simulation_job", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_simulation_job_status"))
        batch_op.drop_index(batch_op.f("ix_simulation_job_created_by"))
        batch_op.drop_index(batch_op.f("ix_simulation_job_created_at"))
    op.drop_table("simulation_job")
