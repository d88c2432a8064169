"""visit.pass_seq: the pass number as an integer, with indexes for issuing the next pass

Issuing a pass read every pass of the day to find the highest (ordered by length, then text) and
every visitor on site to skip passes still held from earlier days; on a busy day both grew with
the visitor count. The integer column and the (pass_day, pass_seq) and (state, pass_day) indexes
make each one index lookup.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 15:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("visit", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pass_seq", sa.Integer(), nullable=True))
    # Passes are "V-" and the number (V-007, V-1000).
    op.execute(
        "UPDATE visit SET pass_seq = CAST(SUBSTR(pass_number, 3) AS INTEGER)"
        " WHERE pass_number IS NOT NULL"
    )
    with op.batch_alter_table("visit", schema=None) as batch_op:
        batch_op.drop_index("ix_visit_state")
        batch_op.create_index("ix_visit_state_pass_day", ["state", "pass_day"], unique=False)
        batch_op.create_index("ix_visit_pass_day_seq", ["pass_day", "pass_seq"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("visit", schema=None) as batch_op:
        batch_op.drop_index("ix_visit_pass_day_seq")
        batch_op.drop_index("ix_visit_state_pass_day")
        batch_op.create_index("ix_visit_state", ["state"], unique=False)
        batch_op.drop_column("pass_seq")
