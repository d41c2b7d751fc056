"""Command line: ``assembler validate | solve | generate | frontier | sweep | stress``.

Exit codes: 0 solved (optimal or feasible) or valid, 2 invalid input (every problem listed),
3 infeasible or no solution within the limit, 1 unexpected error.  Bad input never shows a
traceback; ``--debug`` shows one for unexpected errors.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from math import inf, isfinite, isnan
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from assembler.domain.problems import Problem
from assembler.domain.scenario import Scenario
from assembler.domain.solve_settings import Progress, SolveSettings
from assembler.io import write_scenario
from assembler.results.result import Result, Status, relative_gap
from assembler.validation import ScenarioReport, read_scenario

if TYPE_CHECKING:
    import pandas as pd

    from assembler.tradeoffs import Runner

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
    deterministic: Annotated[
        bool,
        typer.Option(
            "--deterministic",
            help="Same input, same roster: --time-limit then counts work done, not seconds.",
        ),
    ] = False,
    debug: DebugOption = False,
) -> None:
    """Staff missions optimally and write the report files."""
    settings = SolveSettings(
        time_limit=time_limit,
        workers=workers,
        seed=seed,
        deterministic=deterministic,
        progress=None if quiet else _progress_printer(),
    )
    _guarded(_solve)(scenario, out, settings, ops_buffer, report_format, debug=debug)


def _solve(
    path: Path,
    out: Path,
    settings: SolveSettings,
    ops_buffer: float | None,
    report_format: ReportFormat,
) -> None:
    from assembler.io.reports import write_reports
    from assembler.results.report import build_reports
    from assembler.solver import solve as run_solver

    _refuse_input_folder(path, out)
    scenario = _load(path, {"ops_buffer": ops_buffer})
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


# --------------------------------------------------------------------------- trade-offs

SchedulerOption = Annotated[
    str | None,
    typer.Option(
        "--scheduler",
        help="Dask scheduler (tcp://HOST:PORT) to send the runs to; default: a local cluster.",
    ),
]
DaskWorkersOption = Annotated[
    int,
    typer.Option(
        "--workers",
        min=1,
        help="Local Dask workers, each solving one run at a time on one thread "
        "(at most one per core; ignored with --scheduler).",
    ),
]
RunTimeLimitOption = Annotated[float, typer.Option(min=0.01, help="Seconds per solve.")]
QuietOption = Annotated[bool, typer.Option("--quiet", help="No progress bar on stderr.")]


@app.command()
def frontier(
    scenario: Annotated[Path, typer.Argument(help="Folder of CSVs, .xlsx, .json or .zip.")],
    out: Annotated[Path, typer.Option("--out", help="Folder for frontier.csv and the chart.")],
    buffers: Annotated[
        str | None,
        typer.Option(help="Ops buffers to solve, comma-separated (default 0,0.05,…,0.5)."),
    ] = None,
    time_limit: RunTimeLimitOption = 10.0,
    workers: DaskWorkersOption = 2,
    scheduler: SchedulerOption = None,
    seed: Annotated[int, typer.Option(help="Random seed of the search.")] = 0,
    quiet: QuietOption = False,
    debug: DebugOption = False,
) -> None:
    """Value captured against the ops protection buffer (and network FTE freed)."""
    _guarded(_frontier)(
        scenario, out, buffers, time_limit, workers, scheduler, seed, quiet, debug=debug
    )


def _frontier(
    path: Path,
    out: Path,
    buffers: str | None,
    time_limit: float,
    workers: int,
    scheduler: str | None,
    seed: int,
    quiet: bool,
) -> None:
    from assembler.tradeoffs import DEFAULT_BUFFERS
    from assembler.tradeoffs import frontier as run_frontier
    from assembler.tradeoffs.charts import frontier_chart
    from assembler.tradeoffs.files import write_csv, write_png

    _refuse_input_folder(path, out)
    points = DEFAULT_BUFFERS if buffers is None else _buffers(buffers)
    scenario = _load(path)
    solves = f"{len(points)} solves"
    with (
        _runner(workers, scheduler, solves) as runner,
        _progress_bar("frontier", quiet) as progress,
    ):
        result = run_frontier(
            scenario,
            SolveSettings(time_limit=time_limit, seed=seed),
            points,
            runner=runner,
            progress=progress,
        )
    table = result.table
    out.mkdir(parents=True, exist_ok=True)
    written = [
        write_csv(table, out / "frontier.csv"),
        write_png(frontier_chart(table), out / "frontier.png"),
    ]
    _say(" buffer  status        value  share  network FTE  missions  gap")
    for row in table.to_dict("records"):
        buffer, status = _percent(row["ops_buffer"]).rjust(7), f"{row['status']:<11}"
        if isnan(row["value_captured"]):
            _say(f"{buffer}  {status}       —      —            —         —")
            continue
        _say(
            f"{buffer}  {status} {row['value_captured']:7g}  {row['value_share']:5.0%}  "
            f"{row['network_fte']:11g}  {row['missions_staffed']:8}  {format_gap(row['gap'])}"
        )
    for buffer, point in zip(table["ops_buffer"], result.results, strict=True):
        if point.conflicts:
            _say(f"from {_percent(buffer)}: {point.conflicts[0]}")
            break
    _say(f"wrote       {', '.join(str(p) for p in written)}")
    if table["value_captured"].isna().all():
        raise typer.Exit(EXIT_NO_SOLUTION)


def _percent(share: float) -> str:
    """``0.125`` → ``12.5%``: buffers are shown exactly, never rounded to a neighbour."""
    return f"{share * 100:.10g}%"


def _buffers(text: str) -> list[float]:
    """``0,0.05,0.1`` → buffers, or exit 2 naming the entry that is not a buffer."""
    points = []
    for item in text.split(","):
        try:
            value = float(item)
        except ValueError:
            value = -1.0
        if not (value >= 0 and isfinite(value)):
            _warn(f"--buffers: {item.strip()!r} is not an ops buffer (a number ≥ 0, e.g. 0.1)")
            raise typer.Exit(EXIT_INVALID)
        points.append(value)
    return points


@app.command()
def sweep(
    scenario: Annotated[Path, typer.Argument(help="Folder of CSVs, .xlsx, .json or .zip.")],
    grid: Annotated[
        Path, typer.Option("--grid", help="TOML file: [grid] settings and [[variant]] tables.")
    ],
    out: Annotated[Path, typer.Option("--out", help="Folder for results.csv/.parquet.")],
    time_limit: RunTimeLimitOption = 10.0,
    workers: DaskWorkersOption = 2,
    scheduler: SchedulerOption = None,
    seed: Annotated[int, typer.Option(help="Random seed of the search.")] = 0,
    quiet: QuietOption = False,
    debug: DebugOption = False,
) -> None:
    """Solve every combination of a grid of settings and data variants: one row per run."""
    _guarded(_sweep)(scenario, grid, out, time_limit, workers, scheduler, seed, quiet, debug=debug)


def _sweep(
    path: Path,
    grid: Path,
    out: Path,
    time_limit: float,
    workers: int,
    scheduler: str | None,
    seed: int,
    quiet: bool,
) -> None:
    from assembler.tradeoffs import GridError, read_grid
    from assembler.tradeoffs import sweep as run_sweep
    from assembler.tradeoffs.charts import sweep_chart
    from assembler.tradeoffs.files import write_csv, write_parquet, write_png

    _refuse_input_folder(path, out)
    scenario = _load(path)
    try:
        plan = read_grid(grid, scenario)
    except GridError as error:
        for problem in error.problems:
            _warn(f"error: {problem}")
        _warn(f"{grid}: {len(error.problems)} error(s); nothing was solved.")
        raise typer.Exit(EXIT_INVALID) from None
    runs = len(plan.runs())
    with (
        _runner(workers, scheduler, f"{runs} runs") as runner,
        _progress_bar("sweep", quiet) as progress,
    ):
        table = run_sweep(
            scenario,
            plan,
            SolveSettings(time_limit=time_limit, seed=seed),
            runner=runner,
            progress=progress,
        )
    out.mkdir(parents=True, exist_ok=True)
    written = [
        write_csv(table, out / "results.csv"),
        write_parquet(table, out / "results.parquet"),
        write_png(sweep_chart(table, list(plan.grid)), out / "sweep.png"),
    ]
    counts = table["status"].value_counts()
    _say(f"runs        {runs}: " + ", ".join(f"{n} {status}" for status, n in counts.items()))
    best = table.sort_values("score", ascending=False).head(5)
    columns = ["run", "variant", *plan.grid, "status", "value_captured", "network_fte"]
    _say("best runs by score:")
    _say(best[columns].to_string(index=False))
    _say(f"wrote       {', '.join(str(p) for p in written)}")
    if table["value_captured"].isna().all():
        raise typer.Exit(EXIT_NO_SOLUTION)


@app.command()
def stress(
    scenario: Annotated[Path, typer.Argument(help="Folder of CSVs, .xlsx, .json or .zip.")],
    absence: Annotated[
        float, typer.Option(min=0.0, max=1.0, help="Probability that each person is away.")
    ] = 0.1,
    draws: Annotated[int, typer.Option(min=1, help="Monte-Carlo draws.")] = 500,
    seed: Annotated[int, typer.Option(help="Random seed of the draws.")] = 0,
    repair_buffer: Annotated[
        float | None,
        typer.Option(
            min=0.0, help="Ops buffer accepted while people are away (default: the plan's)."
        ),
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Folder for the tables and the chart.")
    ] = None,
    time_limit: RunTimeLimitOption = 10.0,
    workers: DaskWorkersOption = 2,
    scheduler: SchedulerOption = None,
    quiet: QuietOption = False,
    debug: DebugOption = False,
) -> None:
    """Send people away at random from a solved plan: what breaks, and what a repair recovers."""
    _guarded(_stress)(
        scenario,
        absence,
        draws,
        seed,
        repair_buffer,
        out,
        time_limit,
        workers,
        scheduler,
        quiet,
        debug=debug,
    )


def _stress(
    path: Path,
    absence: float,
    draws: int,
    seed: int,
    repair_buffer: float | None,
    out: Path | None,
    time_limit: float,
    workers: int,
    scheduler: str | None,
    quiet: bool,
) -> None:
    from assembler.tradeoffs import StressSettings
    from assembler.tradeoffs import stress as run_stress
    from assembler.tradeoffs.charts import stress_chart
    from assembler.tradeoffs.files import write_csv, write_json, write_png
    from assembler.tradeoffs.stress import solve_plan

    if out is not None:
        _refuse_input_folder(path, out)
    scenario = _load(path)
    settings = StressSettings(absence, draws, seed, repair_buffer)
    problem = settings.problem(scenario)
    if problem is not None:
        _warn(f"--repair-buffer: {problem}")
        raise typer.Exit(EXIT_INVALID)
    plan = solve_plan(scenario, SolveSettings(time_limit=time_limit))
    if plan.solution is None:
        _print_summary(plan)
        raise typer.Exit(EXIT_NO_SOLUTION)
    repairs = f"repairs after {draws} draws"
    with _runner(workers, scheduler, repairs) as runner, _progress_bar("repairs", quiet) as p:
        report = run_stress(
            scenario,
            settings,
            SolveSettings(time_limit=time_limit),
            plan=plan.solution,
            runner=runner,
            progress=p,
        )
    _print_stress(plan, report.summary, report.operations, report.missions)
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        written = [
            write_csv(report.draws, out / "stress_draws.csv"),
            write_csv(report.missions, out / "stress_missions.csv"),
            write_csv(report.operations, out / "stress_operations.csv"),
            write_json(report.summary, out / "stress_summary.json"),
            write_png(stress_chart(report), out / "stress.png"),
        ]
        _say(f"wrote       {', '.join(str(p) for p in written)}")


@contextmanager
def _runner(workers: int, scheduler: str | None, work: str) -> Iterator[Runner]:
    """The Dask runner of a trade-off command, or exit 2 when it cannot start (no scheduler
    at the address, more workers than cores); says on stderr where ``work`` goes."""
    from assembler.tradeoffs import Runner, RunnerError

    try:
        runner = Runner(workers, scheduler).__enter__()
    except RunnerError as error:
        _warn(f"error: {error}")
        raise typer.Exit(EXIT_INVALID) from None
    try:
        _warn(f"{work} on {runner.describe()}")
        yield runner
    finally:
        runner.close()


@contextmanager
def _progress_bar(label: str, quiet: bool) -> Iterator[Callable[[int, int], None] | None]:
    """A rich progress bar on stderr fed by the runner's (done, total) callback."""
    if quiet:
        yield None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=Console(stderr=True)) as bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


