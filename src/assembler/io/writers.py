"""Writers: a ``Scenario`` back to files that read back to an equal ``Scenario``.

Losslessness drives the details: floats are written in their shortest exact form, unknown
columns are kept, absent optional tables stay absent, and settings travel with the tables.
Each file is written atomically (``assembler.io.atomic``).
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from enum import Enum
from pathlib import Path
from typing import Any

import openpyxl
import tomli_w
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils.exceptions import IllegalCharacterError
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from assembler.domain.scenario import (
    HORIZON_COLUMNS,
    TABLE_ROW_TYPES,
    V3_COLUMNS,
    V3_TABLES,
    Scenario,
)
from assembler.io.atomic import atomic_write_bytes, atomic_write_text
from assembler.io.readers import SETTINGS_FILE, SETTINGS_SHEET


@dataclass(frozen=True)
class _Table:
    name: str
    columns: list[str]
    rows: list[dict[str, Any]]


def write_scenario(scenario: Scenario, path: str | Path) -> None:
    """Write ``scenario`` in the format the target's name asks for.

    ``*.xlsx`` → a workbook (one sheet per table plus a ``settings`` sheet), ``*.json`` →
    one document, ``*.zip`` → an archive of CSV files, anything else → a folder of CSV files
    with ``scenario.toml``.  Writing into an existing folder removes the CSV files of tables
    the scenario does not have, which would otherwise be read back as part of it.
    """
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix == ".xlsx":
        _write_workbook(scenario, target)
    elif suffix == ".json":
        _write_json(scenario, target)
    elif suffix == ".zip":
        _write_zip(scenario, target)
    else:
        _write_folder(scenario, target)


def _tables(scenario: Scenario) -> Iterator[_Table]:
    """Present tables with their columns: the model's, then unknown ones as first met.

    Without periods the horizon's tables and columns (MODEL.md v2) are left out, so a v1
    scenario is written exactly as v1 wrote it; so are v3's without a value (a v2 scenario
    stays v2's)."""
    horizon = scenario.has_horizon
    for name in TABLE_ROW_TYPES:
        models = getattr(scenario, name)
        if models is None or (name == "availability" and not horizon):
            continue
        if name in V3_TABLES and not models:
            continue
        rows = [model.model_dump() for model in models]
        known = TABLE_ROW_TYPES[name].model_fields
        columns = dict.fromkeys(known)
        if not horizon:
            for column in HORIZON_COLUMNS.get(name, ()):
                del columns[column]
                for row in rows:
                    del row[column]
        for column in V3_COLUMNS.get(name, ()):
            if all(row[column] is None for row in rows):
                del columns[column]
                for row in rows:
                    del row[column]
        for row in rows:
            if not row.keys() <= columns.keys():
                columns.update(dict.fromkeys(row))
        yield _Table(name, list(columns), rows)


# --------------------------------------------------------------------------- CSV


def _csv_cell(value: Any) -> str:
    """Shortest text that reads back to the same value (``repr`` is exact for floats)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _csv_text(table: _Table) -> str:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(table.columns)
    writer.writerows([_csv_cell(row.get(column)) for column in table.columns] for row in table.rows)
    return buffer.getvalue()


def _toml_text(scenario: Scenario) -> str:
    return tomli_w.dumps({"settings": scenario.settings.model_dump()})


def _write_folder(scenario: Scenario, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    written: set[str] = set()
    for table in _tables(scenario):
        atomic_write_text(folder / f"{table.name}.csv", _csv_text(table))
        written.add(table.name)
    for name in TABLE_ROW_TYPES.keys() - written:
        (folder / f"{name}.csv").unlink(missing_ok=True)
    atomic_write_text(folder / SETTINGS_FILE, _toml_text(scenario))


def _write_zip(scenario: Scenario, path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for table in _tables(scenario):
            archive.writestr(f"{table.name}.csv", _csv_text(table))
        archive.writestr(SETTINGS_FILE, _toml_text(scenario))
    atomic_write_bytes(path, buffer.getvalue())


# --------------------------------------------------------------------------- JSON


def _write_json(scenario: Scenario, path: Path) -> None:
    document: dict[str, Any] = {table.name: table.rows for table in _tables(scenario)}
    document[SETTINGS_SHEET] = scenario.settings.model_dump()
    text = json.dumps(document, ensure_ascii=False, indent=2, default=_json_value)
    atomic_write_text(path, text + "\n")


def _json_value(value: Any) -> str:
    """JSON has no date type: dates (``periods.start``) go as ISO text, which reads back."""
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} to JSON")


# --------------------------------------------------------------------------- xlsx

_EXACT_INT_LIMIT = 10**15
"""Larger integers lose digits in a spreadsheet number; they are written as text."""


def _sheet_cell(sheet: WriteOnlyWorksheet, value: Any) -> Any:
    """A value a workbook stores exactly: numbers as numbers where Excel keeps every digit.

    openpyxl writes floats with 16 significant digits and turns text starting with ``=``
    into a formula; such values are written as text cells instead, which read back the same.
    """
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, float) and float(f"{value:.16g}") != value:
        return repr(value)
    if isinstance(value, int) and abs(value) >= _EXACT_INT_LIMIT:
        return str(value)
    if isinstance(value, str) and value.startswith("="):
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"
        return cell
    return value


def _write_workbook(scenario: Scenario, path: Path) -> None:
    workbook = openpyxl.Workbook(write_only=True)
    for table in _tables(scenario):
        sheet = workbook.create_sheet(table.name)
        sheet.append(table.columns)
        for number, row in enumerate(table.rows, start=1):
            cells = [_sheet_cell(sheet, row.get(column)) for column in table.columns]
            try:
                sheet.append(cells)
            except IllegalCharacterError:
                raise ValueError(
                    f"{table.name} row {number}: text with control characters cannot be "
                    "stored in a workbook"
                ) from None
    settings = workbook.create_sheet(SETTINGS_SHEET)
    settings.append(["setting", "value"])
    for key, value in scenario.settings.flat().items():
        settings.append([key, _sheet_cell(settings, value)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    atomic_write_bytes(path, buffer.getvalue())
