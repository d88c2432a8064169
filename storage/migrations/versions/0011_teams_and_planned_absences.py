"""teams on items, messages with no recipient, planned absences

`item.team`: the team an item opened with (reports count breaches by team).
`phonemessage.recipient_id` may be NULL: a message taken with no recipient is routed.
`absence.hand_over` and `absence.start_pending`: a planned absence keeps the hand-over chosen
when it was set and applies it when it begins; absences already set have begun.

Revision ID: 0011
Revises: 0012
Create Date: 2026-12-01 03:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0011"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("item") as batch:
        batch.add_column(
            sa.Column("team", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True)
        )
    with op.batch_alter_table("phonemessage") as batch:
        batch.alter_column(
            "recipient_id",
            existing_type=sqlmodel.sql.sqltypes.AutoString(length=32),
            nullable=True,
        )
    with op.batch_alter_table("absence") as batch:
        batch.add_column(
            sa.Column("hand_over", sa.Boolean(), nullable=False, server_default=sa.true())
        )
        batch.add_column(
            sa.Column("start_pending", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.create_index("ix_absence_start_pending", ["start_pending", "starts_at"])


def downgrade() -> None:
    with op.batch_alter_table("absence") as batch:
        batch.drop_index("ix_absence_start_pending")
        batch.drop_column("start_pending")
        batch.drop_column("hand_over")
    op.execute("UPDATE phonemessage SET recipient_id = taken_by WHERE recipient_id IS NULL")
    with op.batch_alter_table("phonemessage") as batch:
        batch.alter_column(
            "recipient_id",
            existing_type=sqlmodel.sql.sqltypes.AutoString(length=32),
            nullable=False,
        )
    with op.batch_alter_table("item") as batch:
        batch.drop_column("team")
