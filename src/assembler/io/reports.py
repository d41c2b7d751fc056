"""Writing the §8 reports: CSV files and ``summary.json``, optionally an Excel workbook.

Reports are opened by people in spreadsheets, so every cell goes through one formatter:
FTE figures as plain decimals (``0.35``, never ``0.35000000000000003`` or ``3.5e-01``),
booleans as ``true/false`` and text that a spreadsheet would run as a formula neutralised
with a leading ``'``.  Each file is written atomically so a reader never sees half a report.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from assembler.io.atomic import FolderSwap, atomic_write_text, write_durably
from assembler.io.planner import SUMMARY_SHEET, planner_tables, readable_roster, summary_rows
from assembler.results.report import TABLE_COLUMNS, V3_TABLE_COLUMNS, Reports

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"
"""The prefix that neutralises a formula; text already starting with it gets one more, so
taking one off always gives the text back (``'=x`` → ``''=x`` → ``'=x``)."""
SUMMARY_FILE = "summary.json"
FAILED_SUMMARY_FILE = "failed_summary.json"
"""Where a solve without a plan leaves its summary beside a previous plan's reports."""
WORKBOOK_FILE = "reports.xlsx"
REPORT_FILES = frozenset(
    {f"{name}.csv" for name in TABLE_COLUMNS} | {SUMMARY_FILE, FAILED_SUMMARY_FILE, WORKBOOK_FILE}
)
"""Every file a report set of MODEL.md v2 may hold."""
V3_REPORT_FILES = frozenset(f"{name}.csv" for name in V3_TABLE_COLUMNS)
"""The files MODEL.md v3 adds to a set (``development.csv``), only when their part is on."""


def report_folder(out_dir: Path) -> FolderSwap:
    """The swap that replaces the reports in ``out_dir`` as one set; entering it checks the
    folder (``OutputFolderError``), so a command can refuse a bad ``--out`` before solving."""
    return FolderSwap(out_dir, REPORT_FILES | V3_REPORT_FILES, last=SUMMARY_FILE)


def write_reports(
    reports: Reports, out_dir: Path, fmt: Literal["csv", "xlsx"] = "csv"
) -> list[Path]:
    """Replace the reports in ``out_dir`` (created if needed) with every table as
    ``<name>.csv`` plus ``summary.json`` (and ``reports.xlsx`` when ``fmt`` is ``"xlsx"``),
    all together or not at all (``FolderSwap``); returns the paths written.

    Raises ``OutputFolderError`` when ``out_dir`` is a file or cannot be written.  Files
    in ``out_dir`` that are not reports stay as they are.
    """
    with report_folder(out_dir) as folder:
        return write_report_set(reports, folder, fmt)


def write_report_set(
    reports: Reports, folder: FolderSwap, fmt: Literal["csv", "xlsx"] = "csv"
) -> list[Path]:
    """Fill an entered ``report_folder`` and swap it in; returns the paths written."""
    contents = {f"{name}.csv": table_csv_bytes(frame) for name, frame in reports.tables().items()}
    contents[SUMMARY_FILE] = summary_json(reports.summary.to_json()).encode("utf-8")
    if fmt == "xlsx":
        contents[WORKBOOK_FILE] = reports_xlsx_bytes(reports)
    for name, data in contents.items():
        write_durably(folder.staging / name, data)
    folder.commit()
    return [folder.target / name for name in contents]


