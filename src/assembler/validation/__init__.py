"""From raw tables to a valid ``Scenario``, or to the list of everything that is wrong.

Readers (``assembler.io``) only turn files into raw tables: rows of cells that may be
strings (CSV), native values (JSON, xlsx) or missing.  This module owns every rule of
MODEL.md §2 so the three input formats cannot drift apart.  It works in stages:

1. cells: each known column is parsed and range-checked here, with a message a planner
   can act on, so pydantic's own ``ValidationError`` never reaches anyone;
2. tables: duplicate keys, references between tables, the unit tree, missions without
   needs, contradictory locks — all collected, never stopping at the first;
3. model: only when nothing above failed are the row models and the ``Scenario`` built,
   and the questions that need the whole scenario (impossible pins, needs nobody can
   fill, uncoverable operations) are asked through ``Eligibility``.  Asked of broken
   data they would report consequences of earlier errors rather than causes.
"""

from __future__ import annotations

import difflib
import json
import math
import operator
import types
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from enum import Enum, StrEnum
from typing import Any, Final, get_args

import annotated_types
from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from assembler.compile.eligibility import Eligibility
from assembler.domain.problems import Problem, error, warning
from assembler.domain.scenario import (
    REQUIRED_TABLES,
    TABLE_ROW_TYPES,
    LockKind,
    Mission,
    MissionNeed,
    Person,
    Scenario,
)
from assembler.domain.settings import ModelSettings, Weights

# --------------------------------------------------------------------------- raw input


@dataclass(frozen=True)
class Layout:
    """How one input format names its tables, so messages use the names the planner sees."""

    kind: str
    """What holds one table: ``file``, ``sheet`` or ``array``."""
    suffix: str
    """Appended to the table name to get the source name (``.csv`` for files)."""
    container: str
    """What holds the tables: ``folder``, ``zip archive``, ``workbook``, ``JSON document``."""

    def source(self, table: str) -> str:
        return table + self.suffix


CSV_FOLDER: Final = Layout("file", ".csv", "folder")
ZIP_ARCHIVE: Final = Layout("file", ".csv", "zip archive")
WORKBOOK: Final = Layout("sheet", "", "workbook")
JSON_DOCUMENT: Final = Layout("array", "", "JSON document")


@dataclass(frozen=True)
class RawTable:
    """One table as read, before any typing: ``rows[i]`` is data row ``i + 1``.

    Rows map column names to cells (``str`` from CSV, native values from JSON/xlsx, ``None``
    for an empty cell); a row may lack a column (a short CSV line, a JSON object without
    the key), which reads as an empty cell.  Blank rows are kept so numbering matches the
    file; they are skipped here.  ``has_header`` is false for JSON, whose arrays have no
    header row: an empty array then says nothing about columns.
    """

    name: str
    source: str
    columns: tuple[str, ...]
    rows: Sequence[Mapping[str, Any]]
    has_header: bool = True


@dataclass(frozen=True)
class RawSettings:
    """Settings as read, flattened to dotted keys (``weights.value``), with their origin."""

    source: str
    values: Mapping[str, Any]
    rows: Mapping[str, int] = field(default_factory=dict)


@dataclass
class RawScenario:
    """Everything a reader found; ``unreadable`` tables exist but were already reported."""

    layout: Layout
    tables: dict[str, RawTable] = field(default_factory=dict)
    unreadable: set[str] = field(default_factory=set)
    settings: RawSettings | None = None
    problems: list[Problem] = field(default_factory=list)


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


# --------------------------------------------------------------------------- cells


class CellError(ValueError):
    """A cell that cannot be read as its column's type; ``reason`` completes the message."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def cell_text(raw: Any) -> str:
    """A cell as text: how unknown columns are kept and how values are shown in messages.

    Integral floats lose their ``.0`` because spreadsheets store every number as a float,
    so an id typed as ``7`` must read as ``"7"``.
    """
    if isinstance(raw, str):
        return raw
    if raw is None:
        return ""
    if isinstance(raw, bool):
        return "true" if raw else "false"
    if isinstance(raw, int):
        return str(raw)
    if isinstance(raw, float):
        return str(int(raw)) if raw.is_integer() else repr(raw)
    if isinstance(raw, datetime | date | time):
        return raw.isoformat()
    return json.dumps(raw, ensure_ascii=False, default=str)


def is_blank(raw: Any) -> bool:
    """Empty cell: takes the column's default (whitespace counts as empty)."""
    return raw is None or (isinstance(raw, str) and not raw.strip())


