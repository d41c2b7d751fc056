"""Readers: files in, raw tables out — every failure becomes a ``Problem``, never a traceback.

Each format (folder of CSVs, zip of CSVs, xlsx workbook, JSON document) is reduced to a
``RawScenario``; typing and checking the cells is left to ``assembler.validation`` so the
formats share one set of rules.  Readers only report what they alone can see: unreadable
files, bad encodings, broken syntax, misshapen headers, and files that are not tables.
"""

from __future__ import annotations

import csv
import io
import json
import tomllib
import warnings
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final

import openpyxl

from assembler.domain.problems import Problem, error, warning
from assembler.domain.scenario import TABLE_ROW_TYPES
from assembler.io.limits import (
    ByteBudget,
    LimitExceededError,
    ProblemLog,
    ReadLimits,
    ScenarioTooLargeError,
    check_archive,
)
from assembler.io.raw import (
    CSV_FOLDER,
    JSON_DOCUMENT,
    WORKBOOK,
    ZIP_ARCHIVE,
    Layout,
    RawScenario,
    RawSettings,
    RawTable,
    cell_text,
    flatten_settings,
    is_blank,
)
from assembler.io.sheets import sheet_rows
from assembler.text import did_you_mean

SETTINGS_FILE: Final = "scenario.toml"
SETTINGS_SHEET: Final = "settings"
"""The workbook sheet (and JSON key) holding settings: columns ``setting`` and ``value``."""

_Loader = Callable[[], bytes]
"""A file's bytes on demand; raises ``OSError`` or ``LimitExceededError``."""

_BLANK_ROW: Final[Mapping[str, Any]] = MappingProxyType({})
"""Every blank row between data rows: one shared empty row, not a dict per line."""


def read_raw(path: str | Path, limits: ReadLimits | None = None) -> RawScenario:
    """The raw tables of the scenario at ``path``, chosen by what ``path`` is.

    Reading stays within ``limits`` (by default ``ReadLimits.from_environment()``): what
    passes one is a problem naming the limit, like any other unreadable input.
    """
    limits = limits or ReadLimits.from_environment()
    source = Path(path)
    suffix = source.suffix.lower()
    budget = ByteBudget(limits)
    try:
        if source.is_dir():
            return _read_folder(source, budget)
        if not source.exists():
            return _unreadable(CSV_FOLDER, error(str(source), "no such file or folder"), limits)
        if suffix == ".xlsx":
            return _read_workbook(source, budget)
        if suffix == ".json":
            return _read_json(source, budget)
        if suffix == ".zip":
            return _read_zip(source, budget)
    except ScenarioTooLargeError as exc:
        layout = {".xlsx": WORKBOOK, ".json": JSON_DOCUMENT, ".zip": ZIP_ARCHIVE}
        return _unreadable(layout.get(suffix, CSV_FOLDER), error(source.name, exc.reason), limits)
    if suffix == ".csv":
        reason = "a scenario is a folder of CSV files: give the folder that holds this file"
    else:
        reason = "not a scenario: expected a folder of CSV files, a .zip, an .xlsx or a .json"
    return _unreadable(CSV_FOLDER, error(source.name, reason), limits)


def _unreadable(layout: Layout, problem: Problem, limits: ReadLimits) -> RawScenario:
    """A source that yields no table at all: one problem, not one per missing table."""
    return RawScenario(
        layout,
        unreadable=set(TABLE_ROW_TYPES),
        problems=ProblemLog([problem], limits.max_listed_problems),
    )


def _empty(layout: Layout, limits: ReadLimits) -> RawScenario:
    return RawScenario(layout, problems=ProblemLog(limit=limits.max_listed_problems))


# --------------------------------------------------------------------------- CSV


def _read_folder(folder: Path, budget: ByteBudget) -> RawScenario:
    limits = budget.limits
    try:
        entries = {
            child.name: _file_loader(child, budget) for child in folder.iterdir() if child.is_file()
        }
    except OSError as exc:
        reason = f"cannot be listed: {exc.strerror}"
        return _unreadable(CSV_FOLDER, error(folder.name, reason), limits)
    return _read_csv_files(entries, CSV_FOLDER, limits)


def _file_loader(path: Path, budget: ByteBudget) -> _Loader:
    def load() -> bytes:
        with path.open("rb") as stream:
            return budget.read(stream)

    return load


