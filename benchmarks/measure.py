"""One solver on one scenario, in a fresh process, and the cache of what was measured.

A fresh (spawned) process per run keeps HiGHS and OR-Tools apart (they cannot share a
process) and makes peak memory that run's own.  Next to each result it keeps how loaded
the machine was: the 1-minute load average when the run started, and the CPU the run got
(CPU seconds per wall second, 200 % when two workers ran flat out), so a figure measured
on a busy machine says so.

Results are cached under ``benchmarks/.cache/runs`` by what determines them (the scenario's
files, the solver, its time limit and workers, and the code it ran: ``cases.code_digest``),
so rerunning one size does not redo the others, and a changed engine reruns only the
engine.  Runs that crashed or hung are not cached.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import resource
import sys
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from queue import Empty
from typing import Any

from assembler import load_scenario
from cases import SOLVERS, code_digest, folder_digest
from peers import PEERS, WORKERS, Run

_POLL_SECONDS = 2.0
_GRACE_SECONDS = 300.0
"""Beyond its limit, a run may take this long to load, build and write up; then it is
stopped and reported as hung."""


@dataclass
class Record:
    """A measured run: the solver's ``Run`` and the machine's state around it."""

    solver: str
    limit: float
    run: Run
    peak_mib: float
    cpu_percent: float
    load: float
    measured: str
    """When (UTC, ISO 8601): figures from different days may mix in one table."""

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Record:
        return cls(**{**data, "run": Run(**data["run"])})


def _cpu_seconds() -> float:
    """This process's CPU time and that of the processes it waited for (the engine's HiGHS)."""
    return sum(
        usage.ru_utime + usage.ru_stime
        for usage in map(resource.getrusage, (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    )


def _peak_mib() -> float:
    """This process's peak resident memory plus the largest of its children's (the engine's
    HiGHS runs beside it): an upper bound on the run's peak."""
    return (
        sum(
            resource.getrusage(who).ru_maxrss
            for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
        )
        / 1024
    )


def _child(peer: str, path: str, limit: float, queue: Any) -> None:
    # HiGHS prints a banner from C++ whatever its options say: keep the table clean
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    scenario = load_scenario(path)
    started, cpu = time.perf_counter(), _cpu_seconds()
    run = PEERS[peer](scenario, limit)
    share = (_cpu_seconds() - cpu) / max(1e-3, time.perf_counter() - started)
    peak_mib = _peak_mib()
    queue.put((asdict(run), peak_mib, 100 * share))


def _run(solver: str, path: Path, limit: float) -> tuple[Record, bool]:
    """Run in a fresh process; the flag says whether it completed (and may be cached)."""
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    peer = SOLVERS[solver].peer
    load = os.getloadavg()[0]
    measured = datetime.now(UTC).isoformat(timespec="seconds")
    started = time.perf_counter()
    process = context.Process(target=_child, args=(peer, str(path), limit, queue))
    process.start()
    while True:
        alive = process.is_alive()  # asked first: a child that ended has put its result
        try:
            fields, peak, cpu = queue.get(timeout=_POLL_SECONDS)
            break
        except Empty:
            seconds = time.perf_counter() - started
            if alive and seconds <= limit + _GRACE_SECONDS:
                continue
            status = "hung" if alive else f"crashed (exit {process.exitcode})"
            process.kill()
            process.join()
            failed = Run(solver, 0.0, None, seconds, status, None, None)
            return Record(solver, limit, failed, 0.0, 0.0, load, measured), False
    process.join()
    run = Run(**{**fields, "solver": solver})
    return Record(solver, limit, run, peak, cpu, load, measured), True


def measure(cache: Path, solver: str, path: Path, limit: float, fresh: bool) -> tuple[Record, bool]:
    """The record of ``solver`` on the scenario at ``path`` and whether it came from the
    cache (it is measured if missing, or if ``fresh``)."""
    peer = SOLVERS[solver].peer
    key = json.dumps([folder_digest(path), solver, peer, limit, WORKERS, code_digest(peer)])
    file = cache / "runs" / f"{hashlib.sha256(key.encode()).hexdigest()[:32]}.json"
    if file.exists() and not fresh:
        return Record.from_json(json.loads(file.read_text())), True
    record, complete = _run(solver, path, limit)
    if complete:
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(json.dumps(asdict(record), indent=1))
    return record, False
