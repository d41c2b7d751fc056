"""One tiny scenario per constraint family and objective term, with the optimum worked by hand.

Under the defaults 1 FTE = 20 steps, the minimum share is 2 steps, a mission of value 1
scores 100 · 100 = 10,000 and each membership costs 1.
"""

from __future__ import annotations

import threading
import time
from math import isfinite
from typing import Any

import pytest
from ortools.sat.python.cp_model import CpModel, CpSolver

from assembler import Instance, Solution, SolveSettings, Status, check, solve
from assembler.domain.solution import Assignment
from assembler.domain.solve_settings import OneOf, Progress, Stability
from assembler.generate import generate_scenario
from assembler.results.kpis import evaluate, score_of
from assembler.results.result import Result
from assembler.solver import engine
from assembler.solver.greedy import greedy_solution
from assembler.solver.pooled_bound import pooled_relaxation
from assembler.solver.stopping import Clock
from assembler.solver.variables import Variables
from builders import mission, person, scenario
from solving import solved

STAFFED = 10_000  # weights.value · round(100 · value) for value 1


def staffed(result: Result) -> set[str]:
    assert result.solution is not None
    return set(result.solution.staffed)


def test_demand_is_met_exactly_in_whole_steps() -> None:
    result = solved(scenario([person("a")], [mission("m", {"k": 0.33})]))
    assert result.score == STAFFED - 1
    assert result.solution is not None
    (row,) = result.solution.assignments
    assert row.steps == 7  # ceil(0.33 / 0.05) = 7 steps = 0.35 FTE


def test_a_mission_nobody_has_time_for_stays_unstaffed() -> None:
    result = solved(scenario([person("a", fte=0.25)], [mission("m", {"k": 0.3})]))
    assert result.score == 0 and staffed(result) == set()


def test_two_people_share_a_need() -> None:
    people = [person("a", fte=0.25), person("b", fte=0.25)]
    result = solved(scenario(people, [mission("m", {"k": 0.3})]))
    assert result.score == STAFFED - 2


def test_each_member_gives_at_least_the_minimum_share() -> None:
    # b could add the missing step, but one step is below the 2-step minimum share.
    people = [person("a", fte=0.25), person("b", fte=0.05)]
    assert solved(scenario(people, [mission("m", {"k": 0.3})])).score == 0


def test_minimum_share_is_capped_by_the_missions_total_demand() -> None:
    result = solved(scenario([person("a")], [mission("m", {"k": 0.05})]))
    assert result.score == STAFFED - 1


def test_skill_level_must_reach_the_need() -> None:
    s = scenario([person("a", skills={"k": 2})], [mission("m", {"k": (0.2, 3)})])
    assert solved(s).score == 0


def test_time_kept_for_operations_limits_mission_time() -> None:
    # Protected ops requirement: ceil(0.5 · 1.1 / 0.05) = 11 steps; 9 steps left < 10 needed.
    s = scenario([person("a")], [mission("m", {"k": 0.5})], ops=[("u1", "k", 0.5)])
    result = solved(s)
    assert result.score == 0
    assert result.solution is not None
    assert sum(row.steps for row in result.solution.ops) >= 11


def test_operations_buffer_is_a_setting() -> None:
    s = scenario([person("a")], [mission("m", {"k": 0.5})], ops=[("u1", "k", 0.5)], ops_buffer=0.0)
    assert solved(s).score == STAFFED - 1


def test_operations_are_covered_only_by_the_units_own_people() -> None:
    people = [person("a", "u1"), person("b", "u2")]
    s = scenario(people, [mission("m", {"k": 1.0})], ops=[("u1", "k", 0.5)])
    result = solved(s)
    assert result.score == STAFFED - 1  # b alone staffs the mission, a keeps u1 running
    assert result.solution is not None
    assert {row.person_id for row in result.solution.ops} == {"a"}


def test_infeasible_operations_are_reported_with_the_clash() -> None:
    s = scenario([person("a")], [mission("m")], ops=[("u1", "k", 1.0)])
    result = solve(s, SolveSettings(time_limit=10))
    assert result.status is Status.INFEASIBLE and result.solution is None
    assert any("unit 'u1' in k need 1.1 FTE" in conflict for conflict in result.conflicts)


