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

from assembler import SolveSettings, solve
from assembler.results.plan import SolveRecord
from assembler.store import PlanStatus, PlanStore, Role, codec
from assembler.store.engine import downgrade, open_engine, upgrade
from assembler.store.schema import metadata
from builders import tiny_scenario

HEAD, PREVIOUS, FIRST = "0005", "0004", "0001"
BEFORE_ONE_SHAPE = "0003"
TABLES = {
    "scenarios",
    "scenario_versions",
    "plans",
    "plan_events",
    "workspaces",
    "releases",
    "alembic_version",
}


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


def _version_rows(
    connection: sa.Connection, tables: sa.MetaData, saved: datetime, **columns: object
) -> None:
    """Scenario ``tiny`` and its version 1, as every revision so far writes them
    (``columns`` set the version's own)."""
    connection.execute(
        tables.tables["scenarios"]
        .insert()
        .values(id=1, name="tiny", latest_version=1, created_by="ann", created_at=saved)
    )
    version = {
        "id": 1,
        "scenario_id": 1,
        "version": 1,
        "based_on": None,
        "digest": "0" * 64,
        "edits": [],
        "overrides": {},
        "source": "",
        "note": "",
        "saved_by": "ann",
        "saved_at": saved,
    }
    connection.execute(tables.tables["scenario_versions"].insert().values(**{**version, **columns}))


def _plan_row(
    connection: sa.Connection, tables: sa.MetaData, plan_id: int, **columns: object
) -> None:
    """Plan ``plan_id`` of version 1, a draft without a solution unless ``columns`` say
    otherwise, as every revision before 0004 writes it."""
    plan = {
        "id": plan_id,
        "scenario_id": 1,
        "version_id": 1,
        "status": "draft",
        "solve_status": "infeasible",
        "score": None,
        "best_bound": None,
        "gap": None,
        "build_seconds": 0.0,
        "solve_seconds": 0.0,
        "summary": {},
        "solution": None,
        "conflicts": [],
        "settings": {},
        "reference_id": None,
        "changes": None,
        "note": "",
        "saved_by": "ann",
    }
    connection.execute(tables.tables["plans"].insert().values(**{**plan, **columns}))


def _first_revision_data(engine: Engine) -> None:
    """What revision 0001 could hold: a scenario with a version and three plans, two of them
    approved (nothing stopped that then)."""
    saved = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)
    tables = sa.MetaData()
    tables.reflect(engine)
    document = tiny_scenario().model_dump(mode="json")
    with engine.begin() as connection:
        _version_rows(connection, tables, saved, document=document)
        for plan_id, status in ((1, "approved"), (2, "approved"), (3, "draft")):
            _plan_row(
                connection,
                tables,
                plan_id,
                status=status,
                saved_by=f"planner{plan_id}",
                saved_at=saved + timedelta(hours=plan_id),
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
    assert "releases" not in sa.inspect(engine).get_table_names()
    downgrade(engine, BEFORE_ONE_SHAPE)
    downgrade(engine, "0002")
    assert "workspaces" not in sa.inspect(engine).get_table_names()
    downgrade(engine, FIRST)
    assert "plan_events" not in sa.inspect(engine).get_table_names()
    downgrade(engine, "base")
    assert set(sa.inspect(engine).get_table_names()) == {"alembic_version"}
    upgrade(engine)
    assert revision(engine) == HEAD


def _release_data(engine: Engine) -> None:
    """Rows as the release before revision 0004 wrote them (commit 8c27c88): a version
    saved from the app with its flat dials, a plan with the app's solve settings (no
    seed) re-planned from another, and a session keeping an unsaved plan in the old
    ``settings`` shape."""
    tables = sa.MetaData()
    tables.reflect(engine)
    kept = tables.tables["workspaces"]
    saved = datetime(2026, 1, 5, 10, 30, tzinfo=UTC)
    case = tiny_scenario().with_settings(ops_buffer=0.2, **{"weights.value": 50})
    result = solve(case, SolveSettings(time_limit=10, workers=1))
    old_settings = {"time_limit": 30, "workers": 2, "replanned_from": 1}
    with engine.begin() as connection:
        _version_rows(
            connection,
            tables,
            saved,
            document=codec.scenario_document(case),
            overrides={"ops_buffer": 0.2, "weights.value": 50},
            source="upload.zip",
        )
        for plan_id, settings in ((1, {"time_limit": 30, "workers": 2}), (2, old_settings)):
            _plan_row(
                connection,
                tables,
                plan_id,
                solve_status=result.status.value,
                score=result.score,
                best_bound=result.best_bound,
                gap=result.gap,
                solution=codec.solution_document(result.solution),
                settings=settings,
                reference_id=None if plan_id == 1 else 1,
                saved_at=saved,
            )
        kept_plan = {
            "scenario": codec.scenario_document(case),
            "result": codec.result_document(result),
            "solved_at": saved.replace(tzinfo=None).isoformat(),
            "edits": [],
            "reference_id": 1,
            "settings": old_settings,
        }
        connection.execute(
            kept.insert().values(
                key="k1",
                who="ann",
                source="tiny v1",
                base_version_id=1,
                base_document=None,
                edits=[],
                overrides={"ops_buffer": 0.3},
                link_version_id=1,
                plan_id=None,
                plan=kept_plan,
                updated_at=saved,
            )
        )


def test_a_store_written_by_the_previous_release_upgrades_and_reads(
    engine: Engine, store_url: str
) -> None:
    upgrade(engine, BEFORE_ONE_SHAPE)
    _release_data(engine)
    with PlanStore(store_url) as store:
        assert revision(engine) == HEAD
        version, scenario = store.load_scenario("tiny")
        assert version.dials == scenario.settings
        assert (version.dials.ops_buffer, version.dials.weights.value) == (0.2, 50)
        again = store.save_scenario(
            "tiny", scenario, based_on=1, dials=version.dials, who="ann", role=Role.PLANNER
        )
        assert again == version  # the recomputed digest still knows an unchanged save
        assert store.plan(1).solve == SolveRecord(30, 2, 0, None)
        assert store.releases() == []  # plans proposed before 0005 ask no releases
        replanned = store.load_plan(2)
        assert replanned.solve == SolveRecord(30, 2, 0, 1)
        assert replanned.result.solution is not None and replanned.dials == scenario.settings
        session = store.workspaces.read("k1", "ann")
        assert session is not None and session.plan is not None
        assert session.dials == scenario.settings.with_overrides({"ops_buffer": 0.3})
        assert session.plan.solve == SolveRecord(30, 2, 0, 1)
        assert session.plan.result.solution == replanned.result.solution
