"""``solve(scenario, settings) -> Result``: the one way into the optimiser."""

from __future__ import annotations

import dataclasses
import math
import threading
import time
from collections.abc import Collection, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from math import inf, isfinite

from ortools.sat.python import cp_model

from assembler.compile.certificates import clashes
from assembler.compile.instance import Instance
from assembler.compile.sizing import ModelSize, ModelTooLargeError, available_memory_mib
from assembler.domain.scenario import Scenario
from assembler.domain.solution import Assignment, Solution
from assembler.domain.solve_settings import OneOf, Progress, SolveSettings
from assembler.results.check import check
from assembler.results.kpis import evaluate
from assembler.results.result import Result, Status, relative_gap
from assembler.solver.commitments import plan_around_commitments
from assembler.solver.diagnose import find_conflicts
from assembler.solver.greedy import greedy_solution
from assembler.solver.lns import follow_the_relaxation, improve, staff_the_unstaffed
from assembler.solver.model import add_hint, build_model
from assembler.solver.objective import objective_scale
from assembler.solver.ops_time import ops_rows
from assembler.solver.pooled_bound import Relaxation, pooled_relaxation
from assembler.solver.portfolio import HighsSearch, beside_highs
from assembler.solver.stopping import Clock, OutOfTimeError, stoppable
from assembler.solver.variables import Variables

_STATUS = {
    cp_model.OPTIMAL: Status.OPTIMAL,
    cp_model.FEASIBLE: Status.FEASIBLE,
    cp_model.INFEASIBLE: Status.INFEASIBLE,
}


LNS_MIN_TIME_VARIABLES = 20_000
"""From this many time variables on, the neighbourhood search (lns.py) finds the plan and
the full model the bound: there the full model's own neighbourhoods are too slow to
improve the plan.  Below it, CP-SAT alone does better (M committed: a 0.0001 % gap alone,
1.5 % with the neighbourhood search beside it)."""

SWEEP_SHARE = 0.05
"""Below ``LNS_MIN_TIME_VARIABLES`` the full model searches first and, when it ends short
of a proof, its plan's unstaffed missions are tried (``lns.staff_the_unstaffed``) in this
last share of the time.  On 1,000 people in 10 s the full model alone ended on the warm
start's 23,600,084 in 4 runs of 4; the pass finds 23,770,000 in its first steps.  A longer
pass, before the full model or after it, cost the full model more than it gained: with a
fifth of the time, or with 8 % before it, the specialists, generalists and flat shapes
lost 0.3-1.8 %."""

FULL_MODEL_SHARE = 0.5
"""On one worker the two cannot run side by side: the full model searches this share of
the limit, the neighbourhood search the rest."""

BOUND_STARTUP_SHARE = 1.0
"""CP-SAT reads and presolves a model before it looks at its time limit, for a time that
grows with the model: 15-19 s on 20,000 people, whose build takes 37-53 s.  On a large
model the full model's search (the bound) starts only if the time left is at least this
share of the build's; otherwise the neighbourhood search has the time alone and the bound
is the pooled one (``pooled_bound``).  Started with 1.5 s left, 20,000 people ended at
78 s of a 60 s limit; with 23 s left (half the build's 37 s), at 67 s, peaking at 4,105
MiB, and with no bound better than the pooled one."""

BOUND_VARIABLES_PER_SECOND = 6_000
"""A large model's full search starts only if the search has a second per this many of
its variables: below that pace CP-SAT does not reach its LP bound before the limit, and
its copy of the model only costs memory.  On 10,000 people in 120 s (about 100 s left
after the build) it did with 417,000-482,000 variables; with 951,000 (generalists) it
proved nothing and the solve peaked at 4.6-5.2 GiB; without it, 1.5 GiB, and a better
plan with both workers on the neighbourhoods (126,180,698 against 125,920,608)."""

PORTFOLIO_MIN_TIME_VARIABLES = 5_000
"""From this many time variables on (and below ``LNS_MIN_TIME_VARIABLES``), a model with a
horizon is also given to HiGHS (``portfolio``), when there are two workers and at least
``PORTFOLIO_MIN_SECONDS``: HiGHS's root alone takes 10-20 s on 1,000 people over 4
quarters, and small models are proven by CP-SAT alone in seconds.

HiGHS's thread runs beside all of CP-SAT's workers.  Taking a worker from CP-SAT for it
cost the plans: on 1,000 people over 4 quarters in 30 s, big-teams ended at 22,199,719
with CP-SAT on one worker and at 22,849,887 on two, default at 23.64 M against
23.63-23.80 M; HiGHS still had its bound by the limit (committed: 11 points from the plan,
mosaic 1.10 %, default 1.10 %, big-teams 1.18 %)."""

