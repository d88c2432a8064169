"""rollcall and rollcallentry: a roll call's marks in the database, not in its message

Each "Accounted for" press rebuilt the list from the message it came from, so two marshals
pressing at once lost a mark, and a forged payload could make the bot rewrite any of its posts.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 01:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from storage.types import UTCDateTime

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "rollcall",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("called_by", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("called_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("head", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "rollcallentry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("roll_call_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("label", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("accounted_by", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("accounted_at", UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_rollcallentry_roll_call_id", "rollcallentry", ["roll_call_id"])


def downgrade() -> None:
    op.drop_index("ix_rollcallentry_roll_call_id", table_name="rollcallentry")
    op.drop_table("rollcallentry")
    op.drop_table("rollcall")
