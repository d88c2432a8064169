"""phonecall.site, incident.site, assistcall.site; pass numbers per site

A `/call`, an incident and a call for help belong to the site that received them, so reports cut
by site count only that site's. Each site issues its own passes per its own day: the pass key
becomes (site, pass_day, pass_number). Everything already on record belongs to the default
site (`[site]`, id "default").

Revision ID: 0014
Revises: 0006
Create Date: 2026-12-01 06:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0014"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _site() -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(
        "site",
        sqlmodel.sql.sqltypes.AutoString(length=32),
        nullable=False,
        server_default="default",
    )


def upgrade() -> None:
    with op.batch_alter_table("phonecall") as batch:
        batch.add_column(_site())
        batch.create_index("ix_phonecall_site", ["site"])
    with op.batch_alter_table("incident") as batch:
        batch.add_column(_site())
        batch.create_index("ix_incident_site", ["site"])
    with op.batch_alter_table("assistcall") as batch:
        batch.add_column(_site())
    with op.batch_alter_table("visit") as batch:
        batch.drop_constraint("uq_visit_pass", type_="unique")
        batch.create_unique_constraint("uq_visit_pass", ["site", "pass_day", "pass_number"])


def downgrade() -> None:
    # Two sites' passes of one day would collide under the old key: keep the default site's.
    op.execute(
        "UPDATE visit SET pass_number = NULL, pass_day = NULL, pass_seq = NULL"
        " WHERE site <> 'default' AND pass_number IS NOT NULL"
    )
    with op.batch_alter_table("visit") as batch:
        batch.drop_constraint("uq_visit_pass", type_="unique")
        batch.create_unique_constraint("uq_visit_pass", ["pass_day", "pass_number"])
    with op.batch_alter_table("assistcall") as batch:
        batch.drop_column("site")
    with op.batch_alter_table("incident") as batch:
        batch.drop_index("ix_incident_site")
        batch.drop_column("site")
    with op.batch_alter_table("phonecall") as batch:
        batch.drop_index("ix_phonecall_site")
        batch.drop_column("site")
