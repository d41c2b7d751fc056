"""From a scenario file to a valid ``Scenario``, or to the list of everything that is wrong.

Readers (``assembler.io``) only turn files into raw tables: rows of cells that may be
strings (CSV), native values (JSON, xlsx) or missing.  This package owns every rule of
MODEL.md §2 so the three input formats cannot drift apart.  It works in stages:

1. cells (``cells``, ``rows``, ``settings``): each known column is parsed and range-checked,
   with a message a planner can act on, so pydantic's own ``ValidationError`` never reaches
   anyone; rules between cells of one row (``rules.ROW_RULES``) are checked here too;
2. tables (``tables``, driven by the tables of ``rules``): duplicate keys, references
   between tables, the unit tree and the ``after`` chains, missions without needs,
   contradictory locks, period starts and mission windows, horizon columns without a
   ``periods`` table — all collected, never stopping at the first;
3. model (``feasibility``): only when nothing above failed are the row models and the
   ``Scenario`` built, and the questions that need the whole scenario (impossible pins,
   needs nobody can fill, operations nobody can protect, missions with no possible run)
   are asked through ``compile``.
   Asked of broken data they would report consequences of earlier errors rather than causes.

``read_scenario``, ``load_scenario`` and ``read_upload`` put reading and validating together:
they live here rather than in ``assembler.io`` so that io never depends on the rules.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from assembler.domain.problems import Problem, ScenarioError, error
from assembler.domain.scenario import TABLE_ROW_TYPES, Scenario
from assembler.domain.settings import ModelSettings
from assembler.io.raw import RawScenario
from assembler.io.readers import read_raw
from assembler.io.upload import read_raw_upload
from assembler.validation.feasibility import check_feasibility
from assembler.validation.limits import check_score_range
from assembler.validation.rows import TypedTables
from assembler.validation.settings import read_settings
from assembler.validation.tables import TABLE_CHECKS


@dataclass(frozen=True)
class ScenarioReport:
    """The outcome of reading a scenario: the scenario (``None`` iff any error) and problems."""

    scenario: Scenario | None
    problems: tuple[Problem, ...]

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(problem for problem in self.problems if problem.is_error)

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return tuple(problem for problem in self.problems if not problem.is_error)

    @property
    def ok(self) -> bool:
        return self.scenario is not None


def read_scenario(path: str | Path, overrides: Mapping[str, Any] | None = None) -> ScenarioReport:
    """Read and validate the scenario at ``path``, with settings ``overrides`` on top.

    The lenient entry point, for callers that show problems rather than stop at them (the
    app, the ``validate`` command): it never raises for bad input, and the report lists
    every problem at once — errors, which leave ``report.scenario`` ``None``, and warnings,
    which do not — each located by file, row and column so a planner can fix them all in
    one pass instead of meeting them one run at a time.

    ``path`` is a folder of ``<table>.csv`` files (plus an optional ``scenario.toml``), a
    ``.zip`` of them, an ``.xlsx`` workbook or a ``.json`` document.  ``overrides`` are
    settings that win over the file's (a command line's or an app's dials): keys are
    setting names, weights as ``weights.value`` or a nested ``weights`` mapping; ``None``
    values are ignored, and bad ones are reported like bad cells, from ``settings``.
    """
    return validate(read_raw(path), overrides)


def load_scenario(path: str | Path, overrides: Mapping[str, Any] | None = None) -> Scenario:
    """The scenario at ``path``, validated, with settings ``overrides`` on top.

    The strict entry point, for scripts and benchmarks that cannot go on without a valid
    scenario: rather than a report to inspect, it returns the ``Scenario`` itself and raises
    ``ScenarioError`` — carrying every problem, warnings included, and listing them in its
    message — as soon as anything is an error.  Warnings alone do not stop it.

    ``path`` and ``overrides`` are as for ``read_scenario``: a folder of CSV files, a
    ``.zip``, an ``.xlsx`` or a ``.json``; settings by name (``weights.value`` for
    weights), ``None`` meaning "keep the file's".
    """
    report = read_scenario(path, overrides)
    if report.scenario is None:
        raise ScenarioError(report.problems)
    return report.scenario


def read_upload(filename: str, data: bytes) -> ScenarioReport:
    """Read and validate an uploaded scenario: a ``.zip`` of CSVs, an ``.xlsx`` or a ``.json``.

    Like ``read_scenario`` it never raises for bad input; an unsupported suffix comes back
    as a problem too.  Problems name ``filename`` (only its last component is used).
    """
    return validate(read_raw_upload(filename, data))


def validate(raw: RawScenario, overrides: Mapping[str, Any] | None = None) -> ScenarioReport:
    """Check everything MODEL.md §2 asks of a scenario; build it only if nothing is wrong."""
    tables = TypedTables(raw)
    settings = read_settings(tables, overrides or {})
    tables.read_all()
    for check in TABLE_CHECKS:
        check(tables)
    if tables.has_errors():
        return ScenarioReport(None, tuple(tables.problems))
    scenario = _build(tables, settings)
    if scenario is not None:
        check_score_range(tables, scenario)
        check_feasibility(tables, scenario)
    ok = scenario is not None and not tables.has_errors()
    return ScenarioReport(scenario if ok else None, tuple(tables.problems))


def _build(tables: TypedTables, settings: ModelSettings) -> Scenario | None:
    """The row models and the ``Scenario``; ``None`` (with problems) if pydantic objects."""
    built_tables: dict[str, tuple[BaseModel, ...]] = {}
    for name, model in TABLE_ROW_TYPES.items():
        if name not in tables.rows:
            continue
        built: list[BaseModel] = []
        for row in tables.rows[name]:
            try:
                built.append(model.model_validate(row.values))
            except ValidationError as exc:  # a rule this package missed: still no traceback
                _add_validation_error(tables, tables.source(name), row.number, exc)
        built_tables[name] = tuple(built)
    if tables.has_errors():
        return None
    try:
        return Scenario.model_validate({**built_tables, "settings": settings})
    except ValidationError as exc:
        _add_validation_error(tables, "scenario", None, exc)
        return None


def _add_validation_error(
    tables: TypedTables, source: str, number: int | None, exc: ValidationError
) -> None:
    for item in exc.errors():
        column = ".".join(str(part) for part in item["loc"]) or None
        tables.add(error(source, item["msg"], row=number, column=column))


__all__ = ["ScenarioReport", "load_scenario", "read_scenario", "read_upload", "validate"]
