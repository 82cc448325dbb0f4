"""Professional judgement of the advice: the gedragswetenschapper role and its judgements

Revision ID: 0006_advice_judgement
Revises: 0005_referral_status_note
Create Date: 2026-12-08 10:00:00.000000

- `app_user.role` and `audit_log.role` grow from 16 to 32 characters: the new role's name,
  "gedragswetenschapper", has 20. On SQLite a column's type changes only by copying the
  table: the audit log's append-only triggers are made again afterwards.
- `workflow_referral` gets the advice round, the judged advice and the judgement state;
  every referral that already has an advice waits for a judgement ('open').
- `workflow_deviation.original_form` keeps the afwegingskader's own first-best beside the
  advice in force a placement is measured against; older rows had no judgement, so both
  are the same.
- `workflow_advice_judgement` holds every confirmation and change.

The downgrade narrows the role columns again: on PostgreSQL it fails while a user or an
audit entry has a longer role, which is the truth (remove such users first; the audit log
cannot be rewritten).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_advice_judgement"
down_revision: str | None = "0005_referral_status_note"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As 0002 made them; dropping the copied table on SQLite drops its triggers.
SQLITE_APPEND_ONLY = [
    """CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END""",
    """CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END""",
]


def _copies_tables() -> bool:
    """True on SQLite, where a changed column copies its table (migrations/env.py turns
    foreign keys off for that, and checks them before the commit)."""
    return op.get_bind().dialect.name == "sqlite"


def _role_length(length: int, before: int, *, sqlite: bool) -> None:
    for table in ("app_user", "audit_log"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(
                "role",
                existing_type=sa.String(length=before),
                type_=sa.String(length=length),
                existing_nullable=False,
            )
    if sqlite:
        for statement in SQLITE_APPEND_ONLY:
            op.execute(statement)


def upgrade() -> None:
    """Apply this revision."""
    _role_length(32, before=16, sqlite=_copies_tables())
    with op.batch_alter_table("workflow_referral", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("advice_round", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("judged_advice_json", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("judgement", sa.String(length=16), nullable=True))
    op.execute(
        "UPDATE workflow_referral SET advice_round = 1, judgement = 'open' "
        "WHERE advice_json IS NOT NULL"
    )
    with op.batch_alter_table("workflow_deviation", schema=None) as batch_op:
        batch_op.add_column(sa.Column("original_form", sa.String(length=32), nullable=True))
    op.execute("UPDATE workflow_deviation SET original_form = advised_form")
    op.create_table(
        "workflow_advice_judgement",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("referral_id", sa.String(length=64), nullable=False),
        sa.Column("advice_round", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("judged_by", sa.String(length=64), nullable=False),
        sa.Column("judged_at", sa.DateTime(), nullable=False),
        sa.Column("verdict", sa.String(length=16), nullable=False),
        sa.Column("original_form", sa.String(length=32), nullable=False),
        sa.Column("judged_form", sa.String(length=32), nullable=False),
        sa.Column("chosen_form", sa.String(length=32), nullable=False),
        sa.Column("chosen_alternatives", sa.String(length=400), nullable=False),
        sa.Column("reason_code", sa.String(length=32), nullable=False),
        sa.Column("reason_text", sa.String(length=500), nullable=True),
        sa.Column("rule_set", sa.String(length=100), nullable=False),
        sa.Column("state_after", sa.String(length=16), nullable=False),
        sa.CheckConstraint("verdict IN ('confirm', 'change')", name="ck_judgement_verdict"),
        sa.ForeignKeyConstraint(["referral_id"], ["workflow_referral.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("referral_id", "advice_round", "judged_by", name="uq_judgement_person"),
        sa.UniqueConstraint("referral_id", "advice_round", "seq", name="uq_judgement_seq"),
    )
    with op.batch_alter_table("workflow_advice_judgement", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_workflow_advice_judgement_judged_at"), ["judged_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_workflow_advice_judgement_referral_id"), ["referral_id"], unique=False
        )


def downgrade() -> None:
    """Undo this revision."""
    sqlite = _copies_tables()
    with op.batch_alter_table("workflow_advice_judgement", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_workflow_advice_judgement_referral_id"))
        batch_op.drop_index(batch_op.f("ix_workflow_advice_judgement_judged_at"))
    op.drop_table("workflow_advice_judgement")
    with op.batch_alter_table("workflow_deviation", schema=None) as batch_op:
        batch_op.drop_column("original_form")
    with op.batch_alter_table("workflow_referral", schema=None) as batch_op:
        batch_op.drop_column("judgement")
        batch_op.drop_column("judged_advice_json")
        batch_op.drop_column("advice_round")
    _role_length(16, before=32, sqlite=sqlite)
