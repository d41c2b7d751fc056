"""The rows of a workbook's sheets as a file really holds them, within ``ReadLimits``.

openpyxl's own row iteration trusts the sheet: it pads every row to the declared
dimension, so one styled cell at ``XFD1048576`` makes a 32 KB file yield 16,384 × 1,048,576
cells, and it reads a formula whose result was never saved (a file written by a program
that does not calculate) as an empty cell, so a column's default silently applies.  Here
the sheet's XML is parsed with openpyxl's own parser but the rows are built from the cells
present: blank cells are dropped, rows are as wide as their last value, the gaps between
rows are empty tuples (so row numbers still match the sheet) and a value past
``max_columns`` stops the sheet.  The declared dimension is never read.

A formula without a saved result is an error naming the sheet, the cell, the row and the
column.  Evaluating it instead would need a spreadsheet engine; a planner fixes it by
saving the workbook once in Excel or LibreOffice, which stores every result.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from openpyxl.utils import get_column_letter
from openpyxl.worksheet._reader import FORMULA_TAG, VALUE_TAG, WorkSheetParser

from assembler.domain.problems import Problem, error
from assembler.io.limits import LimitExceededError, ReadLimits
from assembler.io.raw import cell_text, is_blank


@dataclass(frozen=True)
class _UnsavedFormula:
    """A cell holding a formula and no saved result (no ``<v>`` element)."""

    formula: str


class _Parser(WorkSheetParser):  # type: ignore[misc]  # openpyxl has no type hints
    """openpyxl's parser, telling a formula without a saved result from an empty cell."""

    def parse_cell(self, element: Any) -> dict[str, Any]:
        """A formula's saved result is its ``<v>``; openpyxl and other writers that do not
        calculate leave it out or empty (an empty text result is typed ``str``)."""
        cell: dict[str, Any] = super().parse_cell(element)
        formula = element.find(FORMULA_TAG)
        if formula is not None and not element.findtext(VALUE_TAG) and element.get("t") != "str":
            cell["value"] = _UnsavedFormula(formula.text or "")
        return cell


def sheet_rows(
    sheet: Any, limits: ReadLimits, problems: list[Problem]
) -> Iterator[tuple[Any, ...]]:
    """The rows of a read-only worksheet, as ``table_from_grid`` reads them.

    Raises ``LimitExceededError`` when a value lies beyond ``limits.max_columns``; formulas
    without a saved result are added to ``problems`` and read as empty.
    """
    workbook = sheet.parent
    header: list[str] | None = None
    header_row = 0
    next_row = 1
    with sheet._get_source() as source:
        parser = _Parser(
            source,
            sheet._shared_strings,
            data_only=True,
            epoch=workbook.epoch,
            date_formats=workbook._date_formats,
            timedelta_formats=workbook._timedelta_formats,
        )
        for index, cells in parser.parse():
            values: dict[int, Any] = {}
            for cell in cells:
                value = cell["value"]
                if isinstance(value, _UnsavedFormula):
                    problems.append(_unsaved(sheet.title, cell, index, header, header_row))
                elif not is_blank(value):
                    values[cell["column"]] = value
            if not values:
                continue
            last = max(values)
            if last > limits.max_columns:
                raise LimitExceededError(
                    f"cell {get_column_letter(last)}{index} holds a value beyond column "
                    f"{limits.max_columns:,}, the most one table may have (limit max_columns); "
                    "the sheet is not read"
                )
            width = last if header is None else max(last, len(header))
            row = [None] * width
            for column, value in values.items():
                row[column - 1] = value
            if header is None:
                header = [cell_text(value).strip() for value in row]
                header_row = index
            for _ in range(next_row, index):
                yield ()
            next_row = index + 1
            yield tuple(row)


def _unsaved(
    title: str, cell: dict[str, Any], index: int, header: list[str] | None, header_row: int
) -> Problem:
    column_number = cell["column"]
    coordinate = f"{get_column_letter(column_number)}{index}"
    text = cell["value"].formula
    shown = f"the formula ={text}" if text else "a formula"
    reason = (
        f"cell {coordinate} holds {shown} but no saved result (the program that wrote the "
        "workbook does not calculate); open and save it in Excel or LibreOffice, or type "
        "the value"
    )
    if header is None:
        return error(title, reason)
    name = header[column_number - 1] if column_number <= len(header) else ""
    return error(title, reason, row=index - header_row, column=name or None)
