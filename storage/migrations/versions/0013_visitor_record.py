"""the visitor record: ID type, escort, access needs, late report; the watch list

Visits gain `id_type` (the type of ID seen, never its number), `escort_id`, `needs` and
`late_reported_at`; enquiries gain `needs`; `watchentry` holds the managers' watch list.

Revision ID: 0013
Revises: 0005
Create Date: 2026-12-01 03:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from storage.types import UTCDateTime

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _text(length: int) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def upgrade() -> None:
    with op.batch_alter_table("visit") as batch:
        batch.add_column(sa.Column("id_type", _text(32), nullable=True))
        batch.add_column(sa.Column("escort_id", _text(32), nullable=True))
        batch.add_column(sa.Column("needs", _text(200), nullable=True))
        batch.add_column(sa.Column("late_reported_at", UTCDateTime(timezone=True), nullable=True))
    with op.batch_alter_table("enquiry") as batch:
        batch.add_column(sa.Column("needs", _text(200), nullable=True))
    op.create_table(
        "watchentry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", _text(200), nullable=False),
        sa.Column("name_key", _text(200), nullable=False),
        sa.Column("reason", _text(500), nullable=False),
        sa.Column("added_by", _text(32), nullable=False),
        sa.Column("added_at", UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_watchentry_name_key", "watchentry", ["name_key"])


def downgrade() -> None:
    op.drop_index("ix_watchentry_name_key", table_name="watchentry")
    op.drop_table("watchentry")
    with op.batch_alter_table("enquiry") as batch:
        batch.drop_column("needs")
    with op.batch_alter_table("visit") as batch:
        batch.drop_column("late_reported_at")
        batch.drop_column("needs")
        batch.drop_column("escort_id")
        batch.drop_column("id_type")
