"""visit.name_key: the visitor's name as compared (case, accents and titles set aside)

"Dr Helen Ward" and "Helen Ward" were two people and "zoe" did not find "Zoë"; each visit now
keeps its name's key (storage/names.py), indexed for the visitor log and `/desk forget`. Existing
visits get theirs here, computed in Python by the same function the application uses.

Revision ID: 0008
Revises: 0005
Create Date: 2026-12-01 03:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from storage.names import name_key

revision: str = "0008"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 500


def upgrade() -> None:
    with op.batch_alter_table("visit", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "name_key",
                sqlmodel.sql.sqltypes.AutoString(length=200),
                nullable=False,
                server_default="",
            )
        )
    connection = op.get_bind()
    visit = sa.table("visit", sa.column("id", sa.Integer), sa.column("name", sa.String))
    update = sa.text("UPDATE visit SET name_key = :key WHERE id = :id")
    last = 0
    while True:
        rows = connection.execute(
            sa.select(visit.c.id, visit.c.name)
            .where(visit.c.id > last)
            .order_by(visit.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            break
        connection.execute(update, [{"key": name_key(name), "id": id_} for id_, name in rows])
        last = rows[-1][0]
    with op.batch_alter_table("visit", schema=None) as batch_op:
        batch_op.alter_column("name_key", server_default=None)
        batch_op.create_index("ix_visit_name_key", ["name_key"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("visit", schema=None) as batch_op:
        batch_op.drop_index("ix_visit_name_key")
        batch_op.drop_column("name_key")