def _blank_row(row: Mapping[str, Any]) -> bool:
    """Every cell empty: a spacer line, skipped (a loop, not ``all``: it runs once per row)."""
    for cell in row.values():
        if cell is not None and (cell.__class__ is not str or cell.strip()):
            return False
    return True


_TRUE: Final = frozenset({"true", "yes", "1"})
_FALSE: Final = frozenset({"false", "no", "0"})


def _number(raw: Any) -> float:
    if isinstance(raw, bool):
        raise CellError("is not a number")
    if isinstance(raw, int | float):
        value = float(raw)
    elif isinstance(raw, str):
        try:
            value = float(raw)
        except ValueError:
            hint = " (use a dot as decimal separator)" if _decimal_comma(raw) else ""
            raise CellError(f"is not a number{hint}") from None
    else:
        raise CellError("is not a number")
    if not math.isfinite(value):
        raise CellError("must be a finite number")
    return value


def _decimal_comma(text: str) -> bool:
    try:
        float(text.replace(",", "."))
    except ValueError:
        return False
    return True


def _integer(raw: Any) -> int:
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    if isinstance(raw, str):
        try:
            return int(raw)
        except ValueError:
            pass
    value = _number(raw)
    if not value.is_integer():
        raise CellError("must be a whole number")
    return int(value)


def _date(raw: Any) -> date:
    """An ISO date (``2027-01-01``); a spreadsheet's date cell arrives as a datetime."""
    if isinstance(raw, datetime):
        if raw.time() != time():
            raise CellError("must be a date without a time of day")
        return raw.date()
    if isinstance(raw, date):
        return raw
    if isinstance(raw, str):
        try:
            return date.fromisoformat(raw.strip())
        except ValueError:
            pass
    raise CellError("must be a date written YYYY-MM-DD")


def _boolean(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, int | float) and raw in (0, 1):
        return bool(raw)
    if isinstance(raw, str):
        word = raw.strip().lower()
        if word in _TRUE:
            return True
        if word in _FALSE:
            return False
    raise CellError("must be true/false/yes/no/1/0")


_COMPARE: Final[dict[str, Callable[[Any, Any], bool]]] = {
    ">": operator.gt,
    "≥": operator.ge,
    "<": operator.lt,
    "≤": operator.le,
}


class _Kind(Enum):
    TEXT = "text"
    ID = "id"
    FLOAT = "float"
    INT = "int"
    BOOL = "bool"
    CHOICE = "choice"
    DATE = "date"