PORTFOLIO_MIN_SECONDS = 20.0

COMMITMENTS_SHARE = 0.3
"""At most this share of the time left goes to a plan for the commitments alone, when the
greedy finds no plan (``_commitments_first``); that small model usually takes a second."""

DETERMINISTIC_WALL_FACTOR = 20.0
"""A deterministic solve stops on work done; the clock limit is only a safety net."""


class ModelInvalidError(RuntimeError):
    """CP-SAT rejected the model: a bug or numbers beyond its range, never a plan."""


class _Relay:
    """Improving solutions — the warm start, the full model's (from CP-SAT's worker
    threads, hence the lock), then the neighbourhood search's — reported in order."""

    def __init__(self, instance: Instance, settings: SolveSettings, started: float) -> None:
        self._values = {m.mission_id: m.value for m in instance.missions}
        self._callback = settings.progress
        self._started = started
        self._lock = threading.Lock()
        self._best = -inf
        self._bound = inf

    def report(self, score: int, staffed: Collection[str], bound: float | None = None) -> None:
        """A plan of ``score`` that staffs the missions ``staffed`` (their ids)."""
        with self._lock:
            if bound is not None:
                self._bound = min(self._bound, bound)
            if self._callback is not None and score > self._best:
                self._best = score
                value = sum(self._values[mission_id] for mission_id in staffed)
                seconds = time.perf_counter() - self._started
                self._callback(Progress(seconds, score, self._bound, value, len(staffed)))

    def better_plan(self, plan: Solution, score: int) -> None:
        """``report`` in the form the neighbourhood searches call back with (``lns``)."""
        self.report(score, plan.staffed)


class _ProgressReporter(cp_model.CpSolverSolutionCallback):
    """Each plan CP-SAT finds: its score and bound to the relay, the plan itself to HiGHS
    when HiGHS runs beside (``offer_to``)."""

    def __init__(
        self,
        relay: _Relay,
        scale: int,
        trivial: float,
        built: _Built,
        offer_to: HighsSearch | None,
    ) -> None:
        super().__init__()
        self._relay = relay
        self._scale = scale
        self._trivial = trivial
        self._built = built
        self._offer_to = offer_to

    def on_solution_callback(self) -> None:
        scale = self._scale
        value = self.objective_value
        bound = _proved(self.best_objective_bound, self._trivial, value)
        score = round(value / scale)
        missions = self._built.instance.missions
        staffed = [
            missions[m].mission_id
            for m, y in enumerate(self._built.variables.staffed)
            if self.boolean_value(y)
        ]
        self._relay.report(score, staffed, None if bound is None else bound / scale)
        if self._offer_to is not None:  # a copy: the response lives as long as this call
            values, built = list(self.response_proto.solution), self._built
            self._offer_to.offer(
                score, lambda: extract_solution(values, built.instance, built.variables)
            )


def trivial_bound(model: cp_model.CpModel) -> float:
    """The best objective the variables' domains allow, before any search: what CP-SAT
    reports as its bound when it has proved nothing, so it must not be shown as one."""
    objective = model.proto.objective
    variables = model.proto.variables
    sign = objective.scaling_factor or 1.0
    total = sign * objective.offset
    for var, coefficient in zip(objective.vars, objective.coeffs, strict=True):
        domain = variables[var].domain  # a proto view: no negative indices
        low, high = domain[0], domain[len(domain) - 1]
        total += max(sign * coefficient * low, sign * coefficient * high)
    return total


def _proved(bound: float, trivial: float, floor: float) -> float | None:
    """``bound`` if the search proved it: finite, tighter than ``trivial`` and no lower than
    ``floor``, a plan's objective (an unset bound reads 0.0; ±inf means none)."""
    if isfinite(bound) and floor - 0.5 <= bound < trivial - 0.5:
        return bound
    return None


