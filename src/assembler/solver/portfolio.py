"""HiGHS beside CP-SAT, in a process of its own: a second plan and a second bound.

CP-SAT and HiGHS prove different things well.  Over a horizon CP-SAT finds plans quickly,
but its LP bound stays 1-3 % above the optimum for the whole limit; HiGHS's root cuts
close that gap and its sub-MIP often finds the optimum itself (``milp``).  So on such
models the engine runs HiGHS on one thread beside CP-SAT's workers and keeps the better
plan and the tighter bound.  CP-SAT's plans go the other way as they come: HiGHS takes
each better one as its incumbent, so that its heuristics search around the best plan
either solver knows and its tree prunes against it.  HiGHS cannot share a process with
OR-Tools (which bundles a HiGHS of its own), so it runs in a process of its own that
imports no OR-Tools.
"""

from __future__ import annotations

import contextlib
import math
import os
import pickle
import subprocess
import sys
import tempfile
import threading
import time
import weakref
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from assembler.compile.instance import Instance
from assembler.domain.scenario import Scenario
from assembler.domain.solution import Solution

Outcome = TypeVar("Outcome")

CP_SAT_NICENESS = 10
"""How far CP-SAT's threads step back (``beside_highs``) while HiGHS runs: at 10 the
scheduler gives each a ninth of the weight of HiGHS's thread, so HiGHS keeps a core and
CP-SAT's two workers share the other, and take both again once HiGHS is done.  On 1,000
people over 4 quarters in 30 s, 3 threads on 2 cores at equal weight left HiGHS's root cuts
and sub-MIP too little time (their optimum came at 17-19 s on a core of their own); CP-SAT
on one worker instead lost its neighbourhood thread (big-teams 22,199,719, 4.15 % from the
bound, against 22,849,869 on two).  Stepped back: default 23,890,280 (the optimum) in 2
runs of 3, committed, long-tail and mosaic at their optima, big-teams as on two workers."""

FINISH_MARGIN = 1.0
"""Seconds before the deadline at which HiGHS is told to stop, so that its final answer (a
plan of thousands of columns, read and pickled in a fraction of a second on 1,000 people)
is there by the deadline; the time limit is a promise."""


@dataclass(frozen=True)
class MilpAnswer:
    """What HiGHS reached by the deadline: its best plan (if any) and the bound it proved."""

    solution: Solution | None
    score: int | None
    bound: float | None
    optimal: bool


