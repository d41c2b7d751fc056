"""The optimiser: the CP-SAT model and engine, the greedy warm start, the neighbourhood search.

This is the only package that imports OR-Tools, and only once a solve starts: ``solve`` here
imports the engine on its first call, so the app, sweep workers and the peer benchmarks
(HiGHS cannot share a process with OR-Tools) load without it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from assembler.domain.scenario import Scenario
    from assembler.domain.solve_settings import SolveSettings
    from assembler.results.result import Result


def solve(scenario: Scenario, settings: SolveSettings | None = None) -> Result:
    """Solve ``scenario`` (see ``assembler.solver.engine.solve``)."""
    from assembler.solver.engine import solve as run

    return run(scenario, settings)


__all__ = ["solve"]