def _solve_neighbourhood(
    scenario: Scenario, settings: SolveSettings
) -> tuple[Solution | None, bool]:
    result = _solve(scenario, settings, lns=False)
    return result.solution, result.status is Status.OPTIMAL


def solver_parameters(solver: cp_model.CpSolver, settings: SolveSettings, workers: int) -> None:
    """CP-SAT parameters; on few cores the full-problem worker runs the strongest LP.

    Membership costs make the LP bound decisive: with 2 workers CP-SAT's default
    full-problem subsolver (``default_lp``) could not close a 13-point gap on a
    150-person scenario in 20 s, while ``max_lp`` proved the optimum in 0.7 s, and on
    1,000 people reached a 1-point gap where ``default_lp`` stayed at 2.6 %.  Three or
    more workers already include ``max_lp`` in CP-SAT's portfolio.

    The hint (the warm start) is CP-SAT's first plan, which its neighbourhoods start from,
    but its tree search does not dive along it first (``hint_conflict_limit`` 0, CP-SAT's
    default 10): the LP leads the dive.  Diving along the hint kept the search near it.
    On 1,000 people in 10 s it ended at 21.12-21.15 M on committed with a bound of
    21,475,090; led by the LP it reaches 21,410,066-21,410,068, 6 points from its bound,
    and the seven other shapes end level or higher (mosaic: 24.76 M -> the optimum,
    25,030,001).  On 3,000 people in 60 s: flat +1.1 %, mosaic +1.3 %, committed level,
    default -0.25 %.  With 4 periods in 30 s (2 runs each) 3 shapes gain 0.6 %, committed
    loses 0.3 %, flat and big-teams 1.1 %, and 5 bounds of 8 are tighter (committed
    24.50 M -> 22.55 M).  The sample proves its optimum in 3.5-4.0 s instead of 5.2-5.9 s.
    """
    params = solver.parameters
    params.max_time_in_seconds = settings.time_limit
    if settings.deterministic:
        params.interleave_search = True
        params.max_deterministic_time = settings.time_limit
        params.max_time_in_seconds = DETERMINISTIC_WALL_FACTOR * settings.time_limit
    params.num_workers = workers
    params.random_seed = settings.seed
    params.relative_gap_limit = settings.relative_gap
    params.log_search_progress = settings.log
    if workers == 1:  # what the max_lp subsolver sets
        params.linearization_level = 2
        params.add_lp_constraints_lazily = False
    elif workers == 2:
        params.subsolvers.append("max_lp")
    params.hint_conflict_limit = 0


def solve(scenario: Scenario, settings: SolveSettings | None = None) -> Result:
    """Choose the missions to staff, their teams and everyone's time (MODEL.md §5–7).

    The one way into the optimiser.  It proves first, without a model, whether operations
    can be protected at all; bounds the score by a small LP over the missions (the pooled
    bound, kept where CP-SAT proves no tighter one); then builds the CP-SAT model,
    warm-starts it from the greedy plan (reported at once through ``settings.progress``,
    with the pooled bound), and searches: on large
    organisations the neighbourhood search improves the plan while the full model proves
    the bound; on smaller ones the last moments try to staff the missions left out.
    ``settings`` says how hard to look (time limit, workers, seed, stop event, warm start,
    stability); what the optimum *is* comes from ``scenario.settings``.  The ``Result``
    holds plain data only: its KPIs are recomputed from the solution, and an infeasible
    scenario comes back with the requirements that clash.
    """
    return _solve(scenario, settings or SolveSettings(), lns=True)


def _wants_neighbourhood_search(
    settings: SolveSettings, variables: Variables, start: Solution | None
) -> bool:
    """Large models only, and nothing that needs one search alone."""
    return (
        len(variables.time) >= LNS_MIN_TIME_VARIABLES
        and start is not None
        and not _one_search_only(settings)
    )


@dataclass
class _Best:
    """The best plan known so far, its MODEL.md score and the bound proved on it."""

    status: Status
    solution: Solution | None = None
    score: int | None = None
    bound: float | None = None


@dataclass
class _Built:
    """The model of one solve with its warm start, ready to search."""

    instance: Instance
    model: cp_model.CpModel
    variables: Variables
    start: Solution | None
    start_score: int | None


