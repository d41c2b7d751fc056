"""``assembler plans …`` on a SQLite store, and plans side by side (``store.sidebyside``)."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

import test_store
from assembler import SolveSettings, load_scenario, solve
from assembler.cli import app
from assembler.io import write_scenario
from assembler.io.reports import unneutralise
from assembler.planning.access import User
from assembler.planning.cases import change_summary, compare_plans
from assembler.planning.session import PlanningSession
from assembler.planning.stored import open_plan, save_as
from assembler.results.capacity import unit_capacity
from assembler.results.plan import Plan
from assembler.store import PlanStore, Role
from assembler.store.schema import plans as plans_table
from assembler.store.sidebyside import write_side_by_side
from builders import SAMPLE, tiny_scenario
from test_store import HOSTILE, hostile_scenario

runner = CliRunner()


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working folder holding the tiny scenario, and no ``ASSEMBLER_DB``."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ASSEMBLER_DB", raising=False)
    write_scenario(tiny_scenario(), tmp_path / "tiny")
    return tmp_path


def released(plan_id: int) -> None:
    """Every release plan ``plan_id`` asks approved, as its units' lead would (the
    lifecycle tests here are not about releases: ``test_store_releases`` is)."""
    with PlanStore("sqlite:///assembler.db") as store:
        test_store.released(store, plan_id)


def plans(*args: str, code: int = 0) -> str:
    result = runner.invoke(app, ["plans", *args])
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    return result.output


def test_save_solve_propose_approve_and_list(folder: Path) -> None:
    out = plans(
        "save", "tiny", "--name", "tiny", "--solve", "--quiet", "--who", "ann", "--note", "v1"
    )
    assert "scenario    tiny v1 saved by ann" in out
    assert "status      optimal" in out
    assert "plan        1 saved as a draft of tiny v1 by ann" in out
    assert (folder / "assembler.db").exists()
    assert "plan 1 (tiny v1) proposed by ann" in plans("propose", "1", "--who", "ann")
    released(1)
    out = plans("approve", "1", "--reason", "all four missions", "--who", "boss")
    assert "plan 1 (tiny v1) approved by boss: all four missions" in out
    listed = plans("list").splitlines()
    assert listed[0].split() == [
        "id",
        "scenario",
        "status",
        "solve",
        "score",
        "value",
        "missions",
        "saved",
        "by",
        "note",
    ]
    assert listed[1].split()[:4] == ["1", "tiny", "v1", "approved"]
    assert listed[1].endswith("v1")
    assert "no plans stored that match" in plans("list", "--status", "draft")
    assert "is not a plan status" in plans("list", "--status", "done", code=2)


def test_a_replan_starts_from_the_approved_plan_and_reports_its_changes(folder: Path) -> None:
    plans("save", "tiny", "--name", "tiny", "--solve", "--quiet")
    plans("propose", "1")
    plans("approve", "1", "--reason", "first", "--override-releases", "none decided")
    write_scenario(tiny_scenario().with_settings(ops_buffer=0.3), folder / "tiny")
    out = plans("save", "tiny", "--name", "tiny", "--solve", "--quiet")
    assert "reference   plan 1 (approved): fewest changes to it" in out
    assert "scenario    tiny v2 saved by" in out
    assert "changes     against plan 1: " in out
    shown = plans("show", "2")
    assert "solved with time_limit 60.0, workers 2, seed 0, replanned_from 1" in shown
    assert "changes     against plan 1" in shown
    out = plans("save", "tiny", "--name", "tiny", "--solve", "--quiet", "--fresh")
    assert "reference" not in out
    assert "scenario    tiny v2 unchanged: no new version" in out


def test_a_stale_save_is_refused_with_exit_2(folder: Path) -> None:
    plans("save", "tiny", "--name", "tiny")
    write_scenario(tiny_scenario().with_settings(ops_buffer=0.3), folder / "tiny")
    plans("save", "tiny", "--name", "tiny", "--who", "bob")
    write_scenario(tiny_scenario().with_settings(ops_buffer=0.4), folder / "tiny")
    out = plans("save", "tiny", "--name", "tiny", "--from-version", "1", "--solve", code=2)
    assert "error: scenario 'tiny' was saved as version 2 by bob at " in out
    assert "you started from version 1: reload and reapply your edits" in out
    assert "status" not in out  # refused before solving


def test_refusals_are_exit_2_with_the_reason(folder: Path) -> None:
    plans("save", "tiny", "--name", "tiny", "--solve", "--quiet")
    assert "propose it first" in plans("approve", "1", "--reason", "x", code=2)
    assert "there is no plan 7" in plans("show", "7", code=2)
    assert "name 2 to 4 plans, each once: 1." in plans("diff", "1", code=2)
    assert "name 2 to 4 plans, each once: 1 1." in plans("diff", "1", "1", code=2)
    assert "export a comparison as .csv or .xlsx" in plans(
        "diff", "1", "2", "--out", "d.txt", code=2
    )
    out = plans("list", "--db", "postgresql+psycopg://me:secret@/x?host=/nowhere", code=2)
    assert "cannot open the plan store postgresql+psycopg://me:***@/x" in out
    assert "secret" not in out


def test_the_store_comes_from_db_or_the_environment(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{folder / 'team.db'}"
    plans("save", "tiny", "--name", "tiny", "--db", url)
    monkeypatch.setenv("ASSEMBLER_DB", url)
    assert "tiny v1 unchanged" in plans("save", "tiny", "--name", "tiny")
    assert not (folder / "assembler.db").exists()


def test_diff_and_export(folder: Path) -> None:
    plans("save", "tiny", "--name", "tiny", "--solve", "--quiet")
    write_scenario(tiny_scenario().with_settings(**{"weights.value": 1}), folder / "tiny")
    plans("save", "tiny", "--name", "tiny", "--solve", "--quiet")
    out = plans("diff", "1", "2", "--out", "changes.xlsx")
    assert out.splitlines()[0].split() == ["plan", "1", "plan", "2"]
    assert "wrote       changes.xlsx" in out
    assert openpyxl.load_workbook(folder / "changes.xlsx").sheetnames == [
        "figures",
        "changes",
        "load",
    ]
    out = plans("export", "2", "--out", "reports", "--scenario", "v2.json")
    assert (folder / "reports" / "roster.csv").exists()
    assert load_scenario(folder / "v2.json") == tiny_scenario().with_settings(
        **{"weights.value": 1}
    )
    assert "--from-version 2" in out


# ---------------------------------------------------------------------- side by side


@pytest.mark.slow
def test_side_by_side_on_a_horizon_reads_figures_changes_and_load(tmp_path: Path) -> None:
    sample = load_scenario(SAMPLE)
    fewer = sample.with_settings(max_missions_default=1)
    who = {"who": "ann", "role": Role.PLANNER}
    with PlanStore(f"sqlite:///{tmp_path / 's.db'}") as store:
        _, first = store.save(
            "sample", Plan(sample, solve(sample, SolveSettings(time_limit=3))), based_on=None, **who
        )
        _, second = store.save(
            "sample", Plan(fewer, solve(fewer, SolveSettings(time_limit=3))), based_on=1, **who
        )
        view = compare_plans(store, [first.id, second.id])
    figures = view.figures.set_index("figure")
    assert list(figures.columns) == ["plan 1", "plan 2"]
    assert figures.loc["scenario"].tolist() == ["sample v1", "sample v2"]
    assert f"network FTE {sample.period_ids[-1]}" in figures.index
    kinds = set(view.changes["kind"])
    assert kinds <= {
        "mission gained",
        "mission lost",
        "person joined",
        "person left",
        "mission moved",
        "learner gained",
        "learner lost",
    }
    assert not view.changes.empty
    assert set(view.changes["plan"]) == {"plan 2"} and set(view.changes["against"]) == {"plan 1"}
    assert list(view.load.columns[:2]) == ["unit_id", "period_id"]
    for plan in view.plans:
        split = unit_capacity(plan.scenario, plan.result.solution)
        capacity = split.groupby(["unit_id", "period_id"], sort=False)["fte"].sum()
        total = view.load[
            [f"plan {plan.plan_id} {use}" for use in ("operations", "missions", "free")]
        ].sum(axis=1)
        assert total.round(6).tolist() == capacity.round(6).tolist()


def test_side_by_side_exports_formula_safe_text(tmp_path: Path) -> None:
    case = hostile_scenario()
    dropped = case.replace(missions=case.missions[1:], mission_needs=case.mission_needs[1:])
    who = {"who": "ann", "role": Role.PLANNER}
    with PlanStore(f"sqlite:///{tmp_path / 's.db'}") as store:
        _, first = store.save(HOSTILE, Plan(case, solve(case)), based_on=None, **who)
        _, second = store.save(HOSTILE, Plan(dropped, solve(dropped)), based_on=1, **who)
        view = compare_plans(store, [first.id, second.id])
        with pytest.raises(ValueError, match="compare 2 to 4 plans"):
            compare_plans(store, [first.id])
    write_side_by_side(view, tmp_path / "changes.csv")
    read = pd.read_csv(tmp_path / "changes.csv", dtype=str, keep_default_na=False)
    assert read["mission_id"].map(unneutralise).tolist() == view.changes["mission_id"].tolist()
    assert "'=1+1" in read["mission_id"].tolist()
    write_side_by_side(view, tmp_path / "changes.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "changes.xlsx")["changes"]
    cells = [row[3] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert cells == [
        "'" + value if value.startswith("=") else value for value in view.changes["mission_id"]
    ]


def test_diff_names_units_and_counts_in_words(folder: Path) -> None:
    """One person, two missions: raising the second's value swaps them."""
    from assembler.domain.scenario import Unit
    from builders import mission, person, scenario

    def swapped(value: float) -> None:
        write_scenario(
            scenario(
                [person("p", "u1", {"k": 3})],
                [mission("m1", {"k": 1.0}, value=2), mission("m2", {"k": 0.5}, value=value)],
                units=[Unit(unit_id="u1", name="Front Office")],
            ),
            folder / "swap",
        )

    swapped(1)
    plans("save", "swap", "--name", "swap", "--solve", "--quiet")
    plans("propose", "1")
    released(1)
    plans("approve", "1", "--reason", "the reference")
    swapped(3)
    out = plans("save", "swap", "--name", "swap", "--solve", "--quiet")
    assert "against plan 1: 1 mission gained, 1 lost, 1 person moved, 0 missions moved" in out
    out = plans("diff", "1", "2")
    table = out[out.index("mission FTE per unit where the plans differ") :].splitlines()
    assert table[2].split()[0] == "unit" and "unit_id" not in out
    assert table[3].split()[:2] == ["Front", "Office"]


