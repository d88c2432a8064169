"""customerreply.message_id: what a caller was told at an interim call back

A phone message's owner may call the caller back before they have the full answer and tell
them when to expect it ("Interim call back…"); what was said, how and the date promised are
kept as for an enquiry, so a reply belongs to an enquiry or to a phone message (enquiry_id
becomes optional). Existing replies all belong to enquiries and keep theirs.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01 07:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("customerreply") as batch:
        batch.add_column(sa.Column("message_id", sa.Integer(), nullable=True))
        batch.alter_column("enquiry_id", existing_type=sa.Integer(), nullable=True)
        batch.create_foreign_key(
            "fk_customerreply_message_id", "phonemessage", ["message_id"], ["id"]
        )
        batch.create_index("ix_customerreply_message_id", ["message_id"])


def downgrade() -> None:
    op.execute("DELETE FROM customerreply WHERE enquiry_id IS NULL")
    with op.batch_alter_table("customerreply") as batch:
        batch.drop_index("ix_customerreply_message_id")
        batch.drop_constraint("fk_customerreply_message_id", type_="foreignkey")
        batch.alter_column("enquiry_id", existing_type=sa.Integer(), nullable=False)
        batch.drop_column("message_id")
