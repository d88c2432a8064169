"""enquiry.ref, contact and prefers; customerreply: the customer's side of an enquiry

Every enquiry gets a reference to quote (`E-0042`, from its id; existing enquiries get theirs
here), how to reach the customer and the medium they prefer; customerreply records what the
customer was told, how, by whom, and the outcome.

Revision ID: 0007
Revises: 0008
Create Date: 2026-12-01 03:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from storage.types import UTCDateTime

revision: str = "0007"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("enquiry") as batch:
        batch.add_column(
            sa.Column("ref", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True)
        )
        batch.add_column(
            sa.Column("contact", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True)
        )
        batch.add_column(
            sa.Column("prefers", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True)
        )
    enquiry = sa.table("enquiry", sa.column("id", sa.Integer), sa.column("ref", sa.String))
    connection = op.get_bind()
    for (enquiry_id,) in connection.execute(sa.select(enquiry.c.id)).all():
        connection.execute(
            enquiry.update()
            .where(enquiry.c.id == enquiry_id)
            .values(ref=f"E-{int(enquiry_id):04d}")
        )
    with op.batch_alter_table("enquiry") as batch:
        batch.create_unique_constraint("uq_enquiry_ref", ["ref"])
    op.create_table(
        "customerreply",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enquiry_id", sa.Integer(), nullable=False),
        sa.Column("stage", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("told", sa.Boolean(), nullable=False),
        sa.Column("medium", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
        sa.Column("said", sqlmodel.sql.sqltypes.AutoString(length=3000), nullable=True),
        sa.Column("outcome", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column("expect_by", sa.Date(), nullable=True),
        sa.Column("by", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["enquiry_id"], ["enquiry.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_customerreply_enquiry_id", "customerreply", ["enquiry_id"])


def downgrade() -> None:
    op.drop_index("ix_customerreply_enquiry_id", table_name="customerreply")
    op.drop_table("customerreply")
    with op.batch_alter_table("enquiry") as batch:
        batch.drop_constraint("uq_enquiry_ref", type_="unique")
        batch.drop_column("prefers")
        batch.drop_column("contact")
        batch.drop_column("ref")