def _print_stress(
    plan: Result, summary: dict[str, Any], operations: pd.DataFrame, missions: pd.DataFrame
) -> None:
    """The stress summary as sentences, rung by rung, worst spots first."""
    s = summary
    kpis = plan.kpis
    assert kpis is not None
    _say(
        f"plan        {plan.status}: value {kpis.value_captured:,.0f} of {kpis.value_total:,.0f} "
        f"({kpis.value_share:.0%}), {kpis.missions_staffed} missions staffed"
    )
    _say(
        f"draws       {s['draws']}, each person away with probability {s['absence']:.0%} "
        f"({s['absent_mean']:.1f} of {s['people']} away on average), seed {s['seed']}"
    )
    _say(
        f"operations  plan as is: covered at demand in {s['p_ops_covered']:.0%} of draws, "
        f"fully protected in {s['p_ops_protected']:.0%}"
    )
    buffer = f"{s['repair_buffer']:.0%} buffer"
    _say(
        f"            reshuffling duties within units (missions untouched) re-protects them "
        f"({buffer}) in {s['p_ops_reshuffle_ok']:.0%}"
    )
    _say(
        f"            the people present can protect them at all ({buffer}) "
        f"in {s['p_ops_protectable']:.0%}"
    )
    worst = operations.sort_values("p_below_demand", ascending=False).head(4)
    spots = ", ".join(
        f"{row['unit_id']}/{row['skill_id']} {row['p_below_demand']:.0%}"
        for row in worst.to_dict("records")
        if row["p_below_demand"] > 0
    )
    if spots:
        _say(f"            below demand most often: {spots}")
    _say(f"missions    no mission loses a needed skill in {s['p_missions_intact']:.0%} of draws")
    exposed = missions.sort_values("p_loses_skill", ascending=False).head(4)
    spots = ", ".join(
        f"{row['mission_id']} {row['p_loses_skill']:.0%} "
        f"(mostly {row['skills_lost'].split(' (')[0]})"
        for row in exposed.to_dict("records")
        if row["p_loses_skill"] > 0
    )
    if spots:
        _say(f"            most exposed: {spots}")
    before, after = s["value_before_repair"], s["value_after_repair"]
    _say(
        f"value       plan as is: mean {before['mean']:,.0f} (5th percentile {before['p5']:,.0f}) "
        f"of {s['plan_value']:,.0f} planned"
    )
    if after is not None:
        _say(
            f"            with a repair: mean {after['mean']:,.0f} "
            f"(5th percentile {after['p5']:,.0f}) "
            f"in the {s['p_plan_after_repair']:.0%} of draws that have a plan"
        )
    outcomes = ", ".join(f"{n} {status}" for status, n in s["repair_outcomes"].items())
    changes = s["changes_mean"]
    moved = "" if changes is None else f"; {changes:.1f} memberships changed per repair"
    _say(f"repair      {outcomes}{moved}")
