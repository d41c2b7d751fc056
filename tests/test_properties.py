"""Property tests: on random small scenarios every solution is feasible by the independent
checker, its recomputed score is the solver's, and the optimum equals an independent MILP's."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from assembler import Scenario, SolveSettings, Status, check, solve
from reference_milp import reference_optimum
from strategies import small_scenarios


def matches_the_reference(s: Scenario) -> None:
    """The engine's optimum of ``s`` is the independent MILP's, and its plan passes the
    check (or both find ``s`` infeasible)."""
    result = solve(s, SolveSettings(time_limit=30, workers=1))
    expected = reference_optimum(s)
    if expected is None:
        assert result.status is Status.INFEASIBLE
        return
    assert result.status is Status.OPTIMAL
    assert result.solution is not None and result.kpis is not None
    assert check(s, result.solution) == []
    assert result.kpis.score == result.score == expected


@settings(max_examples=120, suppress_health_check=[HealthCheck.too_slow])
@given(small_scenarios())
def test_optimum_matches_an_independent_milp_and_passes_the_check(s: Scenario) -> None:
    matches_the_reference(s)
