"""Stage 1 of validation: one cell at a time, typed and range-checked.

Every known column (and every setting) is a ``Column`` derived from its pydantic field, so
the parser and the model can never disagree on a type or a bound (a bound that depends on
another cell of the row is left to a row rule: ``rules.RANGE_IN_ROW_RULES``).  A cell that
does not fit raises ``CellError`` with a reason a planner can act on; the caller adds where
it was.  Pydantic's own ``ValidationError`` thus never reaches anyone.
"""

from __future__ import annotations

import math
import operator
import types
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, time
from enum import Enum, StrEnum
from typing import Any, Final, get_args

import annotated_types
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from assembler.domain.scenario import TABLE_ROW_TYPES
from assembler.domain.settings import ModelSettings, Weights
from assembler.io.raw import cell_text
from assembler.text import did_you_mean
from assembler.validation.rules import RANGE_IN_ROW_RULES


class CellError(ValueError):
    """A cell that cannot be read as its column's type; ``reason`` completes the message."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def blank_row(row: Mapping[str, Any]) -> bool:
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


def _shown(limit: float) -> str:
    """A bound as a planner reads it: ``1,000,000,000`` rather than ``1e+09``."""
    return f"{int(limit):,}" if limit.is_integer() else f"{limit:g}"


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
            range_reason = f"must be from {_shown(bounds['≥'])} to {_shown(bounds['≤'])}"
        else:
            range_reason = "must be " + " and ".join(
                f"{op} {_shown(limit)}" for op, limit in bounds.items()
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


def _table_columns(table: str, model: type[BaseModel]) -> dict[str, Column]:
    """The columns of one table; those whose range a row rule checks keep only their type."""
    columns = {name: Column.of(name, info) for name, info in model.model_fields.items()}
    for name in RANGE_IN_ROW_RULES.get(table, ()):
        columns[name] = replace(columns[name], bounds=())
    return columns


COLUMNS: Final[dict[str, dict[str, Column]]] = {
    table: _table_columns(table, model) for table, model in TABLE_ROW_TYPES.items()
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
