"""outbox.posting_at: when a sender set out to post a row that may have reached Slack

The sender sets it (with the lease, in one statement) before each post; a later sender that
finds it set on a row still pending asks Slack whether that earlier post landed (the post
carries the row's key as message metadata) before posting again. Existing rows have none, so
they are posted as before.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-01 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("posting_at", UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("posting_at")
