"""A warm start around the commitments alone, for scenarios the greedy cannot plan."""

from __future__ import annotations

from assembler import Scenario, SolveSettings, check, solve
from assembler.compile.instance import Instance
from assembler.domain.solution import Solution
from assembler.generate import SHAPES, generate_scenario
from assembler.solver.commitments import (
    commitments_only,
    committed_missions,
    plan_around_commitments,
)
from assembler.solver.greedy import greedy_solution
from builders import mission, person, scenario


def _chained() -> Scenario:
    return scenario(
        [person("p"), person("q")],
        [
            mission("A", mandatory=True, after="B"),
            mission("B", after="C"),
            mission("C"),
            mission("D"),
            mission("E"),
        ],
        preferences=[("p", "D", 2), ("q", "E", 1)],
        locks=[("q", "E", "pin"), ("p", "D", "forbid")],
    )


def test_commitments_are_the_mandatory_and_pinned_missions_with_what_they_wait_for() -> None:
    s = _chained()
    assert committed_missions(s) == {"A", "B", "C", "E"}
    alone = commitments_only(s)
    assert alone is not None
    assert [m.mission_id for m in alone.missions] == ["A", "B", "C", "E"]
    assert {n.mission_id for n in alone.mission_needs} == {"A", "B", "C", "E"}
    assert [(p.person_id, p.mission_id) for p in alone.preferences] == [("q", "E")]
    assert [(lock.person_id, lock.mission_id) for lock in alone.locks] == [("q", "E")]


def test_a_scenario_that_commits_to_nothing_or_everything_has_no_smaller_part() -> None:
    assert commitments_only(scenario([person("p")], [mission("A"), mission("B")])) is None
    everything = [mission("A", mandatory=True), mission("B", mandatory=True)]
    assert commitments_only(scenario([person("p")], everything)) is None


def _solved_alone(committed: Scenario) -> Solution | None:
    return solve(committed, SolveSettings(time_limit=5, diagnose=False)).solution


def test_teams_for_the_commitments_alone_give_a_warm_start_the_greedy_could_not() -> None:
    """The benchmark's M mosaic (1,000 people, 100 missions, seed 1): 8 large mandatory
    teams on rare skills.  The greedy finds no plan in either order (operations or
    commitments first); around the commitments' teams that CP-SAT finds, it plans the
    whole organisation."""
    s = generate_scenario(1000, 100, 1, shape=SHAPES["mosaic"])
    instance = Instance(s)
    assert greedy_solution(instance) is None
    plan = plan_around_commitments(s, instance, _solved_alone)
    assert plan is not None
    assert check(s, plan) == []
    assert committed_missions(s) <= plan.staffed
