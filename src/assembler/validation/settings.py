"""Settings as validation reads them: from the file first, then the caller's overrides.

Both go through the same ``SETTINGS`` columns as cells do, so a bad value gets the same
message whether a file or a caller (the command line, the app's dials) gave it; only the
place named differs: the file, or ``settings`` for overrides.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from assembler.domain.problems import error
from assembler.domain.settings import ModelSettings
from assembler.io.raw import cell_text, flatten_settings, is_blank
from assembler.text import did_you_mean
from assembler.validation.cells import SETTINGS, CellError
from assembler.validation.rows import TypedTables


def read_settings(tables: TypedTables, overrides: Mapping[str, Any]) -> ModelSettings:
    """File settings, then ``overrides`` on top, each checked like a cell.

    Problems go to ``tables`` with the others; whatever is wrong falls back to the defaults
    so the tables can still be checked under some settings.
    """
    from_file: dict[str, Any] = {}
    if tables.raw.settings is not None:
        found = tables.raw.settings
        from_file = _parse(tables, found.values, found.source, found.rows)
    flat, problems = flatten_settings(overrides, "settings")
    tables.problems.extend(problems)
    given = {key: value for key, value in flat.items() if value is not None}
    from_caller = _parse(tables, given, "settings", {})
    try:
        return ModelSettings().with_overrides(from_file).with_overrides(from_caller)
    except ValidationError as exc:
        for item in exc.errors():
            key = ".".join(str(part) for part in item["loc"])
            tables.add(error("settings", item["msg"], column=key))
        return ModelSettings()


def _parse(
    tables: TypedTables, values: Mapping[str, Any], source: str, rows: Mapping[str, int]
) -> dict[str, Any]:
    parsed: dict[str, Any] = {}
    for key, raw in values.items():
        column = SETTINGS.get(key)
        if column is None:
            reason = "unknown setting" + (
                did_you_mean(key, SETTINGS) or f"; known settings: {', '.join(SETTINGS)}"
            )
            tables.add(error(source, reason, row=rows.get(key), column=key))
            continue
        if is_blank(raw):
            continue
        if isinstance(raw, Mapping | list):
            tables.add(error(source, "must be a single value", row=rows.get(key), column=key))
            continue
        try:
            parsed[key] = column.parse(raw)
        except CellError as exc:
            tables.add(
                error(source, exc.reason, row=rows.get(key), column=key, value=cell_text(raw))
            )
    return parsed
