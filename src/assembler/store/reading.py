"""Reading the store: its joins, and rows turned into the records callers see.

``PlanStore``'s writes use these inside their own transactions (a write reads back what it
wrote through the same connection), so they take a connection and never open one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeAlias

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from assembler.domain.scenario import Scenario
from assembler.results.plan import Plan
from assembler.results.result import Status
from assembler.store import codec
from assembler.store.records import (
    NotFoundError,
    PlanEvent,
    PlanRecord,
    PlanStatus,
    ScenarioVersion,
)
from assembler.store.schema import plan_events, plans, scenario_versions, scenarios

AnyRow: TypeAlias = Row[*tuple[Any, ...]]
"""A result row of any width (the queries below pick their columns by name)."""

VERSION_COLUMNS = (
    scenario_versions.c.id,
    scenarios.c.name,
    scenario_versions.c.version,
    scenario_versions.c.based_on,
    scenario_versions.c.digest,
    scenario_versions.c.source,
    scenario_versions.c.note,
    scenario_versions.c.saved_by,
    scenario_versions.c.saved_at,
    scenario_versions.c.edits,
    scenario_versions.c.overrides,
)
PLAN_COLUMNS = (
    plans.c.id,
    scenarios.c.name,
    scenario_versions.c.version,
    plans.c.version_id,
    plans.c.status,
    plans.c.solve_status,
    plans.c.score,
    plans.c.best_bound,
    plans.c.gap,
    plans.c.summary,
    plans.c.settings,
    plans.c.note,
    plans.c.saved_by,
    plans.c.saved_at,
    plans.c.reference_id,
    plans.c.changes,
)
VERSIONS = scenario_versions.join(scenarios, scenario_versions.c.scenario_id == scenarios.c.id)
PLANS = plans.join(scenario_versions, plans.c.version_id == scenario_versions.c.id).join(
    scenarios, plans.c.scenario_id == scenarios.c.id
)


def latest(connection: Connection, name: str) -> ScenarioVersion | None:
    query = (
        sa.select(*VERSION_COLUMNS)
        .select_from(VERSIONS)
        .where(scenarios.c.name == name, scenario_versions.c.version == scenarios.c.latest_version)
    )
    row = connection.execute(query).first()
    return None if row is None else version(row)


def newest(connection: Connection, scenario_id: int) -> ScenarioVersion:
    query = (
        sa.select(*VERSION_COLUMNS)
        .select_from(VERSIONS)
        .where(scenarios.c.id == scenario_id)
        .order_by(scenario_versions.c.version.desc())
        .limit(1)
    )
    return version(connection.execute(query).one())


def stored_version(connection: Connection, version_id: int) -> tuple[ScenarioVersion, Scenario]:
    query = (
        sa.select(*VERSION_COLUMNS, scenario_versions.c.document)
        .select_from(VERSIONS)
        .where(scenario_versions.c.id == version_id)
    )
    row = connection.execute(query).first()
    if row is None:
        raise NotFoundError(f"there is no scenario version with id {version_id}")
    return version(row), codec.scenario_from(row.document)


def plan(connection: Connection, plan_id: int) -> PlanRecord:
    query = sa.select(*PLAN_COLUMNS).select_from(PLANS).where(plans.c.id == plan_id)
    found = records(connection, connection.execute(query).all())
    if not found:
        raise NotFoundError(f"there is no plan {plan_id} in the store")
    return found[0]


def records(connection: Connection, rows: Sequence[AnyRow]) -> list[PlanRecord]:
    """Plan rows as records, each with its latest approval step."""
    ids = [row.id for row in rows]
    approvals: dict[int, PlanEvent] = {}
    if ids:
        query = (
            sa.select(plan_events)
            .where(
                plan_events.c.plan_id.in_(ids),
                plan_events.c.status_to == PlanStatus.APPROVED.value,
            )
            .order_by(plan_events.c.id)
        )
        approvals = {row.plan_id: event(row) for row in connection.execute(query)}
    return [record(row, approvals.get(row.id)) for row in rows]


def record(row: AnyRow, approval: PlanEvent | None) -> PlanRecord:
    return PlanRecord(
        id=row.id,
        scenario=row.name,
        version=row.version,
        version_id=row.version_id,
        status=PlanStatus(row.status),
        solve_status=Status(row.solve_status),
        score=row.score,
        best_bound=row.best_bound,
        gap=row.gap,
        summary=row.summary,
        solve=codec.solve_from(row.settings),
        note=row.note,
        saved_by=row.saved_by,
        saved_at=row.saved_at,
        reference_id=row.reference_id,
        changes=None if row.changes is None else codec.comparison_from(row.changes),
        approval=approval,
    )


def loaded(connection: Connection, plan_id: int) -> Plan:
    """Stored plan ``plan_id`` with the scenario version it solved and its dials."""
    record = plan(connection, plan_id)
    row = connection.execute(
        sa.select(
            plans.c.solve_status.label("status"),
            plans.c.score,
            plans.c.best_bound,
            plans.c.gap,
            plans.c.build_seconds,
            plans.c.solve_seconds,
            plans.c.solution,
            plans.c.conflicts,
            scenario_versions.c.document,
            scenario_versions.c.overrides,
        )
        .select_from(PLANS)
        .where(plans.c.id == plan_id)
    ).one()
    scenario = codec.scenario_from(row.document)
    return Plan(
        scenario,
        codec.result_from(dict(row._mapping), scenario),
        solved_at=record.saved_at.astimezone().replace(tzinfo=None),
        dials=codec.dials_from(row.overrides),
        solve=record.solve,
        reference_id=record.reference_id,
        changes=record.changes,
        plan_id=record.id,
        version_id=record.version_id,
    )


def version(row: AnyRow) -> ScenarioVersion:
    return ScenarioVersion(
        id=row.id,
        scenario=row.name,
        version=row.version,
        based_on=row.based_on,
        digest=row.digest,
        source=row.source,
        note=row.note,
        saved_by=row.saved_by,
        saved_at=row.saved_at,
        edits=codec.edits_from(row.edits),
        dials=codec.dials_from(row.overrides),
    )


def event(row: AnyRow) -> PlanEvent:
    return PlanEvent(
        plan_id=row.plan_id,
        status_from=None if row.status_from is None else PlanStatus(row.status_from),
        status_to=PlanStatus(row.status_to),
        who=row.who,
        at=row.at,
        reason=row.reason,
    )
