"""The CP-SAT optimiser: the only package that imports OR-Tools."""

from assembler.solver.solve import solve

__all__ = ["solve"]
