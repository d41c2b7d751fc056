"""The store's Alembic migrations on SQLite and PostgreSQL: from an empty database, from the
previous revision with data in it, back down and up again — and the schema they build is
the one ``assembler.store.schema`` describes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import Engine

from assembler.store import PlanStatus, PlanStore, Role
from assembler.store.engine import downgrade, open_engine, upgrade
from assembler.store.schema import metadata
from builders import tiny_scenario

HEAD, PREVIOUS, FIRST = "0003", "0002", "0001"
TABLES = {"scenarios", "scenario_versions", "plans", "plan_events", "workspaces", "alembic_version"}


@pytest.fixture
def engine(store_url: str) -> Iterator[Engine]:
    opened = open_engine(store_url)
    yield opened
    opened.dispose()


def revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def test_an_empty_database_is_migrated_to_the_schema_the_code_describes(
    engine: Engine, store_url: str
) -> None:
    assert revision(engine) is None
    PlanStore(store_url).close()
    assert revision(engine) == HEAD
    assert set(sa.inspect(engine).get_table_names()) == TABLES
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
    assert differences == []


def test_opening_a_migrated_store_again_changes_nothing(store_url: str) -> None:
    with PlanStore(store_url) as store:
        store.save_scenario("tiny", tiny_scenario(), who="ann", role=Role.PLANNER, based_on=None)
    with PlanStore(store_url) as store:
        assert [v.version for v in store.versions("tiny")] == [1]


def _first_revision_data(engine: Engine) -> None:
    """What revision 0001 could hold: a scenario with a version and three plans, two of them
    approved (nothing stopped that then)."""
    saved = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)
    tables = sa.MetaData()
    tables.reflect(engine)
    scenarios, versions, plans = (
        tables.tables[n] for n in ("scenarios", "scenario_versions", "plans")
    )
    document = tiny_scenario().model_dump(mode="json")
    with engine.begin() as connection:
        connection.execute(
            scenarios.insert().values(
                id=1, name="tiny", latest_version=1, created_by="ann", created_at=saved
            )
        )
        connection.execute(
            versions.insert().values(
                id=1,
                scenario_id=1,
                version=1,
                based_on=None,
                digest="0" * 64,
                document=document,
                edits=[],
                overrides={},
                source="",
                note="",
                saved_by="ann",
                saved_at=saved,
            )
        )
        for plan_id, status in ((1, "approved"), (2, "approved"), (3, "draft")):
            connection.execute(
                plans.insert().values(
                    id=plan_id,
                    scenario_id=1,
                    version_id=1,
                    status=status,
                    solve_status="infeasible",
                    score=None,
                    best_bound=None,
                    gap=None,
                    build_seconds=0.0,
                    solve_seconds=0.0,
                    summary={},
                    solution=None,
                    conflicts=[],
                    settings={},
                    reference_id=None,
                    changes=None,
                    note="",
                    saved_by=f"planner{plan_id}",
                    saved_at=saved + timedelta(hours=plan_id),
                )
            )


def test_a_store_at_the_first_revision_is_migrated_with_its_data(
    engine: Engine, store_url: str
) -> None:
    upgrade(engine, FIRST)
    assert revision(engine) == FIRST
    _first_revision_data(engine)
    with PlanStore(store_url) as store:
        assert revision(engine) == HEAD
        assert [p.status for p in store.plans()] == [
            PlanStatus.DRAFT,
            PlanStatus.APPROVED,
            PlanStatus.SUPERSEDED,
        ]
        first = store.events(1)
        assert [(e.status_from, e.status_to, e.who) for e in first] == [
            (None, PlanStatus.APPROVED, "planner1"),
            (PlanStatus.APPROVED, PlanStatus.SUPERSEDED, "migration 0002"),
        ]
        assert first[0].at == datetime(2026, 1, 5, 10, 30, tzinfo=UTC)
        assert [e.status_to for e in store.events(3)] == [PlanStatus.DRAFT]
        version, scenario = store.load_scenario("tiny")
        assert (version.version, scenario) == (1, tiny_scenario())


def test_the_newest_revision_goes_down_and_up_again(engine: Engine, store_url: str) -> None:
    PlanStore(store_url).close()
    downgrade(engine, PREVIOUS)
    assert revision(engine) == PREVIOUS
    assert "workspaces" not in sa.inspect(engine).get_table_names()
    downgrade(engine, FIRST)
    assert "plan_events" not in sa.inspect(engine).get_table_names()
    downgrade(engine, "base")
    assert set(sa.inspect(engine).get_table_names()) == {"alembic_version"}
    upgrade(engine)
    assert revision(engine) == HEAD
