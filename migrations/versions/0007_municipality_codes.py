"""Municipalities as CBS codes; the deviation log says where a child was placed

Revision ID: 0007_municipality_codes
Revises: 0006_advice_judgement
Create Date: 2026-12-07 00:40:00.000000

Before this revision a municipality was one of seven values: the six municipalities of the
first region the service ran for, by lower-case name, and 'buiten_regio' for any place
outside it. From now on it is the CBS code (GM + four digits) of the national list
(domain/data/gemeenten.csv, CBS Gebieden in Nederland 2026):

- the six names map to their codes in `capacity_location.municipality` and in
  `workflow_referral.home_municipality`, `.responsible_municipality` and
  `.placed_municipality`;
- 'buiten_regio' stays: the old data never recorded which municipality outside the region
  it was, and guessing one would put a wrong municipality on a child's record. The service
  shows it as "buiten de regio (gemeente niet vastgelegd)";
- `workflow_deviation.placed_municipality` is new: where the child was placed, taken from
  its referral for the deviations recorded so far.

The profile and intake JSON of a referral keep the names they were stored with: the
service reads a name as its municipality wherever a code is expected.

The downgrade maps the six codes back to their names and every other code to
'buiten_regio' (the only thing the old version can say about it), and drops the column.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_municipality_codes"
down_revision: str | None = "0006_advice_judgement"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The old enum values and their CBS codes: a fact about the data before this revision.
OLD_TO_CODE = {
    "almere": "GM0034",
    "dronten": "GM0303",
    "lelystad": "GM0995",
    "noordoostpolder": "GM0171",
    "urk": "GM0184",
    "zeewolde": "GM0050",
}
OUTSIDE = "buiten_regio"
COLUMNS = [
    ("capacity_location", "municipality"),
    ("workflow_referral", "home_municipality"),
    ("workflow_referral", "responsible_municipality"),
    ("workflow_referral", "placed_municipality"),
]


def _remap(mapping: dict[str, str], others: str | None) -> None:
    """Rewrite every column by `mapping`; with `others`, any value not in it becomes that."""
    bind = op.get_bind()
    for table, column in COLUMNS:
        for old, new in mapping.items():
            bind.execute(
                sa.text(f"UPDATE {table} SET {column} = :new WHERE {column} = :old"),
                {"new": new, "old": old},
            )
        if others is not None:
            keep = [*mapping.values(), others]
            names = ", ".join(f":k{i}" for i in range(len(keep)))
            bind.execute(
                sa.text(
                    f"UPDATE {table} SET {column} = :other "
                    f"WHERE {column} IS NOT NULL AND {column} NOT IN ({names})"
                ),
                {"other": others, **{f"k{i}": v for i, v in enumerate(keep)}},
            )


def upgrade() -> None:
    """Names to codes; the deviation log gets the municipality of the placement."""
    _remap(OLD_TO_CODE, None)
    with op.batch_alter_table("workflow_deviation", schema=None) as batch_op:
        batch_op.add_column(sa.Column("placed_municipality", sa.String(length=32), nullable=True))
    op.execute(
        "UPDATE workflow_deviation SET placed_municipality = ("
        "SELECT r.placed_municipality FROM workflow_referral r "
        "WHERE r.id = workflow_deviation.referral_id)"
    )


def downgrade() -> None:
    """Codes back to the old names; every other municipality becomes 'buiten_regio'."""
    with op.batch_alter_table("workflow_deviation", schema=None) as batch_op:
        batch_op.drop_column("placed_municipality")
    _remap({code: name for name, code in OLD_TO_CODE.items()}, OUTSIDE)