def _solve(scenario: Scenario, settings: SolveSettings, lns: bool) -> Result:
    started = time.perf_counter()
    clock = _clock(settings, started)
    instance = Instance(scenario)
    certain = clashes(instance)
    if certain:
        return _infeasible(tuple(certain), time.perf_counter() - started)
    size = _size_that_fits(instance, settings)
    relay = _Relay(instance, settings, started)
    start, start_score, highs = None, None, None
    pooled = _pooled(instance, settings, clock) if lns else None
    try:
        if settings.warm_start:
            start = greedy_solution(instance, settings.hint, clock)
            if start is None:
                start = _commitments_first(scenario, instance, settings, clock)
            if start is not None and not _meets_one_of(settings.one_of, start):
                start = None
        if start is not None:
            start_score = evaluate(instance, start).score
            relay.report(start_score, start.staffed, None if pooled is None else pooled.bound)
        highs = _start_highs(scenario, instance, start, settings, size, clock, lns)
        built = _build(instance, settings, start, start_score, clock)
    except OutOfTimeError:  # the warm start, if it was done, is the plan found so far
        best = _Best(Status.FEASIBLE, start, start_score) if start else _Best(Status.UNKNOWN)
        best = _with_highs(instance, best, highs, settings, relay)
        best = _with_pooled(best, pooled, settings)
        return _result(instance, settings, best, time.perf_counter() - started, 0.0, size)
    build_seconds = time.perf_counter() - started
    large = lns and _wants_neighbourhood_search(settings, built.variables, built.start)
    search_started = time.perf_counter()
    settings = _left_for_search(settings, clock)
    deadline = search_started + settings.time_limit
    if large and not _bound_can_start(settings, build_seconds, size):
        start_plan = _Best(Status.FEASIBLE, built.start, built.start_score)
        best = _neighbourhood_search(instance, start_plan, pooled, settings, relay, deadline)
    elif large and settings.workers >= 2:
        best = _side_by_side(built, pooled, settings, relay, deadline)
    elif large:
        share = dataclasses.replace(settings, time_limit=FULL_MODEL_SHARE * settings.time_limit)
        best = _full_search(built, share, relay, large=True)
        if best.solution is not None and best.status is not Status.OPTIMAL:
            best = _neighbourhood_search(instance, best, pooled, settings, relay, deadline)
    elif lns and _wants_sweep(settings):
        share = dataclasses.replace(settings, time_limit=(1 - SWEEP_SHARE) * settings.time_limit)
        best = _full_search(built, share, relay, offer_to=highs)
        if best.solution is not None and best.status is Status.FEASIBLE:
            best = _sweep(instance, best, pooled, settings, relay, deadline)
    else:
        best = _full_search(built, settings, relay, offer_to=highs)
    best = _with_highs(instance, best, highs, settings, relay)
    best = _with_pooled(best, pooled, settings)
    searched = time.perf_counter() - search_started
    return _result(instance, settings, best, build_seconds, searched, size)


def _start_highs(
    scenario: Scenario,
    instance: Instance,
    start: Solution | None,
    settings: SolveSettings,
    size: ModelSize,
    clock: Clock,
    lns: bool,
) -> HighsSearch | None:
    """HiGHS beside CP-SAT (``portfolio``) on a model with a horizon that CP-SAT searches
    whole (below ``LNS_MIN_TIME_VARIABLES``), from ``PORTFOLIO_MIN_TIME_VARIABLES`` on:
    there CP-SAT's bound stays 1-3 % above the optimum that HiGHS's cuts reach.  Not for
    a neighbourhood (``lns`` off), nor for settings only CP-SAT's search honours."""
    wanted = (
        lns
        and instance.horizon > 1
        and PORTFOLIO_MIN_TIME_VARIABLES <= size.time_variables < LNS_MIN_TIME_VARIABLES
        and settings.workers >= 2
        and clock.left() >= PORTFOLIO_MIN_SECONDS
        and not _one_search_only(settings)
    )
    if not wanted:
        return None
    return HighsSearch(scenario, start, time.monotonic() + clock.left())