def test_minimum_team_size() -> None:
    one = scenario([person("a")], [mission("m", {"k": 0.2}, min_team=2)])
    assert solved(one).score == 0
    two = scenario([person("a"), person("b")], [mission("m", {"k": 0.2}, min_team=2)])
    assert solved(two).score == STAFFED - 2


def test_maximum_team_size() -> None:
    people = [person("a", fte=0.2), person("b", fte=0.2)]
    s = scenario(people, [mission("m", {"k": 0.3}, max_team=1)])
    assert solved(s).score == 0


def test_fewer_larger_chunks_of_time_are_preferred() -> None:
    result = solved(scenario([person("a"), person("b")], [mission("m", {"k": 0.4})]))
    assert result.score == STAFFED - 1
    assert result.solution is not None and len(result.solution.members) == 1


def test_focus_limits_missions_per_person() -> None:
    missions = [mission("m1", value=1.0), mission("m2", value=2.0)]
    s = scenario([person("a", max_missions=1)], missions)
    result = solved(s)
    assert staffed(result) == {"m2"} and result.score == 2 * STAFFED - 1


def test_focus_default_comes_from_the_settings() -> None:
    missions = [mission("m1"), mission("m2"), mission("m3")]
    assert len(staffed(solved(scenario([person("a")], missions)))) == 2
    assert len(staffed(solved(scenario([person("a")], missions, max_missions_default=3)))) == 3


def test_capabilities_limit_missions_after_the_ops_reservation() -> None:
    missions = [mission("m1", value=1.0), mission("m2", value=3.0)]
    s = scenario(
        [person("a")],
        missions,
        capabilities=[("erp", 2, 1)],
        uses=[("m1", "erp", 1), ("m2", "erp", 1)],
    )
    assert staffed(solved(s)) == {"m2"}


def test_network_missions_take_volunteers_only() -> None:
    network = [mission("m", change_type="transition")]
    people = [person("a", "u1"), person("b", "u2")]
    assert solved(scenario(people, network)).score == 0
    relaxed = scenario(people, network, network_opt_in_required=False)
    assert solved(relaxed).score == STAFFED - 2


def test_network_missions_draw_from_several_units() -> None:
    same_unit = [person("a", "u1", network_opt_in=True), person("b", "u1", network_opt_in=True)]
    network = [mission("m", change_type="innovation")]
    assert solved(scenario(same_unit, network)).score == 0
    across = [person("a", "u1", network_opt_in=True), person("b", "u2", network_opt_in=True)]
    assert solved(scenario(across, network)).score == STAFFED - 2
    assert solved(scenario(across, network, network_min_units=0)).score == STAFFED - 1


def test_hierarchy_missions_stay_in_the_owners_branch() -> None:
    units = [("root", None), ("u1", "root"), ("u2", "root"), ("u1a", "u1")]
    outsider = scenario([person("a", "u2")], [mission("m", owner_unit="u1")], units=units)
    assert solved(outsider).score == 0
    descendant = scenario([person("a", "u1a")], [mission("m", owner_unit="u1")], units=units)
    assert solved(descendant).score == STAFFED - 1


def test_forbidden_person_is_not_used() -> None:
    s = scenario([person("a")], [mission("m")], locks=[("a", "m", "forbid")])
    assert solved(s).score == 0


def test_pin_puts_a_person_on_the_team() -> None:
    s = scenario([person("a")], [mission("m", value=0.0)], locks=[("a", "m", "pin")])
    result = solved(s)
    assert result.score == -1 and staffed(result) == {"m"}


def test_mandatory_mission_is_staffed_even_at_a_cost() -> None:
    missions = [
        mission("low", {"k": 1.0}, value=1.0, mandatory=True),
        mission("high", {"k": 1.0}, value=5.0),
    ]
    result = solved(scenario([person("a")], missions))
    assert staffed(result) == {"low"} and result.score == STAFFED - 1


def test_preference_picks_the_volunteer_who_wished_for_it() -> None:
    people = [person("a", "u1", network_opt_in=True), person("b", "u2", network_opt_in=True)]
    s = scenario(
        people,
        [mission("m", change_type="transition")],
        preferences=[("b", "m", 3)],
        network_min_units=0,
    )
    result = solved(s)
    assert result.score == STAFFED + 10 * 3 - 1
    assert result.solution is not None and result.solution.members == {("b", "m")}


def test_preferences_only_count_for_eligible_pairs() -> None:
    s = scenario([person("a", skills={"x": 3})], [mission("m")], preferences=[("a", "m", 3)])
    assert solved(s).score == 0


