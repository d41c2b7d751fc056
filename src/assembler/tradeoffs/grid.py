"""Sweep grids: which settings to vary and which data variants to try, read from TOML.

A grid file has a ``[grid]`` table — each key a setting of MODEL.md §2 (weights as
``weights.value`` or in a ``[grid.weights]`` table), each value a list of values to try — and
optional ``[[variant]]`` tables, each a named set of data changes::

    [grid]
    ops_buffer = [0.0, 0.05, 0.10]
    "weights.preference" = [0, 10]

    [[variant]]
    name = "Lab loses 20 %"
    unit_capacity = { unit = "lab", factor = 0.8 }

    [[variant]]
    name = "Telehealth counts double, pharmacy load +10 %"
    mission_value = { mission = "M05", factor = 2 }
    ops_demand = [{ unit = "pharmacy", factor = 1.1 }]

    [[variant]]                          # on a horizon: the named periods only
    name = "Winter peak in emergency +20 %"
    ops_demand = { unit = "emergency", factor = 1.2, period = ["2027-Q1", "2027-Q4"] }

The runs are the cross product of the grid's lists and the variants, plus the unchanged
scenario (``baseline``).  Every mistake is reported at once, with the file, the key and the
reason, before any solve starts; settings are checked by the same rules as
``scenario.toml`` (``assembler.validation.cells``), so the two cannot disagree.
"""

from __future__ import annotations

import itertools
import tomllib
from collections.abc import Mapping
from dataclasses import MISSING, dataclass, fields
from pathlib import Path
from typing import Any

from assembler.domain.scenario import Scenario
from assembler.io.raw import flatten_settings
from assembler.text import did_you_mean
from assembler.tradeoffs.runs import Run
from assembler.tradeoffs.variants import BASELINE, CHANGE_KINDS, Change, Variant
from assembler.validation.cells import SETTINGS, CellError

SECTIONS = ("grid", "variant")


@dataclass(frozen=True)
class GridProblem:
    """One mistake in a grid file: where (file and key) and why."""

    file: str
    key: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}: {self.key}: {self.reason}"


class GridError(ValueError):
    """A grid file that cannot be used; ``problems`` lists every mistake found."""

    def __init__(self, problems: list[GridProblem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(problem) for problem in problems))


@dataclass(frozen=True)
class SweepPlan:
    """The settings to vary (name → values) and the variants besides the baseline."""

    grid: Mapping[str, tuple[Any, ...]]
    variants: tuple[Variant, ...] = ()

    def runs(self) -> list[Run]:
        """Every combination of the grid's values, each under the baseline and each variant."""
        names = list(self.grid)
        return [
            Run(dict(zip(names, values, strict=True)), variant)
            for values in itertools.product(*self.grid.values())
            for variant in (BASELINE, *self.variants)
        ]


def read_grid(path: Path, scenario: Scenario) -> SweepPlan:
    """Read and check a grid file against ``scenario``; raises ``GridError``."""
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise GridError([GridProblem(str(path), "(file)", f"cannot be read: {error}")]) from None
    except tomllib.TOMLDecodeError as error:
        raise GridError([GridProblem(str(path), "(file)", f"is not valid TOML: {error}")]) from None
    return parse_grid(document, scenario, path.name)


def parse_grid(document: Mapping[str, Any], scenario: Scenario, source: str) -> SweepPlan:
    """Check a parsed grid document (``source`` names it in messages); raises ``GridError``."""
    parser = _Parser(source)
    for key in document:
        if key not in SECTIONS:
            hint = did_you_mean(key, SECTIONS) or "; a grid file has [grid] and [[variant]]"
            parser.fail(key, f"unknown section{hint}")
    grid = parser.grid(document.get("grid", {}))
    variants = parser.variants(document.get("variant", []), scenario)
    if parser.problems:
        raise GridError(parser.problems)
    return SweepPlan(grid, variants)