def _with_highs(
    instance: Instance,
    best: _Best,
    highs: HighsSearch | None,
    settings: SolveSettings,
    relay: _Relay,
) -> _Best:
    """``best`` with HiGHS's answer: its plan if better (and it passes ``check``), the
    tighter of the two bounds, proven optimal when the plan reaches the bound."""
    if highs is None:
        return best
    settled = best.status in (Status.OPTIMAL, Status.INFEASIBLE)
    if settled or (settings.stop is not None and settings.stop.is_set()):
        highs.cancel()
        return best
    answer = highs.answer()
    if answer is None:
        return best
    solution, score = best.solution, best.score
    if (
        answer.solution is not None
        and answer.score is not None
        and (score is None or answer.score > score)
        and not check(instance, answer.solution)
    ):
        solution, score = answer.solution, evaluate(instance, answer.solution).score
        relay.report(score, solution.staffed)
    bounds = [b for b in (best.bound, answer.bound) if b is not None]
    bound = min(bounds) if bounds else None
    if solution is None:
        return _Best(best.status, None, None, bound)
    proven = answer.optimal and score == answer.score
    if bound is not None and score is not None and score >= math.floor(bound + 1e-6):
        proven = True
    return _Best(Status.OPTIMAL if proven else Status.FEASIBLE, solution, score, bound)


def _pooled(instance: Instance, settings: SolveSettings, clock: Clock) -> Relaxation | None:
    """The pooled bound (``pooled_bound``), computed before the search so that the first
    plan reported already has a gap: where CP-SAT cannot read the model in time (20,000
    people in 60 s) it is the only bound, and on 10,000 people it is 1.4 % above the plan
    where the trivial one was 5 %.  A bound on the score, so not for a weighted repair
    term, whose bound is the combined objective's."""
    if settings.stability is not None and settings.stability.weight is not None:
        return None
    if settings.deterministic:
        return pooled_relaxation(instance)
    left = clock.left()
    return pooled_relaxation(instance, left) if left > 0 else None


def _with_pooled(best: _Best, pooled: Relaxation | None, settings: SolveSettings) -> _Best:
    """``best`` with the pooled bound where it is tighter, and proven optimal when the plan
    reaches it (not under stability: the fewest moves are not proven by the score)."""
    if pooled is None or best.solution is None or best.score is None:
        return best
    bound = pooled.bound
    if best.status is Status.OPTIMAL or (best.bound is not None and best.bound <= bound):
        return best
    reached = best.score >= bound and settings.stability is None
    return _Best(Status.OPTIMAL if reached else best.status, best.solution, best.score, bound)


def _bound_can_start(settings: SolveSettings, build_seconds: float, size: ModelSize) -> bool:
    """Whether the time left lets CP-SAT read a large model before the limit
    (``BOUND_STARTUP_SHARE``) and reach its LP bound (``BOUND_VARIABLES_PER_SECOND``); a
    deterministic limit counts work, not seconds."""
    if settings.deterministic:
        return True
    return (
        settings.time_limit >= BOUND_STARTUP_SHARE * build_seconds
        and size.variables <= BOUND_VARIABLES_PER_SECOND * settings.time_limit
    )


def _meets_one_of(one_of: OneOf | None, plan: Solution) -> bool:
    """Whether ``plan`` has one of ``one_of``'s people on its mission (the greedy does not
    know the requirement; a plan that misses it is no warm start)."""
    if one_of is None:
        return True
    return any((person_id, one_of.mission_id) in plan.members for person_id in one_of.people)


def _commitments_first(
    scenario: Scenario, instance: Instance, settings: SolveSettings, clock: Clock
) -> Solution | None:
    """A warm start around teams for the commitments alone (``solver.commitments``), when
    the greedy found none by itself: on 1,000 people with 8 large mandatory teams on rare
    skills, the engine had no plan at all in 10 s."""
    limit = COMMITMENTS_SHARE * (settings.time_limit if settings.deterministic else clock.left())
    alone = dataclasses.replace(
        settings, time_limit=limit, started=None, hint=None, progress=None, diagnose=False
    )
    return plan_around_commitments(
        scenario, instance, lambda committed: _solve(committed, alone, lns=False).solution, clock
    )


def _wants_sweep(settings: SolveSettings) -> bool:
    """Nothing that needs one search alone."""
    return not _one_search_only(settings)


def _one_search_only(settings: SolveSettings) -> bool:
    """Settings that only CP-SAT's own search honours: a reproducible run, and the terms
    the neighbourhoods' sub-models do not carry (stability, a ``one_of`` requirement)."""
    return settings.deterministic or settings.stability is not None or settings.one_of is not None


