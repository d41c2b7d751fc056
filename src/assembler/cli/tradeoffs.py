"""The trade-off commands, many solves on Dask: ``frontier``, ``sweep`` and ``stress``.

``assembler.tradeoffs`` (and with it Dask) is imported inside the commands, so that
``validate`` and ``solve`` start without it.  Ctrl-C stops the runs: those finished are
written, the workers are shut down in order, and the command exits 130 saying what it
kept; a second Ctrl-C quits at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from assembler.cli.common import (
    EXIT_INVALID,
    EXIT_NO_SOLUTION,
    ScenarioArgument,
    SeedOption,
    check_folder,
    guarded,
    load,
    refuse_input_folder,
)
from assembler.cli.interrupt import EXIT_INTERRUPTED, Interrupt, signals_ignored_by_children
from assembler.cli.printing import (
    print_frontier,
    print_stress,
    print_summary,
    print_sweep,
    print_written,
    progress_bar,
    warn,
)
from assembler.domain.solve_settings import SolveSettings
from assembler.text import plural

if TYPE_CHECKING:
    import pandas as pd

    from assembler.tradeoffs import Runner
    from assembler.tradeoffs.frontier import Dial

Counter = Callable[[int, int], None]

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


class Over(StrEnum):
    """The dials ``frontier --over`` sweeps (``tradeoffs.frontier.DIALS``)."""

    BUFFER = "buffer"
    NETWORK_CAP = "network-cap"


@guarded
def frontier(
    scenario: ScenarioArgument,
    out: Annotated[Path, typer.Option("--out", help="Folder for frontier.csv and the chart.")],
    over: Annotated[
        Over,
        typer.Option(
            "--over",
            help="The dial to sweep: the ops protection buffer, or the network cap (the most "
            "of each unit's time given to network missions; a unit's own cap is kept).",
        ),
    ] = Over.BUFFER,
    buffers: Annotated[
        str | None,
        typer.Option(
            "--buffers",
            "--caps",
            help="Values to solve, as fractions, comma-separated (default for the buffer: "
            "from 0 to the highest buffer operations can bear, at most 0.5; for the network "
            "cap: 0.05 to 0.5 in steps of 0.05).",
        ),
    ] = None,
    time_limit: RunTimeLimitOption = 10.0,
    workers: DaskWorkersOption = 2,
    scheduler: SchedulerOption = None,
    seed: SeedOption = 0,
    quiet: QuietOption = False,
) -> None:
    """Value captured against the ops protection buffer or the network cap (and network
    FTE freed)."""
    from assembler.tradeoffs import frontier as run_frontier
    from assembler.tradeoffs.charts import frontier_chart
    from assembler.tradeoffs.files import write_csv, write_png
    from assembler.tradeoffs.frontier import DIALS

    dial = DIALS[over.value]
    refuse_input_folder(scenario, out)
    chosen = None if buffers is None else _points(buffers, dial)
    check_folder(out)
    loaded = load(scenario)
    points = dial.defaults(loaded) if chosen is None else chosen
    runs = _runs("the points solved so far will be written", workers, scheduler, quiet)
    with runs(f"{len(points)} solves", "frontier") as (interrupt, runner, progress):
        result = run_frontier(
            loaded,
            SolveSettings(time_limit=time_limit, seed=seed, stop=interrupt.stop),
            points,
            dial=dial,
            runner=runner,
            progress=progress,
        )
    table = result.table
    _write_rows(
        interrupt,
        (table, len(set(points)), "point"),
        out,
        lambda: [
            write_csv(table, out / "frontier.csv"),
            write_png(frontier_chart(table, dial), out / "frontier.png"),
        ],
        lambda: print_frontier(result),
    )


def _points(text: str, dial: Dial) -> list[float]:
    """``0,0.05,0.1`` → values of ``dial``, or exit 2 naming the entry that is not one."""
    points = []
    for item in text.split(","):
        try:
            value = float(item)
        except ValueError:
            value = -1.0
        if not dial.valid(value):
            warn(f"--{dial.short}s: {item.strip()!r} is not {dial.example}")
            raise typer.Exit(EXIT_INVALID)
        points.append(value)
    return points


@guarded
def sweep(
    scenario: ScenarioArgument,
    grid: Annotated[
        Path, typer.Option("--grid", help="TOML file: [grid] settings and [[variant]] tables.")
    ],
    out: Annotated[Path, typer.Option("--out", help="Folder for results.csv/.parquet.")],
    time_limit: RunTimeLimitOption = 10.0,
    workers: DaskWorkersOption = 2,
    scheduler: SchedulerOption = None,
    seed: SeedOption = 0,
    quiet: QuietOption = False,
) -> None:
    """Solve every combination of a grid of settings and data variants: one row per run."""
    from assembler.tradeoffs import GridError, read_grid
    from assembler.tradeoffs import sweep as run_sweep
    from assembler.tradeoffs.charts import sweep_chart
    from assembler.tradeoffs.files import write_csv, write_parquet, write_png

    refuse_input_folder(scenario, out)
    check_folder(out)
    loaded = load(scenario)
    try:
        plan = read_grid(grid, loaded)
    except GridError as error:
        for problem in error.problems:
            warn(f"error: {problem}")
        warn(f"{grid}: {len(error.problems)} error(s); nothing was solved.")
        raise typer.Exit(EXIT_INVALID) from None
    runs = _runs("the runs finished so far will be written", workers, scheduler, quiet)
    with runs(f"{len(plan.runs())} runs", "sweep") as (interrupt, runner, progress):
        table = run_sweep(
            loaded,
            plan,
            SolveSettings(time_limit=time_limit, seed=seed, stop=interrupt.stop),
            runner=runner,
            progress=progress,
        )
    _write_rows(
        interrupt,
        (table, len(plan.runs()), "run"),
        out,
        lambda: [
            write_csv(table, out / "results.csv"),
            write_parquet(table, out / "results.parquet"),
            write_png(sweep_chart(table, list(plan.grid)), out / "sweep.png"),
        ],
        lambda: print_sweep(table, list(plan.grid)),
    )


@guarded
def stress(
    scenario: ScenarioArgument,
    absence: Annotated[
        float,
        typer.Option(
            min=0.0,
            max=1.0,
            help="Probability that each person is away (in each period, with periods).",
        ),
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
) -> None:
    """Send people away at random from a solved plan: what breaks, and what a repair recovers."""
    from assembler.results.names import Names
    from assembler.tradeoffs import StressSettings
    from assembler.tradeoffs import stress as run_stress
    from assembler.tradeoffs.charts import stress_chart
    from assembler.tradeoffs.files import write_csv, write_json, write_png
    from assembler.tradeoffs.stress import StressStoppedError, solve_plan

    if out is not None:
        refuse_input_folder(scenario, out)
        check_folder(out)
    loaded = load(scenario)
    settings = StressSettings(absence, draws, seed, repair_buffer)
    problem = settings.problem(loaded)
    if problem is not None:
        warn(f"--repair-buffer: {problem}")
        raise typer.Exit(EXIT_INVALID)
    with Interrupt("the draws finished so far will be kept") as interrupt:
        solve_settings = SolveSettings(time_limit=time_limit, stop=interrupt.stop)
        plan = interrupt.run(lambda: solve_plan(loaded, solve_settings))
        if plan.solution is None or interrupt.interrupted:
            print_summary(plan)
            if interrupt.interrupted:
                _nothing_kept("draw")
            raise typer.Exit(EXIT_NO_SOLUTION)
        repairs = f"repairs after {draws} draws"
        with _runner(workers, scheduler, repairs) as runner, progress_bar("repairs", quiet) as p:
            try:
                report = run_stress(
                    loaded, settings, solve_settings, plan=plan.solution, runner=runner, progress=p
                )
            except StressStoppedError:
                _nothing_kept("draw")
    print_stress(plan, report)
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        print_written(
            [
                write_csv(report.draws, out / "stress_draws.csv"),
                write_csv(report.missions, out / "stress_missions.csv"),
                write_csv(report.operations, out / "stress_operations.csv"),
                write_json(report.summary.to_json(), out / "stress_summary.json"),
                write_png(stress_chart(report, Names.of(loaded)), out / "stress.png"),
            ]
        )
    _kept(interrupt, report.summary.draws, draws, "draw")


def _runs(
    doing: str, workers: int, scheduler: str | None, quiet: bool
) -> Callable[[str, str], AbstractContextManager[tuple[Interrupt, Runner, Counter | None]]]:
    """What a frontier or a sweep runs in, given what it does and what its bar is called:
    Ctrl-C turned into a stop (``doing`` says what stopping keeps), the Dask runner, and a
    progress bar fed by the runs."""

    @contextmanager
    def runs(work: str, bar: str) -> Iterator[tuple[Interrupt, Runner, Counter | None]]:
        with (
            Interrupt(doing) as interrupt,
            _runner(workers, scheduler, work) as runner,
            progress_bar(bar, quiet) as progress,
        ):
            yield interrupt, runner, progress

    return runs


def _write_rows(
    interrupt: Interrupt,
    rows: tuple[pd.DataFrame, int, str],
    out: Path,
    write: Callable[[], list[Path]],
    show: Callable[[], None],
) -> None:
    """Write (``write``) and print (``show``) the rows of a frontier or sweep, ``rows``
    being the table, how many runs were asked for and what one is called: exit 130 when a
    Ctrl-C left none, say what was kept after one, exit 3 when no row has a plan."""
    table, total, noun = rows
    _stopped_empty(interrupt, len(table), noun)
    out.mkdir(parents=True, exist_ok=True)
    written = write()
    show()
    print_written(written)
    _kept(interrupt, len(table), total, noun)
    if table["value_captured"].isna().all():
        raise typer.Exit(EXIT_NO_SOLUTION)


def _stopped_empty(interrupt: Interrupt, kept: int, noun: str) -> None:
    """Exit 130 when a Ctrl-C left nothing to write."""
    if interrupt.interrupted and kept == 0:
        _nothing_kept(noun)


def _nothing_kept(noun: str) -> NoReturn:
    warn(f"interrupted before the first {noun} was finished; nothing was written.")
    raise typer.Exit(EXIT_INTERRUPTED)


def _kept(interrupt: Interrupt, kept: int, total: int, noun: str) -> None:
    """After a Ctrl-C, say what was kept (and exit 130: the output is partial).  A Ctrl-C
    that came after the last one was finished changed nothing: the output is whole."""
    if not interrupt.interrupted:
        return
    if kept >= total:
        warn(f"interrupted after the last {noun} was finished: all {total} kept.")
        return
    warn(f"interrupted: kept {plural(kept, noun)} of {total}; the rest were not finished.")
    raise typer.Exit(EXIT_INTERRUPTED)


@contextmanager
def _runner(workers: int, scheduler: str | None, work: str) -> Iterator[Runner]:
    """The Dask runner of a trade-off command, or exit 2 when it cannot start (no scheduler
    at the address, more workers than cores); says on stderr where ``work`` goes."""
    from assembler.tradeoffs import Runner, RunnerError

    try:
        with signals_ignored_by_children():
            runner = Runner(workers, scheduler).__enter__()
    except RunnerError as error:
        warn(f"error: {error}")
        raise typer.Exit(EXIT_INVALID) from None
    try:
        warn(f"{work} on {runner.describe()}")
        yield runner
    finally:
        runner.close()
