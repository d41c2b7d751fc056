"""Resilience: random absences applied to a plan, on tiny scenarios with known weak spots."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from assembler import Instance, Scenario, SolveSettings, cli
from assembler.domain.scenario import Period
from assembler.domain.solution import Solution
from assembler.io import write_scenario
from assembler.results.names import Names
from assembler.tradeoffs import Runner, StressSettings, stress
from assembler.tradeoffs.absences import draw_absences, impact
from assembler.tradeoffs.charts import stress_chart
from assembler.tradeoffs.stress import StressStoppedError, repair, solve_plan
from builders import mission, person, scenario

V1_SUMMARY_KEYS = [
    "absence",
    "draws",
    "seed",
    "repair_buffer",
    "people",
    "absent_mean",
    "plan_value",
    "value_total",
    "plan_missions_staffed",
    "p_ops_covered",
    "p_ops_protected",
    "p_ops_reshuffle_ok",
    "p_ops_protectable",
    "p_missions_intact",
    "repairs_needed",
    "repair_outcomes",
    "p_plan_after_repair",
    "value_before_repair",
    "value_after_repair",
    "changes_mean",
]
"""``stress_summary.json`` of a scenario without periods, key for key as before v2."""


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
    assert report.summary.p_ops_covered == pytest.approx(1 - share["solo"], abs=1e-4)
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


def quarters(s: Scenario, count: int = 2) -> Scenario:
    """``s`` over ``count`` periods ``q1 …``."""
    return s.replace(periods=tuple(Period(period_id=f"q{i}") for i in range(1, count + 1)))


def two_quarters() -> Scenario:
    """``a`` alone staffs ``m`` (0.5 FTE in q1 and q2); ``b`` alone keeps the desk (0.5 FTE
    + 10 % = 11 steps in each quarter)."""
    return quarters(
        scenario(
            [person("a", "u1", {"k": 3}), person("b", "u1", {"desk": 3})],
            [mission("m", {"k": 0.5}, value=2)],
            ops=[("u1", "desk", 0.5)],
        )
    )


def movable() -> Scenario:
    """``a`` alone can staff ``m``, which runs one quarter of two: the plan starts it in q1
    (a later start would cost a period of delay)."""
    return quarters(scenario([person("a")], [mission("m", {"k": 0.5}, duration=1)]))


def test_the_draws_without_periods_are_v1s() -> None:
    """One draw is a people × periods matrix; with one period it takes the very numbers a
    draw of one per person took, so every v1 report stays byte-identical."""
    instance = Instance(weak_spots())
    rng = np.random.default_rng(5)
    ids = [p.person_id for p in instance.people]
    v1 = [frozenset(ids[p] for p in np.flatnonzero(rng.random(4) < 0.3)) for _ in range(50)]
    drawn = draw_absences(instance, 0.3, 50, 5)
    assert [frozenset(person for person, _ in absent) for absent in drawn] == v1
    assert all(t == 0 for absent in drawn for _, t in absent)


def test_an_absence_costs_the_plan_its_period_only() -> None:
    built = two_quarters()
    instance = Instance(built)
    plan = plan_of(built)
    need = instance.need_index["m", "k"]

    a_away_in_q2 = impact(instance, plan, {("a", 1)})
    assert a_away_in_q2.lost == ((need, 1),)  # q2's 10 steps have no one to make them up
    assert a_away_in_q2.value_kept == 0 and a_away_in_q2.touched
    assert a_away_in_q2.below_demand == () and a_away_in_q2.shortfalls == ()

    b_away_in_q1 = impact(instance, plan, {("b", 0)})
    assert b_away_in_q1.lost == () and b_away_in_q1.value_kept == 2
    assert [instance.ops[o].period for o in b_away_in_q1.below_demand] == [0]
    (short,) = b_away_in_q1.shortfalls
    assert (short.unit_id, short.period_id, short.available_fte) == ("u1", "q1", 0.0)
    assert b_away_in_q1.unit_shortfalls == b_away_in_q1.shortfalls

    throughout = impact(instance, plan, {"a"})  # a person id alone: away in every period
    assert throughout.lost == ((need, 0), (need, 1)) and throughout.lost_needs == (need,)


def test_a_repair_on_a_horizon_moves_the_mission_to_the_quarter_with_time() -> None:
    built = movable()
    plan = plan_of(built)
    assert plan.starts == {"m": 0}
    shared = (built, plan, SolveSettings(time_limit=10, workers=1))
    moved = repair(shared, frozenset({("a", 0)}))
    assert (moved.status, moved.value, moved.changes, moved.moved) == ("optimal", 1, 0, 1)
    gone = repair(shared, frozenset({("a", 0), ("a", 1)}))
    assert (gone.status, gone.value, gone.staffed) == ("optimal", 0, frozenset())


def test_stress_on_a_horizon_draws_person_periods(runner: Runner) -> None:
    built = movable()
    settings = StressSettings(absence=0.5, draws=40, seed=3)
    report = stress(built, settings, SolveSettings(time_limit=10), runner=runner)
    draws = report.draws
    in_q1, in_q2 = away_in(draws, "a@q1"), away_in(draws, "a@q2")
    assert in_q1.any() and (in_q1 & ~in_q2).any() and (in_q1 & in_q2).any()
    assert list(draws["absent_count"]) == list(in_q1.astype(int) + in_q2.astype(int))
    # Away in q1, when m runs: the plan loses it; a repair moves it to q2 if a is there.
    assert list(draws["value_before_repair"]) == list((~in_q1).astype(float))
    assert list(draws["repair"][~in_q1].unique()) == ["not needed"]
    assert list(draws["value_after_repair"]) == list((~(in_q1 & in_q2)).astype(float))
    assert list(draws["missions_moved"][in_q1]) == list((~in_q2[in_q1]).astype(int))
    assert report.missions.set_index("mission_id").loc["m", "skills_lost"].startswith("k")
    s = report.summary
    assert (s.periods, s.people) == (2, 1)
    assert s.absent_mean == pytest.approx(draws["absent_count"].mean(), abs=1e-4)
    assert s.moves_mean == pytest.approx(float((~in_q2[in_q1]).mean()), abs=1e-4)
    assert {"periods", "moves_mean"} <= set(s.to_json())
    chart = json.dumps(stress_chart(report, Names.of(built)).to_dict(), ensure_ascii=False)
    assert Names.of(built).mission("m") in chart


def test_operations_are_reported_per_unit_skill_and_period(runner: Runner) -> None:
    built = two_quarters()
    settings = StressSettings(absence=0.3, draws=30, seed=2)
    report = stress(built, settings, SolveSettings(time_limit=10), runner=runner)
    operations = report.operations.set_index(["unit_id", "skill_id", "period_id"])
    chart = json.dumps(stress_chart(report, Names.of(built)).to_dict(), ensure_ascii=False)
    assert Names.of(built).demand("u1", "desk", "q2") in chart  # not "u1/desk@q2"
    for t, quarter in enumerate(("q1", "q2")):
        away = away_in(report.draws, f"b@{quarter}")
        assert operations.loc[("u1", "desk", quarter), "p_below_demand"] == away.mean()
        below = report.draws["ops_below_demand"].str.split(";")
        assert list(below.apply(lambda demands, q=quarter: f"u1/desk@{q}" in demands)) == list(
            away
        ), t


def test_without_periods_the_summary_has_v1s_keys(runner: Runner) -> None:
    report = stress(weak_spots(), StressSettings(draws=3), runner=runner)
    assert list(report.summary.to_json()) == V1_SUMMARY_KEYS
    assert "missions_moved" not in report.draws and "period_id" not in report.operations


def test_cli_stress_on_a_horizon(tmp_path: Path, dask_scheduler: str) -> None:
    write_scenario(two_quarters(), tmp_path / "scenario")
    out = tmp_path / "out"
    args = ["stress", str(tmp_path / "scenario"), "--absence", "0.3", "--draws", "20"]
    result = CliRunner().invoke(cli.app, [*args, "--out", str(out), "--scheduler", dask_scheduler])
    assert result.exit_code == 0, result.output
    assert "each person away in each of 2 periods with probability 30%" in result.output
    assert "of 4 person-periods on average" in result.output
    assert "below demand most often: u1/desk@q" in result.output
    operations = pd.read_csv(out / "stress_operations.csv")
    assert list(operations["period_id"]) == ["q1", "q2"]
    assert json.loads((out / "stress_summary.json").read_text())["periods"] == 2


class StopOnCheck(threading.Event):
    """A stop that a Ctrl-C sets while the draws are measured: after ``checks`` looks."""

    def __init__(self, checks: int) -> None:
        super().__init__()
        self.checks = checks

    def is_set(self) -> bool:
        self.checks -= 1
        return self.checks < 0 or super().is_set()


def test_a_stop_while_the_draws_are_measured_keeps_the_measured_ones() -> None:
    """``solo`` alone runs the desk and nothing else is planned: no draw needs a repair,
    so what is kept is exactly what was measured before the stop."""
    built = scenario([person("solo", "front", {"desk": 3})], [], ops=[("front", "desk", 0.5)])
    plan = plan_of(built)
    settings = StressSettings(absence=0.5, draws=20, seed=3)
    whole = stress(built, settings, SolveSettings(time_limit=10), plan=plan)
    assert whole.summary.draws == len(whole.draws) == 20

    stopped = stress(built, settings, SolveSettings(stop=StopOnCheck(3)), plan=plan)
    assert stopped.summary.draws == len(stopped.draws) == 3
    assert stopped.draws["absent"].equals(whole.draws["absent"].head(3))
    with pytest.raises(StressStoppedError, match="before the first draw was measured"):
        stress(built, settings, SolveSettings(stop=StopOnCheck(0)), plan=plan)