def test_a_zero_minimum_share_lets_a_wishful_volunteer_join_without_time() -> None:
    # MODEL.md §6.2 with A = 0: membership costs 1 but the wish earns 30, so both join.
    people = [person("a", "u1", network_opt_in=True), person("b", "u2", network_opt_in=True)]
    s = scenario(
        people,
        [mission("m", {"k": 0.05}, change_type="transition")],
        preferences=[("a", "m", 3), ("b", "m", 3)],
        network_min_units=0,
        min_allocation_fte=0.0,
    )
    result = solved(s)
    assert result.score == STAFFED + 2 * (30 - 1)
    assert result.solution is not None and len(result.solution.assignments) == 1


def test_weights_are_settings() -> None:
    s = scenario([person("a")], [mission("m")], weights={"value": 0})
    assert solved(s).score == 0  # no value: a membership is pure cost


def test_a_previous_solution_is_the_warm_start_of_a_resolve(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The re-solve starts from the previous optimum, which the heuristic alone misses:
    it is the first plan reported, and the plan CP-SAT is given as its hint."""
    s = generate_scenario(people=100, missions=10, seed=1)
    first = solved(s)
    instance = Instance(s)
    from_scratch = greedy_solution(instance)
    assert from_scratch is not None and score_of(instance, from_scratch) < first.score

    real_add_hint = engine.add_hint
    hinted: list[int] = []

    def add_hint(
        model: CpModel, inst: Instance, variables: Variables, hint: Solution, clock: Clock
    ) -> None:
        if inst.scenario is s:  # not the parts the unstaffed missions are tried in
            hinted.append(score_of(inst, hint))
        real_add_hint(model, inst, variables, hint, clock)

    monkeypatch.setattr(engine, "add_hint", add_hint)
    seen: list[int] = []
    again = solved(s, hint=first.solution, progress=lambda p: seen.append(p.score))
    assert hinted == [first.score]
    assert seen[0] == first.score
    assert again.score == first.score


def test_the_search_starts_from_the_warm_start_but_its_lp_leads_the_dive(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """CP-SAT gets the warm start as its first plan but does not dive along it first
    (``hint_conflict_limit`` 0; the measured reason is in ``engine.solver_parameters``):
    the warm start is still the first plan reported, and the search still ends on the
    optimum."""
    s = generate_scenario(people=100, missions=10, seed=1)
    first = solved(s)
    real_parameters = engine.solver_parameters
    limits: list[int] = []

    def solver_parameters(solver: Any, settings: SolveSettings, *args: Any) -> None:
        real_parameters(solver, settings, *args)
        limits.append(solver.parameters.hint_conflict_limit)

    monkeypatch.setattr(engine, "solver_parameters", solver_parameters)
    seen: list[int] = []
    again = solved(s, hint=first.solution, progress=lambda p: seen.append(p.score))
    assert limits and set(limits) == {0}
    assert seen[0] == first.score
    assert again.score == first.score


@pytest.mark.parametrize("periods, passes", [(None, 0), (4, 1)])  # the bound search's presolve
def test_on_a_large_model_only_the_bound_search_trims_presolve_and_takes_lp_rows_lazily(
    monkeypatch: pytest.MonkeyPatch, periods: int | None, passes: int
) -> None:
    """The full model's search beside the neighbourhoods adds its LP rows as they are
    violated and skips CP-SAT's presolve, which keeps 10,000 people under 3 GiB (the
    measure is in ``engine._full_search``); over a horizon it keeps one presolve pass,
    which tightens its bound there.  Each neighbourhood's small model is presolved in full
    and keeps the whole LP.  Here 100 people are made to count as large."""
    searches: list[tuple[int, bool]] = []

    class Recording(CpSolver):
        def solve(self, *args: Any, **kwargs: Any) -> Any:
            parameters = self.parameters
            presolve = parameters.max_presolve_iterations if parameters.cp_model_presolve else 0
            searches.append((presolve, parameters.add_lp_constraints_lazily))
            return super().solve(*args, **kwargs)

    monkeypatch.setattr(engine, "LNS_MIN_TIME_VARIABLES", 0)
    monkeypatch.setattr(engine.cp_model, "CpSolver", Recording)
    s = generate_scenario(people=100, missions=10, seed=1, periods=periods)
    result = solve(s, SolveSettings(time_limit=3, workers=2))
    assert result.solution is not None and check(s, result.solution) == []
    bound_searches = [presolve for presolve, lazily in searches if lazily]
    neighbourhoods = [presolve for presolve, lazily in searches if not lazily]
    assert bound_searches == [passes]
    assert neighbourhoods and all(presolve > 1 for presolve in neighbourhoods)


@pytest.mark.parametrize(
    "too_slow",
    [
        ("BOUND_STARTUP_SHARE", 1e9),  # the build seems far too slow to leave CP-SAT time
        ("BOUND_VARIABLES_PER_SECOND", 1),  # the model seems far too large for the limit
    ],
)
def test_without_time_for_cp_sat_to_reach_a_large_models_bound_the_bound_is_the_pooled_one(
    monkeypatch: pytest.MonkeyPatch, too_slow: tuple[str, float]
) -> None:
    """CP-SAT reads a model before it looks at its limit (20,000 people: 15-19 s), and its
    LP bound on a model too large for the time left never comes (951,000 variables in 100
    s), so a large model's bound search starts only with time for both: here the neighbour-
    hoods alone give the plan, and the bound is the pooled LP's."""
    searches: list[bool] = []

    class Recording(CpSolver):
        def solve(self, *args: Any, **kwargs: Any) -> Any:
            searches.append(self.parameters.cp_model_presolve)
            return super().solve(*args, **kwargs)

    monkeypatch.setattr(engine, "LNS_MIN_TIME_VARIABLES", 0)
    monkeypatch.setattr(engine, *too_slow)
    monkeypatch.setattr(engine.cp_model, "CpSolver", Recording)
    s = generate_scenario(people=100, missions=10, seed=1)
    result = solve(s, SolveSettings(time_limit=2, workers=2))
    assert result.solution is not None and check(s, result.solution) == []
    assert result.status is Status.FEASIBLE and result.score is not None
    relaxation = pooled_relaxation(Instance(s))
    assert relaxation is not None and result.best_bound == relaxation.bound > result.score
    assert searches and all(searches)  # neighbourhoods only


