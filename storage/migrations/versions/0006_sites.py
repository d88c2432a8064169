"""item.site, visit.site, staff.site and closures per site: several sites in one deployment

An item's window runs on the calendar of the site that received it, a visitor is on one site's
board and closing list, a person may choose their site (`/desk site`), and `/desk close` closes
one site. Everything already on record belongs to the default site (`[site]`, id "default").

Revision ID: 0006
Revises: 0012
Create Date: 2026-12-01 03:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from storage.types import UTCDateTime

revision: str = "0006"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _site(nullable: bool = False) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(
        "site",
        sqlmodel.sql.sqltypes.AutoString(length=32),
        nullable=nullable,
        server_default=None if nullable else "default",
    )


def upgrade() -> None:
    with op.batch_alter_table("item") as batch:
        batch.add_column(_site())
    with op.batch_alter_table("visit") as batch:
        batch.add_column(_site())
        batch.create_index("ix_visit_site", ["site"])
    with op.batch_alter_table("staff") as batch:
        batch.add_column(_site(nullable=True))
    # The closed day's key becomes (site, day): two sites may close the same day.
    _rebuild_closures(with_site=True)


def downgrade() -> None:
    _rebuild_closures(with_site=False)
    with op.batch_alter_table("staff") as batch:
        batch.drop_column("site")
    with op.batch_alter_table("visit") as batch:
        batch.drop_index("ix_visit_site")
        batch.drop_column("site")
    with op.batch_alter_table("item") as batch:
        batch.drop_column("site")


def _rebuild_closures(*, with_site: bool) -> None:
    """Copy the closures into a table keyed (site, day), or back to (day) for the default site
    alone: a primary key cannot be altered in place on SQLite."""
    site = [_site()] if with_site else []
    op.create_table(
        "closure_new",
        *site,
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("added_by", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("added_at", UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint(*(["site"] if with_site else []), "day"),
    )
    columns = "day, reason, added_by, added_at"
    where = "" if with_site else " WHERE site = 'default'"
    op.execute(f"INSERT INTO closure_new ({columns}) SELECT {columns} FROM closure{where}")
    op.drop_table("closure")
    op.rename_table("closure_new", "closure")
    if op.get_bind().dialect.name == "postgresql":  # keep the key's usual name
        op.execute("ALTER TABLE closure RENAME CONSTRAINT closure_new_pkey TO closure_pkey")
