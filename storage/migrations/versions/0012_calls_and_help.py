"""phonecall and assistcall; incident.occurred_at, responded_by and anonymised

Calls handled without a message (`/call in|out`), a receptionist's call for help (`/desk
assist`), and an incident's "When" kept as an instant (issue 16) rather than the words typed.
Incidents already logged get the instant their words read as (in the site's zone, relative to
when they were logged), else the instant they were logged.

Revision ID: 0012
Revises: 0005
Create Date: 2026-12-01 03:40:00
"""

import logging
import os
from collections.abc import Sequence
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlalchemy as sa
import sqlmodel
from alembic import op

from storage.types import UTCDateTime

revision: str = "0012"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

log = logging.getLogger(__name__)


def upgrade() -> None:
    op.create_table(
        "phonecall",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("direction", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("organisation", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("phone", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("phone_e164", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("phone_valid", sa.Boolean(), nullable=False),
        sa.Column("subject", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True),
        sa.Column("logged_by", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("anonymised", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_phonecall_at", "phonecall", ["at"])
    op.create_table(
        "assistcall",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("called_by", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("called_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("what", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True),
        sa.Column("incident_id", sa.Integer(), nullable=True),
        sa.Column("answered_by", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("answered_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("louder_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("louder_sent_at", UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_assistcall_incident_id", "assistcall", ["incident_id"])
    op.create_index("ix_assistcall_louder_at", "assistcall", ["louder_at"])

    with op.batch_alter_table("incident") as batch:
        batch.add_column(sa.Column("occurred_at", UTCDateTime(timezone=True), nullable=True))
        batch.add_column(
            sa.Column("responded_by", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True)
        )
        batch.add_column(
            sa.Column("anonymised", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    _fill_occurred_at()
    with op.batch_alter_table("incident") as batch:
        batch.alter_column("occurred_at", existing_type=UTCDateTime(timezone=True), nullable=False)
        batch.alter_column("anonymised", existing_type=sa.Boolean(), server_default=None)
        batch.create_index("ix_incident_occurred_at", ["occurred_at"])


def _site_zone() -> tuple[ZoneInfo, str]:
    """The site's zone and date order from the policy file in use, else UTC and MDY."""
    try:
        from bot.domain.config import load_policy

        configured = os.environ.get("FRONTDESK_CONFIG")
        policy = load_policy(Path(configured) if configured else None)
        return policy.site.tz, policy.site.date_order
    except Exception:  # a policy that does not load must not stop the migration
        log.warning("incident times: no policy to read; reading them in UTC")
        return ZoneInfo("UTC"), "MDY"


def _fill_occurred_at() -> None:
    """Each incident's typed "When", read as an instant, else when it was logged."""
    from bot.domain.services.incidents import occurred_instant

    incident = sa.table(
        "incident",
        sa.column("id", sa.Integer()),
        sa.column("occurred", sa.String()),
        sa.column("created_at", UTCDateTime(timezone=True)),
        sa.column("occurred_at", UTCDateTime(timezone=True)),
    )
    connection = op.get_bind()
    rows = connection.execute(sa.select(incident.c.id, incident.c.occurred, incident.c.created_at))
    found = list(rows)
    if not found:
        return
    tz, date_order = _site_zone()
    for incident_id, typed, logged in found:
        read = occurred_instant(str(typed or ""), now=logged, tz=tz, date_order=date_order)
        connection.execute(
            incident.update().where(incident.c.id == incident_id).values(occurred_at=read or logged)
        )


def downgrade() -> None:
    with op.batch_alter_table("incident") as batch:
        batch.drop_index("ix_incident_occurred_at")
        batch.drop_column("anonymised")
        batch.drop_column("responded_by")
        batch.drop_column("occurred_at")
    op.drop_index("ix_assistcall_louder_at", table_name="assistcall")
    op.drop_index("ix_assistcall_incident_id", table_name="assistcall")
    op.drop_table("assistcall")
    op.drop_index("ix_phonecall_at", table_name="phonecall")
    op.drop_table("phonecall")
