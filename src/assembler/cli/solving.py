"""The commands on one scenario: ``validate`` it, ``solve`` it into report files, or
``generate`` a synthetic one."""

from __future__ import annotations

import dataclasses
import time
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from assembler.cli.common import (
    EXIT_INVALID,
    EXIT_NO_SOLUTION,
    ScenarioArgument,
    SeedOption,
    TimeLimitOption,
    WorkersOption,
    check_read_limits,
    guarded,
    load,
    output_folder,
    refuse_input_folder,
    solved,
)
from assembler.cli.interrupt import Interrupt
from assembler.cli.printing import (
    print_bearable_buffer,
    print_growth_and_caps,
    print_periods,
    print_problems,
    print_summary,
    print_written,
    progress_printer,
    say,
    warn,
)
from assembler.domain.solve_settings import SolveSettings
from assembler.io import write_scenario
from assembler.validation import read_scenario


class ReportFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


@guarded
def validate(scenario: ScenarioArgument) -> None:
    """List every problem in a scenario; exit 2 if any is an error."""
    check_read_limits()
    report = read_scenario(scenario)
    print_problems(report.problems)
    if not report.ok:
        warn(f"{scenario}: {len(report.errors)} error(s), {len(report.warnings)} warning(s).")
        raise typer.Exit(EXIT_INVALID)
    assert report.scenario is not None
    s = report.scenario
    say(
        f"{scenario}: valid — {len(s.people)} people, {len(s.unit_ids)} units, "
        f"{len(s.missions)} missions, {len(report.warnings)} warning(s)."
    )


@guarded
def solve(
    scenario: ScenarioArgument,
    out: Annotated[Path, typer.Option("--out", help="Folder for the report files.")],
    time_limit: TimeLimitOption = 60.0,
    workers: WorkersOption = 2,
    seed: SeedOption = 0,
    ops_buffer: Annotated[
        float | None,
        typer.Option(
            min=0.0,
            help="Override the ops protection buffer, as a fraction: 0.1 keeps 110 % covered.",
        ),
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
) -> None:
    """Staff missions optimally and write the report files.

    Ctrl-C stops the search and writes the best plan found (status ``feasible``, or
    ``stopped`` without one); a second Ctrl-C quits at once (exit 130).  The report files
    replace those in ``--out`` all together or not at all.
    """
    # The time limit and the progress clock start with the command, as the user's wait does.
    settings = SolveSettings(
        time_limit=time_limit,
        started=time.perf_counter(),
        workers=workers,
        seed=seed,
        deterministic=deterministic,
        progress=None if quiet else progress_printer(),
    )
    from assembler.io.reports import (
        holds_plan,
        report_folder,
        write_failed_summary,
        write_report_set,
    )
    from assembler.results.report import build_reports

    refuse_input_folder(scenario, out)
    with output_folder(report_folder(out)) as folder:
        loaded = load(scenario, {"ops_buffer": ops_buffer})
        doing = "the best plan found so far will be written"
        with Interrupt(doing, cleanup=folder.abandon) as interrupt:
            stoppable = dataclasses.replace(settings, stop=interrupt.stop)
            result = solved(scenario, loaded, stoppable, interrupt)
            reports = build_reports(loaded, result)
            keep_previous = not result.has_solution and holds_plan(out)
            if keep_previous:
                written = [write_failed_summary(reports, out)]
            else:
                written = write_report_set(reports, folder, report_format.value)
    print_summary(result)
    print_periods(loaded, result)
    print_growth_and_caps(loaded, result)
    print_bearable_buffer(loaded, result)
    print_written(written)
    if keep_previous:
        say(f"kept        the previous plan's reports in {out}, untouched")
    if interrupt.interrupted:
        kept = "the best plan found is written" if result.has_solution else "no plan was found"
        warn(f"interrupted: the search stopped after {result.solve_seconds:.1f}s; {kept}.")
    if not result.has_solution:
        raise typer.Exit(EXIT_NO_SOLUTION)


class ShapeName(StrEnum):
    """The named organisation shapes of ``assembler.generate.SHAPES`` (kept equal by a test),
    and ``projects``: project-scheduling tasks (``assembler.generate.projects``)."""

    DEFAULT = "default"
    SPECIALISTS = "specialists"
    GENERALISTS = "generalists"
    COMMITTED = "committed"
    FLAT = "flat"
    BIG_TEAMS = "big-teams"
    LONG_TAIL = "long-tail"
    MOSAIC = "mosaic"
    PROJECTS = "projects"


@guarded
def generate(
    out: Annotated[Path, typer.Argument(help="Folder (or .xlsx/.json file) to create.")],
    people: Annotated[int, typer.Option(min=1, help="Number of people.")] = 150,
    missions: Annotated[int, typer.Option(min=1, help="Number of missions.")] = 20,
    seed: Annotated[
        int, typer.Option(help="Random seed; the same seed gives the same scenario.")
    ] = 0,
    periods: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="Plan this many quarters (months beyond 8): leave, seasonal peaks, mission "
            "windows. Without it the scenario has no periods.",
        ),
    ] = None,
    shape: Annotated[
        ShapeName,
        typer.Option(
            help="How the organisation is made (skills, volunteers, teams, tree); "
            "projects: --missions mandatory tasks of one person each in chains, for --people "
            "people, over the weeks a schedule needs."
        ),
    ] = ShapeName.DEFAULT,
    growth: Annotated[
        bool,
        typer.Option(
            "--growth",
            help="Add MODEL.md v3's parts: learners under mentors (stretch_levels 1), "
            "development goals and network caps on some units.",
        ),
    ] = False,
) -> None:
    """Write a realistic synthetic scenario, valid by construction."""
    from assembler.generate import SHAPES, generate_scenario
    from assembler.generate.projects import generate_projects

    if out.exists() and (out.is_file() or any(out.iterdir())):
        warn(f"{out}: already exists and is not empty; nothing was written.")
        raise typer.Exit(EXIT_INVALID)
    if shape is ShapeName.PROJECTS and periods is not None:
        warn("error: --periods does not go with --shape projects: the schedule sets them.")
        raise typer.Exit(EXIT_INVALID)
    started = time.perf_counter()
    if shape is ShapeName.PROJECTS:
        scenario = generate_projects(tasks=missions, people=people, seed=seed)
        periods = len(scenario.period_ids)
    else:
        scenario = generate_scenario(
            people=people,
            missions=missions,
            seed=seed,
            periods=periods,
            shape=SHAPES[shape],
            growth=growth,
        )
    write_scenario(scenario, out)
    horizon = "" if periods is None else f" over {len(scenario.period_ids)} periods"
    say(
        f"wrote {out}: {len(scenario.people)} people in {len(scenario.unit_ids)} units, "
        f"{len(scenario.missions)} missions{horizon} ({time.perf_counter() - started:.1f}s)"
    )
