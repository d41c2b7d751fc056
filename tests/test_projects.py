"""Project-scheduling scenarios (``generate.projects``): valid, feasible by construction,
and planned within the limit though every task is mandatory and most wait for another."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from assembler import SolveSettings, Status, check, solve
from assembler.cli import app
from assembler.compile.instance import Instance
from assembler.generate.projects import generate_projects
from assembler.io import write_scenario
from assembler.solver.greedy import greedy_solution
from assembler.validation import read_scenario


def test_a_project_is_the_same_for_a_seed_and_valid_as_a_file(tmp_path: Path) -> None:
    project = generate_projects(40, 4, seed=3)
    assert project == generate_projects(40, 4, seed=3)
    assert all(mission.mandatory and mission.max_team == 1 for mission in project.missions)
    assert sum(mission.after is not None for mission in project.missions) > 20
    write_scenario(project, tmp_path / "project")
    report = read_scenario(tmp_path / "project")
    assert report.scenario == project and not report.errors


@pytest.mark.parametrize("seed", range(6))
def test_the_warm_start_plans_every_task_of_a_tight_chained_project(seed: int) -> None:
    """The horizon is exactly what a critical-path list schedule needs: a greedy that
    placed tasks in file order found no plan for several of these seeds."""
    project = generate_projects(120, 4, seed=seed, skills=3, slack=1.0)
    plan = greedy_solution(Instance(project))
    assert plan is not None
    assert len(plan.staffed) == 120 and check(project, plan) == []


@pytest.mark.slow
def test_the_engine_plans_a_project_within_its_limit() -> None:
    project = generate_projects(60, 3, seed=1, skills=3, slack=1.0)
    # The search runs to its limit (the optimum is not proved in minutes); the warm start is
    # a plan in under a second, so 5 s leaves room on busy cores.
    result = solve(project, SolveSettings(time_limit=5))
    assert result.status in (Status.OPTIMAL, Status.FEASIBLE)
    assert result.solution is not None and check(project, result.solution) == []


def test_the_command_line_generates_projects_and_refuses_periods_for_them(tmp_path: Path) -> None:
    runner = CliRunner()
    args = ["generate", str(tmp_path / "p"), "--shape", "projects", "--people", "5"]
    made = runner.invoke(app, [*args, "--missions", "30"])
    assert made.exit_code == 0, made.output
    assert "5 people in 1 units, 30 missions over" in made.output
    refused = runner.invoke(
        app, ["generate", str(tmp_path / "q"), "--shape", "projects", "--periods", "8"]
    )
    assert (
        refused.exit_code == 2 and "--periods does not go with --shape projects" in refused.output
    )
