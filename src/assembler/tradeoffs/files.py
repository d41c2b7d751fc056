"""Writing trade-off results: CSV (formatted like the §8 reports), Parquet, JSON and PNG.

Tables go through ``export.table_csv_bytes`` so numbers, booleans and formula-like text
(a variant's name is free text) are written exactly as in the solve reports; blanks stand
for figures a run without a plan does not have.  Every file is written atomically.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import altair as alt
import pandas as pd
import vl_convert

from assembler.io.atomic import atomic_write_bytes, atomic_write_text
from assembler.io.reports import summary_json, table_csv_bytes

PNG_SCALE = 2
"""Pixels per chart unit: sharp on a high-density screen or a slide."""


def write_csv(frame: pd.DataFrame, path: Path) -> Path:
    cells = frame.astype(object).where(frame.notna(), "")
    atomic_write_bytes(path, table_csv_bytes(cells))
    return path


def write_parquet(frame: pd.DataFrame, path: Path) -> Path:
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    atomic_write_bytes(path, buffer.getvalue())
    return path


def write_json(data: Mapping[str, Any], path: Path) -> Path:
    atomic_write_text(path, summary_json(data))
    return path


def write_png(chart: alt.TopLevelMixin, path: Path) -> Path:
    """A chart as a PNG rendered offline (``vl-convert`` bundles Vega; no browser, no CDN)."""
    atomic_write_bytes(path, vl_convert.vegalite_to_png(chart.to_dict(), scale=PNG_SCALE))
    return path
