"""The first schema: scenarios, their numbered versions, and plans with a status.

Revision ID: 0001
Revises: (none)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None

_NAME = 200
_MOMENT = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "scenarios",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(_NAME), nullable=False, unique=True),
        sa.Column("latest_version", sa.Integer, nullable=False),
        sa.Column("created_by", sa.String(_NAME), nullable=False),
        sa.Column("created_at", _MOMENT, nullable=False),
    )
    op.create_table(
        "scenario_versions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("scenario_id", sa.Integer, sa.ForeignKey("scenarios.id"), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("based_on", sa.Integer, nullable=True),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("document", sa.JSON, nullable=False),
        sa.Column("edits", sa.JSON, nullable=False),
        sa.Column("overrides", sa.JSON, nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("saved_by", sa.String(_NAME), nullable=False),
        sa.Column("saved_at", _MOMENT, nullable=False),
        sa.UniqueConstraint("scenario_id", "version", name="uq_scenario_versions_number"),
    )
    op.create_table(
        "plans",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("scenario_id", sa.Integer, sa.ForeignKey("scenarios.id"), nullable=False),
        sa.Column("version_id", sa.Integer, sa.ForeignKey("scenario_versions.id"), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("solve_status", sa.String(20), nullable=False),
        sa.Column("score", sa.BigInteger, nullable=True),
        sa.Column("best_bound", sa.Double, nullable=True),
        sa.Column("gap", sa.Double, nullable=True),
        sa.Column("build_seconds", sa.Double, nullable=False),
        sa.Column("solve_seconds", sa.Double, nullable=False),
        sa.Column("summary", sa.JSON, nullable=False),
        sa.Column("solution", sa.JSON, nullable=True),
        sa.Column("conflicts", sa.JSON, nullable=False),
        sa.Column("settings", sa.JSON, nullable=False),
        sa.Column("reference_id", sa.Integer, sa.ForeignKey("plans.id"), nullable=True),
        sa.Column("changes", sa.JSON, nullable=True),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("saved_by", sa.String(_NAME), nullable=False),
        sa.Column("saved_at", _MOMENT, nullable=False),
        sa.CheckConstraint(
            "status IN ('draft', 'proposed', 'approved', 'superseded')", name="ck_plans_status"
        ),
    )
    op.create_index("ix_plans_scenario_status", "plans", ["scenario_id", "status"])


def downgrade() -> None:
    op.drop_index("ix_plans_scenario_status", table_name="plans")
    op.drop_table("plans")
    op.drop_table("scenario_versions")
    op.drop_table("scenarios")
