"""assembler: staff strategic missions without breaking operations (MODEL.md)."""

from assembler.check import check
from assembler.instance import Instance
from assembler.result import Result, Status
from assembler.scenario import Scenario
from assembler.settings import ModelSettings, Weights
from assembler.solution import Solution
from assembler.solve_settings import Progress, SolveSettings
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
