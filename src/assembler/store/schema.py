"""The store's tables as the newest migration leaves them, for the queries to use.

The migrations (``assembler/store/migrations``) create and change the schema; these
definitions only describe it, and ``tests/test_store_migrations.py`` checks that the two
agree, so a column added here without a migration (or the reverse) fails a test instead of
a planner's save.

Three tables, a log, and the planners' working sessions:

* ``scenarios`` — one row per named scenario, with the number of its newest version: the
  counter the optimistic check updates (``UPDATE … WHERE latest_version = :started_from``);
* ``scenario_versions`` — every saved version in full (the scenario as JSON, the edits and
  dials that made it, who saved it, when, why), numbered 1, 2, … per scenario;
* ``plans`` — a solve of one version: the solution, its §8 summary (the KPIs), the solve
  settings, status, score, bound and gap, and its changes against the plan it re-planned;
* ``plan_events`` — every lifecycle step of a plan (saved, proposed, approved, superseded),
  with who took it, when and why: approvals are never overwritten, only added to;
* ``releases`` — each network membership of a proposed plan as a request to the member's
  unit, and its one decision (who, when, why): approved or declined only while it is still
  requested (``UPDATE … WHERE status = 'requested'``), so of two leads deciding at once
  one is refused;
* ``workspaces`` — each app session's scenario, edit log, dials and current plan under the
  key its browser carries, so a reload brings them back (``store.workspaces``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect

NAME_LENGTH = 200
"""The longest scenario name or identity (``who``) the store keeps."""

PLAN_STATUSES = ("draft", "proposed", "approved", "superseded")
RELEASE_STATUSES = ("requested", "approved", "declined")


class UtcDateTime(sa.TypeDecorator[datetime]):
    """A moment in UTC, aware on the way out from every database.

    PostgreSQL keeps the zone (``timestamptz``) but SQLite returns naive datetimes; saved
    moments are always UTC, so a naive one read back is UTC and is labelled so.  Both
    stores then give the app and the CLI the same objects.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("a stored moment must be timezone-aware")
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        moment: datetime = value
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


metadata = sa.MetaData()

scenarios = sa.Table(
    "scenarios",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(NAME_LENGTH), nullable=False, unique=True),
    sa.Column("latest_version", sa.Integer, nullable=False),
    sa.Column("created_by", sa.String(NAME_LENGTH), nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
)

scenario_versions = sa.Table(
    "scenario_versions",
    metadata,
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
    sa.Column("saved_by", sa.String(NAME_LENGTH), nullable=False),
    sa.Column("saved_at", UtcDateTime, nullable=False),
    sa.UniqueConstraint("scenario_id", "version", name="uq_scenario_versions_number"),
)

plans = sa.Table(
    "plans",
    metadata,
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
    sa.Column("saved_by", sa.String(NAME_LENGTH), nullable=False),
    sa.Column("saved_at", UtcDateTime, nullable=False),
    sa.CheckConstraint(
        "status IN ('draft', 'proposed', 'approved', 'superseded')", name="ck_plans_status"
    ),
    sa.Index("ix_plans_scenario_status", "scenario_id", "status"),
    sa.Index(
        "uq_plans_one_approved",
        "scenario_id",
        unique=True,
        sqlite_where=sa.text("status = 'approved'"),
        postgresql_where=sa.text("status = 'approved'"),
    ),
)

plan_events = sa.Table(
    "plan_events",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("plan_id", sa.Integer, sa.ForeignKey("plans.id"), nullable=False),
    sa.Column("status_from", sa.String(20), nullable=True),
    sa.Column("status_to", sa.String(20), nullable=False),
    sa.Column("who", sa.String(NAME_LENGTH), nullable=False),
    sa.Column("at", UtcDateTime, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Index("ix_plan_events_plan", "plan_id"),
)

workspaces = sa.Table(
    "workspaces",
    metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("who", sa.String(NAME_LENGTH), nullable=False),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("base_version_id", sa.Integer, sa.ForeignKey("scenario_versions.id"), nullable=True),
    sa.Column("base_document", sa.JSON, nullable=True),
    sa.Column("edits", sa.JSON, nullable=False),
    sa.Column("overrides", sa.JSON, nullable=False),
    sa.Column("link_version_id", sa.Integer, sa.ForeignKey("scenario_versions.id"), nullable=True),
    sa.Column("plan_id", sa.Integer, sa.ForeignKey("plans.id"), nullable=True),
    sa.Column("plan", sa.JSON, nullable=True),
    sa.Column("updated_at", UtcDateTime, nullable=False),
)

releases = sa.Table(
    "releases",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("plan_id", sa.Integer, sa.ForeignKey("plans.id"), nullable=False),
    sa.Column("person_id", sa.String(NAME_LENGTH), nullable=False),
    sa.Column("person_name", sa.Text, nullable=False),
    sa.Column("unit_id", sa.String(NAME_LENGTH), nullable=False),
    sa.Column("unit_name", sa.Text, nullable=False),
    sa.Column("mission_id", sa.String(NAME_LENGTH), nullable=False),
    sa.Column("mission_name", sa.Text, nullable=False),
    sa.Column("time", sa.JSON, nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("requested_at", UtcDateTime, nullable=False),
    sa.Column("decided_by", sa.String(NAME_LENGTH), nullable=True),
    sa.Column("decided_at", UtcDateTime, nullable=True),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("carried_from", sa.Integer, sa.ForeignKey("plans.id"), nullable=True),
    sa.CheckConstraint(
        "status IN ('requested', 'approved', 'declined')", name="ck_releases_status"
    ),
    sa.UniqueConstraint("plan_id", "person_id", "mission_id", name="uq_releases_membership"),
    sa.Index("ix_releases_unit", "unit_id"),
)