class _Parser:
    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[GridProblem] = []

    def fail(self, key: str, reason: str) -> None:
        self.problems.append(GridProblem(self.source, key, reason))

    def grid(self, table: Any) -> dict[str, tuple[Any, ...]]:
        if not isinstance(table, Mapping):
            self.fail("grid", "must be a table: [grid] followed by `setting = [values]` lines")
            return {}
        flat, problems = flatten_settings(table, self.source)
        for problem in problems:
            self.fail(f"grid.{problem.column}", problem.reason)
        return {
            key: values
            for key, raw in flat.items()
            if (values := self.setting_values(key, raw)) is not None
        }

    def setting_values(self, key: str, raw: Any) -> tuple[Any, ...] | None:
        where = f"grid.{key}"
        column = SETTINGS.get(key)
        if column is None:
            known = "; known settings: " + ", ".join(SETTINGS)
            self.fail(where, "unknown setting" + (did_you_mean(key, SETTINGS) or known))
            return None
        values = raw if isinstance(raw, list) else [raw]
        if not values:
            self.fail(where, "is an empty list: give at least one value")
            return None
        parsed = []
        for value in values:
            if isinstance(value, Mapping | list):
                self.fail(where, f"{value!r} is not a single value")
                continue
            try:
                parsed.append(column.parse(value))
            except CellError as error:
                self.fail(where, f"{value!r} {error.reason}")
        return tuple(parsed) if len(parsed) == len(values) else None

    def variants(self, tables: Any, scenario: Scenario) -> tuple[Variant, ...]:
        if not isinstance(tables, list):
            self.fail("variant", "must be written [[variant]] (an array of tables)")
            return ()
        variants: list[Variant] = []
        names = {BASELINE.name}
        for number, table in enumerate(tables, start=1):
            where = f"variant {number}"
            if not isinstance(table, Mapping):
                self.fail(where, "must be a table")
                continue
            name = table.get("name", where)
            if not isinstance(name, str) or not name.strip():
                self.fail(f"{where}.name", "must be a non-empty text")
                continue
            if name in names:
                self.fail(f"{where}.name", f"{name!r} is already used; names must be unique")
                continue
            names.add(name)
            changes = self.changes(where, table, scenario)
            if changes is not None:
                variants.append(Variant(name, changes))
        return tuple(variants)

    def changes(
        self, where: str, table: Mapping[str, Any], scenario: Scenario
    ) -> tuple[Change, ...] | None:
        """The variant's changes, each checked on the scenario as changed by those before it."""
        changes: list[Change] = []
        ok = True
        for key, raw in table.items():
            if key == "name":
                continue
            kind = CHANGE_KINDS.get(key)
            if kind is None:
                known = "; known changes: " + ", ".join(CHANGE_KINDS)
                hint = did_you_mean(key, CHANGE_KINDS) or known
                self.fail(f"{where}.{key}", "unknown change" + hint)
                ok = False
                continue
            for item in raw if isinstance(raw, list) else [raw]:
                change = self.change(f"{where}.{key}", kind, item)
                problems = change.problems(scenario) if change is not None else []
                for reason in problems:
                    self.fail(f"{where}.{key}", reason)
                if change is None or problems:
                    ok = False
                    continue
                changes.append(change)
                scenario = change.apply(scenario)
        return tuple(changes) if ok else None

    def change(self, where: str, kind: type[Change], item: Any) -> Change | None:
        """A change from its inline table, each field checked for presence and type."""
        if not isinstance(item, Mapping):
            self.fail(where, 'must be an inline table such as { unit = "lab", factor = 0.8 }')
            return None
        spec = {f.name: f for f in fields(kind)}
        values: dict[str, Any] = {}
        for key, value in item.items():
            if key not in spec:
                self.fail(where, f"unknown field {key!r}; fields: {', '.join(spec)}")
            elif key == "factor":
                if isinstance(value, bool) or not isinstance(value, int | float):
                    self.fail(f"{where}.factor", f"{value!r} is not a number")
                else:
                    values[key] = float(value)
            elif key == "period":
                periods = self.period_ids(f"{where}.period", value)
                if periods is not None:
                    values[key] = periods
            elif not isinstance(value, str) or not value.strip():
                self.fail(f"{where}.{key}", f"{value!r} is not an identifier")
            else:
                values[key] = value.strip()
        missing = [name for name, f in spec.items() if f.default is MISSING and name not in item]
        for name in missing:
            self.fail(where, f"{name!r} is missing")
        if len(values) != len(item) or missing:
            return None
        return kind(**values)

    def period_ids(self, where: str, value: Any) -> tuple[str, ...] | None:
        """``period = "q1"`` or ``period = ["q1", "q4"]`` as period ids (checked against the
        scenario by the change itself)."""
        items = value if isinstance(value, list) else [value]
        if not items:
            self.fail(where, "is an empty list: give at least one period id")
            return None
        if not all(isinstance(item, str) and item.strip() for item in items):
            self.fail(where, f"{value!r} is not a period id or a list of them")
            return None
        return tuple(item.strip() for item in items)
