"""Reading and writing scenarios: CSV folders, zips of CSVs, xlsx workbooks, JSON documents.

Layouts (MODEL.md §2), all holding the same tables and settings:

* folder (or ``.zip``, files at its root or in one top folder): ``<table>.csv`` files and an
  optional ``scenario.toml`` with a ``[settings]`` table and a ``[settings.weights]`` one;
* ``.xlsx``: one sheet per table, named like the table, and an optional ``settings`` sheet
  with columns ``setting`` and ``value`` (weights as ``weights.value`` …);
* ``.json``: an object with one array of row objects per table and an optional ``settings``
  object shaped like the TOML ``[settings]`` table.

Reading stops at raw tables (``read_raw``, ``read_raw_upload``): typing and checking them is
``assembler.validation``'s job, which offers ``read_scenario`` and ``load_scenario`` on top.
Keeping the rules out of io lets validation build on the readers without a cycle.
"""

from __future__ import annotations

from assembler.domain.problems import Problem, ScenarioError, Severity
from assembler.io.readers import read_raw
from assembler.io.upload import read_raw_upload, scenario_bytes
from assembler.io.writers import write_scenario

__all__ = [
    "Problem",
    "ScenarioError",
    "Severity",
    "read_raw",
    "read_raw_upload",
    "scenario_bytes",
    "write_scenario",
]
