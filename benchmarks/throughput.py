"""Sweep throughput on 1, then 2, local Dask workers (not part of the test suite).

The same fixed runs — a grid of ops buffers × preference weights on a generated
organisation (fixed seed), each solved on one CP-SAT thread with a fixed search seed — go
to a ``LocalCluster`` of one worker, then of two.  Each cluster first solves one run per
worker, untimed, so the timing compares steady work rather than worker start-up (each
worker process imports pandas and OR-Tools once).  Prints one table.

    python benchmarks/throughput.py              # 40 runs on the 150-person organisation
    python benchmarks/throughput.py --runs 80 --people 300 --missions 30
"""

from __future__ import annotations

import argparse
import itertools
import time

from assembler import Scenario, SolveSettings
from assembler.generate import generate_scenario
from assembler.tradeoffs import Runner
from assembler.tradeoffs.runner import available_cores
from assembler.tradeoffs.runs import Run, solve_runs

SEED = 7
BUFFERS = (0.0, 0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08, 0.09, 0.10)
"""All feasible on this organisation (from 11 % its operations no longer fit), so every
run is a real solve rather than an instant proof of infeasibility."""
PREFERENCE_WEIGHTS = (0, 5, 10, 20, 40, 80, 160, 320)


def grid(count: int) -> list[Run]:
    """The first ``count`` runs of buffers × preference weights (88 at most)."""
    combinations = itertools.product(BUFFERS, PREFERENCE_WEIGHTS)
    return [
        Run({"ops_buffer": buffer, "weights.preference": weight})
        for buffer, weight in itertools.islice(combinations, count)
    ]


def measure(scenario: Scenario, runs: list[Run], workers: int, time_limit: float) -> float:
    """Seconds to solve ``runs`` on ``workers`` local workers, after an untimed warm-up."""
    settings = SolveSettings(time_limit=time_limit, seed=0)
    with Runner(workers) as runner:
        solve_runs(scenario, runs[:workers], settings, runner)
        started = time.perf_counter()
        solve_runs(scenario, runs, settings, runner)
        return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--people", type=int, default=150)
    parser.add_argument("--missions", type=int, default=20)
    parser.add_argument("--time-limit", type=float, default=30.0)
    options = parser.parse_args()
    scenario = generate_scenario(people=options.people, missions=options.missions, seed=SEED)
    runs = grid(options.runs)
    print(
        f"{len(runs)} runs on {options.people} people / {options.missions} missions "
        f"(seed {SEED}), {available_cores()} cores"
    )
    print(f"{'runs':>5} {'workers':>8} {'seconds':>8} {'runs/s':>7} {'speed-up':>9}")
    baseline = None
    for workers in (1, 2):
        seconds = measure(scenario, runs, workers, options.time_limit)
        baseline = baseline or seconds
        print(
            f"{len(runs):>5} {workers:>8} {seconds:>8.1f} {len(runs) / seconds:>7.2f} "
            f"{baseline / seconds:>8.2f}×"
        )


if __name__ == "__main__":
    main()