@dataclass(frozen=True)
class Column:
    """A typed column (or setting), derived from a pydantic field so the two never disagree.

    Identifiers are the ``str`` fields that must not be empty or may be absent; they are
    stripped.  Other ``str`` fields (names) are free text kept exactly as given.
    """

    name: str
    kind: _Kind
    required: bool
    default: Any
    choices: type[StrEnum] | None = None
    bounds: tuple[tuple[Callable[[Any, Any], bool], float], ...] = ()
    range_reason: str = ""

    @classmethod
    def of(cls, name: str, info: FieldInfo) -> Column:
        annotation = info.annotation
        nullable = False
        if isinstance(annotation, types.UnionType):
            args = [arg for arg in get_args(annotation) if arg is not type(None)]
            nullable = len(args) < len(get_args(annotation))
            (annotation,) = args
        bounds: dict[str, float] = {}
        non_empty = False
        for meta in info.metadata:
            if isinstance(meta, annotated_types.Gt):
                bounds[">"] = float(meta.gt)  # type: ignore[arg-type]
            elif isinstance(meta, annotated_types.Ge):
                bounds["≥"] = float(meta.ge)  # type: ignore[arg-type]
            elif isinstance(meta, annotated_types.Lt):
                bounds["<"] = float(meta.lt)  # type: ignore[arg-type]
            elif isinstance(meta, annotated_types.Le):
                bounds["≤"] = float(meta.le)  # type: ignore[arg-type]
            elif isinstance(meta, annotated_types.MinLen):
                non_empty = True
        choices: type[StrEnum] | None = None
        if annotation is bool:
            kind = _Kind.BOOL
        elif annotation is date:
            kind = _Kind.DATE
        elif annotation is int:
            kind = _Kind.INT
        elif annotation is float:
            kind = _Kind.FLOAT
        elif isinstance(annotation, type) and issubclass(annotation, StrEnum):
            kind, choices = _Kind.CHOICE, annotation
        elif annotation is str:
            kind = _Kind.ID if non_empty or nullable else _Kind.TEXT
        else:
            raise TypeError(f"no cell parser for field {name}: {annotation}")
        if set(bounds) == {"≥", "≤"}:
            range_reason = f"must be from {bounds['≥']:g} to {bounds['≤']:g}"
        else:
            range_reason = "must be " + " and ".join(
                f"{op} {limit:g}" for op, limit in bounds.items()
            )
        return cls(
            name,
            kind,
            info.is_required(),
            None if info.is_required() else info.default,
            choices,
            tuple((_COMPARE[op], limit) for op, limit in bounds.items()),
            range_reason,
        )

    def parse(self, raw: Any) -> Any:
        """The typed value of a cell (the default when blank); raises ``CellError``.

        Written for speed on the common case — a CSV string — since it runs once per cell
        and scenarios reach a few hundred thousand cells.
        """
        kind = self.kind
        if raw.__class__ is str:
            text = raw if kind is _Kind.TEXT else raw.strip()
            if not text:
                return self._blank()
            if kind is _Kind.TEXT or kind is _Kind.ID:
                return text
        elif raw is None:
            return self._blank()
        if kind is _Kind.TEXT:
            return cell_text(raw)
        if kind is _Kind.ID:
            return cell_text(raw).strip()
        if kind is _Kind.BOOL:
            return _boolean(raw)
        if kind is _Kind.DATE:
            return _date(raw)
        if kind is _Kind.CHOICE:
            return self._choice(raw)
        value = _integer(raw) if kind is _Kind.INT else _number(raw)
        for holds, limit in self.bounds:
            if not holds(value, limit):
                raise CellError(self.range_reason)
        return value

    def _blank(self) -> Any:
        if self.required:
            raise CellError("is empty, but a value is required")
        return self.default

    def _choice(self, raw: Any) -> StrEnum:
        assert self.choices is not None
        word = cell_text(raw).strip().lower()
        allowed = [member.value for member in self.choices]
        if word in allowed:
            return self.choices(word)
        listed = ", ".join(allowed[:-1]) + f" or {allowed[-1]}"
        raise CellError(f"unknown {self.name}: must be {listed}{did_you_mean(word, allowed)}")


COLUMNS: Final[dict[str, dict[str, Column]]] = {
    table: {name: Column.of(name, info) for name, info in model.model_fields.items()}
    for table, model in TABLE_ROW_TYPES.items()
}
"""Table → its known columns, in model order (the order tables are written in)."""

SETTINGS: Final[dict[str, Column]] = {
    name: Column.of(name, info)
    for name, info in ModelSettings.model_fields.items()
    if name != "weights"
} | {
    f"weights.{name}": Column.of(f"weights.{name}", info)
    for name, info in Weights.model_fields.items()
}
"""Flat setting key (``weights.value`` for weights) → its column; the keys a file may set."""


def did_you_mean(value: str, options: Iterable[str]) -> str:
    """`` (did you mean 'X'?)`` for the closest option, or nothing when none is close.

    Case is ignored when comparing: ``Unit_ID`` for ``unit_id`` is the commonest slip.
    """
    by_folded = {option.casefold(): option for option in options}
    matches = difflib.get_close_matches(value.casefold(), list(by_folded), n=1)
    return f" (did you mean {by_folded[matches[0]]!r}?)" if matches else ""


def flatten_settings(
    mapping: Mapping[str, Any], source: str
) -> tuple[dict[str, Any], list[Problem]]:
    """``{"weights": {"value": 5}}`` → ``{"weights.value": 5}``: one key shape for all sources."""
    flat: dict[str, Any] = {}
    problems: list[Problem] = []
    for key, value in mapping.items():
        if key == "weights":
            if isinstance(value, Mapping):
                flat.update({f"weights.{name}": weight for name, weight in value.items()})
            else:
                problems.append(
                    error(
                        source,
                        "must be a table of weights (value, preference, assignment)",
                        column=key,
                        value=cell_text(value),
                    )
                )
        else:
            flat[str(key)] = value
    return flat, problems


# --------------------------------------------------------------------------- tables

_KEYS: Final[dict[str, tuple[str, ...]]] = {
    "people": ("person_id",),
    "missions": ("mission_id",),
    "units": ("unit_id",),
    "skills": ("skill_id",),
    "capabilities": ("capability_id",),
    "person_skills": ("person_id", "skill_id"),
    "mission_needs": ("mission_id", "skill_id"),
    "ops_demand": ("unit_id", "skill_id"),
}
"""What must be unique in each table (MODEL.md §2: ids, and "at most one row per …")."""

