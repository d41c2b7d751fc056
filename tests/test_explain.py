"""One tiny scenario per reason an unstaffed mission can be given."""

from __future__ import annotations

import pytest

from assembler import Instance, Scenario, Solution, SolveSettings, Status, solve
from assembler.domain.solution import OpsAssignment
from assembler.results.explain import NOT_WORTH_IT, explain_unstaffed
from builders import mission, person, scenario


def reasons(s: Scenario) -> dict[str, str]:
    """Solve to optimality and explain what stayed unstaffed."""
    result = solve(s, SolveSettings(time_limit=20, workers=1))
    assert result.status is Status.OPTIMAL and result.solution is not None
    return explain_unstaffed(Instance(s), result.solution)


def test_staffed_missions_need_no_reason() -> None:
    assert reasons(scenario([person("a")], [mission("m")])) == {}


@pytest.mark.parametrize(
    ("skills", "need"),
    [({"other": 5}, {"k": 0.2}), ({"k": 3}, {"k": (0.2, 4)})],
    ids=["skill", "level"],
)
def test_nobody_has_the_skill(
    skills: dict[str, int], need: dict[str, float | tuple[float, int]]
) -> None:
    s = scenario([person("a", skills=skills)], [mission("m", need)])
    level = 4 if skills.get("k") else 1
    assert reasons(s) == {"m": f"nobody has skill k ≥ {level}"}


def test_a_network_mission_without_volunteers() -> None:
    s = scenario([person("a"), person("b", "u2")], [mission("m", change_type="transition")])
    assert reasons(s) == {"m": "no eligible volunteer with skill k ≥ 1"}


def test_a_hierarchy_mission_outside_the_owners_branch() -> None:
    units = [("root", None), ("u1", "root"), ("u2", "root")]
    s = scenario([person("a", "u2")], [mission("m", owner_unit="u1")], units=units)
    assert reasons(s) == {"m": "nobody eligible in the u1 branch has skill k ≥ 1"}


def test_everyone_skilled_is_forbidden() -> None:
    s = scenario([person("a")], [mission("m")], locks=[("a", "m", "forbid")])
    assert reasons(s) == {"m": "no eligible person for skill k ≥ 1"}


def test_fewer_eligible_people_than_the_minimum_team() -> None:
    s = scenario([person("a"), person("b")], [mission("m", min_team=3)])
    assert reasons(s) == {"m": "needs a team of 3 but only 2 people are eligible"}


def test_network_volunteers_from_a_single_unit() -> None:
    volunteers = [person("a", network_opt_in=True), person("b", network_opt_in=True)]
    s = scenario(volunteers, [mission("m", change_type="innovation")])
    assert reasons(s) == {"m": "eligible volunteers come from only 1 unit, network missions need 2"}


def test_a_capability_used_up_by_staffed_missions() -> None:
    people = [person("a"), person("b")]
    missions = [mission("big", value=2.0), mission("small", value=1.0)]
    s = scenario(
        people,
        missions,
        capabilities=[("erp", 3, 1)],
        uses=[("big", "erp", 2), ("small", "erp", 1)],
    )
    assert reasons(s) == {"small": "capability erp exhausted (needs 1 unit, 0 left)"}


def test_eligible_people_lack_free_time() -> None:
    missions = [mission("first", {"k": 0.8}, value=2.0), mission("second", {"k": 0.5})]
    s = scenario([person("a")], missions)
    assert reasons(s) == {
        "second": "eligible people with skill k ≥ 1 have only 0.2 FTE free, it needs 0.5 FTE"
    }


def test_operational_time_above_the_protected_level_counts_as_free() -> None:
    # Protected: ceil(0.4 · 1.1 / 0.05) = 9 steps; a keeps all 20 steps on operations, so 11
    # steps could be released, still short of the 12 the mission needs.
    s = scenario([person("a")], [mission("m", {"k": 0.6})], ops=[("u1", "k", 0.4)])
    solution = Solution(
        staffed=frozenset(), members=frozenset(), assignments=(), ops=(OpsAssignment("a", "k", 20),)
    )
    assert explain_unstaffed(Instance(s), solution) == {
        "m": "eligible people with skill k ≥ 1 have only 0.55 FTE free, it needs 0.6 FTE"
    }


def test_a_mission_without_value() -> None:
    s = scenario([person("a")], [mission("m", value=0.0)])
    assert reasons(s) == {"m": "it has no value at current weights"}


def test_otherwise_the_people_are_better_used_elsewhere() -> None:
    # a has time for both but may join only one mission: the more valuable one wins.
    missions = [mission("first", value=2.0), mission("second", value=1.0)]
    s = scenario([person("a", max_missions=1)], missions)
    assert reasons(s) == {"second": NOT_WORTH_IT}