class HighsSearch:
    """HiGHS on ``scenario`` in its own process, started at once and ending before
    ``deadline`` (a ``time.monotonic`` value: the same clock in every process).

    The process is a fresh interpreter running this module (``python -m``), not a
    ``multiprocessing`` child: those import the caller's main module again, which runs a
    batch script without a ``__main__`` guard a second time.  The scenario goes in and
    plans, bounds and the answer come back as pickles in a private temporary folder."""

    def __init__(self, scenario: Scenario, start: Solution | None, deadline: float) -> None:
        self._folder = tempfile.TemporaryDirectory(prefix="assembler-highs-")
        folder = Path(self._folder.name)
        _write(folder / _QUESTION, (scenario, start, deadline))
        self._process = subprocess.Popen(
            [sys.executable, "-m", __name__, str(folder)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,  # HiGHS prints a banner whatever its options say
            stderr=subprocess.DEVNULL,
        )
        self._deadline = deadline
        self._offers = _Offers(folder)
        # Also when a solve fails or is dropped between start and answer.
        self._stop = weakref.finalize(self, _stop, self._process, self._folder, self._offers)

    def offer(self, score: int, plan: Callable[[], Solution]) -> None:
        """A plan CP-SAT found, worth ``score``, for HiGHS to take as its incumbent if it has
        none as good.  ``plan`` reads it when its turn comes (``_Offers``): a search's
        callback only hands its values over, and a newer offer replaces one not yet sent."""
        self._offers.put(score, plan)

    def answer(self) -> MilpAnswer | None:
        """What HiGHS has by the deadline: its final answer if it ended in time, else the
        best plan and bound it had reported (``None`` if nothing: HiGHS still reading the
        model, or the process failed).  The process is stopped either way."""
        with contextlib.suppress(subprocess.TimeoutExpired):
            self._process.wait(timeout=max(0.0, self._deadline - time.monotonic()))
        folder = Path(self._folder.name)
        answer = _read(folder / _ANSWER)
        if answer is None:
            plan, bound = _read(folder / _PLAN), _read(folder / _BOUND)
            answer = MilpAnswer(
                plan.solution if plan else None,
                plan.score if plan else None,
                bound if isinstance(bound, float) else None,
                optimal=False,
            )
        self.cancel()
        return answer if isinstance(answer, MilpAnswer) else None

    def cancel(self) -> None:
        """Stop the process now (a stopped solve, or an answer no longer wanted)."""
        self._stop()


def beside_highs(search: Callable[[], Outcome]) -> Outcome:
    """Run CP-SAT's ``search`` so that HiGHS keeps a core of its own: in a thread of
    lower priority (``CP_SAT_NICENESS``), whose worker threads CP-SAT starts with the
    same priority.  Linux sets a thread's priority alone; elsewhere a priority is the
    whole process's, and ``search`` runs as it is."""
    if sys.platform != "linux":
        return search()
    with ThreadPoolExecutor(max_workers=1, initializer=_step_back) as pool:
        return pool.submit(search).result()


def _step_back() -> None:
    """Lower this thread's priority by ``CP_SAT_NICENESS`` (a thread may always lower
    its own; only raising it back needs privileges, so the thread is used once)."""
    thread = threading.get_native_id()
    niceness = os.getpriority(os.PRIO_PROCESS, thread)
    os.setpriority(os.PRIO_PROCESS, thread, min(19, niceness + CP_SAT_NICENESS))


class _Offers:
    """CP-SAT's plans on their way to HiGHS, written by a thread of their own.

    Reading a plan from CP-SAT's values and writing it takes tens of milliseconds on 1,000
    people over 4 quarters; in CP-SAT's callback that would stall its worker at each of
    its hundreds of improving plans.  The callback only leaves the latest here; this
    thread writes it, skipping those a newer one replaced meanwhile."""

    def __init__(self, folder: Path) -> None:
        self._folder = folder
        self._latest: tuple[int, Callable[[], Solution]] | None = None
        self._sent = -math.inf
        self._ready = threading.Condition()
        self._closed = False
        self._thread = threading.Thread(target=self._send, daemon=True)
        self._thread.start()

    def put(self, score: int, plan: Callable[[], Solution]) -> None:
        with self._ready:
            if score > self._sent and (self._latest is None or score > self._latest[0]):
                self._latest = (score, plan)
                self._ready.notify()

    def close(self) -> None:
        with self._ready:
            self._closed = True
            self._ready.notify()
        if threading.current_thread() is not self._thread:  # closed by a collection in it
            self._thread.join()

    def _send(self) -> None:
        while True:
            with self._ready:
                while self._latest is None and not self._closed:
                    self._ready.wait()
                if self._closed:
                    return
                assert self._latest is not None
                score, plan = self._latest
                self._latest = None
                self._sent = score
            _write(self._folder / _OFFER, (score, plan()))


def _stop(
    process: subprocess.Popen[bytes],
    folder: tempfile.TemporaryDirectory[str],
    offers: _Offers,
) -> None:
    offers.close()
    if process.poll() is None:
        process.kill()
    process.wait()
    folder.cleanup()


_QUESTION, _ANSWER, _PLAN, _BOUND, _OFFER = "question", "answer", "plan", "bound", "offer"
"""The files the processes exchange: each written whole (aside, then renamed)."""


def _read(path: Path) -> Any:
    return pickle.loads(path.read_bytes()) if path.exists() else None


def _take(path: Path) -> Any:
    """The value at ``path``, removed so that it is read once (``None`` if there is none);
    a newer one written meanwhile waits at ``path`` for the next call."""
    taken = path.with_name(f"{path.name}.taken")
    try:
        path.rename(taken)
    except FileNotFoundError:
        return None
    return _read(taken)


def _write(path: Path, value: object) -> None:
    partial = path.with_name(f"{path.name}.partial")
    partial.write_bytes(pickle.dumps(value))
    partial.rename(path)


def _serve(folder: Path) -> None:
    """The child process: read the question, search, report as it goes, answer."""
    scenario, start, deadline = _read(folder / _QUESTION)
    _write(folder / _ANSWER, _search(scenario, start, deadline, folder))


def _search(
    scenario: Scenario, start: Solution | None, deadline: float, folder: Path
) -> MilpAnswer:
    """Build the MILP and run HiGHS on one thread from the engine's warm start ``start``
    until ``FINISH_MARGIN`` before ``deadline``, writing each better plan and each tighter
    bound to ``folder`` as it finds them: HiGHS does not always stop when asked (its
    root's cut rounds), and what it had at the deadline still counts.  Where HiGHS asks
    for a plan from outside (after each round of root cuts and before each dive), it gets
    the latest CP-SAT offered if that one is better than its own."""
    import highspy
    import numpy as np

    from assembler.solver.milp import decode, encode, highs_model, milp_of

    instance = Instance(scenario)
    lp = milp_of(instance, highspy.kHighsInf)
    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("threads", 1)
    highs.setOptionValue("mip_rel_gap", 0.0)
    highs.setOptionValue("presolve", "off")
    highs.passModel(highs_model(lp))
    if start is not None:
        highs.setSolution(
            len(lp.upper),
            np.arange(len(lp.upper), dtype=np.int32),
            np.array(encode(instance, lp, start)),
        )
    left = deadline - FINISH_MARGIN - time.monotonic()
    if left <= 0:
        return MilpAnswer(None, None, None, optimal=False)
    highs.setOptionValue("time_limit", left)
    reported = [math.inf]
    known = [-math.inf]  # the score of HiGHS's incumbent

    def on_plan(event: Any) -> None:
        out = event.data_out
        known[0] = max(known[0], out.objective_function_value)
        plan = decode(instance, lp, list(out.mip_solution))
        _write(folder / _PLAN, MilpAnswer(plan, round(out.objective_function_value), None, False))

    def on_query(event: Any) -> None:
        offered = _take(folder / _OFFER)
        if offered is not None and offered[0] > known[0] + 0.5:
            event.data_in.setSolution(np.array(encode(instance, lp, offered[1])))
            known[0] = offered[0]

    def on_bound(event: Any) -> None:
        bound = event.data_out.mip_dual_bound
        if math.isfinite(bound) and bound < reported[0] - 0.5:
            reported[0] = bound
            _write(folder / _BOUND, float(bound))

    highs.cbMipImprovingSolution.subscribe(on_plan)
    highs.cbMipInterrupt.subscribe(on_bound)
    highs.cbMipUserSolution.subscribe(on_query)
    highs.run()
    info = highs.getInfo()
    optimal = highs.getModelStatus() == highspy.HighsModelStatus.kOptimal
    found = info.primal_solution_status == 2  # kSolutionStatusFeasible
    bound = info.mip_dual_bound
    solution = decode(instance, lp, list(highs.getSolution().col_value)) if found else None
    return MilpAnswer(
        solution,
        round(info.objective_function_value) if found else None,
        bound if math.isfinite(bound) else None,
        optimal and found,
    )


if __name__ == "__main__":  # run by ``HighsSearch``; the module by its own name, so that
    # what it pickles is ``assembler.solver.portfolio.MilpAnswer``, not ``__main__``'s
    from assembler.solver.portfolio import _serve as serve

    serve(Path(sys.argv[1]))
