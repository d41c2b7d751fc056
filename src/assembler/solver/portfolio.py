"""HiGHS beside CP-SAT, in a process of its own: a second plan and a second bound.

CP-SAT and HiGHS prove different things well.  Over a horizon CP-SAT finds plans quickly,
but its LP bound stays 1-3 % above the optimum for the whole limit; HiGHS's root cuts
close that gap and its sub-MIP often finds the optimum itself (``milp``).  So on such
models the engine runs HiGHS on one thread beside CP-SAT's workers and keeps the better
plan and the tighter bound.  HiGHS cannot share a process with OR-Tools (which bundles a
HiGHS of its own), so it runs in a process of its own that imports no OR-Tools.
"""

from __future__ import annotations

import contextlib
import math
import pickle
import subprocess
import sys
import tempfile
import time
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assembler.compile.instance import Instance
from assembler.domain.scenario import Scenario
from assembler.domain.solution import Solution

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
        # Also when a solve fails or is dropped between start and answer.
        self._stop = weakref.finalize(self, _stop, self._process, self._folder)

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


def _stop(process: subprocess.Popen[bytes], folder: tempfile.TemporaryDirectory[str]) -> None:
    if process.poll() is None:
        process.kill()
    process.wait()
    folder.cleanup()


_QUESTION, _ANSWER, _PLAN, _BOUND = "question", "answer", "plan", "bound"
"""The files the processes exchange: each written whole (aside, then renamed)."""


def _read(path: Path) -> Any:
    return pickle.loads(path.read_bytes()) if path.exists() else None


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
    root's cut rounds), and what it had at the deadline still counts."""
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
        values = encode(instance, lp, start)
        highs.setSolution(
            len(values), np.fromiter(values, np.int32), np.fromiter(values.values(), float)
        )
    left = deadline - FINISH_MARGIN - time.monotonic()
    if left <= 0:
        return MilpAnswer(None, None, None, optimal=False)
    highs.setOptionValue("time_limit", left)
    reported = [math.inf]

    def on_plan(event: Any) -> None:
        out = event.data_out
        plan = decode(instance, lp, list(out.mip_solution))
        _write(folder / _PLAN, MilpAnswer(plan, round(out.objective_function_value), None, False))

    def on_bound(event: Any) -> None:
        bound = event.data_out.mip_dual_bound
        if math.isfinite(bound) and bound < reported[0] - 0.5:
            reported[0] = bound
            _write(folder / _BOUND, float(bound))

    highs.cbMipImprovingSolution.subscribe(on_plan)
    highs.cbMipInterrupt.subscribe(on_bound)
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
