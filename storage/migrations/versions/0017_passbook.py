"""passbook: the last pass each site issued each day

A sign-in takes the next pass number and locks its site's row of the day in one statement
(storage.passbook), instead of taking a lock for all pass books and then reading the day's
highest pass from the visits. Nothing is copied: the day's first take starts after the highest
pass already on a visit that day, so a day that began before this migration counts on from it.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "passbook",
        sa.Column("site", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("last_seq", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("site", "day"),
    )


def downgrade() -> None:
    op.drop_table("passbook")
