"""How hard to look for the optimum (not *what* the optimum is: that is ``ModelSettings``)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from assembler.solution import Solution


@dataclass(frozen=True, slots=True)
class Progress:
    """One improving solution found during a solve, reported to ``SolveSettings.progress``."""

    seconds: float
    score: int
    best_bound: float


@dataclass(frozen=True, slots=True)
class Stability:
    """Repair mode: stay close to a reference plan (an optional objective term, off by default).

    Each membership of ``reference`` that is dropped, and each one that is added, costs
    ``weight`` points, so a repair after absences moves as few people as the score allows.
    """

    reference: Solution
    weight: int = 1_000


@dataclass(frozen=True)
class SolveSettings:
    """Solver controls; the defaults suit an interactive solve on two cores.

    ``hint`` warm-starts from a previous solution (a re-solve after a small edit); without
    one, ``greedy_hint`` starts from the constructive heuristic's plan;
    ``stop`` lets another thread end the search early, keeping the best solution so far;
    ``stability`` adds the repair term (then ``Result.score`` is still the MODEL.md score of
    the plan found, and the bound and gap refer to the objective with the repair term).
    """

    time_limit: float = 60.0
    workers: int = 2
    seed: int = 0
    relative_gap: float = 0.0
    hint: Solution | None = None
    progress: Callable[[Progress], None] | None = None
    stop: threading.Event | None = None
    stability: Stability | None = None
    greedy_hint: bool = True
    log: bool = False
