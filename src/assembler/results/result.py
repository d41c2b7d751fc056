"""What a solve returns: plain data, no solver objects."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from assembler.domain.solution import Solution
from assembler.results.kpis import Kpis


class Status(StrEnum):
    OPTIMAL = "optimal"
    FEASIBLE = "feasible"
    INFEASIBLE = "infeasible"
    UNKNOWN = "unknown"
    STOPPED = "stopped"
    """Stopped on request (``SolveSettings.stop``, Ctrl-C) before any plan was found."""


@dataclass(frozen=True)
class Result:
    """Outcome of one solve.

    ``score`` is the MODEL.md score of ``solution``, an exact integer; ``kpis`` are
    recomputed from ``solution`` alone.  ``best_bound`` is what the search proved no plan
    can beat, ``None`` when it proved nothing (the warm start alone, a search stopped before
    its first bound): never a placeholder that reads as a bound.  ``conflicts`` names, for
    an infeasible scenario, a set of requirements that cannot all hold together.
    ``model_variables`` is the size of the model the solve built (``None`` where none was
    built, or for a result read back from the store), from which its memory is expected.
    """

    status: Status
    score: int | None
    best_bound: float | None
    gap: float | None
    build_seconds: float
    solve_seconds: float
    solution: Solution | None
    kpis: Kpis | None
    conflicts: tuple[str, ...] = ()
    model_variables: int | None = None

    @property
    def has_solution(self) -> bool:
        return self.solution is not None


def relative_gap(score: float, bound: float) -> float:
    """``|bound − score| / max(1, |score|)``, CP-SAT's own definition of the gap."""
    return abs(bound - score) / max(1.0, abs(score))
