"""MODEL.md v3 §6.10: a mission may wait for several others (``after = m1;m2``).

Each optimum is worked out by hand (1 FTE = 20 steps, a staffed mission of value 1 scores
10,000, each membership costs 1, each period of delay 1), and every plan is checked
independently by ``solved``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from assembler import Scenario
from assembler.compile.instance import Instance, chain_depths
from assembler.domain.scenario import Period
from assembler.io import write_scenario
from assembler.planning.edits import EditError, drop_mission
from assembler.results.check import check
from assembler.results.result import Result
from assembler.solver.greedy import greedy_solution
from assembler.validation import read_scenario
from builders import mission, person, scenario
from solving import solved
from test_io_roundtrip import TARGETS

STAFFED = 10_000


def quarters(s: Scenario, count: int = 3) -> Scenario:
    return s.replace(periods=tuple(Period(period_id=f"q{i}") for i in range(1, count + 1)))


def starts(result: Result) -> dict[str, int]:
    assert result.solution is not None
    return dict(result.solution.starts)


def two_befores(**m3: object) -> Scenario:
    """``a`` gives 0.5 FTE a quarter: m1 and m2 (0.5 each) take a quarter each, and m3
    waits for both."""
    return quarters(
        scenario(
            [person("a", fte=0.5)],
            [
                mission("m1", {"k": 0.5}, duration=1),
                mission("m2", {"k": 0.5}, duration=1),
                mission("m3", {"k": 0.5}, duration=1, after="m1; m2", **m3),
            ],
        )
    )


def test_a_mission_waits_for_each_of_its_befores() -> None:
    result = solved(two_befores())
    # m1 and m2 in q1 and q2 (one of them a quarter late), m3 in q3 (two late).
    assert sorted(starts(result).values()) == [0, 1, 2] and starts(result)["m3"] == 2
    assert result.score == 3 * STAFFED - 3 - 1 - 2


def test_a_mission_after_one_that_cannot_run_cannot_run_even_if_the_other_can() -> None:
    base = two_befores()
    missions = list(base.missions)
    missions[1] = missions[1].model_copy(update={"value": 0.0, "latest_end": "q1"})
    needs = [n for n in base.mission_needs if n.mission_id != "m2"]
    unstaffable = base.replace(
        missions=tuple(missions),
        mission_needs=(*needs, *mission("m2", {"nobody": 0.5})[1]),
    )
    result = solved(unstaffable)
    assert set(result.solution.staffed) == {"m1"}  # type: ignore[union-attr]
    assert result.score == STAFFED - 1


def test_the_instance_drops_starts_before_every_before_can_end() -> None:
    instance = Instance(two_befores())
    assert instance.after == ((), (), (0, 1))
    assert list(instance.starts[2]) == [1, 2]  # each before can end after q1 at the earliest
    assert chain_depths(instance.after) == [0, 0, 1]
    assert chain_depths([(), (0,), (0, 1), (2, 1)]) == [0, 1, 2, 3]


def test_a_window_too_early_for_every_before_leaves_no_start() -> None:
    result = solved(two_befores(latest_end="q2"))
    assert "m3" not in result.solution.staffed  # type: ignore[union-attr]
    assert result.score == 2 * STAFFED - 2 - 1


def test_a_mission_one_of_several_follow_cannot_be_dropped() -> None:
    with pytest.raises(EditError, match="m3 runs after it"):
        drop_mission(two_befores(), "m2")


@pytest.mark.parametrize("target", TARGETS)
def test_several_befores_round_trip(tmp_path: Path, target: str) -> None:
    s = two_befores()
    write_scenario(s, tmp_path / target)
    report = read_scenario(tmp_path / target)
    assert report.problems == () and report.scenario == s
    assert report.scenario.missions[2].predecessors == ("m1", "m2")


def test_the_greedy_walks_a_lattice_of_befores_once() -> None:
    """Thirty missions, each after the two before it: reached by exponentially many paths,
    each mission is still ordered once, and the greedy's plan runs them one a quarter."""
    count = 30
    s = scenario(
        [person("a", fte=0.5)],
        [
            mission(
                f"m{i:02d}",
                {"k": 0.5},
                duration=1,
                after=";".join(f"m{j:02d}" for j in (i - 2, i - 1) if j >= 0) or None,
            )
            for i in range(count)
        ],
    ).replace(periods=tuple(Period(period_id=f"t{t}") for t in range(count)))
    plan = greedy_solution(Instance(s))
    assert plan is not None and check(s, plan) == []
    assert plan.starts == {f"m{i:02d}": i for i in range(count)}
    kept = greedy_solution(Instance(s), start=plan)  # every team kept, in chain order
    assert kept is not None and kept.starts == plan.starts
