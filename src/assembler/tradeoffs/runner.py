# mypy: disallow-untyped-calls=False
# (distributed's Client, LocalCluster and as_completed have no annotations; they are called
# from this module only, so the rest of the package stays strictly typed.)
"""Where trade-off runs execute: Dask, on an embedded ``LocalCluster`` or an existing cluster.

Frontiers, sweeps and stress tests are many independent solves.  ``Runner`` sends each to a
Dask worker as one task, so the same code runs on a laptop (a ``LocalCluster`` started and
stopped with the runner, nothing to set up) and on a cluster (``scheduler="tcp://host:8786"``,
whose workers need ``assembler`` installed).  Every local worker is a process with one
thread and every task solves with one CP-SAT thread, so solver threads × workers never
exceed the cores: oversubscribed solvers would only steal time from each other.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

from distributed import Client, Future, LocalCluster, as_completed

from assembler.domain.solve_settings import SharedStop, SolveSettings
from assembler.text import plural

S = TypeVar("S")
J = TypeVar("J")
R = TypeVar("R")

ProgressCallback = Callable[[int, int], None]
"""Called with (runs done, runs in all) each time a run finishes."""

CONNECT_TIMEOUT = "10s"
STOP_POLL_SECONDS = 0.1
"""How often a stoppable ``map_done`` looks at its stop event while waiting for runs."""


class RunnerError(ValueError):
    """The runs cannot start: no scheduler at the address, or more workers than cores."""


def available_cores() -> int:
    """Cores this process may use (a container's CPU set, not the host's count)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def one_thread(settings: SolveSettings) -> SolveSettings:
    """The settings of one task: a single solver thread, and no callbacks, which belong to
    the caller's process and could not travel to a worker anyway.  A ``SharedStop`` stays:
    it reaches the solves of workers that are threads of this process (the app's), so a
    stop ends them rather than only the waiting for them; any other event goes."""
    stop = settings.stop if isinstance(settings.stop, SharedStop) else None
    return dataclasses.replace(settings, workers=1, progress=None, stop=stop, log=False)


def local_cluster(workers: int, *, processes: bool = True) -> LocalCluster:
    """A ``LocalCluster`` of ``workers`` single-threaded workers and no dashboard; the
    scheduler's health routes listen on a free port rather than 8787, which another
    cluster (or an app) may hold."""
    return LocalCluster(
        n_workers=workers,
        threads_per_worker=1,
        processes=processes,
        dashboard_address=None,
        scheduler_kwargs={"dashboard_address": ":0"},
        silence_logs=logging.ERROR,
    )


class Runner:
    """A Dask client for the duration of a ``with`` block.

    Without ``scheduler`` it starts a ``LocalCluster`` of ``workers`` single-threaded
    processes (``processes=False`` makes them threads of this process: CP-SAT releases the
    GIL, and a small run from an app then needs no new processes).  With ``scheduler`` it
    connects to that cluster and uses whatever workers it has.
    """

    def __init__(
        self, workers: int = 2, scheduler: str | None = None, *, processes: bool = True
    ) -> None:
        cores = available_cores()
        if scheduler is None and not 1 <= workers <= cores:
            raise RunnerError(
                f"{workers} local workers requested, this machine has {cores} cores; "
                "each worker runs one single-threaded solve, so use at most one per core"
            )
        self.workers = workers
        self.scheduler = scheduler
        self.processes = processes
        self._cluster: LocalCluster | None = None
        self._client: Client | None = None

    def __enter__(self) -> Runner:
        try:
            if self.scheduler is None:
                self._cluster = local_cluster(self.workers, processes=self.processes)
                self._client = Client(self._cluster)
            else:
                self._client = Client(self.scheduler, timeout=CONNECT_TIMEOUT)
        except (OSError, TimeoutError) as error:
            self.close()
            where = self.scheduler or "a local cluster"
            raise RunnerError(f"cannot start the runs on {where}: {error}") from error
        return self

    def __exit__(self, *raised: object) -> None:  # an exception raised in the block goes on
        self.close()

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None

    @property
    def client(self) -> Client:
        if self._client is None:
            raise RuntimeError("use the runner in a 'with' block")
        return self._client

    def describe(self) -> str:
        """Where the runs go, for a progress line: ``2 local workers`` or the cluster."""
        threads = sum(w["nthreads"] for w in self.client.scheduler_info()["workers"].values())
        if self.scheduler is None:
            return plural(threads, "local worker")
        return f"{plural(threads, 'worker thread')} at {self.scheduler}"

    def map(
        self,
        task: Callable[[S, J], R],
        shared: S,
        jobs: Sequence[J],
        progress: ProgressCallback | None = None,
    ) -> list[R]:
        """``[task(shared, job) for job in jobs]``, one Dask task per job, in job order.

        ``shared`` (the scenario) is sent to every worker once rather than with each task;
        ``task`` must be a module-level function so workers can import it.  Results are
        collected as they complete, which is what ``progress`` reports.  If a task fails,
        or the caller is interrupted, the runs still queued are cancelled.
        """
        done = self.map_done(task, shared, jobs, progress)
        return [done[i] for i in range(len(jobs))]

    def map_done(
        self,
        task: Callable[[S, J], R],
        shared: S,
        jobs: Sequence[J],
        progress: ProgressCallback | None = None,
        stop: threading.Event | None = None,
    ) -> dict[int, R]:
        """Like ``map``, but stoppable: the results of the jobs finished, by position.

        All of them, unless ``stop`` is set first (Ctrl-C in a command): then the runs
        still queued or running are cancelled and only those finished are returned, so a
        long sweep stopped halfway keeps the half it paid for.
        """
        if not jobs:
            return {}
        client = self.client
        handle = client.scatter(shared, broadcast=True, hash=False)
        futures = [client.submit(task, handle, job, pure=False) for job in jobs]
        position = {future.key: i for i, future in enumerate(futures)}
        results: dict[int, R] = {}
        try:
            for future in _completed(futures, stop):
                results[position[future.key]] = future.result()
                if progress is not None:
                    progress(len(results), len(jobs))
        finally:
            client.cancel([*futures, handle])
        return results


def _completed(futures: list[Future[Any]], stop: threading.Event | None) -> Iterator[Future[Any]]:
    """``futures`` as they complete; with ``stop``, ending as soon as it is set (waiting in
    short steps, since ``as_completed`` alone would block until the next run ends)."""
    completed = as_completed(futures)
    if stop is None:
        yield from completed
        return
    while not completed.is_empty() and not stop.is_set():
        if completed.has_ready():
            yield from completed.next_batch(block=False)
        else:
            stop.wait(STOP_POLL_SECONDS)