def _sweep(
    instance: Instance,
    best: _Best,
    pooled: Relaxation | None,
    settings: SolveSettings,
    relay: _Relay,
    deadline: float,
) -> _Best:
    """The full model's plan re-planned where the pooled LP disagrees with it, then with
    its unstaffed missions tried, until ``deadline``."""
    assert best.solution is not None
    plan, workers, stop = best.solution, settings.workers, settings.stop
    on_better = relay.better_plan
    if pooled is not None:
        plan = follow_the_relaxation(
            instance, plan, pooled.shares, deadline, _solve_neighbourhood, workers, on_better, stop
        )
    plan = staff_the_unstaffed(
        instance, plan, deadline, _solve_neighbourhood, workers, on_better, stop
    )
    return _better_of(instance, best, plan)


def _size_that_fits(instance: Instance, settings: SolveSettings) -> ModelSize:
    """The model's size, counted before building it; raises ``ModelTooLargeError`` when it
    cannot fit this machine's memory or (far from) the time limit."""
    size = ModelSize.of(instance)
    limit = None if settings.deterministic else settings.time_limit
    refusal = size.refusal(limit, available_memory_mib())
    if refusal is not None:
        raise ModelTooLargeError(refusal)
    return size


def _clock(settings: SolveSettings, called: float) -> Clock:
    """The solve's deadline: ``time_limit`` after ``settings.started`` (else the call).  A
    deterministic limit counts work, not seconds, so only a stop ends its build."""
    if settings.deterministic:
        return Clock(inf, settings.stop)
    started = called if settings.started is None else settings.started
    return Clock(started + settings.time_limit, settings.stop)


def _left_for_search(settings: SolveSettings, clock: Clock) -> SolveSettings:
    """The time limit counts the whole solve, so the search gets what reading the scenario
    and building the model left: 10,000 people take 13–19 s to build, and a planner who
    asked for 120 s should have the plan after 120 s, not 140.  A deterministic limit
    counts work, not seconds: it is the search's alone."""
    if settings.deterministic:
        return settings
    return dataclasses.replace(settings, time_limit=max(clock.left(), 0.0))


def _side_by_side(
    built: _Built,
    pooled: Relaxation | None,
    settings: SolveSettings,
    relay: _Relay,
    deadline: float,
) -> _Best:
    """The full model (the bound) and the neighbourhood search (the plan) at once, each on
    its own cores, for the whole limit.  One after the other, the bound needed the full
    model's half of the limit and the plan got the rest: 3,000 people in 60 s, a gap of
    2.3 % (the full model improved nothing in its 30 s but the bound).  The plan of the
    full model wins if it is better."""
    assert built.start is not None and built.start_score is not None
    full_settings = dataclasses.replace(settings, workers=settings.workers - 1)
    with ThreadPoolExecutor(max_workers=1) as pool:
        full = pool.submit(_full_search, built, full_settings, relay, large=True)
        start = _Best(Status.FEASIBLE, built.start, built.start_score)
        one_worker = dataclasses.replace(settings, workers=1)
        neighbourhood = _neighbourhood_search(
            built.instance, start, pooled, one_worker, relay, deadline
        )
        bounded = full.result()
    if bounded.status is Status.OPTIMAL or (bounded.score or 0) >= (neighbourhood.score or 0):
        return bounded
    return _Best(Status.FEASIBLE, neighbourhood.solution, neighbourhood.score, bounded.bound)


def _build(
    instance: Instance,
    settings: SolveSettings,
    start: Solution | None,
    start_score: int | None,
    clock: Clock,
) -> _Built:
    """The CP-SAT model, hinted with the warm start (the greedy plan built around
    ``settings.hint``), or with the hint itself when the greedy finds no plan."""
    model, variables = build_model(
        instance, stability=settings.stability, clock=clock, one_of=settings.one_of
    )
    hint = start or settings.hint
    if hint is not None:
        add_hint(model, instance, variables, hint, clock)
    return _Built(instance, model, variables, start, start_score)


