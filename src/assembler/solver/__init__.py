"""The CP-SAT optimiser: the only package that imports OR-Tools."""

from assembler.solver.engine import solve

__all__ = ["solve"]
