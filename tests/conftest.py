"""Shared test set-up: the hypothesis profile, a plan store of the test session, the Dask
clusters the trade-off tests use and the PostgreSQL server the store tests use (at the
end of this file).

Hypothesis runs *derandomised* by default (profile ``replay``): the examples follow from
each test's source alone and nothing is stored between runs, so a red run is red again on
every machine, and the failing example is printed with the blob that reproduces it.
``HYPOTHESIS_PROFILE=explore`` draws fresh random examples each run (and keeps failures
in ``.hypothesis/`` to replay them), for a developer hunting new counterexamples.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import settings

from assembler import Result, Scenario, SolveSettings, Status, solve
from assembler.store import PlanStore
from assembler.tradeoffs import Runner
from assembler.tradeoffs.runner import local_cluster
from assembler.validation import load_scenario
from builders import SAMPLE

if TYPE_CHECKING:
    from playwright.sync_api import Browser

settings.register_profile("replay", derandomize=True, database=None, deadline=None, print_blob=True)
settings.register_profile("explore", derandomize=False, deadline=None, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "replay"))


@pytest.fixture(scope="session")
def sample_optimum() -> tuple[Scenario, Result]:
    """The shipped sample solved once per test worker to proven optimality (a few seconds),
    shared by the tests that read the plan the README and the app show."""
    sample = load_scenario(SAMPLE)
    result = solve(sample, SolveSettings(time_limit=300, workers=2))
    assert result.status is Status.OPTIMAL and result.solution is not None
    return sample, result


@pytest.hookimpl(wrapper=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> Iterator[None]:
    """Run every test that reads the sample's optimum on one worker, so the sample is solved
    once per run instead of once per worker (with ``--dist loadgroup``, as the Makefile asks).

    Around the other hooks: the marks go on before xdist's hook reads them.  xdist (3.8)
    then names a test's group by appending ``@group`` to ``item._nodeid``, which pytest 9 no
    longer reads (a test's id is ``item._id``), so the groups were ignored and each worker
    solved the sample; after xdist's hook the suffixed id becomes the test's id, as before
    pytest 9 (a test of a group is reported as ``…::test@group``)."""
    for item in items:
        if "sample_optimum" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.xdist_group("sample"))
    yield
    for item in items:
        suffixed = getattr(item, "_nodeid", None)
        if isinstance(suffixed, str) and suffixed != item.nodeid:
            item._id = type(item._id).parse(suffixed)


@pytest.fixture(scope="session", autouse=True)
def _store_of_the_tests(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The plan store of every test that does not name one: a SQLite file of the test
    session (the app keeps each session in a store), never ``assembler.db`` in the
    working folder.  Tests of the default location remove the variable themselves."""
    before = os.environ.get("ASSEMBLER_DB")
    folder = tmp_path_factory.mktemp("store")
    os.environ["ASSEMBLER_DB"] = f"sqlite:///{folder / 'assembler.db'}"
    yield
    if before is None:
        os.environ.pop("ASSEMBLER_DB", None)
    else:
        os.environ["ASSEMBLER_DB"] = before


@pytest.fixture(scope="session", autouse=True)
def _component_manifests_scanned_once() -> Iterator[None]:
    """Streamlit's component scan, done once per test process as ``streamlit run`` does it.

    The server scans the installed packages' metadata for components once, at start-up;
    ``AppTest`` scans them again for each app it starts (0.4 s, more on busy cores: some
    seconds per test module).  The installed packages do not change during the run.
    Nothing to do in a run whose tests do not drive the app (they import ``AppTest``)."""
    if "streamlit.testing.v1" not in sys.modules:
        yield
        return
    from streamlit.components.v2 import manifest_scanner

    scan = manifest_scanner.scan_component_manifests
    found: list[tuple[Any, Path]] | None = None

    def scanned_once(max_workers: int | None = None) -> list[tuple[Any, Path]]:
        nonlocal found
        if found is None:
            found = scan(max_workers)
        return list(found)

    manifest_scanner.scan_component_manifests = scanned_once  # type: ignore[assignment]
    yield
    manifest_scanner.scan_component_manifests = scan


CHROMIUM = Path("/usr/bin/chromium")
NO_BROWSER = "ASSEMBLER_NO_BROWSER"


@pytest.fixture(scope="session")
def chromium() -> Path:
    """Debian's chromium for the browser tests: a clear failure when it is missing (``make
    test`` installs it), a skip only when asked for with ``ASSEMBLER_NO_BROWSER=1``."""
    if os.environ.get(NO_BROWSER) == "1":
        pytest.skip(f"{NO_BROWSER}=1: the browser test is skipped on purpose")
    if not CHROMIUM.exists():
        pytest.fail(
            f"Debian's chromium is not installed at {CHROMIUM}: run `make browser` "
            f"(`make test` does), or set {NO_BROWSER}=1 to skip this test"
        )
    return CHROMIUM


CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser(chromium: Path) -> Iterator[Browser]:
    """``chromium`` started once for a module's browser tests, headless; each test opens
    contexts of its own in it (``test_e2e_browser.browser_at``), each as new to the app as a
    browser just started.

    Per module, not per session: while Playwright's sync API is started, the test process's
    main thread has Playwright's asyncio loop marked as running, which a later test's own
    loop would trip over."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(chromium), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture(scope="session")
def sample_app_url(chromium: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app as ``make run`` serves it (the sample, the session's store), started once per
    test process for the browser tests that need no other (``test_e2e_browser`` and
    ``test_e2e_development``, one xdist group): each test is a new session on it."""
    from test_e2e_browser import served_app

    with served_app(tmp_path_factory.mktemp("streamlit")) as url:
        yield url


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


# ---------------------------------------------------------------------- PostgreSQL
#
# The store is tested against a real PostgreSQL server that the suite starts itself:
# Debian's ``postgresql`` package (``make test`` installs it, as it installs chromium), a
# throwaway cluster made by ``initdb`` in a temporary folder, listening only on a unix
# socket in that folder (so it can clash with no other server), stopped and removed at the
# end.  ``initdb`` refuses to run as root, so under root the cluster belongs to the
# ``postgres`` system user the package creates and its programs run through ``runuser``.
# Each test gets a database of its own.  Without the server installed the tests are
# skipped — except under CI, where that would hide a broken install, so they fail.


@dataclass(frozen=True)
class PostgresServer:
    """A running throwaway cluster: its socket folder and port, and a superuser."""

    socket_dir: Path
    port: int
    user: str = "assembler"

    def url(self, database: str) -> str:
        return (
            f"postgresql+psycopg://{self.user}@/{database}?host={self.socket_dir}&port={self.port}"
        )


def _postgresql_bindir() -> Path | None:
    """The newest Debian PostgreSQL server's programs, if one is installed."""
    found = [path.parent for path in Path("/usr/lib/postgresql").glob("*/bin/initdb")]
    return max(found, key=lambda bindir: int(bindir.parent.name), default=None)


def _as_cluster_owner(*command: str | Path) -> list[str]:
    words = [str(word) for word in command]
    return ["runuser", "-u", "postgres", "--", *words] if os.geteuid() == 0 else words


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def postgresql_server() -> Iterator[PostgresServer]:
    bindir = _postgresql_bindir()
    if bindir is None:
        message = "no PostgreSQL server installed (make test installs Debian's postgresql)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    folder = Path(tempfile.mkdtemp(prefix="assembler-pg-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    data, port = folder / "data", _free_port()
    initdb = (bindir / "initdb", "-D", data, "-U", "assembler", "--auth=trust")
    subprocess.run(
        _as_cluster_owner(*initdb, "-E", "UTF8", "--no-locale", "--no-sync"),
        check=True,
        capture_output=True,
    )
    # fsync off: the tests kill clients, never the server, so its durability is not tested.
    options = f"-p {port} -k {folder} -c listen_addresses='' -c fsync=off"
    pg_ctl = (bindir / "pg_ctl", "-D", data, "-w")
    subprocess.run(
        _as_cluster_owner(*pg_ctl, "-l", folder / "server.log", "-o", options, "start"),
        check=True,
        capture_output=True,
    )
    try:
        yield PostgresServer(folder, port)
    finally:
        subprocess.run(_as_cluster_owner(*pg_ctl, "-m", "fast", "stop"), capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def postgresql_url(postgresql_server: PostgresServer) -> Iterator[str]:
    """The URL of a new, empty database on the test server, dropped after the test."""
    import psycopg

    name = f"test_{uuid.uuid4().hex}"
    admin = postgresql_server.url("postgres").replace("postgresql+psycopg", "postgresql")
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    yield postgresql_server.url(name)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.slow)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A URL for an empty store: a SQLite file, and (slow) a PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    url: str = request.getfixturevalue("postgresql_url")
    return url


@pytest.fixture
def store(store_url: str) -> Iterator[PlanStore]:
    """An empty plan store at ``store_url``, open for the test."""
    with PlanStore(store_url) as opened:
        yield opened