def _full_search(
    built: _Built,
    settings: SolveSettings,
    relay: _Relay,
    large: bool = False,
    offer_to: HighsSearch | None = None,
) -> _Best:
    """CP-SAT on the whole model: a plan and the bound.  On a ``large`` model, where the
    neighbourhood search finds the plan and this search is for the bound, CP-SAT's LP
    takes its constraints as they are violated rather than all at once, and without a
    horizon CP-SAT skips its presolve.  There the presolve (one pass) held a second copy of
    the model for a bound no better: on 10,000 people in 120 s, 3,077-3,129 MiB with it
    and 2,881 MiB without (bounds 125.61-125.80 M and 125.67 M), flat 3,518 and 2,946 MiB;
    on 3,000 people in 60 s, 100-220 MiB less and equal or tighter bounds.  Over a horizon
    its one pass pays: on 3,000 people over 4 quarters in 120 s, without it the bounds of
    four shapes were 0.5-1.6 % looser (specialists 55,826,228 against 54,737,822), one
    tighter (flat 54,977,891 against 56,391,101).  Lazily, on 10,000 people the LP held
    not 965,000 rows but what it needed: the solve's peak fell by 170 MiB, 5 of 8 bounds
    on 3,000 people were tighter and 1 looser.  With HiGHS
    beside (``offer_to``), each plan found goes to HiGHS too, and CP-SAT's threads give
    HiGHS's the right of way (``portfolio.beside_highs``)."""
    scale = objective_scale(built.instance, built.variables, settings.stability)
    trivial = trivial_bound(built.model)
    solver = cp_model.CpSolver()
    solver_parameters(solver, settings, settings.workers)
    if large:
        if built.instance.horizon > 1:
            solver.parameters.max_presolve_iterations = 1
        else:
            solver.parameters.cp_model_presolve = False
        solver.parameters.add_lp_constraints_lazily = True
    reporter = _ProgressReporter(relay, scale, trivial, built, offer_to)
    with stoppable(solver, settings.stop):
        if offer_to is None:
            code = solver.solve(built.model, reporter)
        else:
            code = beside_highs(lambda: solver.solve(built.model, reporter))
    if code == cp_model.MODEL_INVALID:
        raise ModelInvalidError(built.model.validate() or solver.solution_info())
    status = _STATUS.get(code, Status.UNKNOWN)
    if status in (Status.OPTIMAL, Status.FEASIBLE):
        value = solver.objective_value
        # Optimal proves its own bound, even when it is the trivial one (nothing to trade).
        proved = (
            value
            if status is Status.OPTIMAL
            else _proved(solver.best_objective_bound, trivial, value)
        )
        return _Best(
            status,
            extract_solution(solver.response_proto.solution, built.instance, built.variables),
            round(value / scale),
            None if proved is None else _score_bound(proved, built, scale),
        )
    if status is Status.UNKNOWN and built.start is not None:
        # The search found nothing better in time: the warm start is still a valid plan,
        # and a bound the search proved (from its LP) still holds.  With the repair term
        # the start's objective is unknown here, so only the trivial bound is ruled out.
        floor = -inf if settings.stability is not None else float(built.start_score or 0)
        bound = _proved(solver.best_objective_bound, trivial, floor * scale)
        return _Best(
            Status.FEASIBLE,
            built.start,
            built.start_score,
            None if bound is None else _score_bound(bound, built, scale),
        )
    return _Best(status)


def _score_bound(bound: float, built: _Built, scale: int) -> float:
    """The bound in MODEL.md score points.  Under lexicographic stability the objective is
    ``scale · score + repair`` with ``repair ≥ −(memberships)``, so the score is at most
    ``⌊(bound + memberships) / scale⌋``; a weighted repair term has no such reading (its
    bound is the combined objective's, as ``SolveSettings.stability`` says)."""
    if scale == 1 or not isfinite(bound):
        return bound / scale
    return float(math.floor((bound + len(built.variables.member)) / scale))


def _neighbourhood_search(
    instance: Instance,
    best: _Best,
    pooled: Relaxation | None,
    settings: SolveSettings,
    relay: _Relay,
    deadline: float,
) -> _Best:
    """Improve the full model's plan step by step until ``deadline`` (``lns.improve``),
    led where it can be by the pooled LP's solution — not over a horizon, where the LP
    leaves the missions' timing loose: on 3,000 people over 4 quarters (flat, 120 s) its
    steps gained 1.2 M in the first 10 s, and the random steps after them reached
    53,650,275 where without them they reached 54,210,167."""
    assert best.solution is not None
    shares = pooled.shares if pooled is not None and instance.horizon == 1 else None
    improved = improve(
        instance,
        best.solution,
        deadline,
        _solve_neighbourhood,
        seed=settings.seed,
        workers=settings.workers,
        on_better=relay.better_plan,
        stop=settings.stop,
        shares=shares,
    )
    return _better_of(instance, best, improved)


