"""Resilience: random absences applied to a plan, on tiny scenarios with known weak spots."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from assembler import Instance, Scenario, SolveSettings, cli
from assembler.domain.solution import Solution
from assembler.io import write_scenario
from assembler.tradeoffs import Runner, StressSettings, stress
from assembler.tradeoffs.stress import impact, solve_plan
from builders import mission, person, scenario


def weak_spots() -> Scenario:
    """``solo`` alone can run the front desk; ``des`` alone has the design skill ``rare``
    needs; ``x`` and ``y`` can both code for ``app`` (one of them suffices)."""
    return scenario(
        [
            person("solo", "front", {"desk": 3}),
            person("des", "front", {"design": 3}),
            person("x", "front", {"code": 3}),
            person("y", "front", {"code": 3}),
        ],
        [mission("app", {"code": 0.4}, value=2), mission("rare", {"design": 0.2}, value=1)],
        ops=[("front", "desk", 0.5)],
    )


def plan_of(built: Scenario) -> Solution:
    solution = solve_plan(built, SolveSettings(time_limit=10)).solution
    assert solution is not None
    return solution


def away_in(draws: pd.DataFrame, *people: str) -> pd.Series:
    """The draws in which all of ``people`` are away."""
    return draws["absent"].str.split(";").apply(lambda ids: set(people) <= set(ids))


def test_stress_reports_the_single_points_of_failure(runner: Runner) -> None:
    built = weak_spots()
    plan = plan_of(built)
    (coder,) = {row.person_id for row in plan.assignments if row.mission_id == "app"}
    settings = StressSettings(absence=0.3, draws=60, seed=7)
    report = stress(built, settings, SolveSettings(time_limit=10), plan=plan, runner=runner)

    draws = report.draws
    away = {name: away_in(draws, name) for name in ("solo", "des", coder)}
    share = {name: float(flags.mean()) for name, flags in away.items()}
    assert 0 < share["solo"] < 1 and 0 < share["des"] < 1

    desk = report.operations.set_index(["unit_id", "skill_id"]).loc["front", "desk"]
    assert desk["p_below_demand"] == desk["p_unprotectable"] == share["solo"]
    assert report.summary["p_ops_covered"] == pytest.approx(1 - share["solo"], abs=1e-4)
    assert list(draws["repair"][away["solo"]].unique()) == ["infeasible"]
    assert draws["repair_note"][away["solo"]].str.contains("unit 'front' in desk").all()

    missions = report.missions.set_index("mission_id")
    assert missions.loc["rare", "p_loses_skill"] == share["des"]
    assert missions.loc["rare", "skills_lost"].startswith("design")
    assert missions.loc["app", "p_loses_skill"] == share[coder]

    # With the desk covered, a repair swaps in the other coder if one is there.
    repaired = draws[draws["repair"] == "optimal"]
    assert not repaired.empty
    both_coders = away_in(draws, "x", "y")[repaired.index]
    expected = 2 * ~both_coders + ~away["des"][repaired.index]
    assert list(repaired["value_after_repair"]) == list(expected)
    nobody = draws[draws["absent"] == ""]
    assert not nobody.empty
    assert (nobody["repair"] == "not needed").all() and (nobody["value_after_repair"] == 3).all()


def test_the_same_seed_gives_the_same_report(runner: Runner) -> None:
    built = weak_spots()
    settings = StressSettings(absence=0.3, draws=20, seed=11)
    first = stress(built, settings, runner=runner)
    second = stress(built, settings, runner=runner)
    columns = ["absent", "ops_covered", "needs_lost", "repair", "value_after_repair"]
    assert first.draws[columns].equals(second.draws[columns])
    assert first.summary == second.summary


def test_a_present_team_member_with_free_time_takes_over() -> None:
    built = scenario(
        [person("x", "u1", {"k": 3}), person("y", "u1", {"k": 3}, fte=0.3)],
        [mission("m", {"k": 0.4}, value=1, min_team=2)],
    )
    instance = Instance(built)
    plan = plan_of(built)
    given = {row.person_id: row.steps for row in plan.assignments}
    assert set(given) == {"x", "y"}
    # y (6 steps) has 6 − given[y] free; x has 20 − given[x]: x can always cover y's part.
    assert impact(instance, plan, frozenset({"y"})).lost_needs == ()
    lost_x = impact(instance, plan, frozenset({"x"}))
    assert (lost_x.lost_needs == ()) == (6 - given["y"] >= given["x"])
    assert lost_x.touched and lost_x.below_demand == ()


def test_absentees_without_a_role_leave_the_plan_untouched() -> None:
    built = weak_spots()
    plan = plan_of(built)
    idle = {p.person_id for p in built.people} - {p for p, _ in plan.members}
    idle -= {row.person_id for row in plan.ops}
    hit = impact(Instance(built), plan, frozenset(idle))
    assert not hit.touched and hit.value_kept == 3 and not hit.shortfalls


def test_a_thinner_buffer_while_away_must_not_exceed_the_plans() -> None:
    with pytest.raises(ValueError, match=r"repair buffer 0\.5 exceeds"):
        stress(weak_spots(), StressSettings(repair_buffer=0.5, draws=1))


def test_cli_stress_prints_the_ladder_and_writes_the_tables(
    tmp_path: Path, dask_scheduler: str
) -> None:
    write_scenario(weak_spots(), tmp_path / "scenario")
    out = tmp_path / "out"
    args = ["stress", str(tmp_path / "scenario"), "--absence", "0.3", "--draws", "30"]
    result = CliRunner().invoke(cli.app, [*args, "--out", str(out), "--scheduler", dask_scheduler])
    assert result.exit_code == 0, result.output
    assert "operations  plan as is: covered at demand in" in result.output
    assert "below demand most often: front/desk" in result.output
    summary = json.loads((out / "stress_summary.json").read_text())
    assert summary["draws"] == 30 and summary["absence"] == 0.3
    for name in ("stress_draws.csv", "stress_missions.csv", "stress_operations.csv"):
        assert (out / name).stat().st_size > 0
    assert (out / "stress.png").read_bytes().startswith(b"\x89PNG")


def test_cli_stress_rejects_bad_settings_before_solving(tmp_path: Path) -> None:
    write_scenario(weak_spots(), tmp_path / "scenario")
    base = ["stress", str(tmp_path / "scenario")]
    result = CliRunner().invoke(cli.app, [*base, "--repair-buffer", "0.5"])
    assert result.exit_code == 2 and "exceeds the plan's ops buffer" in result.output
    result = CliRunner().invoke(cli.app, [*base, "--absence", "1.5"])
    assert result.exit_code == 2 and "Traceback" not in result.output
