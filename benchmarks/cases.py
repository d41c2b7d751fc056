"""What the benchmark solves: sizes, shapes and solvers, and the generated scenarios.

A case is a size (people × missions, optionally periods, and its time limit) and an
organisation shape (``assembler.generate.SHAPES``), generated once at a fixed seed with the
``assembler generate`` command, exactly as a user would, into ``benchmarks/.cache``.  The
folder's name carries a digest of the generator's code, so a changed generator makes new
scenarios rather than reusing stale ones.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

SEED = 1
PROJECTS = "projects"
"""The second family: project-scheduling tasks, not an organisation (``generate.projects``)."""
SRC = Path(__file__).resolve().parent.parent / "src" / "assembler"
PEERS_FILE = Path(__file__).resolve().parent / "peers.py"


@dataclass(frozen=True)
class Size:
    people: int
    missions: int
    periods: int | None
    limit: float
    """Seconds every solver gets (the HiGHS bound run gets ``BOUND_FACTOR`` times more)."""
    family: str | None = None
    """The one shape this size is made in (``projects``, or ``default`` for the v3 row);
    ``None``: every organisation shape."""
    growth: bool = False
    """Generated with MODEL.md v3's parts (``generate --growth``): learners under mentors,
    development goals, network caps."""

    def fits(self, shape: str) -> bool:
        return shape == self.family if self.family else shape != PROJECTS

    @property
    def label(self) -> str:
        horizon = "" if self.periods is None else f" × {self.periods} periods"
        growth = ", v3 growth" if self.growth else ""
        return f"{self.people:,} × {self.missions}{horizon}{growth}"


SIZES: dict[str, Size] = {
    "S": Size(150, 20, None, 10.0),
    "M": Size(1_000, 100, None, 10.0),
    "L": Size(3_000, 250, None, 60.0),
    "XL": Size(10_000, 500, None, 120.0),
    "M4": Size(1_000, 100, 4, 30.0),
    "M12": Size(1_000, 100, 12, 30.0),
    "L4": Size(3_000, 250, 4, 120.0),
    "M4v3": Size(1_000, 100, 4, 30.0, "default", growth=True),
    "P150": Size(8, 150, None, 60.0, PROJECTS),
    "P200": Size(6, 200, None, 60.0, PROJECTS),
}
"""Organisations without periods (S … XL), and with a horizon: ``M4`` is M over 4 quarters,
``M12`` over 12 months, ``L4`` is L over 4 quarters; ``P150`` and ``P200`` are projects of
150 and 200 mandatory one-person tasks in chains (``--shape projects``: the horizon is
what their schedule needs, 80–110 weeks); ``M4v3`` is M4's default organisation with
MODEL.md v3's learners, development goals and network caps (``--growth``)."""

BOUND_FACTOR = 5


@dataclass(frozen=True)
class Solver:
    peer: str
    """The runner in ``peers.PEERS``."""
    factor: int = 1
    """Multiple of the size's time limit this solver gets."""


SOLVERS: dict[str, Solver] = {
    "engine": Solver("engine"),
    "cp-sat": Solver("cp-sat"),
    "greedy": Solver("greedy"),
    "highs": Solver("highs"),
    "highs-5x": Solver("highs", BOUND_FACTOR),
}
"""``highs-5x`` is HiGHS again with five times the limit: its bound, the tightest one
usually, is what every plan is measured against (the ``best known bound``)."""

_SOLVE_PATH = ("compile", "domain", "io", "validation", "results", "text.py")
"""The code a solve runs through besides the solver itself: a change here changes every
solver's result."""
_MILP = ("solver/milp.py", "solver/ops_time.py")
"""The part of ``solver/`` the HiGHS peer runs: the MILP and how a plan is read from it."""


def _files_digest(paths: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(str(path.relative_to(SRC.parent.parent)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _python_files(*names: str) -> list[Path]:
    found: list[Path] = []
    for name in names:
        path = SRC / name
        found.extend(sorted(path.rglob("*.py")) if path.is_dir() else [path])
    return found


def code_digest(peer: str) -> str:
    """The code a peer's result depends on: HiGHS runs only the MILP of ``solver/``, so an
    engine change keeps HiGHS's (long) runs cached."""
    names = (*_SOLVE_PATH, *_MILP) if peer == "highs" else (*_SOLVE_PATH, "solver")
    return _files_digest([*_python_files(*names), PEERS_FILE])


def folder_digest(folder: Path) -> str:
    """The scenario's files: the instance a result belongs to."""
    digest = hashlib.sha256()
    for path in sorted(folder.iterdir()):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def scenario_path(cache: Path, name: str, size: Size, shape: str) -> Path:
    """Generate (once) with the CLI, exactly as a user would."""
    generator = _files_digest([*_python_files("generate"), SRC / "generate" / "vocabulary.toml"])
    horizon = "" if size.periods is None else f"x{size.periods}p"
    folder = f"{name}-{shape}-{size.people}x{size.missions}{horizon}-seed{SEED}-{generator[:10]}"
    path = cache / "scenarios" / folder
    if not path.exists():
        command = [str(Path(sys.executable).parent / "assembler"), "generate", str(path)]
        command += ["--people", str(size.people), "--missions", str(size.missions)]
        command += ["--seed", str(SEED), "--shape", shape]
        if size.periods is not None:
            command += ["--periods", str(size.periods)]
        if size.growth:
            command += ["--growth"]
        subprocess.run(command, check=True, capture_output=True)
    return path
