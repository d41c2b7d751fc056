"""The greedy plan is feasible by construction, on random and on generated scenarios."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from assembler import Scenario, check
from assembler.compile.instance import Instance
from assembler.compile.protection import ops_shortfalls
from assembler.domain.scenario import Lock, LockKind
from assembler.generate import generate_scenario
from assembler.results.kpis import evaluate
from assembler.solver.greedy import greedy_solution
from builders import mission, person, scenario
from strategies import small_scenarios


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(small_scenarios())
def test_a_greedy_plan_always_passes_the_check(s: Scenario) -> None:
    """A plan whenever one is sure to exist (nothing committed, operations protectable:
    staffing nothing then works), so the check below cannot pass by never planning."""
    instance = Instance(s)
    plan = greedy_solution(instance)
    committed = any(m.mandatory for m in s.missions) or any(
        lock.lock is LockKind.PIN for lock in s.locks
    )
    if not committed and not ops_shortfalls(instance):
        assert plan is not None
    if plan is not None:
        assert check(s, plan) == []


def test_greedy_staffs_most_of_a_generated_organisation() -> None:
    s = generate_scenario(people=300, missions=30, seed=4)
    instance = Instance(s)
    plan = greedy_solution(instance)
    assert plan is not None
    assert check(instance, plan) == []
    assert evaluate(instance, plan).missions_staffed >= 15


def test_a_previous_plan_keeps_its_still_valid_teams() -> None:
    s = generate_scenario(people=200, missions=20, seed=2)
    before = greedy_solution(Instance(s))
    assert before is not None
    dropped_person, dropped_mission = sorted(before.members)[0]
    edited = s.replace(
        locks=(*s.locks, Lock(person_id=dropped_person, mission_id=dropped_mission, lock="forbid"))
    )
    after = greedy_solution(Instance(edited), start=before)
    assert after is not None and check(edited, after) == []
    assert (dropped_person, dropped_mission) not in after.members
    untouched = {m for m in before.staffed if m != dropped_mission}
    kept = {row for row in before.assignments if row.mission_id in untouched} <= set(
        after.assignments
    )
    assert kept


def test_a_team_grows_with_people_whose_operations_colleagues_can_take() -> None:
    """On this horizon a mandatory mission needs a third member all year, and the only one
    with a skill to spare is busy with operations in two quarters that colleagues can
    cover: the greedy must hand that load over rather than give up on the plan."""
    s = generate_scenario(people=1000, missions=100, seed=1, periods=4)
    instance = Instance(s)
    plan = greedy_solution(instance)
    assert plan is not None
    assert check(instance, plan) == []
    assert {"M003"} <= plan.staffed


def test_a_person_pinned_to_a_mission_keeps_their_only_slot_for_it() -> None:
    """``p`` has one mission slot and is pinned to B; A comes first and ``p`` has the most
    time for it, but ``q`` can staff A: spending ``p``'s slot on A left no plan at all."""
    s = scenario(
        [person("p", fte=1.0, max_missions=1), person("q", fte=0.5)],
        [mission("A", {"k": 0.3}, mandatory=True), mission("B", {"k": 0.2})],
        locks=[("p", "B", "pin")],
    )
    plan = greedy_solution(Instance(s))
    assert plan is not None and check(s, plan) == []
    assert plan.members == {("q", "A"), ("p", "B")}


def test_a_large_team_is_split_off_a_member_who_fills_two_needs() -> None:
    """Eight people with both skills, a team of eight on two needs of 0.4 FTE, each member
    at least 0.1: the first person fills both needs, and splitting must move all of one
    need's time off them (they stay on the team through the other) to reach eight."""
    people = [person(f"p{k}", skills={"a": 3, "b": 3}, fte=1.0) for k in range(8)]
    s = scenario(people, [mission("A", {"a": 0.4, "b": 0.4}, min_team=8)])
    plan = greedy_solution(Instance(s))
    assert plan is not None and check(s, plan) == []
    assert plan.staffed == {"A"}
    assert len(plan.members) == 8
