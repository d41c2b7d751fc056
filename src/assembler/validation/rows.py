"""Stage 1 of validation, table by table: raw rows to typed rows, and the state later stages share.

``TypedTables`` holds what this stage produces — per table the typed rows and the columns
that can be trusted to exist — together with every problem found so far, so the table
checks (``validation.tables``) and the scenario-wide ones (``validation.feasibility``) can
each add theirs without knowing of one another.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from assembler.domain.problems import Problem, error, warning
from assembler.domain.scenario import REQUIRED_TABLES, TABLE_ROW_TYPES
from assembler.io.limits import ProblemLog
from assembler.io.raw import RawScenario, RawTable, cell_text
from assembler.text import did_you_mean
from assembler.validation.cells import COLUMNS, CellError, Column, blank_row
from assembler.validation.rules import NON_EMPTY, ROW_RULES

_SUGGESTION_BUDGET: Final = 300_000
"""How many id comparisons did-you-mean may spend in one validation: a file with thousands of
wrong ids against ten thousand people must still be reported in well under a second."""


@dataclass(frozen=True)
class Row:
    """A row's typed values; a cell that failed to parse is simply absent from ``values``."""

    number: int
    values: dict[str, Any]


class TypedTables:
    """The tables of one scenario as typed rows, and the problems found in them so far."""

    def __init__(self, raw: RawScenario) -> None:
        self.raw = raw
        self.layout = raw.layout
        self.problems: list[Problem] = ProblemLog(raw.problems)
        self.rows: dict[str, list[Row]] = {}
        """Per table read, its non-blank rows."""
        self.usable: dict[str, set[str]] = {}
        """Per table read, the columns whose values can be trusted to exist (not missing)."""
        self.suggestion_budget = _SUGGESTION_BUDGET

    def add(self, problem: Problem) -> None:
        self.problems.append(problem)

    def has_errors(self) -> bool:
        return any(problem.is_error for problem in self.problems)

    def source(self, table: str) -> str:
        """The name the planner knows the table by, even when it was never read."""
        raw = self.raw.tables.get(table)
        return raw.source if raw is not None else self.layout.source(table)

    def numbers(self, table: str) -> list[int]:
        """The row numbers of a table, in order: the rows of its built models."""
        return [row.number for row in self.rows.get(table, ())]

    def suggest(self, value: str, options: Collection[str]) -> str:
        """``did_you_mean`` within the budget: beyond it, unknown ids get no suggestion."""
        if self.suggestion_budget < len(options):
            return ""
        self.suggestion_budget -= len(options)
        return did_you_mean(value, options)

    def read_all(self) -> None:
        """Type every table of MODEL.md §2 that was read, reporting missing ones."""
        for name in TABLE_ROW_TYPES:
            self.read_table(name)

    def read_table(self, name: str) -> None:
        table = self.raw.tables.get(name)
        required = name in REQUIRED_TABLES
        if table is None:
            if required and name not in self.raw.unreadable:
                layout = self.layout
                reason = f"required {layout.kind} is missing from the {layout.container}"
                self.add(error(layout.source(name), reason))
            return
        if table.has_header and not table.columns:
            if required:
                self.add(error(table.source, "is empty: it has no header row"))
            else:
                self.add(warning(table.source, "is empty (no header row); read as absent"))
            return
        columns = COLUMNS[name]
        present = set(table.columns)
        missing = {
            column.name
            for column in columns.values()
            if column.required and column.name not in present and (table.has_header or table.rows)
        }
        for column_name in sorted(missing, key=list(columns).index):
            self.add(
                error(table.source, _missing_column_reason(column_name, table), column=column_name)
            )
        usable = [column for column in columns.values() if column.name not in missing]
        self.usable[name] = {column.name for column in usable}
        parsed: list[Row] = []
        extras = [column for column in table.columns if column not in columns]
        for number, row in enumerate(table.rows, start=1):
            if blank_row(row):
                continue
            parsed.append(self.read_row(table, number, row, usable, extras))
        self.rows[name] = parsed
        if name in NON_EMPTY and not parsed and not missing:
            self.add(
                error(
                    table.source,
                    f"has no data rows: a scenario needs at least one {NON_EMPTY[name]}",
                )
            )

    def read_row(
        self,
        table: RawTable,
        number: int,
        row: Mapping[str, Any],
        usable: Sequence[Column],
        extras: Sequence[str],
    ) -> Row:
        """Typed values of one row; unknown columns are kept as text (JSON rows vary)."""
        values: dict[str, Any] = {}
        for column in usable:
            raw = row.get(column.name)
            try:
                values[column.name] = column.parse(raw)
            except CellError as exc:
                self.add(
                    error(
                        table.source,
                        exc.reason,
                        row=number,
                        column=column.name,
                        value=cell_text(raw),
                    )
                )
        if table.has_header:
            for key in extras:
                values[key] = cell_text(row.get(key))
        else:
            known = COLUMNS[table.name]
            for key, raw in row.items():
                if key not in known:
                    values[key] = cell_text(raw)
        for rule in ROW_RULES.get(table.name, ()):
            breach = rule(values)
            if breach is not None:
                shown = breach.value
                if shown is None:
                    shown = cell_text(row.get(breach.column))
                self.add(
                    error(
                        table.source, breach.reason, row=number, column=breach.column, value=shown
                    )
                )
        return Row(number, values)


def _missing_column_reason(column: str, table: RawTable) -> str:
    reason = "required column is missing"
    others = [name for name in table.columns if name not in COLUMNS[table.name]]
    hint = did_you_mean(column, others)
    if not hint and len(table.columns) == 1 and ";" in table.columns[0]:
        hint = " (the header looks ';'-separated: save the file with commas as separators)"
    return reason + hint