def test_progress_reports_improving_solutions() -> None:
    seen: list[Progress] = []
    s = scenario([person("a"), person("b")], [mission("m1"), mission("m2", value=2.0)])
    solved(s, progress=seen.append, workers=1)
    assert seen and seen[-1].score == STAFFED * 3 - 2
    assert (seen[-1].missions_staffed, seen[-1].value) == (2, 3.0)


def test_a_stop_during_the_search_ends_it_with_the_best_plan_so_far() -> None:
    """600 people: 40 s of search do not prove the optimum, so only the stop can end the
    search this soon.  It is set as soon as CP-SAT reports a plan of its own (one with a
    bound, unlike the warm start), so it hits a running search; the time that counts is
    from the stop on, which a busy machine stretches far less than the search before it."""
    big = generate_scenario(people=600, missions=60, seed=3)
    stop = threading.Event()
    seen: list[Progress] = []
    stopped_at: list[float] = []

    def progress(p: Progress) -> None:
        seen.append(p)
        if isfinite(p.best_bound) and not stop.is_set():
            stopped_at.append(time.perf_counter())
            stop.set()

    result = solve(big, SolveSettings(time_limit=60, stop=stop, progress=progress))
    assert stopped_at, "CP-SAT found no plan of its own within the limit"
    assert time.perf_counter() - stopped_at[0] < 10  # ended by the stop, not the 60 s limit
    assert result.status is Status.FEASIBLE
    assert result.solution is not None and check(big, result.solution) == []
    assert result.score == seen[-1].score
    kpis = evaluate(Instance(big), result.solution)
    assert (seen[-1].missions_staffed, seen[-1].value) == (
        kpis.missions_staffed,
        kpis.value_captured,
    )


@pytest.mark.parametrize("fte, steps", [(0.3, 6), (0.33, 7), (0.35, 7), (1.0, 20)])
def test_needs_round_up_to_the_step_grid(fte: float, steps: int) -> None:
    result = solved(scenario([person("a")], [mission("m", {"k": fte})]))
    assert result.solution is not None
    assert sum(row.steps for row in result.solution.assignments) == steps


