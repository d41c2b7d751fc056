"""Trade-offs, sweeps and resilience, run on Dask (a local cluster by default).

* ``frontier``: value captured against the ops protection buffer or the network cap (and
  network FTE freed);
* ``sweep``: the cross product of settings and data variants read from a grid file;
* ``stress``: random absences applied to a plan, and how much a repair re-solve recovers.

Each solve is one Dask task on one solver thread; ``Runner`` chooses where they execute.
"""

from assembler.tradeoffs.frontier import (
    BUFFER,
    DEFAULT_BUFFERS,
    DEFAULT_CAPS,
    NETWORK_CAP,
    Dial,
    Frontier,
    frontier,
)
from assembler.tradeoffs.grid import GridError, GridProblem, SweepPlan, parse_grid, read_grid
from assembler.tradeoffs.runner import Runner, RunnerError
from assembler.tradeoffs.stress import (
    StressReport,
    StressSettings,
    StressSummary,
    ValueDistribution,
    stress,
)
from assembler.tradeoffs.sweep import sweep
from assembler.tradeoffs.variants import MissionValue, OpsLoad, UnitCapacity, Variant

__all__ = [
    "BUFFER",
    "DEFAULT_BUFFERS",
    "DEFAULT_CAPS",
    "NETWORK_CAP",
    "Dial",
    "Frontier",
    "GridError",
    "GridProblem",
    "MissionValue",
    "OpsLoad",
    "Runner",
    "RunnerError",
    "StressReport",
    "StressSettings",
    "StressSummary",
    "SweepPlan",
    "UnitCapacity",
    "ValueDistribution",
    "Variant",
    "frontier",
    "parse_grid",
    "read_grid",
    "stress",
    "sweep",
]
