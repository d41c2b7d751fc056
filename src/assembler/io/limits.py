"""What reading one scenario may cost, checked while reading and never taken from headers.

A scenario arrives from anyone who can reach the app or hand over a file, and each format
can promise little and deliver much: a zip entry declares 1,000 bytes and unpacks to
gigabytes, a workbook declares a sheet of 16,384 × 1,048,576 cells around one stray cell,
a CSV repeats one row millions of times and every copy is a problem to list.  So the
readers count what they actually decompress, stop a table at a number of rows, never pad
a sheet to its declared extent, and list only the first problems of each kind.

Every limit is a field of ``ReadLimits`` with a default far above any organisation the
solver can plan (10,000 people and 500 missions are a few MiB of CSV), and each has a
message of its own that names it.  An operator with larger scenarios raises a limit with
an environment variable ``ASSEMBLER_<FIELD>`` (``ASSEMBLER_MAX_FILE_BYTES=200000000``).
"""

from __future__ import annotations

import os
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from typing import IO, Final

from assembler.domain.problems import Problem, Severity

MIB: Final = 1024 * 1024
_CHUNK: Final = MIB
"""Bytes read at a time: small enough that a refused file costs at most one chunk more."""


@dataclass(frozen=True)
class ReadLimits:
    """Limits on reading one scenario; each is checked against what is really read."""

    max_file_bytes: int = 32 * MIB
    """Bytes of one file as read or unpacked: a CSV, the JSON document, a zip entry, one
    part of a workbook."""
    max_total_bytes: int = 128 * MIB
    """Bytes read or unpacked for the whole scenario, all its files together."""
    max_archive_entries: int = 1_000
    """Entries in a zip or workbook archive (a scenario has 13 tables, a workbook a few
    parts per sheet)."""
    max_rows: int = 500_000
    """Data rows of one table, blank rows between them included."""
    max_columns: int = 256
    """Columns of one table: its header, and the last column of a sheet holding a value."""
    max_listed_problems: int = 20
    """Problems listed per table, column and severity; the rest are counted in one line."""

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> ReadLimits:
        """The defaults, each replaced by ``ASSEMBLER_<FIELD>`` when set (a whole number ≥ 1).

        Raises ``ValueError`` naming the variable when a value is not such a number: a
        limit silently left at its default would surprise the operator who set it.
        """
        environ = os.environ if environ is None else environ
        values: dict[str, int] = {}
        for item in fields(cls):
            name = f"ASSEMBLER_{item.name.upper()}"
            text = environ.get(name)
            if text is None:
                continue
            try:
                value = int(text.replace("_", ""))
            except ValueError:
                value = 0
            if value < 1:
                raise ValueError(f"{name}={text!r}: a limit is a whole number ≥ 1")
            values[item.name] = value
        return cls(**values)


class LimitExceededError(Exception):
    """Reading stopped at a limit; ``reason`` completes a problem about the file."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class ScenarioTooLargeError(LimitExceededError):
    """The whole scenario passed ``max_total_bytes``: no table of it is read."""


def shown_bytes(count: int) -> str:
    """``33554432`` → ``32 MiB``: limits as a person sets them."""
    return f"{count / MIB:g} MiB" if count >= MIB else f"{count:,} bytes"


class ByteBudget:
    """The bytes one scenario may still read, shared by all its files."""

    def __init__(self, limits: ReadLimits) -> None:
        self.limits = limits
        self.remaining = limits.max_total_bytes

    def read(self, stream: IO[bytes], verb: str = "is") -> bytes:
        """All of ``stream``, or ``LimitExceededError`` as soon as it passes a limit.

        ``verb`` says what reading means for the message (``unpacks to``, ``is``).
        """
        chunks: list[bytes] = []
        size = 0
        while chunk := stream.read(_CHUNK):
            size += len(chunk)
            self._take(len(chunk), size, verb)
            chunks.append(chunk)
        return b"".join(chunks)

    def drain(self, stream: IO[bytes], verb: str = "unpacks to") -> None:
        """Read ``stream`` to its end without keeping it: checks an archive member's real
        size before a library that trusts the declared one (openpyxl) opens it."""
        size = 0
        while chunk := stream.read(_CHUNK):
            size += len(chunk)
            self._take(len(chunk), size, verb)

    def _take(self, count: int, size: int, verb: str) -> None:
        limits = self.limits
        if size > limits.max_file_bytes:
            raise LimitExceededError(
                f"{verb} more than {shown_bytes(limits.max_file_bytes)}, the most one file "
                "may hold (limit max_file_bytes); refused"
            )
        self.remaining -= count
        if self.remaining < 0:
            raise ScenarioTooLargeError(
                f"takes the scenario past {shown_bytes(limits.max_total_bytes)} read in all "
                "(limit max_total_bytes); refused"
            )


def check_archive(archive: zipfile.ZipFile, budget: ByteBudget) -> None:
    """Unpack every member of ``archive`` with a counter, keeping nothing.

    Sizes in a zip's directory are claims, not facts: only decompressing tells how much a
    member holds.  Raises ``LimitExceededError`` naming the member that passed a limit.
    """
    members = archive.infolist()
    if len(members) > budget.limits.max_archive_entries:
        raise LimitExceededError(
            f"has {len(members):,} entries, more than {budget.limits.max_archive_entries:,} "
            "(limit max_archive_entries); refused"
        )
    for info in members:
        if info.is_dir():
            continue
        with archive.open(info) as stream:
            try:
                budget.drain(stream)
            except LimitExceededError as exc:
                raise type(exc)(f"entry {info.filename} {exc.reason}") from None


_Key = tuple[Severity, str, str | None]


class ProblemLog(list[Problem]):
    """Problems in the order found, listing at most ``limit`` per table, column and severity.

    A file of a million duplicate rows has a million problems, and listing them costs more
    than reading it and helps nobody.  Past the limit each further problem of the same
    kind only raises the count in one summary line, kept where the first hidden one would
    have been.  Errors are never hidden behind warnings: severity is part of the kind.
    """

    def __init__(self, problems: Iterable[Problem] = (), limit: int | None = None) -> None:
        super().__init__()
        self.limit = ReadLimits.max_listed_problems if limit is None else limit
        self._counts: dict[_Key, int] = {}
        self._summaries: dict[_Key, int] = {}
        if isinstance(problems, ProblemLog):
            super().extend(problems)
            self.limit = problems.limit if limit is None else limit
            self._counts = dict(problems._counts)
            self._summaries = dict(problems._summaries)
        else:
            self.extend(problems)

    def append(self, problem: Problem) -> None:
        key = (problem.severity, problem.table, problem.column)
        count = self._counts.get(key, 0) + 1
        self._counts[key] = count
        if count <= self.limit:
            super().append(problem)
            return
        hidden = count - self.limit
        summary = Problem(
            problem.severity,
            problem.table,
            None,
            problem.column,
            None,
            f"{hidden:,} more {problem.severity}{'s' if hidden != 1 else ''} like the above, "
            f"not listed (only the first {self.limit} per table and column are; "
            "limit max_listed_problems)",
        )
        index = self._summaries.get(key)
        if index is None:
            self._summaries[key] = len(self)
            super().append(summary)
        else:
            self[index] = summary

    def extend(self, problems: Iterable[Problem]) -> None:
        for problem in problems:
            self.append(problem)