def test_repair_keeps_the_reference_team_when_it_costs_nothing() -> None:
    people = [person("a"), person("b")]
    s = scenario(people, [mission("m", {"k": 0.4})])
    reference = Solution(
        staffed=frozenset({"m"}),
        members=frozenset({("b", "m")}),
        assignments=(Assignment("b", "m", "k", 8),),
        ops=(),
    )
    result = solved(s, stability=Stability(reference))
    assert result.solution is not None and result.solution.members == {("b", "m")}
    assert result.score == STAFFED - 1


def test_deterministic_mode_gives_the_same_plan_every_time() -> None:
    people = [person(f"p{i}", f"u{i % 3}", network_opt_in=True) for i in range(8)]
    missions = [mission(f"m{j}", {"k": 0.3 + 0.1 * j}, value=1 + j) for j in range(5)]
    s = scenario(people, missions)
    settings = SolveSettings(time_limit=5, deterministic=True)
    first, again = solve(s, settings).solution, solve(s, settings).solution
    assert first is not None and first == again


def test_operations_keep_exactly_the_protected_requirement() -> None:
    # Spare time parked on operations would read as "no time left" in the reports.
    s = scenario([person("a"), person("b")], [mission("m", {"k": 0.2})], ops=[("u1", "k", 0.5)])
    result = solved(s)
    assert result.solution is not None
    assert sum(row.steps for row in result.solution.ops) == 11  # ceil(0.5 · 1.1 / 0.05)


def test_lexicographic_stability_never_gives_up_score() -> None:
    # The reference splits the need over two people; one person scores 1 point more.
    people = [person("a"), person("b")]
    s = scenario(people, [mission("m", {"k": 0.4})])
    split = Solution(
        staffed=frozenset({"m"}),
        members=frozenset({("a", "m"), ("b", "m")}),
        assignments=(Assignment("a", "m", "k", 4), Assignment("b", "m", "k", 4)),
        ops=(),
    )
    weighted = solved(s, stability=Stability(split))
    assert weighted.score == STAFFED - 2  # a change costs more than the point it saves
    lexicographic = solved(s, stability=Stability(split, weight=None))
    assert lexicographic.score == STAFFED - 1
    assert lexicographic.best_bound == STAFFED - 1 or lexicographic.gap == 0
    assert lexicographic.solution is not None
    assert len(lexicographic.solution.members) == 1


def test_lexicographic_stability_keeps_the_reference_among_equal_plans() -> None:
    s = scenario([person("a"), person("b")], [mission("m", {"k": 0.4})])
    only_b = Solution(
        staffed=frozenset({"m"}),
        members=frozenset({("b", "m")}),
        assignments=(Assignment("b", "m", "k", 8),),
        ops=(),
    )
    result = solved(s, stability=Stability(only_b, weight=None))
    assert result.solution is not None and result.solution.members == {("b", "m")}


def test_one_of_puts_one_of_the_people_on_the_team_and_nothing_else() -> None:
    """a alone covers m (r and k); requiring one of b and c adds a member, 1 point, and the
    greedy plan (a alone, which misses the requirement) is never reported as a plan; d
    knows nothing m needs, so no plan has d on it."""
    people = [
        person("a", skills={"k": 3, "r": 3}),
        person("b"),
        person("c"),
        person("d", skills={"q": 3}),
    ]
    s = scenario(people, [mission("m", {"r": 0.5, "k": 0.1})])
    assert solved(s).score == STAFFED - 1
    reported: list[Progress] = []
    asked = solved(s, one_of=OneOf("m", frozenset({"b", "c"})), progress=reported.append)
    assert asked.score == STAFFED - 2 and asked.status is Status.OPTIMAL
    assert asked.solution is not None and {"b", "c"} & {p for p, _ in asked.solution.members}
    assert reported and all(progress.score <= STAFFED - 2 for progress in reported)
    ineligible = solve(s, SolveSettings(time_limit=20, one_of=OneOf("m", frozenset({"d"}))))
    assert ineligible.status is Status.INFEASIBLE


def test_the_app_side_of_the_library_starts_without_or_tools() -> None:
    """OR-Tools loads on the first solve only: the planner's session, the analyses and the
    command line import without it (a subprocess, so this test's own imports don't count)."""
    import subprocess
    import sys

    code = (
        "import sys, assembler, assembler.planning.session, assembler.planning.jobs, "
        "assembler.analysis, assembler.cli; "
        "print(any(name.startswith('ortools') for name in sys.modules))"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert loaded.stdout.strip() == "False", loaded.stderr
