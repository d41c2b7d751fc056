"""Working sessions that survive a reload: one row per planner's browser session.

The app keeps what a planner is working on — the scenario they loaded, their edit log and
dials, the store version they opened or saved, their current plan — under a random key
that the browser carries in its address.  A reload (or a server restart) reads it back.
The loaded scenario and an unsaved plan are kept inline only when they are not already a
stored version or plan; those are referenced instead.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "workspaces",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("who", sa.String(200), nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column(
            "base_version_id", sa.Integer, sa.ForeignKey("scenario_versions.id"), nullable=True
        ),
        sa.Column("base_document", sa.JSON, nullable=True),
        sa.Column("edits", sa.JSON, nullable=False),
        sa.Column("overrides", sa.JSON, nullable=False),
        sa.Column(
            "link_version_id", sa.Integer, sa.ForeignKey("scenario_versions.id"), nullable=True
        ),
        sa.Column("plan_id", sa.Integer, sa.ForeignKey("plans.id"), nullable=True),
        sa.Column("plan", sa.JSON, nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("workspaces")