def holds_plan(out_dir: Path) -> bool:
    """``out_dir`` holds the reports of a solve that found a plan (its ``summary.json``
    says so): what a failed solve must not replace."""
    try:
        summary = json.loads((out_dir / SUMMARY_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(summary, dict) and summary.get("status") in ("optimal", "feasible")


def write_failed_summary(reports: Reports, out_dir: Path) -> Path:
    """A failed solve's summary (status and reasons) beside the previous plan's reports,
    which stay as they were: the last good plan is never lost to a failed solve."""
    path = out_dir / FAILED_SUMMARY_FILE
    atomic_write_text(path, summary_json(reports.summary.to_json()))
    return path


def roster_csv_bytes(reports: Reports) -> bytes:
    """``roster.csv`` as bytes, exactly the §8 file (for scripts)."""
    return table_csv_bytes(reports.roster)


def planner_roster_csv_bytes(reports: Reports) -> bytes:
    """The roster a planner downloads: human headers, names beside ids (``io.planner``);
    ``io.roster`` reads it back as it reads ``roster.csv``."""
    return table_csv_bytes(readable_roster(reports))


def reports_xlsx_bytes(reports: Reports) -> bytes:
    """The planner's workbook, as bytes: one named sheet per table with human headers and
    names beside ids, the roster also as a person × mission grid over the periods, and a
    readable summary (``io.planner``).  Laid out for reading: bold header row frozen in
    place, filters on every column, columns wide enough for their contents.  The §8 CSV
    files stay the contract for scripts."""
    workbook = Workbook(write_only=True)
    for title, frame in planner_tables(reports).items():
        rows = [[_xlsx_cell(value) for value in row] for row in frame.itertuples(index=False)]
        _sheet(workbook, title, [str(column) for column in frame.columns], rows)
    summary = [[_neutralise(what), _xlsx_cell(value)] for what, value in summary_rows(reports)]
    _sheet(workbook, SUMMARY_SHEET, ["What", "Figure"], summary)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


_MAX_COLUMN_WIDTH = 60
"""Characters; longer cells (reasons, conflicts) wrap in the spreadsheet instead."""


def _sheet(workbook: Workbook, name: str, header: list[str], rows: list[list[Any]]) -> None:
    sheet = workbook.create_sheet(name)
    widths = [len(title) for title in header]
    for row in rows:
        for i, value in enumerate(row):
            widths[i] = max(widths[i], len(str(value)) if value is not None else 0)
    for i, width in enumerate(widths):
        sheet.column_dimensions[get_column_letter(i + 1)].width = min(width + 2, _MAX_COLUMN_WIDTH)
    sheet.freeze_panes = "A2"
    if header:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(header))}{len(rows) + 1}"
    bold = Font(bold=True)
    titles = []
    for title in header:
        cell = WriteOnlyCell(sheet, value=_neutralise(title))
        cell.font = bold
        titles.append(cell)
    sheet.append(titles)
    for row in rows:
        sheet.append(row)


def table_csv_bytes(frame: pd.DataFrame) -> bytes:
    """One table as UTF-8 CSV with a header row and every cell formatted by ``_csv_cell``.

    Lines end in ``\r\n`` (RFC 4180): the ``csv`` module quotes a field holding any
    character of the line terminator, so only this ending quotes a lone ``\r`` in a name,
    which would otherwise split the row for every reader.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(frame.columns)
    writer.writerows(
        [_csv_cell(value) for value in row] for row in frame.itertuples(index=False, name=None)
    )
    return buffer.getvalue().encode("utf-8")


def summary_json(summary: Mapping[str, Any]) -> str:
    """``summary.json`` text; ``allow_nan=False`` because NaN and Infinity are not JSON."""
    return json.dumps(summary, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def _csv_cell(value: Any) -> str:
    """The text of one CSV cell: numbers plain, booleans lower-case, text made formula-safe.

    ``itertuples`` hands over Python scalars, so ``bool`` (a subclass of ``int``) is tested first.
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _decimal(value)
    return _neutralise(str(value))


def _decimal(value: float) -> str:
    """Shortest positional text that reads back as ``value``: ``0.35``, ``1.0``, ``0.00005``."""
    return np.format_float_positional(value, trim="0")


def _neutralise(text: str) -> str:
    """Prefix ``'`` to text a spreadsheet would run as a formula (CSV/formula injection),
    and to text that already starts with ``'``, so ``unneutralise`` is exact."""
    return QUOTE + text if text.startswith((*FORMULA_PREFIXES, QUOTE)) else text


def unneutralise(text: str) -> str:
    """The text ``_neutralise`` was given: one leading ``'`` off, where it put one."""
    if text.startswith(QUOTE) and text[1:].startswith((*FORMULA_PREFIXES, QUOTE)):
        return text[1:]
    return text


def _xlsx_cell(value: Any) -> Any:
    """Numbers stay typed in the workbook; only text is neutralised.

    openpyxl stores any string starting with ``=`` as a formula, so the prefix matters here
    as much as in CSV.
    """
    if isinstance(value, str):
        return _neutralise(value)
    return value