_REFERENCES: Final[tuple[tuple[str, str, str], ...]] = (
    ("people", "unit_id", "unit"),
    ("person_skills", "person_id", "person"),
    ("person_skills", "skill_id", "skill"),
    ("missions", "owner_unit", "unit"),
    ("mission_needs", "mission_id", "mission"),
    ("mission_needs", "skill_id", "skill"),
    ("units", "parent_id", "unit"),
    ("ops_demand", "unit_id", "unit"),
    ("ops_demand", "skill_id", "skill"),
    ("mission_capabilities", "mission_id", "mission"),
    ("mission_capabilities", "capability_id", "capability"),
    ("preferences", "person_id", "person"),
    ("preferences", "mission_id", "mission"),
    ("locks", "person_id", "person"),
    ("locks", "mission_id", "mission"),
)
"""(table, column, kind of thing it names): every reference that must resolve."""

_NON_EMPTY: Final = {"people": "person", "missions": "mission"}
"""Required tables that must also have rows: a scenario without people or missions is moot."""

_SUGGESTION_BUDGET: Final = 300_000
"""How many id comparisons did-you-mean may spend in one validation: a file with thousands of
wrong ids against ten thousand people must still be reported in well under a second."""


@dataclass(frozen=True)
class _Row:
    """A row's typed values; a cell that failed to parse is simply absent from ``values``."""

    number: int
    values: dict[str, Any]


@dataclass(frozen=True)
class _Target:
    """The ids a reference may name, and how to say where they come from."""

    ids: Collection[str]
    where: str


def validate(raw: RawScenario, overrides: Mapping[str, Any] | None = None) -> ScenarioReport:
    """Check everything MODEL.md §2 asks of a scenario; build it only if nothing is wrong."""
    return _Validation(raw).run(overrides or {})


