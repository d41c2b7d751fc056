"""Command line: ``assembler validate | solve | generate``.

Exit codes: 0 solved (optimal or feasible) or valid, 2 invalid input (every problem listed),
3 infeasible or no solution within the limit, 1 unexpected error.  Bad input never shows a
traceback; ``--debug`` shows one for unexpected errors.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from enum import StrEnum
from math import inf
from pathlib import Path
from typing import Annotated, Any

import typer

from assembler.io import ScenarioReport, read_scenario, write_scenario
from assembler.problems import Problem
from assembler.result import Result, Status, relative_gap
from assembler.scenario import Scenario
from assembler.solve_settings import Progress, SolveSettings

EXIT_UNEXPECTED, EXIT_INVALID, EXIT_NO_SOLUTION = 1, 2, 3
INPUT_ONLY_FILES = ("mission_needs.csv", "person_skills.csv", "scenario.toml")

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Assemble mission teams from an organisation's capabilities without breaking operations.",
)


class ReportFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


def _say(message: str = "") -> None:
    typer.echo(message)


def _warn(message: str) -> None:
    typer.echo(message, err=True)


def _print_problems(problems: tuple[Problem, ...]) -> None:
    for problem in problems:
        _warn(f"{problem.severity}: {problem}")


def _load(path: Path, overrides: dict[str, Any] | None = None) -> Scenario:
    """Read and validate, or stop with exit 2 after listing every problem."""
    report: ScenarioReport = read_scenario(path, overrides)
    _print_problems(report.problems)
    if report.scenario is None:
        errors = len(report.errors)
        _warn(f"{path}: {errors} error{'s' if errors != 1 else ''}; nothing was solved.")
        raise typer.Exit(EXIT_INVALID)
    return report.scenario


def _guarded(command: Callable[..., None]) -> Callable[..., None]:
    """Turn an unexpected exception into a one-line message and exit code 1."""

    def run(*args: Any, debug: bool = False, **kwargs: Any) -> None:
        try:
            command(*args, **kwargs)
        except (typer.Exit, typer.Abort):
            raise
        except Exception as error:
            if debug:
                raise
            _warn(f"unexpected error: {type(error).__name__}: {error} (rerun with --debug)")
            raise typer.Exit(EXIT_UNEXPECTED) from None

    return run


DebugOption = Annotated[bool, typer.Option("--debug", help="Show tracebacks of unexpected errors.")]


@app.command()
def validate(
    scenario: Annotated[Path, typer.Argument(help="Folder of CSVs, .xlsx, .json or .zip.")],
    debug: DebugOption = False,
) -> None:
    """List every problem in a scenario; exit 2 if any is an error."""
    _guarded(_validate)(scenario, debug=debug)


def _validate(path: Path) -> None:
    report = read_scenario(path)
    _print_problems(report.problems)
    if not report.ok:
        _warn(f"{path}: {len(report.errors)} error(s), {len(report.warnings)} warning(s).")
        raise typer.Exit(EXIT_INVALID)
    assert report.scenario is not None
    s = report.scenario
    _say(
        f"{path}: valid — {len(s.people)} people, {len(s.unit_ids)} units, "
        f"{len(s.missions)} missions, {len(report.warnings)} warning(s)."
    )


@app.command()
def solve(
    scenario: Annotated[Path, typer.Argument(help="Folder of CSVs, .xlsx, .json or .zip.")],
    out: Annotated[Path, typer.Option("--out", help="Folder for the report files.")],
    time_limit: Annotated[float, typer.Option(min=0.01, help="Seconds.")] = 60.0,
    workers: Annotated[int, typer.Option(min=1, help="Solver threads.")] = 2,
    seed: Annotated[int, typer.Option(help="Random seed of the search.")] = 0,
    ops_buffer: Annotated[
        float | None, typer.Option(min=0.0, help="Override the ops protection buffer.")
    ] = None,
    report_format: Annotated[
        ReportFormat, typer.Option("--format", help="csv, or csv plus an Excel workbook.")
    ] = ReportFormat.CSV,
    quiet: Annotated[bool, typer.Option("--quiet", help="No progress on stderr.")] = False,
    debug: DebugOption = False,
) -> None:
    """Staff missions optimally and write the report files."""
    _guarded(_solve)(
        scenario, out, time_limit, workers, seed, ops_buffer, report_format, quiet, debug=debug
    )


def _solve(
    path: Path,
    out: Path,
    time_limit: float,
    workers: int,
    seed: int,
    ops_buffer: float | None,
    report_format: ReportFormat,
    quiet: bool,
) -> None:
    from assembler.export import write_reports
    from assembler.report import build_reports
    from assembler.solver import solve as run_solver

    _refuse_input_folder(path, out)
    scenario = _load(path, {"ops_buffer": ops_buffer})
    settings = SolveSettings(
        time_limit=time_limit,
        workers=workers,
        seed=seed,
        progress=None if quiet else _progress_printer(),
    )
    result = run_solver(scenario, settings)
    written = write_reports(build_reports(scenario, result), out, report_format.value)
    _print_summary(result)
    _say(f"wrote       {', '.join(str(p) for p in written)}")
    if not result.has_solution:
        raise typer.Exit(EXIT_NO_SOLUTION)


def _refuse_input_folder(scenario: Path, out: Path) -> None:
    """Reports must not land on a scenario: ``people.csv`` is both an input and an output."""
    clashes = [name for name in INPUT_ONLY_FILES if (out / name).exists()]
    if out.resolve() == scenario.resolve() or clashes:
        found = ", ".join(clashes) or "same folder"
        _warn(f"{out}: holds a scenario ({found}); choose another --out.")
        raise typer.Exit(EXIT_INVALID)


def _progress_printer() -> Callable[[Progress], None]:
    """Improving solutions on stderr, once a solve has run long enough to need it."""
    started = time.perf_counter()

    def report(progress: Progress) -> None:
        if time.perf_counter() - started < 1.0:
            return
        if progress.best_bound == inf:
            _warn(f"  {progress.seconds:7.1f}s  score {progress.score:>12,}  (warm start)")
            return
        gap = relative_gap(progress.score, progress.best_bound)
        _warn(
            f"  {progress.seconds:7.1f}s  score {progress.score:>12,}  "
            f"bound {progress.best_bound:>14,.0f}  gap {format_gap(gap)}"
        )

    return report


def format_gap(gap: float) -> str:
    """A gap as a percentage that never shows a non-zero gap as ``0.00%``."""
    return f"{gap:.2%}" if gap == 0 or gap >= 1e-4 else f"{gap * 100:.2g}%"


def _print_summary(result: Result) -> None:
    gap = "" if result.gap is None else f" (gap {format_gap(result.gap)})"
    _say(f"status      {result.status}{gap}")
    kpis = result.kpis
    if kpis is not None:
        _say(f"score       {result.score:,} (bound {result.best_bound:,.0f})")
        _say(f"missions    {kpis.missions_staffed} of {kpis.missions_total} staffed")
        _say(
            f"value       {kpis.value_captured:g} of {kpis.value_total:g} captured "
            f"({kpis.value_share:.0%})"
        )
        _say(f"network     {kpis.network_fte:g} FTE freed for network missions")
        if kpis.tightest is not None:
            t = kpis.tightest
            _say(
                f"operations  tightest: {t.unit_id}/{t.skill_id} covered {t.covered_fte:g} FTE "
                f"of {t.protected_fte:g} protected ({t.ratio:.0%})"
            )
    elif result.status is Status.INFEASIBLE:
        _say("no plan can satisfy all of these at once:")
        for conflict in result.conflicts or ("(the clash could not be narrowed down)",):
            _say(f"  - {conflict}")
    else:
        _say("no solution was found within the time limit; raise --time-limit")
    _say(f"time        build {result.build_seconds:.2f}s, solve {result.solve_seconds:.2f}s")


@app.command()
def generate(
    out: Annotated[Path, typer.Argument(help="Folder (or .xlsx/.json file) to create.")],
    people: Annotated[int, typer.Option(min=1, help="Number of people.")] = 150,
    missions: Annotated[int, typer.Option(min=1, help="Number of missions.")] = 20,
    seed: Annotated[
        int, typer.Option(help="Random seed; the same seed gives the same scenario.")
    ] = 0,
    debug: DebugOption = False,
) -> None:
    """Write a realistic synthetic scenario, valid by construction."""
    _guarded(_generate)(out, people, missions, seed, debug=debug)


def _generate(out: Path, people: int, missions: int, seed: int) -> None:
    from assembler.generate import generate_scenario

    if out.exists() and (out.is_file() or any(out.iterdir())):
        _warn(f"{out}: already exists and is not empty; nothing was written.")
        raise typer.Exit(EXIT_INVALID)
    started = time.perf_counter()
    scenario = generate_scenario(people=people, missions=missions, seed=seed)
    write_scenario(scenario, out)
    _say(
        f"wrote {out}: {len(scenario.people)} people in {len(scenario.unit_ids)} units, "
        f"{len(scenario.missions)} missions ({time.perf_counter() - started:.1f}s)"
    )
