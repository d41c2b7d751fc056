"""Problems found in a scenario, phrased for the planner who has to fix the input.

Invalid input is rejected with *every* problem listed (MODEL.md §2), so problems are plain
data collected into a list rather than exceptions raised at the first one.  Each problem
points at the place a planner would look: the file (or sheet), the data row, the column.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from assembler.text import plural

_MAX_SHOWN_VALUE = 60
"""Long values (a binary blob read as a cell) are cut so a message stays readable."""


class Severity(StrEnum):
    """Errors stop a scenario from being used; warnings say it will probably disappoint."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, located as precisely as the input allows.

    ``table`` is the name the planner knows: the CSV file name (``people.csv``), the sheet
    name of a workbook, the array name of a JSON document, or the file itself when the
    problem is not about one table.  ``row`` counts data rows from 1 (the header is row 0).
    """

    severity: Severity
    table: str
    row: int | None
    column: str | None
    value: str | None
    reason: str

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def __str__(self) -> str:
        """Where, what and why — without the severity, which callers show their own way."""
        where = self.table
        if self.row is not None:
            where += f" row {self.row}"
        if self.column is not None:
            where += f", column {self.column}"
        what = self.reason
        if self.value is not None:
            shown = self.value
            if len(shown) > _MAX_SHOWN_VALUE:
                shown = shown[: _MAX_SHOWN_VALUE - 1] + "…"
            what = f"{shown!r} — {what}"
        return f"{where}: {what}"


def error(
    table: str,
    reason: str,
    *,
    row: int | None = None,
    column: str | None = None,
    value: str | None = None,
) -> Problem:
    """An error problem (keyword arguments keep the many call sites readable)."""
    return Problem(Severity.ERROR, table, row, column, value, reason)


def warning(
    table: str,
    reason: str,
    *,
    row: int | None = None,
    column: str | None = None,
    value: str | None = None,
) -> Problem:
    """A warning problem: the scenario is still usable."""
    return Problem(Severity.WARNING, table, row, column, value, reason)


class ScenarioError(Exception):
    """Raised by ``load_scenario`` when the input has errors; carries every problem found."""

    def __init__(self, problems: tuple[Problem, ...]) -> None:
        self.problems = problems
        errors = sum(1 for problem in problems if problem.is_error)
        warnings = len(problems) - errors
        counts = plural(errors, "error")
        if warnings:
            counts += f" and {plural(warnings, 'warning')}"
        lines = "\n".join(f"  {problem.severity}: {problem}" for problem in problems)
        super().__init__(f"the scenario has {counts}:\n{lines}")

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(problem for problem in self.problems if problem.is_error)