def _read_zip(path: Path, budget: ByteBudget) -> RawScenario:
    """A zip of CSV files, at the archive's root or inside its single top folder.

    Members are unpacked with a counter (``ByteBudget``): the sizes the archive declares
    are not trusted.
    """
    limits = budget.limits
    try:
        with zipfile.ZipFile(path) as archive:
            if len(archive.infolist()) > limits.max_archive_entries:
                reason = (
                    f"has {len(archive.infolist()):,} entries, more than "
                    f"{limits.max_archive_entries:,} (limit max_archive_entries); refused"
                )
                return _unreadable(ZIP_ARCHIVE, error(path.name, reason), limits)
            members = [
                info
                for info in archive.infolist()
                if not info.is_dir() and not _is_junk(info.filename)
            ]
            tops = {info.filename.split("/", 1)[0] for info in members}
            nested = len(tops) == 1 and all("/" in info.filename for info in members)
            prefix = f"{tops.pop()}/" if nested else ""
            contents: dict[str, bytes | Exception] = {}
            for info in members:
                name = info.filename.removeprefix(prefix)
                if "/" in name or not _wanted(name):
                    continue
                try:
                    with archive.open(info) as stream:
                        contents[name] = budget.read(stream, "unpacks to")
                except ScenarioTooLargeError:
                    raise
                except LimitExceededError as exc:
                    contents[name] = exc
                except Exception as exc:  # zipfile raises many kinds on corrupt members
                    contents[name] = OSError(f"the archive is damaged ({exc})")
    except (OSError, zipfile.BadZipFile) as exc:
        reason = f"is not a readable zip archive: {exc}"
        return _unreadable(ZIP_ARCHIVE, error(path.name, reason), limits)
    return _read_csv_files(
        {name: _replay(content) for name, content in contents.items()}, ZIP_ARCHIVE, limits
    )


def _is_junk(name: str) -> bool:
    """Metadata archivers add (``__MACOSX/``, ``.DS_Store``): never part of a scenario."""
    return any(part.startswith((".", "__MACOSX")) for part in name.split("/"))


def _wanted(name: str) -> bool:
    return name == SETTINGS_FILE or name.lower().endswith(".csv")


def _replay(content: bytes | Exception) -> _Loader:
    def load() -> bytes:
        if isinstance(content, Exception):
            raise content
        return content

    return load


def _read_csv_files(
    entries: Mapping[str, _Loader], layout: Layout, limits: ReadLimits
) -> RawScenario:
    """Tables ``<table>.csv`` and settings ``scenario.toml`` among the files of one folder."""
    raw = _empty(layout, limits)
    for name in sorted(entries):
        table = name.removesuffix(".csv")
        if name == SETTINGS_FILE:
            text = _load_text(entries[name], name, raw)
            if text is not None:
                raw.settings = _parse_toml(text, raw)
        elif table in TABLE_ROW_TYPES and name.endswith(".csv"):
            text = _load_text(entries[name], name, raw)
            parsed = None if text is None else _parse_csv(table, name, text, raw, limits)
            if parsed is None:
                raw.unreadable.add(table)
            else:
                raw.tables[table] = parsed
        elif name.lower().endswith(".csv"):
            stem = name[: -len(".csv")]
            hint = did_you_mean(stem, TABLE_ROW_TYPES) or (
                f"; the tables are {', '.join(TABLE_ROW_TYPES)}"
            )
            raw.problems.append(warning(name, f"not a table of the scenario, ignored{hint}"))
    return raw


def _load_text(load: _Loader, name: str, raw: RawScenario) -> str | None:
    try:
        data = load()
    except OSError as exc:
        raw.problems.append(error(name, f"cannot be read: {exc.strerror or exc}"))
        return None
    except ScenarioTooLargeError:
        raise
    except LimitExceededError as exc:
        raw.problems.append(error(name, exc.reason))
        return None
    return _decode(data, name, raw)


