"""Benchmark harness: the engine against its peers on generated organisations (``make bench``).

Fixed seeds, 2 workers and the same time limit for every solver; each (size, solver) runs
in a fresh process so peak memory is that run's own.  Prints one table, the engine/peer
ratios, the interactive re-solve on M and a determinism check.

    python benchmarks/bench.py                 # S, M, L, XL
    python benchmarks/bench.py --sizes S,M     # a quick look
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from assembler import SolveSettings, load_scenario
from assembler.domain.scenario import Scenario
from assembler.planning.edits import pin, set_value
from peers import PEERS, Run

SIZES = {
    "S": (150, 20, 10.0),
    "M": (1_000, 100, 10.0),
    "L": (3_000, 250, 60.0),
    "XL": (10_000, 500, 120.0),
}
SEED = 1
CACHE = Path(__file__).parent / ".cache"


def scenario_path(size: str) -> Path:
    """Generate (once) with the CLI, exactly as a user would."""
    people, missions, _ = SIZES[size]
    path = CACHE / f"{size}-{people}x{missions}-seed{SEED}"
    if not path.exists():
        command = [str(Path(sys.executable).parent / "assembler"), "generate", str(path)]
        subprocess.run(
            [*command, "--people", str(people), "--missions", str(missions), "--seed", str(SEED)],
            check=True,
            capture_output=True,
        )
    return path


def _child(peer: str, path: str, limit: float, queue: Any) -> None:
    scenario = load_scenario(path)
    run = PEERS[peer](scenario, limit)
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    queue.put((asdict(run), peak_mib))


def measure(peer: str, path: Path, limit: float) -> tuple[Run, float]:
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=_child, args=(peer, str(path), limit, queue))
    process.start()
    fields, peak = queue.get(timeout=limit * 3 + 300)
    process.join()
    return Run(**fields), peak


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def print_table(rows: list[tuple[str, Run, float]]) -> None:
    header = (
        f"{'size':<4} {'solver':<7} {'build s':>8} {'first s':>8} {'end s':>8} "
        f"{'status':<19} {'score':>12} {'gap':>9} {'peak MiB':>9}"
    )
    print(header)
    print("-" * len(header))
    for size, run, peak in rows:
        gap = "-" if run.gap is None else f"{run.gap:.4%}"
        score = "-" if run.score is None else f"{run.score:,}"
        print(
            f"{size:<4} {run.solver:<7} {run.build_seconds:>8.2f} {_seconds(run.first_seconds):>8} "
            f"{run.seconds:>8.2f} {run.status:<19} {score:>12} {gap:>9} {peak:>9.0f}"
        )


def print_ratios(rows: list[tuple[str, Run, float]]) -> None:
    print(
        "\nengine / peer: score ratio (≥ 1: the engine scores at least as well), "
        "first-solution speed-up"
    )
    by_size: dict[str, dict[str, Run]] = {}
    for size, run, _ in rows:
        by_size.setdefault(size, {})[run.solver] = run
    for size, runs in by_size.items():
        engine = runs["engine"]
        parts = []
        for name, peer in runs.items():
            if name == "engine":
                continue
            if engine.score is None or peer.score is None or peer.score <= 0:
                score = "n/a (peer found no plan)" if peer.score is None else "n/a"
            else:
                score = f"{engine.score / peer.score:.4f}"
            speed = (
                f"{peer.first_seconds / engine.first_seconds:.1f}x"
                if engine.first_seconds and peer.first_seconds
                else "-"
            )
            parts.append(f"{name}: score {score}, first {speed}")
        print(f"  {size:<3} " + "; ".join(parts))


def interactive_resolve(path: Path) -> None:
    """After one pin or one value change on M, how fast does a warm re-solve get back?"""
    from assembler.solver import solve

    scenario = load_scenario(path)
    before = solve(scenario, SolveSettings(time_limit=10))
    assert before.solution is not None and before.score is not None
    staffed = sorted(before.solution.staffed)
    members = {person for person, _ in before.solution.members}
    mission = next(m for m in scenario.missions if m.mission_id in staffed and not m.is_network)
    person = _pinnable_outsider(scenario, mission.mission_id, members)
    edits: dict[str, Scenario] = {
        f"pin {person} on {mission.mission_id}": pin(scenario, person, mission.mission_id),
        f"value of {staffed[0]} × 1.5": set_value(
            scenario,
            staffed[0],
            next(m.value for m in scenario.missions if m.mission_id == staffed[0]) * 1.5,
        ),
    }
    print(f"\ninteractive re-solve on M (previous: score {before.score:,}, gap {before.gap:.4%})")
    for label, edited in edits.items():
        as_good: list[float] = []
        as_tight: list[float] = []
        started = time.perf_counter()
        target_gap = max(before.gap or 0.0, 1e-6)

        def progress(
            p: Any,
            good: list[float] = as_good,
            tight: list[float] = as_tight,
            started: float = started,
            target: float = target_gap,
        ) -> None:
            now = time.perf_counter() - started
            if not good and p.score >= before.score:
                good.append(now)
            if not tight and abs(p.best_bound - p.score) / max(1.0, abs(p.score)) <= target:
                tight.append(now)

        after = solve(edited, SolveSettings(time_limit=10, hint=before.solution, progress=progress))
        good = f"{as_good[0]:.2f}s" if as_good else "never (the edit costs score)"
        tight = f"{as_tight[0]:.2f}s" if as_tight else "not within 10 s"
        print(
            f"  {label:<28} score ≥ previous after {good}; gap ≤ previous after {tight}; "
            f"end: {after.status} {after.score:,} gap {after.gap:.4%}"
        )


def _value(scenario: Scenario, mission_id: str) -> float:
    return next(m.value for m in scenario.missions if m.mission_id == mission_id)


def _pinnable_outsider(scenario: Scenario, mission_id: str, members: set[str]) -> str:
    from assembler.compile.instance import Instance

    instance = Instance(scenario)
    m = instance.mission_index[mission_id]
    for p in instance.candidates[m]:
        person = instance.people[p].person_id
        if person not in members:
            return person
    return instance.people[instance.candidates[m][0]].person_id


def determinism(path: Path) -> None:
    from assembler.solver import solve

    scenario = load_scenario(path)
    settings = SolveSettings(time_limit=2.0, deterministic=True)
    first, second = solve(scenario, settings), solve(scenario, settings)
    same = first.solution == second.solution
    print(
        f"\ndeterministic mode on S (2 workers, 2 deterministic seconds): identical rosters: {same}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="S,M,L,XL")
    parser.add_argument("--peers", default=",".join(PEERS))
    args = parser.parse_args()
    sizes = args.sizes.split(",")
    rows: list[tuple[str, Run, float]] = []
    for size in sizes:
        path = scenario_path(size)
        limit = SIZES[size][2]
        for peer in args.peers.split(","):
            run, peak = measure(peer, path, limit)
            rows.append((size, run, peak))
            print(
                f"  … {size} {peer}: {run.status} in {run.seconds:.1f}s",
                file=sys.stderr,
                flush=True,
            )
    print(
        f"\nassembler benchmark — seed {SEED}, {PEERS['engine'].__module__}.WORKERS = 2 workers, "
        f"limits {', '.join(f'{s} {SIZES[s][2]:g}s' for s in sizes)}\n"
    )
    print_table(rows)
    print_ratios(rows)
    if "M" in sizes:
        interactive_resolve(scenario_path("M"))
    if "S" in sizes:
        determinism(scenario_path("S"))


if __name__ == "__main__":
    main()
