"""How the engine scales: 500 to 20,000 people at a fixed density, engine only.

Missions grow with people (one per ``PEOPLE_PER_MISSION``), so every point is the same kind
of organisation, larger.  Each point gets the same time limit: the series shows where build
time, the time to a first plan, the gap at the limit and peak memory start to bite.  Points
are measured like the table's runs (fresh process, cached), then written as a CSV and a PNG.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

from cases import SEED, Size, scenario_path
from measure import Record, measure

PEOPLE = (500, 1_000, 2_000, 5_000, 10_000, 20_000)
PEOPLE_PER_MISSION = 20
"""XL's density (10,000 people, 500 missions)."""
LIMIT = 60.0

_FIELDS = (
    "people", "missions", "limit_s", "build_s", "first_s", "end_s", "status", "score",
    "bound", "gap", "peak_mib", "cpu_percent", "load", "measured",
)  # fmt: skip


def series(cache: Path, people: list[int], limit: float, fresh: bool) -> list[tuple[int, Record]]:
    """The engine's record at each size of the series (measured, or from the cache)."""
    points = []
    for count in people:
        size = Size(count, max(1, count // PEOPLE_PER_MISSION), None, limit)
        path = scenario_path(cache, "scale", size, "default")
        record, cached = measure(cache, "engine", path, limit, fresh)
        points.append((count, record))
        run = record.run
        print(
            f"  … scaling {count:,} people: {run.status} in {run.seconds:.1f}s"
            f"{' (cached)' if cached else ''}",
            file=sys.stderr,
            flush=True,
        )
    return points


def write_csv(points: list[tuple[int, Record]], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(_FIELDS)
        for people, record in points:
            run = record.run
            writer.writerow(
                [
                    people, max(1, people // PEOPLE_PER_MISSION), record.limit, run.build_seconds,
                    run.first_seconds, run.seconds, run.status, run.score, run.bound, run.gap,
                    record.peak_mib, record.cpu_percent, record.load, record.measured,
                ]
            )  # fmt: skip
    return path


def write_png(points: list[tuple[int, Record]], path: Path) -> Path:
    """Four panels against people (log scale): build time, first plan, gap, peak memory."""
    import altair as alt
    import pandas as pd

    from assembler.tradeoffs.files import write_png as write_chart

    metrics = {
        "build (s)": lambda r: r.run.build_seconds,
        "first plan (s)": lambda r: r.run.first_seconds,
        "gap at the limit (%)": lambda r: None if r.run.gap is None else 100 * r.run.gap,
        "peak memory (MiB)": lambda r: r.peak_mib,
    }
    frame = pd.DataFrame(
        [
            {"people": people, "metric": metric, "value": value(record)}
            for people, record in points
            for metric, value in metrics.items()
        ]
    )
    domain = [min(people for people, _ in points), max(people for people, _ in points)]
    chart = (
        alt.Chart(frame.dropna())
        .mark_line(point=True)
        .encode(
            x=alt.X("people:Q", scale=alt.Scale(type="log", domain=domain), title="people"),
            y=alt.Y("value:Q", title=None),
        )
        .properties(width=260, height=170)
        .facet(facet=alt.Facet("metric:N", title=None, sort=list(metrics)), columns=2)
        .resolve_scale(y="independent")
        .properties(title=f"engine scaling, 1 mission per {PEOPLE_PER_MISSION} people, seed {SEED}")
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    return write_chart(chart, path)


def print_series(points: list[tuple[int, Record]]) -> None:
    limit = points[0][1].limit
    print(f"\nscaling series (engine, 1 mission per {PEOPLE_PER_MISSION} people, {limit:g} s each)")
    print(
        f"{'people':>7} {'missions':>8} {'build s':>8} {'first s':>8} {'status':<9} "
        f"{'gap':>8} {'peak MiB':>9} {'cpu %':>6} {'load':>5}"
    )
    for people, record in points:
        run = record.run
        first = "-" if run.first_seconds is None else f"{run.first_seconds:.2f}"
        gap = "-" if run.gap is None else f"{run.gap:.2%}"
        print(
            f"{people:>7,} {max(1, people // PEOPLE_PER_MISSION):>8} {run.build_seconds:>8.2f} "
            f"{first:>8} {run.status:<9} {gap:>8} {record.peak_mib:>9.0f} "
            f"{record.cpu_percent:>6.0f} {record.load:>5.1f}"
        )
