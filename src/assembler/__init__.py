"""assembler: staff strategic missions without breaking operations (MODEL.md).

``solve`` is imported on first use: OR-Tools is loaded only by processes that solve, so
the app, sweep workers and peer benchmarks (HiGHS cannot share a process with it) start
without it.
"""

from typing import TYPE_CHECKING

from assembler.check import check
from assembler.instance import Instance
from assembler.result import Result, Status
from assembler.scenario import Scenario
from assembler.settings import ModelSettings, Weights
from assembler.solution import Solution
from assembler.solve_settings import Progress, SolveSettings

if TYPE_CHECKING:
    from assembler.solver import solve

__all__ = [
    "Instance",
    "ModelSettings",
    "Progress",
    "Result",
    "Scenario",
    "Solution",
    "SolveSettings",
    "Status",
    "Weights",
    "check",
    "solve",
]


def __getattr__(name: str) -> object:
    if name == "solve":
        from assembler.solver import solve

        return solve
    raise AttributeError(f"module 'assembler' has no attribute {name!r}")
