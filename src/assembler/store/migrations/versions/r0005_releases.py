"""Release requests: each network membership of a proposed plan asks the member's unit.

A plan proposed from here on gets one ``releases`` row per (person, network mission) of
its team, to be approved or declined once by a lead of the person's unit, with who, when
and why.  Plans proposed before this revision have none, so nothing of theirs waits for a
decision: they are approved as they always were.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision: str | None = "0004"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "releases",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("plan_id", sa.Integer, sa.ForeignKey("plans.id"), nullable=False),
        sa.Column("person_id", sa.String(200), nullable=False),
        sa.Column("person_name", sa.Text, nullable=False),
        sa.Column("unit_id", sa.String(200), nullable=False),
        sa.Column("unit_name", sa.Text, nullable=False),
        sa.Column("mission_id", sa.String(200), nullable=False),
        sa.Column("mission_name", sa.Text, nullable=False),
        sa.Column("time", sa.JSON, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.String(200), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("carried_from", sa.Integer, sa.ForeignKey("plans.id"), nullable=True),
        sa.CheckConstraint(
            "status IN ('requested', 'approved', 'declined')", name="ck_releases_status"
        ),
        sa.UniqueConstraint("plan_id", "person_id", "mission_id", name="uq_releases_membership"),
    )
    op.create_index("ix_releases_unit", "releases", ["unit_id"])


def downgrade() -> None:
    op.drop_index("ix_releases_unit", table_name="releases")
    op.drop_table("releases")
