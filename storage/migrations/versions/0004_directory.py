"""staff.deleted and staff.listed_at: the directory table

The people directory the ack path reads (handlers.directory) is the `staff` table, kept fresh
by the directory job (`users.list`) and by `user_change`/`team_join` events. `deleted` marks
someone Slack has deactivated (or no longer lists), so they are known to be gone rather than
fetched again; `listed_at` is when the job last found them listed, from which it tells whether
a new listing is due.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 01:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("staff") as batch:
        batch.add_column(
            sa.Column("deleted", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(sa.Column("listed_at", UTCDateTime(timezone=True), nullable=True))
        batch.create_index("ix_staff_listed_at", ["listed_at"])


def downgrade() -> None:
    with op.batch_alter_table("staff") as batch:
        batch.drop_index("ix_staff_listed_at")
        batch.drop_column("listed_at")
        batch.drop_column("deleted")
