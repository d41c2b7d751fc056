"""The benchmark table: every plan against the best bound known for its instance.

A solver's own gap only says how far it is from *its* bound, and a weak bound makes a good
plan look bad (CP-SAT's LP bound is looser than HiGHS's cut-strengthened one).  So each
instance's ``best known bound`` is the least of all the bounds proven on it — HiGHS with
five times the limit among them — and every plan is also shown against that.  Bounds are
on an integer score, so a bound ``b`` proves ``score ≤ floor(b)``.

Per size the summary gives each solver's mean gap to the best bound over the shapes and its
worst shape: one organisation can flatter a solver, the worst one does not.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path

from measure import Record

_TOLERANCE = 1e-6
"""A MILP bound may sit this little below a whole number it proves (feasibility tolerance)."""


@dataclass
class Row:
    size: str
    shape: str
    record: Record
    best_bound: int | None

    @property
    def gap_to_best(self) -> float | None:
        score = self.record.run.score
        if score is None or self.best_bound is None:
            return None
        return (self.best_bound - score) / max(1.0, abs(score))


def rows_of(size: str, shape: str, records: list[Record]) -> list[Row]:
    """The rows of one instance, each with the instance's best known bound."""
    bounds = [math.floor(r.run.bound + _TOLERANCE) for r in records if r.run.bound is not None]
    best = min(bounds) if bounds else None
    return [Row(size, shape, record, best) for record in records]


def _number(value: float | None, form: str) -> str:
    return "-" if value is None else format(value, form)


def _percent(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.2%}" if abs(value) >= 1e-4 else f"{value:.4%}"


_COLUMNS = (
    ("size", "<4"),
    ("shape", "<11"),
    ("solver", "<8"),
    ("build s", ">7"),
    ("first s", ">7"),
    ("end s", ">7"),
    ("status", "<10"),
    ("score", ">13"),
    ("gap", ">8"),
    ("best bound", ">13"),
    ("to best", ">8"),
    ("peak MiB", ">8"),
    ("cpu %", ">5"),
    ("load", ">5"),
)


def _cells(row: Row) -> list[str]:
    run = row.record.run
    return [
        row.size,
        row.shape,
        row.record.solver,
        f"{run.build_seconds:.2f}",
        _number(run.first_seconds, ".2f"),
        f"{run.seconds:.2f}",
        run.status,
        _number(run.score, ",d"),
        _percent(run.gap),
        _number(row.best_bound, ",d"),
        _percent(row.gap_to_best),
        f"{row.record.peak_mib:.0f}",
        f"{row.record.cpu_percent:.0f}",
        f"{row.record.load:.1f}",
    ]


def print_table(rows: list[Row]) -> None:
    header = " ".join(format(name, form) for name, form in _COLUMNS)
    print(header)
    print("-" * len(header))
    previous = None
    for row in rows:
        if previous is not None and (row.size, row.shape) != previous:
            print()
        previous = (row.size, row.shape)
        cells = zip(_cells(row), _COLUMNS, strict=True)
        print(" ".join(format(cell, form) for cell, (_, form) in cells))
    broken = [r for r in rows if r.gap_to_best is not None and r.gap_to_best < 0]
    for row in broken:
        print(
            f"warning: {row.size}/{row.shape}: {row.record.solver}'s score is above the best "
            "known bound: some solver's bound is wrong (or beyond its tolerance)"
        )


def print_summary(rows: list[Row]) -> None:
    """Mean gap to the best bound over the shapes, and the worst shape, per size and solver."""
    print("\ngap to the best known bound: mean over the shapes, and the worst shape")
    print(f"{'size':<4} {'solver':<8} {'shapes':>6} {'mean':>8}  worst")
    groups: dict[tuple[str, str], list[Row]] = {}
    for row in rows:
        groups.setdefault((row.size, row.record.solver), []).append(row)
    for (size, solver), group in groups.items():
        gaps = [(r.gap_to_best, r.shape) for r in group]
        known = [(gap, shape) for gap, shape in gaps if gap is not None]
        if not known:
            planned = any(r.record.run.score is not None for r in group)
            why = "no bound known for its plans" if planned else "no plan"
            print(f"{size:<4} {solver:<8} {len(group):>6} {'-':>8}  ({why})")
            continue
        mean = sum(gap for gap, _ in known) / len(known)
        worst_gap, worst_shape = max(known, key=lambda known_gap: known_gap[0])
        worst = (
            f"{worst_shape} {_percent(worst_gap)}" if worst_gap > 0 else "none: all at the bound"
        )
        missing = len(gaps) - len(known)
        note = f"; {missing} shape(s) without a plan" if missing else ""
        print(f"{size:<4} {solver:<8} {len(group):>6} {_percent(mean):>8}  {worst}{note}")


def write_csv(rows: list[Row], path: Path) -> Path:
    """Every row with full precision, for a spreadsheet or a later comparison."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(
            [
                "size", "shape", "solver", "limit_s", "build_s", "first_s", "end_s", "status",
                "score", "bound", "gap", "best_known_bound", "gap_to_best", "peak_mib",
                "cpu_percent", "load", "measured",
            ]
        )  # fmt: skip
        for row in rows:
            run, record = row.record.run, row.record
            writer.writerow(
                [
                    row.size, row.shape, record.solver, record.limit, run.build_seconds,
                    run.first_seconds, run.seconds, run.status, run.score, run.bound, run.gap,
                    row.best_bound, row.gap_to_best, record.peak_mib, record.cpu_percent,
                    record.load, record.measured,
                ]
            )  # fmt: skip
    return path