def test_approving_an_older_version_over_a_newer_one_needs_over_newer(folder: Path) -> None:
    plans("save", "tiny", "--name", "tiny", "--solve", "--quiet")
    write_scenario(tiny_scenario().with_settings(ops_buffer=0.3), folder / "tiny")
    plans("save", "tiny", "--name", "tiny", "--solve", "--quiet", "--fresh")
    plans("propose", "1")
    plans("propose", "2")
    released(2)
    plans("approve", "2", "--reason", "new data")
    released(1)
    refused = plans("approve", "1", "--reason", "back", code=2)
    assert "plan 1 (tiny v1) is of version 1, older than version 2" in refused
    assert "--over-newer" in refused
    out = plans("approve", "1", "--reason", "back", "--over-newer")
    assert "plan 1 (tiny v1) approved by" in out and "plan 2 (tiny v2) superseded" in out
    assert "back [approved over the newer plan 2 (tiny v2)]" in plans("show", "1")


# ---------------------------------------------------------------------- one plan, both sides

SAME_COLUMNS = (
    "version_id",
    "solve_status",
    "score",
    "best_bound",
    "gap",
    "summary",
    "solution",
    "conflicts",
    "settings",
    "reference_id",
    "changes",
)


def test_the_app_and_the_command_line_store_the_same_plan_in_the_same_words(
    folder: Path,
) -> None:
    """A re-plan of one scenario against its approved plan, saved once by ``plans save``
    and once by the app's session: the stored rows agree in everything but who and when,
    and both sides word its changes and solve settings alike."""
    plans("save", "tiny", "--name", "shared", "--solve", "--quiet")
    plans("propose", "1")
    plans("approve", "1", "--reason", "first", "--override-releases", "none decided")
    out = plans("save", "tiny", "--name", "shared", "--solve", "--quiet")
    with PlanStore("sqlite:///assembler.db") as store:
        session = PlanningSession(tiny_scenario(), "tiny")
        open_plan(store, session, 1)
        job = session.solve(time_limit=60.0, workers=2)
        assert job.wait(60) and session.collect()
        saved = save_as(store, session, User("ann", Role.APPROVER), "shared")
        assert saved.plan is not None and saved.plan.id == 3
        rows = {
            row.id: row
            for row in store_rows(store.url)
            if row.id in (2, 3)  # 2 from the command line, 3 from the app
        }
        current = session.current
    for name in SAME_COLUMNS:
        assert untimed(getattr(rows[2], name)) == untimed(getattr(rows[3], name)), name
    assert current is not None and current.changes is not None
    assert f"changes     against plan 1: {change_summary(current.changes)}" in out
    shown = [plans("show", str(plan_id)).splitlines() for plan_id in (2, 3)]
    assert [line for line in shown[0] if line.startswith(("solved with", "changes"))] == [
        line for line in shown[1] if line.startswith(("solved with", "changes"))
    ]
    assert "solved with time_limit 60.0, workers 2, seed 0, replanned_from 1" in shown[1]


def untimed(value: object) -> object:
    """A stored value without how long its solve took, the one thing two solves differ in."""
    if isinstance(value, dict):
        return {k: v for k, v in value.items() if k not in ("build_seconds", "solve_seconds")}
    return value


def store_rows(url: str) -> list[sa.Row[tuple[object, ...]]]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return list(connection.execute(sa.select(plans_table)).all())
    finally:
        engine.dispose()
