"""Solves for tests, written once: the plain solve, an asserted optimum, an optimum checked
independently of the solver, and a planner's session solved in the foreground.

The test files used to carry their own copies of these (``solved`` in six of them), each
with slightly different limits; the names here say which one a test wants.
"""

from __future__ import annotations

from assembler import Result, Scenario, SolveSettings, Status, check, solve
from assembler.planning.session import PlanningSession


def solve_once(s: Scenario, **settings: object) -> Result:
    """One solve on one thread within 10 s (``settings`` override), whatever its outcome."""
    chosen: dict[str, object] = {"time_limit": 10, "workers": 1, **settings}
    return solve(s, SolveSettings(**chosen))  # type: ignore[arg-type]


def optimal(s: Scenario, **settings: object) -> Result:
    """``solve_once``, proven optimal."""
    result = solve_once(s, **settings)
    assert result.status is Status.OPTIMAL
    return result


def solved(s: Scenario, **settings: object) -> Result:
    """Solve to optimality and verify the answer independently of the solver."""
    result = solve(s, SolveSettings(time_limit=20, **settings))  # type: ignore[arg-type]
    assert result.status is Status.OPTIMAL, result
    assert result.solution is not None and result.kpis is not None
    assert check(s, result.solution) == []
    assert result.kpis.score == result.score
    return result


def solve_now(session: PlanningSession) -> None:
    """The session's solve, waited for and taken in, as the app's next redraw would."""
    job = session.solve(time_limit=30)
    assert job.wait(30)
    assert session.collect()
