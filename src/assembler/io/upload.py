"""Scenarios as bytes, for a browser: read an uploaded file, produce a downloadable one.

The readers and writers work on paths (a zip or workbook is read by suffix, and the formats
need random access), so bytes go through a private temporary directory that is removed
straight after.  The uploaded file keeps its own name there: problems then name the file
the planner chose (``plan.xlsx``), not a temporary one.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from assembler.domain.scenario import Scenario
from assembler.io.raw import RawScenario
from assembler.io.readers import read_raw
from assembler.io.writers import write_scenario

_FALLBACK_NAME = "upload"


def read_raw_upload(filename: str, data: bytes) -> RawScenario:
    """The raw tables of an uploaded scenario: a ``.zip`` of CSVs, an ``.xlsx`` or a ``.json``.

    Like ``read_raw`` it never raises for bad input; an unsupported suffix comes back as a
    problem too.  Only the last component of ``filename`` is used, and a hidden or dot-only
    name is replaced, so a browser-sent name cannot leave the temporary directory.
    """
    name = Path(filename.replace("\\", "/")).name
    if not name or name.startswith("."):
        name = _FALLBACK_NAME
    with tempfile.TemporaryDirectory(prefix="assembler-upload-") as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        return read_raw(path)


def scenario_bytes(scenario: Scenario, suffix: str = ".zip") -> bytes:
    """``scenario`` written as one file (``.zip`` of CSVs, ``.xlsx`` or ``.json``), as bytes.

    What ``assembler.validation.read_upload`` reads back to an equal scenario, so a
    planner's edits survive a download and a later upload.
    """
    if suffix not in (".zip", ".xlsx", ".json"):
        raise ValueError(f"a scenario file is .zip, .xlsx or .json, not {suffix!r}")
    with tempfile.TemporaryDirectory(prefix="assembler-download-") as folder:
        path = Path(folder) / f"scenario{suffix}"
        write_scenario(scenario, path)
        return path.read_bytes()
