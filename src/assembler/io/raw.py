"""Scenarios as read, before any typing: the hand-over from the readers to validation.

Readers only turn files into these raw tables and raw settings; ``assembler.validation``
types and checks them.  The types live here, with the readers, so that reading never
depends on the rules: validation imports io, never the other way round.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any, Final

from assembler.domain.problems import Problem, error
from assembler.io.limits import ProblemLog


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
    file; validation skips them.  ``has_header`` is false for JSON, whose arrays have no
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
    problems: list[Problem] = field(default_factory=ProblemLog)
    """A ``ProblemLog`` when a reader made it: each kind listed up to the limit, then counted."""


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
