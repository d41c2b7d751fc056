"""Reading and writing scenarios: CSV folders, zips of CSVs, xlsx workbooks, JSON documents.

Layouts (MODEL.md §2), all holding the same tables and settings:

* folder (or ``.zip``, files at its root or in one top folder): ``<table>.csv`` files and an
  optional ``scenario.toml`` with a ``[settings]`` table and a ``[settings.weights]`` one;
* ``.xlsx``: one sheet per table, named like the table, and an optional ``settings`` sheet
  with columns ``setting`` and ``value`` (weights as ``weights.value`` …);
* ``.json``: an object with one array of row objects per table and an optional ``settings``
  object shaped like the TOML ``[settings]`` table.

``read_scenario`` never raises for bad input: whatever is wrong comes back as problems in
a ``ScenarioReport`` so an app can show them all.  ``load_scenario`` is the strict variant
for scripts, raising ``ScenarioError`` with every problem.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from assembler.domain.problems import Problem, ScenarioError, Severity
from assembler.domain.scenario import Scenario
from assembler.io.readers import read_raw
from assembler.io.upload import read_upload, scenario_bytes
from assembler.io.writers import write_scenario
from assembler.validation import ScenarioReport, validate


def read_scenario(path: str | Path, overrides: Mapping[str, Any] | None = None) -> ScenarioReport:
    """Read and validate the scenario at ``path``, with settings ``overrides`` on top.

    ``path`` is a folder of ``<table>.csv`` files (plus an optional ``scenario.toml``), a
    ``.zip`` of them, an ``.xlsx`` workbook or a ``.json`` document.  Override keys are
    setting names, weights as ``weights.value``; ``None`` values are ignored.
    """
    return validate(read_raw(path), overrides)


def load_scenario(path: str | Path, overrides: Mapping[str, Any] | None = None) -> Scenario:
    """Like ``read_scenario``, but the scenario itself; raises ``ScenarioError`` on any error."""
    report = read_scenario(path, overrides)
    if report.scenario is None:
        raise ScenarioError(report.problems)
    return report.scenario


__all__ = [
    "Problem",
    "ScenarioError",
    "ScenarioReport",
    "Severity",
    "load_scenario",
    "read_scenario",
    "read_upload",
    "scenario_bytes",
    "write_scenario",
]