def _decode(data: bytes, name: str, raw: RawScenario) -> str | None:
    """UTF-8 text (a leading byte-order mark, as Excel writes, is dropped), or a problem."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raw.problems.append(
            error(
                name,
                f"is not UTF-8 text: byte 0x{data[exc.start]:02x} at offset {exc.start} "
                f"(line {line}) is invalid; save the file as UTF-8 (e.g. 'CSV UTF-8')",
            )
        )
        return None
    return text.removeprefix("\ufeff")


def _parse_csv(
    table: str, name: str, text: str, raw: RawScenario, limits: ReadLimits
) -> RawTable | None:
    try:
        return table_from_grid(
            table, name, csv.reader(io.StringIO(text, newline="")), raw.problems, limits
        )
    except csv.Error as exc:
        raw.problems.append(error(name, f"is not a readable CSV file: {exc}"))
        return None


def table_from_grid(
    table: str,
    source: str,
    grid: Iterable[Sequence[Any]],
    problems: list[Problem],
    limits: ReadLimits,
) -> RawTable | None:
    """A table from rows of cells whose first non-blank row is the header (CSV, a sheet).

    Data rows are numbered from the row after the header, blank ones included, so row
    numbers point at the right line of the file; blank rows after the last data row are
    dropped.  Columns without a header are dropped (spreadsheets add them) — with a
    warning if they hold anything.  ``None`` (with a problem) when the table has more
    columns or rows than ``limits`` allow: it is read lazily, so reading stops there.
    """
    rows = iter(grid)
    names = [cell_text(cell).strip() for cell in _header(rows)]
    positions = _columns(names, source, problems)
    if len(positions) > limits.max_columns:
        problems.append(
            error(
                source,
                f"has {len(positions):,} columns, more than the {limits.max_columns:,} one "
                "table may have (limit max_columns); not read",
            )
        )
        return None
    nameless = [index for index, column in enumerate(names) if not column]
    width = len(names)
    keys = tuple(positions)
    plain = list(positions.values()) == list(range(width))
    data: list[Mapping[str, Any]] = []
    blanks = 0  # blank rows not yet kept: only those before a data row are
    for number, cells in enumerate(rows, start=1):
        size = len(cells)
        if size == 0:
            blanks += 1
            continue
        if number > limits.max_rows:
            problems.append(
                error(
                    source,
                    f"row {number:,} holds data, past the {limits.max_rows:,} rows one table "
                    "may have (limit max_rows); not read",
                )
            )
            return None
        if blanks:
            data.extend([_BLANK_ROW] * blanks)
            blanks = 0
        if plain and size == width:  # the usual well-formed row, read the fast way
            data.append(dict(zip(keys, cells, strict=True)))
            continue
        _check_odd_row(cells, number, width, nameless, source, problems)
        data.append(
            {column: cells[index] if index < size else None for column, index in positions.items()}
        )
    return RawTable(table, source, keys, data)


def _header(rows: Iterator[Sequence[Any]]) -> Sequence[Any]:
    """The first row that is not blank (consumed from ``rows``), or none."""
    for cells in rows:
        if not all(is_blank(cell) for cell in cells):
            return cells
    return ()


def _columns(names: Sequence[str], source: str, problems: list[Problem]) -> dict[str, int]:
    """Each named column's position; a name given twice is read at its first place only,
    and said so."""
    positions: dict[str, int] = {}
    for index, column in enumerate(names):
        if not column:
            continue
        if column in positions:
            problems.append(
                error(
                    source,
                    f"column appears twice (also column {positions[column] + 1}); "
                    "only the first is read",
                    column=column,
                )
            )
            continue
        positions[column] = index
    return positions


def _check_odd_row(
    cells: Sequence[Any],
    number: int,
    width: int,
    nameless: list[int],
    source: str,
    problems: list[Problem],
) -> None:
    """Say what is wrong with a row not shaped like the header: more cells than columns
    (an error), values under a column without a header (a warning, once per column: it is
    taken off ``nameless``)."""
    size = len(cells)
    if size > width and not all(is_blank(cell) for cell in cells[width:]):
        problems.append(
            error(source, f"has {size} cells but the header names {width} columns", row=number)
        )
    for index in [i for i in nameless if i < size and not is_blank(cells[i])]:
        problems.append(
            warning(
                source, f"column {index + 1} has values but no header; it is ignored", row=number
            )
        )
        nameless.remove(index)


def _parse_toml(text: str, raw: RawScenario) -> RawSettings | None:
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raw.problems.append(error(SETTINGS_FILE, f"is not valid TOML: {exc}"))
        return None
    for key in document:
        if key != "settings":
            raw.problems.append(
                warning(SETTINGS_FILE, "ignored: only the [settings] table is read", column=key)
            )
    settings = document.get("settings", {})
    if not isinstance(settings, dict):
        raw.problems.append(error(SETTINGS_FILE, "must be a table ([settings])", column="settings"))
        return None
    values, problems = flatten_settings(settings, SETTINGS_FILE)
    raw.problems.extend(problems)
    return RawSettings(SETTINGS_FILE, values)


# --------------------------------------------------------------------------- xlsx


def _read_workbook(path: Path, budget: ByteBudget) -> RawScenario:
    """A workbook, its parts unpacked once with a counter before openpyxl opens them."""
    limits = budget.limits
    raw = _empty(WORKBOOK, limits)
    try:
        with zipfile.ZipFile(path) as archive:
            check_archive(archive, budget)
        with warnings.catch_warnings():
            # openpyxl warns about workbook features it drops (validation, styles): noise here
            warnings.simplefilter("ignore")
            workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
            try:
                for sheet in workbook.worksheets:
                    _add_sheet(raw, sheet, limits)
            finally:
                workbook.close()
    except LimitExceededError as exc:
        return _unreadable(WORKBOOK, error(path.name, exc.reason), limits)
    except Exception as exc:  # openpyxl fails in many ways on a corrupt or foreign file
        reason = f"is not a readable Excel workbook (.xlsx): {exc}"
        return _unreadable(WORKBOOK, error(path.name, reason), limits)
    return raw


def _add_sheet(raw: RawScenario, sheet: Any, limits: ReadLimits) -> None:
    title = sheet.title
    if title not in TABLE_ROW_TYPES and title != SETTINGS_SHEET:
        hint = did_you_mean(title, [*TABLE_ROW_TYPES, SETTINGS_SHEET])
        raw.problems.append(warning(title, f"not a table of the scenario, ignored{hint}"))
        return
    try:
        table = table_from_grid(
            title, title, sheet_rows(sheet, limits, raw.problems), raw.problems, limits
        )
    except LimitExceededError as exc:
        raw.problems.append(error(title, exc.reason))
        table = None
    if title == SETTINGS_SHEET:
        raw.settings = None if table is None else _settings_from_sheet(table, raw.problems)
    elif table is None:
        raw.unreadable.add(title)
    else:
        raw.tables[title] = table


def _settings_from_sheet(sheet: RawTable, problems: list[Problem]) -> RawSettings | None:
    """Settings as rows ``setting, value`` (weights as ``weights.value``): easy to edit."""
    missing = [column for column in ("setting", "value") if column not in sheet.columns]
    for column in missing:
        problems.append(error(sheet.source, "required column is missing", column=column))
    if missing:
        return None
    values: dict[str, Any] = {}
    rows: dict[str, int] = {}
    for number, row in enumerate(sheet.rows, start=1):
        key = cell_text(row.get("setting")).strip()
        if not key:
            if not is_blank(row.get("value")):
                problems.append(error(sheet.source, "setting name is empty", row=number))
            continue
        if key in rows:
            problems.append(
                error(
                    sheet.source,
                    f"setting given twice (also row {rows[key]})",
                    row=number,
                    column=key,
                )
            )
            continue
        values[key] = row.get("value")
        rows[key] = number
    return RawSettings(sheet.source, values, rows)


# --------------------------------------------------------------------------- JSON


def _read_json(path: Path, budget: ByteBudget) -> RawScenario:
    limits = budget.limits
    raw = _empty(JSON_DOCUMENT, limits)
    try:
        with path.open("rb") as stream:
            data = budget.read(stream)
    except OSError as exc:
        reason = f"cannot be read: {exc.strerror}"
        return _unreadable(JSON_DOCUMENT, error(path.name, reason), limits)
    except LimitExceededError as exc:
        return _unreadable(JSON_DOCUMENT, error(path.name, exc.reason), limits)
    text = _decode(data, path.name, raw)
    if text is None:
        raw.unreadable.update(TABLE_ROW_TYPES)
        return raw
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        reason = f"is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
        return _unreadable(JSON_DOCUMENT, error(path.name, reason), limits)
    except RecursionError:
        reason = "is not valid JSON: nested too deep"
        return _unreadable(JSON_DOCUMENT, error(path.name, reason), limits)
    if not isinstance(document, dict):
        reason = "must be a JSON object with one array of rows per table"
        return _unreadable(JSON_DOCUMENT, error(path.name, reason), limits)
    for key, value in document.items():
        if key in TABLE_ROW_TYPES:
            table = _json_table(key, value, raw.problems, limits)
            if table is None:
                raw.unreadable.add(key)
            else:
                raw.tables[key] = table
        elif key == SETTINGS_SHEET:
            if isinstance(value, dict):
                values, problems = flatten_settings(value, SETTINGS_SHEET)
                raw.problems.extend(problems)
                raw.settings = RawSettings(SETTINGS_SHEET, values)
            else:
                raw.problems.append(error(SETTINGS_SHEET, "must be an object of settings"))
        else:
            hint = did_you_mean(key, [*TABLE_ROW_TYPES, SETTINGS_SHEET])
            raw.problems.append(warning(key, f"not a table of the scenario, ignored{hint}"))
    return raw


def _json_table(
    name: str, value: Any, problems: list[Problem], limits: ReadLimits
) -> RawTable | None:
    if not isinstance(value, list):
        problems.append(error(name, "must be an array of row objects"))
        return None
    if len(value) > limits.max_rows:
        reason = (
            f"has {len(value):,} rows, more than the {limits.max_rows:,} one table may have "
            "(limit max_rows); not read"
        )
        problems.append(error(name, reason))
        return None
    rows: list[dict[str, Any]] = []
    columns: dict[str, None] = {}
    for number, row in enumerate(value, start=1):
        if isinstance(row, dict):
            rows.append(row)
            columns.update(dict.fromkeys(row))
        else:
            problems.append(
                error(name, "must be an object (one row)", row=number, value=cell_text(row))
            )
            rows.append({})
    if len(columns) > limits.max_columns:
        reason = (
            f"has {len(columns):,} columns, more than the {limits.max_columns:,} one table may "
            "have (limit max_columns); not read"
        )
        problems.append(error(name, reason))
        return None
    return RawTable(name, name, tuple(columns), rows, has_header=False)