def _better_of(instance: Instance, best: _Best, plan: Solution) -> _Best:
    """``plan`` with ``best``'s bound if it scores more than ``best``, else ``best``."""
    score = evaluate(instance, plan).score
    if best.score is None or score > best.score:
        return _Best(Status.FEASIBLE, plan, score, best.bound)
    return best


def _result(
    instance: Instance,
    settings: SolveSettings,
    best: _Best,
    build_seconds: float,
    solve_seconds: float,
    size: ModelSize | None = None,
) -> Result:
    """The plain-data result: KPIs recomputed from the plan, the MODEL.md score (not the
    repair objective of ``Stability``) counted in integers from the plan rather than read
    from CP-SAT's floating-point objective, and the clash when the scenario is infeasible.
    A search stopped on request before any plan is ``stopped``, not ``unknown``."""
    kpis = evaluate(instance, best.solution) if best.solution is not None else None
    gap = _gap(best.status, best.score, best.bound)
    score = kpis.score if kpis is not None else best.score
    infeasible = best.status is Status.INFEASIBLE
    status = best.status
    if status is Status.UNKNOWN and settings.stop is not None and settings.stop.is_set():
        status = Status.STOPPED
    return Result(
        status=status,
        score=score,
        best_bound=best.bound,
        gap=gap,
        build_seconds=build_seconds,
        solve_seconds=solve_seconds,
        solution=best.solution,
        kpis=kpis,
        conflicts=_conflicts(instance, settings) if infeasible else (),
        model_variables=None if size is None else size.variables,
    )


def _infeasible(conflicts: tuple[str, ...], build_seconds: float) -> Result:
    """No plan can exist, proven from the data without building a model (``certificates``)."""
    return Result(
        status=Status.INFEASIBLE,
        score=None,
        best_bound=None,
        gap=None,
        build_seconds=build_seconds,
        solve_seconds=0.0,
        solution=None,
        kpis=None,
        conflicts=conflicts,
    )


def _conflicts(instance: Instance, settings: SolveSettings) -> tuple[str, ...]:
    return find_conflicts(instance, settings) if settings.diagnose else ()


def _gap(status: Status, score: int | None, bound: float | None) -> float | None:
    if status is Status.OPTIMAL:
        return 0.0
    if score is None or bound is None:
        return None
    return relative_gap(score, bound)


def extract_solution(values: Sequence[int], instance: Instance, variables: Variables) -> Solution:
    """The plan in CP-SAT's ``values`` (a response's, read once), non-zero values only."""
    people, missions, needs = instance.people, instance.missions, instance.needs
    staffed = frozenset(
        missions[m].mission_id for m, y in enumerate(variables.staffed) if values[y.index]
    )
    members = frozenset(
        (people[p].person_id, missions[m].mission_id)
        for (p, m), x in variables.member.items()
        if values[x.index]
    )
    assignments = tuple(
        Assignment(
            people[p].person_id,
            missions[needs[n].mission].mission_id,
            needs[n].skill_id,
            values[a.index],
            t,
        )
        for (p, n, t), a in variables.time.items()
        if values[a.index]
    )
    kept = {key: values[var.index] for key, var in variables.ops.items() if values[var.index]}
    starts: dict[str, int] = {}
    if instance.scenario.has_horizon:
        starts = {
            missions[m].mission_id: t
            for (m, t), b in variables.starts.items()
            if values[b.index] and values[variables.staffed[m].index]
        }
    learners, mentors = (
        frozenset(
            (people[p].person_id, missions[needs[n].mission].mission_id, needs[n].skill_id)
            for (p, n), literal in roles.items()
            if values[literal.index]
        )
        for roles in (variables.learning, variables.mentoring)
    )
    return Solution(
        staffed=staffed,
        members=members,
        assignments=assignments,
        ops=ops_rows(instance, kept),
        starts=starts,
        learners=learners,
        mentors=mentors,
    )