class _Validation:
    def __init__(self, raw: RawScenario) -> None:
        self.raw = raw
        self.layout = raw.layout
        self.problems: list[Problem] = list(raw.problems)
        self.rows: dict[str, list[_Row]] = {}
        self.usable: dict[str, set[str]] = {}
        """Per table read, the columns whose values can be trusted to exist (not missing)."""
        self.suggestion_budget = _SUGGESTION_BUDGET

    # ---------------------------------------------------------------- driver

    def run(self, overrides: Mapping[str, Any]) -> ScenarioReport:
        settings = self.settings(overrides)
        for name in TABLE_ROW_TYPES:
            self.read_table(name)
        self.check_keys()
        self.check_references()
        self.check_unit_tree()
        self.check_missions_have_needs()
        self.check_locks()
        self.check_summed_duplicates()
        if self.has_errors():
            return self.report(None)
        scenario = self.build(settings)
        if scenario is None:
            return self.report(None)
        self.check_with_eligibility(scenario)
        return self.report(None if self.has_errors() else scenario)

    def has_errors(self) -> bool:
        return any(problem.is_error for problem in self.problems)

    def report(self, scenario: Scenario | None) -> ScenarioReport:
        return ScenarioReport(scenario, tuple(self.problems))

    def add(self, problem: Problem) -> None:
        self.problems.append(problem)

    def source(self, table: str) -> str:
        raw = self.raw.tables.get(table)
        return raw.source if raw is not None else self.layout.source(table)

    def suggest(self, value: str, options: Collection[str]) -> str:
        if self.suggestion_budget < len(options):
            return ""
        self.suggestion_budget -= len(options)
        return did_you_mean(value, options)

    # ---------------------------------------------------------------- settings

    def settings(self, overrides: Mapping[str, Any]) -> ModelSettings:
        """File settings, then the caller's overrides on top, each checked like a cell."""
        from_file: dict[str, Any] = {}
        if self.raw.settings is not None:
            found = self.raw.settings
            from_file = self.parse_settings(found.values, found.source, found.rows)
        flat, problems = flatten_settings(overrides, "settings")
        self.problems.extend(problems)
        given = {key: value for key, value in flat.items() if value is not None}
        from_caller = self.parse_settings(given, "settings", {})
        try:
            return ModelSettings().with_overrides(from_file).with_overrides(from_caller)
        except ValidationError as exc:
            for item in exc.errors():
                key = ".".join(str(part) for part in item["loc"])
                self.add(error("settings", item["msg"], column=key))
            return ModelSettings()

    def parse_settings(
        self, values: Mapping[str, Any], source: str, rows: Mapping[str, int]
    ) -> dict[str, Any]:
        parsed: dict[str, Any] = {}
        for key, raw in values.items():
            column = SETTINGS.get(key)
            if column is None:
                reason = "unknown setting" + (
                    did_you_mean(key, SETTINGS) or f"; known settings: {', '.join(SETTINGS)}"
                )
                self.add(error(source, reason, row=rows.get(key), column=key))
                continue
            if is_blank(raw):
                continue
            if isinstance(raw, Mapping | list):
                self.add(error(source, "must be a single value", row=rows.get(key), column=key))
                continue
            try:
                parsed[key] = column.parse(raw)
            except CellError as exc:
                self.add(
                    error(source, exc.reason, row=rows.get(key), column=key, value=cell_text(raw))
                )
        return parsed

    # ---------------------------------------------------------------- cells

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
                error(
                    table.source, self.missing_column_reason(column_name, table), column=column_name
                )
            )
        usable = [column for column in columns.values() if column.name not in missing]
        self.usable[name] = {column.name for column in usable}
        parsed: list[_Row] = []
        extras = [column for column in table.columns if column not in columns]
        for number, row in enumerate(table.rows, start=1):
            if _blank_row(row):
                continue
            parsed.append(self.read_row(table, number, row, usable, extras))
        self.rows[name] = parsed
        if name in _NON_EMPTY and not parsed and not missing:
            self.add(
                error(
                    table.source,
                    f"has no data rows: a scenario needs at least one {_NON_EMPTY[name]}",
                )
            )

    def missing_column_reason(self, column: str, table: RawTable) -> str:
        reason = "required column is missing"
        others = [name for name in table.columns if name not in COLUMNS[table.name]]
        hint = did_you_mean(column, others)
        if not hint and len(table.columns) == 1 and ";" in table.columns[0]:
            hint = " (the header looks ';'-separated: save the file with commas as separators)"
        return reason + hint

    def read_row(
        self,
        table: RawTable,
        number: int,
        row: Mapping[str, Any],
        usable: Sequence[Column],
        extras: Sequence[str],
    ) -> _Row:
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
        if table.name in ("missions", "capabilities"):
            self.check_row(table.source, number, values)
        return _Row(number, values)

    def check_row(self, source: str, number: int, values: Mapping[str, Any]) -> None:
        """Rules between two cells of one row."""
        min_team, max_team = values.get("min_team"), values.get("max_team")
        if min_team is not None and max_team is not None and max_team < min_team:
            self.add(
                error(
                    source,
                    f"max_team must be ≥ min_team ({min_team})",
                    row=number,
                    column="max_team",
                    value=str(max_team),
                )
            )
        capacity, reserved = values.get("capacity"), values.get("ops_reserved")
        if capacity is not None and reserved is not None and reserved > capacity:
            self.add(
                error(
                    source,
                    f"ops_reserved must be ≤ capacity ({capacity})",
                    row=number,
                    column="ops_reserved",
                    value=str(reserved),
                )
            )

    # ---------------------------------------------------------------- tables

    def check_keys(self) -> None:
        for name, key in _KEYS.items():
            if name not in self.rows or not set(key) <= self.usable[name]:
                continue
            first: dict[tuple[Any, ...], int] = {}
            for row in self.rows[name]:
                get = row.values.get
                values = (get(key[0]),) if len(key) == 1 else (get(key[0]), get(key[1]))
                if None in values:
                    continue
                seen = first.setdefault(values, row.number)
                if seen == row.number:
                    continue
                if len(key) == 1:
                    reason = f"duplicate {key[0]}: already used on row {seen}"
                else:
                    pair = ", ".join(key)
                    reason = (
                        f"duplicate ({pair}) = {values!r}: already on row {seen}; "
                        f"at most one row per ({pair})"
                    )
                self.add(
                    error(
                        self.source(name), reason, row=row.number, column=key[-1], value=values[-1]
                    )
                )

    def targets(self) -> dict[str, _Target | None]:
        """What each kind of reference may name; ``None`` when that is unknowable."""
        layout = self.layout
        units: _Target | None
        if "units" in self.rows:
            units = self.id_target("units", "unit_id", f"not a unit_id in {self.source('units')}")
        else:
            units = self.id_target(
                "people",
                "unit_id",
                f"not the unit of anyone in {self.source('people')} (there is no units "
                f"{layout.kind})",
            )
        skills = None
        if "skills" in self.rows:
            skills = self.id_target("skills", "skill_id", f"not listed in {self.source('skills')}")
        capabilities: _Target | None = _Target(
            frozenset(), f"there is no {layout.source('capabilities')} {layout.kind}"
        )
        if "capabilities" in self.rows:
            capabilities = self.id_target(
                "capabilities",
                "capability_id",
                f"not a capability_id in {self.source('capabilities')}",
            )
        return {
            "unit": units,
            "skill": skills,
            "capability": capabilities,
            "person": self.id_target(
                "people", "person_id", f"not a person_id in {self.source('people')}"
            ),
            "mission": self.id_target(
                "missions", "mission_id", f"not a mission_id in {self.source('missions')}"
            ),
        }

    def id_target(self, table: str, column: str, where: str) -> _Target | None:
        if table not in self.rows or column not in self.usable[table]:
            return None
        return _Target(
            {row.values[column] for row in self.rows[table] if column in row.values}, where
        )

    def check_references(self) -> None:
        targets = self.targets()
        for table, column, kind in _REFERENCES:
            target = targets[kind]
            if target is None or table not in self.rows or column not in self.usable[table]:
                continue
            for row in self.rows[table]:
                value = row.values.get(column)
                if value is None or value in target.ids:
                    continue
                reason = f"unknown {kind}: {target.where}{self.suggest(value, target.ids)}"
                self.add(
                    error(self.source(table), reason, row=row.number, column=column, value=value)
                )

    def check_unit_tree(self) -> None:
        """Follow parent links once from every unit; a walk that meets itself is a cycle."""
        if "units" not in self.rows or not {"unit_id", "parent_id"} <= self.usable["units"]:
            return
        parent: dict[str, str] = {}
        number: dict[str, int] = {}
        for row in self.rows["units"]:
            child, up = row.values.get("unit_id"), row.values.get("parent_id")
            if child is not None and child not in number:
                number[child] = row.number
                if up is not None:
                    parent[child] = up
        done: set[str] = set()
        for start in number:
            path: dict[str, None] = {}
            unit: str | None = start
            while unit is not None and unit not in done and unit not in path:
                path[unit] = None
                unit = parent.get(unit)
            done.update(path)
            if unit is None or unit not in path:
                continue
            ring = list(path)[list(path).index(unit) :]
            first = min(range(len(ring)), key=lambda i: number[ring[i]])
            ring = ring[first:] + ring[:first]
            shown = " → ".join([*ring, ring[0]])
            self.add(
                error(
                    self.source("units"),
                    f"the unit tree has a cycle: {shown}",
                    row=number[ring[0]],
                    column="parent_id",
                    value=parent[ring[0]],
                )
            )

    def check_missions_have_needs(self) -> None:
        if "missions" not in self.rows or "mission_needs" not in self.rows:
            return
        if "mission_id" not in self.usable["mission_needs"]:
            return
        needed = {row.values.get("mission_id") for row in self.rows["mission_needs"]}
        for row in self.rows["missions"]:
            mission = row.values.get("mission_id")
            if mission is not None and mission not in needed:
                self.add(
                    error(
                        self.source("missions"),
                        "mission has no needs: give it at least one row in "
                        + self.source("mission_needs"),
                        row=row.number,
                        column="mission_id",
                        value=mission,
                    )
                )

    def check_locks(self) -> None:
        if "locks" not in self.rows:
            return
        kinds: dict[tuple[str, str], dict[LockKind, int]] = defaultdict(dict)
        for row in self.rows["locks"]:
            person, mission, lock = (
                row.values.get(key) for key in ("person_id", "mission_id", "lock")
            )
            if person is None or mission is None or lock is None:
                continue
            seen = kinds[person, mission]
            seen.setdefault(lock, row.number)
            other = LockKind.FORBID if lock is LockKind.PIN else LockKind.PIN
            if other in seen and seen[lock] == row.number:
                self.add(
                    error(
                        self.source("locks"),
                        f"person {person!r} is both pinned to and forbidden from mission "
                        f"{mission!r} (see row {seen[other]})",
                        row=row.number,
                        column="lock",
                        value=lock.value,
                    )
                )

    def check_summed_duplicates(self) -> None:
        """Repeated preference or capability rows are legal but easy to enter by mistake:
        the model adds them up (MODEL.md sums over rows), so say so."""
        for table, second, what in (
            ("preferences", "mission_id", "a preference for {1!r} by {0!r}"),
            ("mission_capabilities", "capability_id", "{0!r} using capability {1!r}"),
        ):
            first_key = "person_id" if table == "preferences" else "mission_id"
            first: dict[tuple[str, str], int] = {}
            for row in self.rows.get(table, ()):
                key = (row.values.get(first_key), row.values.get(second))
                if key[0] is None or key[1] is None:
                    continue
                seen = first.setdefault((key[0], key[1]), row.number)
                if seen != row.number:
                    self.add(
                        warning(
                            self.source(table),
                            f"{what.format(*key)} is already stated on row {seen}; "
                            "both rows are added up",
                            row=row.number,
                            column=second,
                            value=key[1],
                        )
                    )

    # ---------------------------------------------------------------- model

    def build(self, settings: ModelSettings) -> Scenario | None:
        tables: dict[str, tuple[BaseModel, ...]] = {}
        for name, model in TABLE_ROW_TYPES.items():
            if name not in self.rows:
                continue
            built: list[BaseModel] = []
            for row in self.rows[name]:
                try:
                    built.append(model.model_validate(row.values))
                except ValidationError as exc:  # a rule this module missed: still no traceback
                    self.add_validation_error(self.source(name), row.number, exc)
            tables[name] = tuple(built)
        if self.has_errors():
            return None
        try:
            return Scenario.model_validate({**tables, "settings": settings})
        except ValidationError as exc:
            self.add_validation_error("scenario", None, exc)
            return None

    def add_validation_error(self, source: str, number: int | None, exc: ValidationError) -> None:
        for item in exc.errors():
            column = ".".join(str(part) for part in item["loc"]) or None
            self.add(error(source, item["msg"], row=number, column=column))

    def check_with_eligibility(self, scenario: Scenario) -> None:
        # A shallow copy takes the cached properties Eligibility fills in (``parent_of``), so
        # the scenario handed back stays as fresh as one built directly.
        eligibility = Eligibility(scenario.model_copy())
        needs: dict[str, list[tuple[int, MissionNeed]]] = defaultdict(list)
        for number, need in zip(self.numbers("mission_needs"), scenario.mission_needs, strict=True):
            needs[need.mission_id].append((number, need))
        self.check_pins(scenario, eligibility, needs)
        self.check_needs_fillable(scenario, eligibility, needs)
        self.check_operations(scenario, eligibility)

    def numbers(self, table: str) -> list[int]:
        return [row.number for row in self.rows.get(table, ())]

    def check_pins(
        self,
        scenario: Scenario,
        eligibility: Eligibility,
        needs: Mapping[str, Sequence[tuple[int, MissionNeed]]],
    ) -> None:
        missions = {mission.mission_id: mission for mission in scenario.missions}
        pins: dict[str, list[int]] = defaultdict(list)
        source = self.source("locks")
        for number, lock in zip(self.numbers("locks"), scenario.locks, strict=True):
            if lock.lock is not LockKind.PIN:
                continue
            pins[lock.person_id].append(number)
            person = eligibility.person_by_id[lock.person_id]
            mission = missions[lock.mission_id]
            mission_needs = [need for _, need in needs[mission.mission_id]]
            if not eligibility.eligible_for_mission(person, mission, mission_needs):
                why = _why_not_eligible(eligibility, person, mission, mission_needs)
                self.add(
                    error(
                        source,
                        f"impossible pin: {person.person_id!r} is not eligible for any need of "
                        f"mission {mission.mission_id!r}: {why}",
                        row=number,
                        column="person_id",
                        value=person.person_id,
                    )
                )
        default = scenario.settings.max_missions_default
        for person_id, numbers in pins.items():
            person = eligibility.person_by_id[person_id]
            limit = default if person.max_missions is None else person.max_missions
            if len(numbers) > limit:
                self.add(
                    warning(
                        source,
                        f"{person_id!r} is pinned to {len(numbers)} mission(s) but may join "
                        f"at most {limit} (max_missions): the model will be infeasible",
                        row=numbers[-1],
                        column="person_id",
                        value=person_id,
                    )
                )

    def check_needs_fillable(
        self,
        scenario: Scenario,
        eligibility: Eligibility,
        needs: Mapping[str, Sequence[tuple[int, MissionNeed]]],
    ) -> None:
        """Warn about needs no one may ever fill: their mission can never be staffed.

        Holders of each skill are searched best level first, stopping at the first eligible
        one, which keeps this near-linear even with ten thousand people.
        """
        holders: dict[str, list[tuple[int, Person]]] = defaultdict(list)
        for row in scenario.person_skills:
            holders[row.skill_id].append((row.level, eligibility.person_by_id[row.person_id]))
        for ranked in holders.values():
            ranked.sort(key=lambda holder: -holder[0])
        for number, mission in zip(self.numbers("missions"), scenario.missions, strict=True):
            unfillable: list[str] = []
            for need_number, need in needs[mission.mission_id]:
                if _anyone_eligible(eligibility, mission, need, holders[need.skill_id]):
                    continue
                unfillable.append(need.skill_id)
                self.add(
                    warning(
                        self.source("mission_needs"),
                        f"nobody is eligible for this need ({need.skill_id} at level ≥ "
                        f"{need.min_level}{_condition(scenario, mission)}): mission "
                        f"{mission.mission_id!r} can never be staffed",
                        row=need_number,
                        column="skill_id",
                        value=need.skill_id,
                    )
                )
            if unfillable and mission.mandatory:
                self.add(
                    warning(
                        self.source("missions"),
                        "mandatory mission cannot be staffed: nobody is eligible for its "
                        f"need(s) in {', '.join(unfillable)}; the model will be infeasible",
                        row=number,
                        column="mandatory",
                        value="true",
                    )
                )

    def check_operations(self, scenario: Scenario, eligibility: Eligibility) -> None:
        """Warn about operational demand the unit's own people cannot protect (infeasible)."""
        settings = scenario.settings
        step, eps = settings.step_fte, 1e-9
        members: dict[str, list[Person]] = defaultdict(list)
        for person in scenario.people:
            members[person.unit_id].append(person)
        for number, demand in zip(self.numbers("ops_demand"), scenario.ops_demand, strict=True):
            able = [
                person
                for person in members[demand.unit_id]
                if eligibility.can_cover(person, demand)
            ]
            protected = math.ceil(demand.fte * (1 + settings.ops_buffer) / step - eps)
            available = sum(math.floor(person.fte / step + eps) for person in able)
            if not able:
                reason = (
                    f"nobody in unit {demand.unit_id!r} has {demand.skill_id} at level ≥ "
                    f"{demand.min_level}: this operational demand cannot be covered and the "
                    "model will be infeasible"
                )
            elif available < protected:
                reason = (
                    f"the people of unit {demand.unit_id!r} who can cover {demand.skill_id} have "
                    f"{available * step:g} FTE in all, less than the protected "
                    f"{protected * step:g} FTE (fte * (1 + ops_buffer)): the model will be "
                    "infeasible"
                )
            else:
                continue
            self.add(
                warning(
                    self.source("ops_demand"),
                    reason,
                    row=number,
                    column="skill_id",
                    value=demand.skill_id,
                )
            )


