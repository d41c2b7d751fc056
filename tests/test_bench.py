"""The benchmark harness runs end to end on one small instance (the benchmarks themselves
stay out of the test suite: they take hours and measure a machine, not correctness)."""

from __future__ import annotations

import csv
import functools
import importlib.util
import math
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from assembler.compile.instance import Instance
from assembler.generate import generate_scenario
from builders import ROOT


def _bench(tmp_path: Path) -> subprocess.CompletedProcess[str]:
    arguments = ["--sizes", "S", "--shapes", "default", "--solvers", "greedy,highs"]
    arguments += ["--limit-scale", "0.1", "--no-scaling", "--no-extras"]
    arguments += ["--cache", str(tmp_path / "cache"), "--out", str(tmp_path / "out")]
    environment = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    return subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench.py"), *arguments],
        capture_output=True,
        text=True,
        env=environment,
        check=True,
        timeout=300,
    )


@pytest.mark.slow
def test_harness_runs_one_small_instance(tmp_path: Path) -> None:
    first = _bench(tmp_path)
    rows = list(csv.DictReader((tmp_path / "out" / "bench.csv").open()))
    assert [row["solver"] for row in rows] == ["greedy", "highs"]
    greedy, highs = rows
    assert greedy["score"] and not greedy["bound"]  # a heuristic proves no bound
    best = {row["best_known_bound"] for row in rows}
    assert best == {str(math.floor(float(highs["bound"]) + 1e-6)) if highs["bound"] else ""}
    assert "gap to the best known bound" in first.stdout
    again = _bench(tmp_path)  # every run is cached: nothing is measured twice
    progress = [line for line in again.stderr.splitlines() if "…" in line]
    assert len(progress) == 2
    assert all(line.endswith("(cached)") for line in progress)
    table = first.stdout[first.stdout.index("size shape") :]
    assert again.stdout[again.stdout.index("size shape") :] == table


@functools.cache
def _peers() -> ModuleType:
    """The benchmark's peers module, loaded once from its file (the harness is not a
    package); registered first, as its dataclasses look their module up."""
    name = "benchmark_peers"
    spec = importlib.util.spec_from_file_location(name, ROOT / "benchmarks" / "peers.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("periods", [None, 4])
def test_the_milp_peer_reaches_the_engines_optimum_with_learners_and_caps(
    periods: int | None,
) -> None:
    """The v3 benchmark row compares the engine with HiGHS on learners, mentors, goals and
    network caps: the peer's MILP must be the same model, or the row compares two problems."""
    peers = _peers()
    scenario = generate_scenario(100, 10, 1, periods, growth=True)
    instance = Instance(scenario)
    assert instance.network_cap and any(need.learners for need in instance.needs)
    assert scenario.development
    milp, engine = peers.run_highs(scenario, 30.0), peers.run_engine(scenario, 30.0)
    assert (milp.status, engine.status) == ("optimal", "optimal")
    assert milp.score == engine.score
