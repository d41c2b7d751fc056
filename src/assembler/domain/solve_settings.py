"""How hard to look for the optimum (not *what* the optimum is: that is ``ModelSettings``)."""

from __future__ import annotations

import threading
import uuid
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

from assembler.domain.solution import Solution


class SharedStop(threading.Event):
    """A stop event that reaches solves on Dask workers running in this process.

    Dask serializes every task it sends, and a plain event cannot be serialized, so a
    trade-off run used to leave its solves without one: a Stop ended the waiting, not the
    solves.  This event is serialized as a key and comes back, in this process, as the very
    same event — the in-process workers the app runs trade-offs on are threads here — so a
    Stop ends their solves at once, each keeping its best plan.  In another process (worker
    processes, a cluster) it comes back as an event nobody sets: those solves end at their
    time limit, as they always did.
    """

    _live: ClassVar[weakref.WeakValueDictionary[str, SharedStop]] = weakref.WeakValueDictionary()

    def __init__(self) -> None:
        super().__init__()
        self.key = uuid.uuid4().hex
        SharedStop._live[self.key] = self

    def __reduce__(self) -> tuple[Callable[[str], threading.Event], tuple[str]]:
        return _shared_stop, (self.key,)


def _shared_stop(key: str) -> threading.Event:
    """The ``SharedStop`` of ``key`` if it lives in this process, else one never set."""
    found = SharedStop._live.get(key)
    return threading.Event() if found is None else found


@dataclass(frozen=True, slots=True)
class Progress:
    """One improving solution found during a solve, reported to ``SolveSettings.progress``.

    The warm start is reported first, before the search has a bound (``best_bound`` = inf).
    ``value`` and ``missions_staffed`` are the plan's in a planner's terms: the score is
    the solver's figure, value and missions are what a planner weighs.
    """

    seconds: float
    score: int
    best_bound: float
    value: float
    missions_staffed: int


@dataclass(frozen=True, slots=True)
class Stability:
    """Stay close to a reference plan (an optional objective term, off by default).

    Each membership of ``reference`` that is dropped, and each one that is added, costs
    ``weight`` points, and so does each mission moved from its start in ``reference``, so a
    repair after absences moves as few people and missions as the score allows.
    ``weight=None`` is lexicographic: never a point of score is given up, and among plans
    of equal score the closest one wins (a planner's re-solve after a small edit).
    """

    reference: Solution
    weight: int | None = 1_000


@dataclass(frozen=True, slots=True)
class OneOf:
    """At least one of ``people`` on ``mission_id``'s team (an optional requirement, off by
    default: a question asked of the model, not part of MODEL.md).

    Its optimum is the best that pinning any one of them can do, so one solve bounds what
    pinning each would cost: "Who could join?" settles a crowd of tied candidates with it
    instead of re-solving once per person.
    """

    mission_id: str
    people: frozenset[str]


@dataclass(frozen=True)
class SolveSettings:
    """Solver controls; the defaults suit an interactive solve on two cores.

    ``time_limit`` is seconds for the whole solve, counted from ``started`` (a
    ``time.perf_counter()`` moment: a command passes its own start, so reading the scenario
    counts too; ``None`` is the call to ``solve``): the warm start and the model's build
    check it as they go, and the search gets what they leave;
    ``warm_start`` gives CP-SAT a feasible plan to start from — the constructive heuristic's,
    built around ``hint`` (a previous solution, for a re-solve after a small edit) when one
    is given — and reports it as the first solution at once;
    ``stop`` lets another thread end the search early, keeping the best solution so far;
    ``deterministic`` makes the same input and settings give the same plan every time:
    the workers interleave in fixed batches and ``time_limit`` counts CP-SAT's
    deterministic time (work done, about a second each on this hardware, slower in wall
    time) instead of the clock;
    ``diagnose`` names the clashing requirements of an infeasible scenario (batch runs
    that only count infeasible runs may skip it);
    ``stability`` adds the repair term (then ``Result.score`` is still the MODEL.md score of
    the plan found, and the bound and gap refer to the objective with the repair term);
    ``one_of`` adds that requirement (then the greedy warm start is used only if it meets
    it, and the search is CP-SAT's alone: the neighbourhoods do not know it).
    """

    time_limit: float = 60.0
    started: float | None = None
    workers: int = 2
    seed: int = 0
    relative_gap: float = 0.0
    hint: Solution | None = None
    progress: Callable[[Progress], None] | None = None
    stop: threading.Event | None = None
    stability: Stability | None = None
    one_of: OneOf | None = None
    warm_start: bool = True
    deterministic: bool = False
    diagnose: bool = True
    log: bool = False
