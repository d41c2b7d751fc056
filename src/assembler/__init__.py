"""assembler: staff strategic missions without breaking operations (MODEL.md).

The public API, in the order data flows through it:

* ``load_scenario`` / ``read_scenario`` read and validate a scenario (``assembler.validation``);
* ``solve`` optimises it (``assembler.solver``; OR-Tools is loaded on the first solve only,
  so the app, sweep workers and peer benchmarks start without it);
* ``Result``, ``check`` and ``Kpis`` hold, verify and measure the plan (``assembler.results``).
"""

from assembler.compile.instance import Instance
from assembler.domain.scenario import Scenario
from assembler.domain.settings import ModelSettings, Weights
from assembler.domain.solution import Solution
from assembler.domain.solve_settings import Progress, SolveSettings
from assembler.results.check import check
from assembler.results.kpis import Kpis
from assembler.results.result import Result, Status
from assembler.solver import solve
from assembler.validation import load_scenario, read_scenario

__all__ = [
    "Instance",
    "Kpis",
    "ModelSettings",
    "Progress",
    "Result",
    "Scenario",
    "Solution",
    "SolveSettings",
    "Status",
    "Weights",
    "check",
    "load_scenario",
    "read_scenario",
    "solve",
]
