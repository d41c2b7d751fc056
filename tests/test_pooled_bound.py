"""The pooled bound (``solver.pooled_bound``): never below the optimum, on random scenarios
of every MODEL.md version, and as tight as its rows say on scenarios worked out by hand."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from assembler import Scenario
from assembler.compile.instance import Instance
from assembler.domain.scenario import Availability, Development, Period
from assembler.solver.pooled_bound import pooled_relaxation
from builders import mission, person, scenario
from reference_milp import reference_optimum
from strategies import small_scenarios, v3_scenarios, v3_teams

STAFFED = 10_000
"""What a staffed mission of value 1 earns (builders: weight 100 × value points 100)."""


def bound_of(s: Scenario) -> int | None:
    relaxation = pooled_relaxation(Instance(s))
    return None if relaxation is None else relaxation.bound


def bounds_the_optimum(s: Scenario) -> None:
    """Wherever a plan exists, the bound is found and no plan scores above it."""
    optimum = reference_optimum(s)
    if optimum is None:
        return
    bound = bound_of(s)
    assert bound is not None and bound >= optimum


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_scenarios())
def test_the_bound_is_never_below_the_optimum(s: Scenario) -> None:
    bounds_the_optimum(s)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(v3_scenarios())
def test_the_bound_is_never_below_the_optimum_with_v3_and_horizons(s: Scenario) -> None:
    bounds_the_optimum(s)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(v3_teams())
def test_the_bound_is_never_below_the_optimum_with_learners_caps_and_befores(
    s: Scenario,
) -> None:
    bounds_the_optimum(s)


def test_a_mission_no_plan_can_staff_adds_nothing_and_the_best_team_is_counted() -> None:
    """``big`` needs a team of three from two candidates: it stays out, whatever its value.
    ``small`` is worth its value plus each wish met (10 × 2 and 10 × 1) less each
    membership: a team of one would meet fewer wishes."""
    s = scenario(
        [person("ann"), person("bob")],
        [mission("big", value=5.0, min_team=3), mission("small")],
        preferences=[("ann", "small", 2), ("bob", "small", 1)],
    )
    assert reference_optimum(s) == STAFFED + 19 + 9
    assert bound_of(s) == STAFFED + 19 + 9


def test_operations_only_the_expert_can_protect_are_taken_off_her_time() -> None:
    """Eve alone holds k at level 4 and must keep 16 of her 20 steps on k's operations; the
    unit's two missions need 3 steps each of k at level 4, and her 4 steps left hold one
    of them, not two.  Nia's free time does not count: she cannot give k."""
    s = scenario(
        [person("eve", skills={"k": 4}), person("nia", skills={"j": 2})],
        [mission(m, {"k": (0.15, 4)}, owner_unit="u1") for m in ("m1", "m2")],
        ops=[("u1", "k", 0.8, 4)],
        ops_buffer=0.0,
    )
    assert reference_optimum(s) == STAFFED - 1
    assert bound_of(s) == STAFFED - 1


def test_operations_someone_else_can_protect_leave_the_expert_her_time() -> None:
    """Kim can keep k's operations alone, so Eve's whole time is there for the mission,
    which the bound then counts in full: it is the optimum."""
    s = scenario(
        [person("eve", skills={"k": 4}), person("kim", skills={"k": 2})],
        [mission("m", {"k": (0.5, 4)})],
        ops=[("u1", "k", 0.8, 2)],
        ops_buffer=0.0,
    )
    assert reference_optimum(s) == STAFFED - 1
    assert bound_of(s) == STAFFED - 1


def test_operations_the_others_cannot_all_protect_are_taken_off_the_expert() -> None:
    """Kim could keep either of k's and j's operations, not both (32 steps, she has 20):
    Eve keeps the other 12 of her 20, and her 8 steps left hold one of the unit's two
    missions of 5 steps, not both."""
    s = scenario(
        [person("eve", skills={"k": 4, "j": 4}), person("kim", skills={"k": 2, "j": 2})],
        [mission(m, {"k": (0.25, 4)}, owner_unit="u1") for m in ("m1", "m2")],
        ops=[("u1", "k", 0.8, 2), ("u1", "j", 0.8, 2)],
        ops_buffer=0.0,
    )
    assert reference_optimum(s) == STAFFED - 1
    assert bound_of(s) == STAFFED - 1


def test_a_capability_shared_in_whole_units_is_rounded() -> None:
    """Three missions take 2 of a tool's 5 units each: two can run, where the LP alone
    would run two and a half."""
    s = scenario(
        [person(p) for p in ("ann", "bob", "cy")],
        [mission(m) for m in ("a", "b", "c")],
        capabilities=[("tool", 5, 0)],
        uses=[(m, "tool", 2) for m in ("a", "b", "c")],
    )
    assert reference_optimum(s) == 2 * (STAFFED - 1)
    assert bound_of(s) == 2 * (STAFFED - 1)


def test_missions_that_fill_a_capability_exactly_both_run() -> None:
    """2 and 3 of a tool's 5 units: both missions run, and no rounding may say otherwise."""
    s = scenario(
        [person(p) for p in ("ann", "bob")],
        [mission(m) for m in ("a", "b")],
        capabilities=[("tool", 5, 0)],
        uses=[("a", "tool", 2), ("b", "tool", 3)],
    )
    assert reference_optimum(s) == 2 * (STAFFED - 1)
    assert bound_of(s) == 2 * (STAFFED - 1)


def test_missions_that_cannot_share_a_capability_are_cut_apart() -> None:
    """A tool of 6 units; ``b`` (5 units, value 4) and ``c`` (2 units, value 3) cannot run
    together, which neither rounding says: the LP ran all of ``c`` and 0.8 of ``b`` (6.2),
    the cover ``b + c ≤ 1`` leaves ``c`` with ``a`` (4 units, value 2): 5."""
    units = {"a": 4, "b": 5, "c": 2, "d": 3}
    values = {"a": 2.0, "b": 4.0, "c": 3.0, "d": 1.0}
    s = scenario(
        [person(p) for p in ("ann", "bob", "cy", "dan")],
        [mission(m, value=values[m]) for m in units],
        capabilities=[("tool", 6, 0)],
        uses=[(m, "tool", n) for m, n in units.items()],
    )
    assert reference_optimum(s) == 5 * STAFFED - 2
    assert bound_of(s) == 5 * STAFFED - 2


def test_a_learners_development_goal_is_counted() -> None:
    """Lea, one level short, learns k under Max and meets her goal (10 × 3); the bound
    counts the goal and one membership (the fewest the mission can have)."""
    s = scenario(
        [person("max", skills={"k": 4}), person("lea", skills={"k": 2})],
        [mission("m", {"k": (0.4, 3)})],
        stretch_levels=1,
    ).replace(development=(Development(person_id="lea", skill_id="k", weight=3),))
    assert reference_optimum(s) == STAFFED - 2 + 30
    assert bound_of(s) == STAFFED - 1 + 30


def test_a_mission_waits_for_the_period_its_only_candidate_is_back() -> None:
    """Ann is away in q1, so the one-period mission can only run in q2, a period after its
    window opens: the bound counts that delay (weight 1), period by period."""
    s = scenario([person("ann")], [mission("m", duration=1)]).replace(
        periods=(Period(period_id="q1"), Period(period_id="q2")),
        availability=(Availability(person_id="ann", period_id="q1", fte=0),),
    )
    assert reference_optimum(s) == STAFFED - 1 - 1
    assert bound_of(s) == STAFFED - 1 - 1
