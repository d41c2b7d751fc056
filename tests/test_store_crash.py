"""``kill -9`` in the middle of a write leaves the store exactly as it was.

A child process opens the store, starts a write — a large plan with a new scenario version,
or an approval that supersedes the approved plan — and announces, from inside the
transaction, that the first rows are written; the test then kills it with SIGKILL (no
handler, no cleanup, no rollback by Python) and compares the whole store with what it held
before.  SQLite rolls the hot journal back on the next open; PostgreSQL aborts the
transaction of a client that vanished.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from assembler import SolveSettings, solve
from assembler.results.plan import Plan
from assembler.store import PlanStatus, PlanStore, Role
from assembler.store.schema import metadata, plans, scenarios
from builders import tiny_scenario

SRC = Path(__file__).resolve().parents[1] / "src"
INSIDE = "inside the transaction"
CHILD = f"""
import sys, time
from sqlalchemy import event
from sqlalchemy.engine import Engine
from assembler.store import PlanStore, Role

url, action, plan_id = sys.argv[1], sys.argv[2], int(sys.argv[3])
store = PlanStore(url)

@event.listens_for(Engine, "after_cursor_execute")
def pause(connection, cursor, statement, parameters, context, executemany):
    if statement.lstrip().upper().startswith("INSERT INTO PLAN_EVENTS"):
        print({INSIDE!r}, flush=True)
        time.sleep(600)

if action == "save":
    from assembler.compile.instance import Instance
    from assembler.generate import generate_scenario
    from assembler.results.kpis import evaluate, score_of
    from assembler.results.plan import Plan
    from assembler.results.result import Result, Status
    from assembler.solver.greedy import greedy_solution

    big = generate_scenario(people=1500, missions=120, seed=1)
    instance = Instance(big)
    plan = greedy_solution(instance)
    result = Result(Status.FEASIBLE, score_of(instance, plan), None, None, 0.0, 0.0, plan,
                    evaluate(instance, plan))
    store.save("tiny", Plan(big, result), who="killed", role=Role.PLANNER, based_on=1)
else:
    store.approve(plan_id, who="killed", role=Role.APPROVER, reason="never recorded",
                  override_releases="not about releases")
"""


def snapshot(url: str) -> dict[str, Any]:
    """Everything a half-done write could have changed: every table's rows counted, each
    plan's status and each scenario's newest version number."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            counts = {
                name: connection.execute(sa.select(sa.func.count()).select_from(table)).scalar()
                for name, table in metadata.tables.items()
            }
            statuses = connection.execute(sa.select(plans.c.id, plans.c.status)).all()
            versions = connection.execute(
                sa.select(scenarios.c.name, scenarios.c.latest_version)
            ).all()
    finally:
        engine.dispose()
    return {"counts": counts, "statuses": sorted(statuses), "versions": sorted(versions)}


def kill_inside(url: str, action: str, plan_id: int) -> None:
    """Run the child until it is inside its transaction, then SIGKILL it."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(SRC), os.environ.get("PYTHONPATH")])),
    }
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, url, action, str(plan_id)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert child.stdout is not None
        line = child.stdout.readline()
        assert line.strip() == INSIDE, child.stderr.read() if child.stderr else line
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL


@pytest.mark.parametrize("action", ["save", "approve"])
def test_a_write_killed_midway_leaves_the_store_as_it_was(store_url: str, action: str) -> None:
    planner = {"who": "ann", "role": Role.PLANNER}
    case = tiny_scenario()
    result = solve(case, SolveSettings(time_limit=10, workers=1))
    with PlanStore(store_url) as store:
        _, first = store.save("tiny", Plan(case, result), based_on=None, **planner)
        store.propose(first.id, **planner)
        store.approve(
            first.id, who="boss", role=Role.APPROVER, reason="first", override_releases="x"
        )
        second = store.save_plan(first.version_id, Plan(case, result), **planner)
        store.propose(second.id, **planner)
    before = snapshot(store_url)

    kill_inside(store_url, action, second.id)

    assert snapshot(store_url) == before
    with PlanStore(store_url) as store:
        assert store.approved_plan("tiny") == store.plan(first.id)
        assert (
            store.save_scenario(
                "tiny", case.with_settings(ops_buffer=0.2), based_on=1, **planner
            ).version
            == 2
        )
        store.approve(
            second.id,
            who="boss",
            role=Role.APPROVER,
            reason="after the crash",
            override_releases="x",
        )
        assert store.plan(first.id).status is PlanStatus.SUPERSEDED