def _anyone_eligible(
    eligibility: Eligibility,
    mission: Mission,
    need: MissionNeed,
    ranked: Sequence[tuple[int, Person]],
) -> bool:
    for level, person in ranked:
        if level < need.min_level:
            return False
        if eligibility.is_eligible(person, mission, need):
            return True
    return False


def _condition(scenario: Scenario, mission: Mission) -> str:
    """The mission-level condition of MODEL.md §4 that narrows who may fill its needs."""
    if mission.is_network:
        if scenario.settings.network_opt_in_required:
            return ", among people who opted in to the network"
        return ""
    if mission.owner_unit is not None:
        return f", within the branch of unit {mission.owner_unit!r}"
    return ""


def _why_not_eligible(
    eligibility: Eligibility, person: Person, mission: Mission, needs: Sequence[MissionNeed]
) -> str:
    """The first condition of MODEL.md §4 that the person fails, in planner's terms."""
    settings = eligibility.settings
    if mission.is_network and settings.network_opt_in_required and not person.network_opt_in:
        return (
            f"{mission.change_type.value} missions take volunteers and this person has not opted in"
        )
    owner = None if mission.is_network else mission.owner_unit
    if owner is not None and person.unit_id not in eligibility.branch(owner):
        return f"unit {person.unit_id!r} is outside the branch of the owning unit {owner!r}"
    wanted = ", ".join(f"{need.skill_id} ≥ {need.min_level}" for need in needs)
    return f"the person lacks every skill it needs at the level required ({wanted})"
