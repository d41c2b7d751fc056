"""Shared test set-up: the hypothesis profile and the Dask clusters the trade-off tests use.

Hypothesis runs *derandomised* by default (profile ``replay``): the examples follow from
each test's source alone and nothing is stored between runs, so a red run is red again on
every machine, and the failing example is printed with the blob that reproduces it.
``HYPOTHESIS_PROFILE=explore`` draws fresh random examples each run (and keeps failures
in ``.hypothesis/`` to replay them), for a developer hunting new counterexamples.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from hypothesis import settings

from assembler.tradeoffs import Runner
from assembler.tradeoffs.runner import local_cluster

settings.register_profile("replay", derandomize=True, database=None, deadline=None, print_blob=True)
settings.register_profile("explore", derandomize=False, deadline=None, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "replay"))


@pytest.fixture(scope="session")
def dask_scheduler() -> Iterator[str]:
    """The address of a 2-worker local cluster, started for the tests and closed after them.

    Its workers are threads of the test process: they start in milliseconds, and the
    tests' solves are small.  Work still goes through the scheduler as on any cluster.
    """
    with local_cluster(2, processes=False) as cluster:
        yield cluster.scheduler_address


@pytest.fixture(scope="session")
def runner(dask_scheduler: str) -> Iterator[Runner]:
    """A runner connected to ``dask_scheduler``, shared by the tests of a session."""
    with Runner(scheduler=dask_scheduler) as active:
        yield active


@pytest.fixture(scope="session")
def process_scheduler() -> Iterator[str]:
    """A cluster of 2 worker *processes* on TCP, as an operator would run one: tasks and
    scenarios must travel by pickle and workers import ``assembler`` themselves.  Slower
    to start (seconds), so only the test of that path uses it."""
    with local_cluster(2, processes=True) as cluster:
        yield cluster.scheduler_address
