"""The lifecycle on record: a log of who moved each plan, when and why, and at most one
approved plan per scenario, enforced by the database.

Revision 0001 kept only each plan's status, so nothing said who approved a plan, and two
approvals racing could leave two approved plans.  This revision adds ``plan_events``,
fills it with what 0001 knew (each plan's status as found, by whoever saved it, when it
was saved), supersedes all but the newest approved plan of a scenario — each such step
logged — and then adds the partial unique index that keeps it so.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None

FOUND = "status as found when the lifecycle log began (revision 0002)"
DEDUPLICATED = "superseded by a newer approved plan of the scenario (revision 0002)"
MIGRATION = "migration 0002"

_plans = sa.table(
    "plans",
    sa.column("id", sa.Integer),
    sa.column("scenario_id", sa.Integer),
    sa.column("status", sa.String),
    sa.column("saved_by", sa.String),
    sa.column("saved_at", sa.DateTime(timezone=True)),
)


def upgrade() -> None:
    events = op.create_table(
        "plan_events",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("plan_id", sa.Integer, sa.ForeignKey("plans.id"), nullable=False),
        sa.Column("status_from", sa.String(20), nullable=True),
        sa.Column("status_to", sa.String(20), nullable=False),
        sa.Column("who", sa.String(200), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
    )
    op.create_index("ix_plan_events_plan", "plan_events", ["plan_id"])
    connection = op.get_bind()
    found = connection.execute(
        sa.select(_plans.c.id, _plans.c.status, _plans.c.saved_by, _plans.c.saved_at)
    ).all()
    rows = [
        {
            "plan_id": plan_id,
            "status_from": None,
            "status_to": status,
            "who": who,
            "at": at,
            "reason": FOUND,
        }
        for plan_id, status, who, at in found
    ]
    if rows:
        op.bulk_insert(events, rows)
    _keep_newest_approved(events)
    op.create_index(
        "uq_plans_one_approved",
        "plans",
        ["scenario_id"],
        unique=True,
        sqlite_where=sa.text("status = 'approved'"),
        postgresql_where=sa.text("status = 'approved'"),
    )


def _keep_newest_approved(events: sa.Table) -> None:
    """Supersede every approved plan but the newest (highest id) of its scenario."""
    connection = op.get_bind()
    approved = connection.execute(
        sa.select(_plans.c.id, _plans.c.scenario_id)
        .where(_plans.c.status == "approved")
        .order_by(_plans.c.scenario_id, _plans.c.id.desc())
    ).all()
    newest: set[int] = set()
    now = datetime.now(UTC)
    for plan_id, scenario_id in approved:
        if scenario_id not in newest:
            newest.add(scenario_id)
            continue
        connection.execute(
            _plans.update().where(_plans.c.id == plan_id).values(status="superseded")
        )
        connection.execute(
            events.insert().values(
                plan_id=plan_id,
                status_from="approved",
                status_to="superseded",
                who=MIGRATION,
                at=now,
                reason=DEDUPLICATED,
            )
        )


def downgrade() -> None:
    op.drop_index("uq_plans_one_approved", table_name="plans")
    op.drop_index("ix_plan_events_plan", table_name="plan_events")
    op.drop_table("plan_events")
