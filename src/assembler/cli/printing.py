"""Everything the commands print: results on stdout, problems and progress on stderr.

Kept apart from the commands so that a command reads as what it does (read, solve, write)
and the wording of its output, which scripts and people rely on, lives in one place.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from math import isfinite, isnan
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from assembler.compile.instance import Instance
from assembler.compile.sizing import expected_memory
from assembler.domain.problems import Problem
from assembler.domain.solve_settings import Progress
from assembler.results.report import network_shares
from assembler.results.result import Result, Status, relative_gap
from assembler.text import format_gap, plural

if TYPE_CHECKING:
    import pandas as pd

    from assembler.domain.scenario import Scenario
    from assembler.tradeoffs import Frontier, StressReport


def _visible_escape(code: int) -> str:
    named = {"\t": "\\t", "\r": "\\r", "\n": "\\n"}.get(chr(code))
    if named is not None:
        return named
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


_CONTROLS = [
    *range(0x00, 0x20),  # C0: ESC starts colour, cursor and OSC (title, hyperlink) sequences
    *range(0x7F, 0xA0),  # DEL and C1 (CSI and OSC as single bytes)
    0x061C,
    0x200E,
    0x200F,
    *range(0x202A, 0x202F),
    *range(0x2066, 0x206A),  # bidi controls
    0x2028,
    0x2029,  # line and paragraph separators
]
_VISIBLE = {code: _visible_escape(code) for code in _CONTROLS}
_VISIBLE_LINES = {code: escape for code, escape in _VISIBLE.items() if code != ord("\n")}


def visible(text: object, *, lines: bool = False) -> str:
    """``text`` with every control character shown as an escape (ESC as ``\\x1b``, CR as
    ``\\r``, a bidi override as ``\\u202e``), so a name, note or reason from a scenario, a
    user or the store is printed as what it is: it can neither move the cursor, rewrite a
    line, set the terminal's title or a hyperlink, nor reorder what follows it.  With
    ``lines`` newlines are kept (a message of several lines); a single cell escapes them too.
    """
    return str(text).translate(_VISIBLE_LINES if lines else _VISIBLE)


def say(message: str = "") -> None:
    """A line of a command's result on stdout, control characters shown (``visible``)."""
    typer.echo(visible(message, lines=True))


def warn(message: str) -> None:
    """A problem or progress line on stderr, control characters shown (``visible``)."""
    typer.echo(visible(message, lines=True), err=True)


def print_problems(problems: tuple[Problem, ...]) -> None:
    for problem in problems:
        warn(f"{problem.severity}: {problem}")


def print_written(paths: Sequence[Path]) -> None:
    say(f"wrote       {', '.join(str(p) for p in paths)}")


def _gap_cell(gap: float | None) -> str:
    """A table's gap; a plan whose search proved no bound has none (``None`` or NaN)."""
    return "no bound yet" if gap is None or isnan(gap) else format_gap(gap)


def percent(share: float) -> str:
    """``0.125`` → ``12.5%``: buffers are shown exactly, never rounded to a neighbour."""
    return f"{share * 100:.10g}%"


def progress_printer() -> Callable[[Progress], None]:
    """Improving solutions on stderr, once a solve has run long enough to need it; until
    the search proves a bound (never for the warm start alone) a line says so."""
    started = time.perf_counter()

    def report(progress: Progress) -> None:
        if time.perf_counter() - started < 1.0:
            return
        plan = (
            f"  {progress.seconds:7.1f}s  {progress.missions_staffed:>5,} missions  "
            f"value {progress.value:>10,.0f}  score {progress.score:>12,}"
        )
        if not isfinite(progress.best_bound):
            warn(f"{plan}  no bound yet")
            return
        gap = relative_gap(progress.score, progress.best_bound)
        warn(f"{plan}  bound {progress.best_bound:>14,.0f}  gap {format_gap(gap)}")

    return report


@contextmanager
def progress_bar(label: str, quiet: bool) -> Iterator[Callable[[int, int], None] | None]:
    """A rich progress bar on stderr fed by the runner's (done, total) callback."""
    if quiet:
        yield None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )
    from rich.progress import Progress as Bar  # not the solver's ``Progress``

    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    with Bar(*columns, console=Console(stderr=True)) as bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


def print_summary(result: Result) -> None:
    """A solve in a few lines: its status and figures, or why there is no plan."""
    gap = "" if result.gap is None else f" (gap {format_gap(result.gap)})"
    say(f"status      {result.status}{gap}")
    kpis = result.kpis
    if kpis is not None:
        bound = "no bound yet" if result.best_bound is None else f"bound {result.best_bound:,.0f}"
        say(f"score       {result.score:,} ({bound})")
        say(f"missions    {kpis.missions_staffed} of {kpis.missions_total} staffed")
        say(
            f"value       {kpis.value_captured:g} of {kpis.value_total:g} captured "
            f"({kpis.value_share:.0%})"
        )
        say(f"network     {kpis.network_fte:g} FTE freed for network missions")
        if kpis.tightest is not None:
            t = kpis.tightest
            say(
                f"operations  tightest: {t.unit_id}/{t.skill_id} covered {t.covered_fte:g} FTE "
                f"of {t.protected_fte:g} protected ({t.ratio:.0%})"
            )
    elif result.status is Status.INFEASIBLE:
        say("no plan can satisfy all of these at once:")
        for conflict in result.conflicts or ("(the clash could not be narrowed down)",):
            say(f"  - {conflict}")
    elif result.status is Status.STOPPED:
        say("stopped before any plan was found")
    else:
        say("no solution was found within the time limit; raise --time-limit")
    say(f"time        build {result.build_seconds:.2f}s, solve {result.solve_seconds:.2f}s")
    if result.model_variables is not None:
        expected = expected_memory(result.model_variables)
        say(f"model       {result.model_variables:,} variables (memory expected below {expected})")


def print_periods(scenario: Scenario, result: Result) -> None:
    """With periods: per period the network FTE, the tightest operational coverage and the
    missions starting then — the plan's shape over the horizon, in one table."""
    kpis, solution = result.kpis, result.solution
    if not scenario.has_horizon or kpis is None or solution is None:
        return
    starting: dict[int, list[str]] = {t: [] for t in range(len(scenario.period_ids))}
    for mission in scenario.missions:  # a plan with periods names every staffed start
        start = solution.starts.get(mission.mission_id)
        if start is not None:
            starting[start].append(mission.mission_id)
    width = max(len("period"), *(len(period_id) for period_id in scenario.period_ids))
    say(f"{'period':<{width}}  network FTE  tightest operations              missions starting")
    for t, period_id in enumerate(scenario.period_ids):
        tight = kpis.tightest_by_period[t]
        shown = "–" if tight is None else f"{tight.unit_id}/{tight.skill_id} {tight.ratio:.0%}"
        say(
            f"{period_id:<{width}}  {kpis.network_fte_by_period[t]:11g}  {shown:<31}  "
            f"{', '.join(starting[t]) or '–'}"
        )


def print_growth_and_caps(scenario: Scenario, result: Result) -> None:
    """MODEL.md v3, when on: how many learners the plan places and how many of them grow in
    a development goal, and each capped unit's network share against its cap per period."""
    solution = result.solution
    if solution is None:
        return
    instance = Instance(scenario)
    if scenario.settings.has_learners:
        met = sum(
            (instance.person_index[person_id], skill_id) in instance.goal
            for person_id, _, skill_id in solution.learners
        )
        say(
            f"learners    {plural(len(solution.learners), 'learner')} under mentors, "
            f"{met} on a development goal"
        )
    shares = network_shares(instance, solution)
    for unit_id, by_period in (shares or {}).items():
        shown = ", ".join(
            f"{period_id} {share:.0%}" if scenario.has_horizon else f"{share:.0%}"
            for period_id, share in zip(scenario.period_ids, by_period, strict=True)
        )
        say(
            f"network cap {unit_id}: {shown} of its time (cap {instance.capped_units[unit_id]:.0%})"
        )


def print_bearable_buffer(scenario: Scenario, result: Result) -> None:
    """After an infeasible solve whose operations cannot be protected: the highest buffer
    they can bear (a bisection over the certificate, milliseconds)."""
    if result.status is not Status.INFEASIBLE:
        return
    from assembler.compile.instance import Instance
    from assembler.compile.protection import highest_protectable_buffer, ops_shortfalls

    instance = Instance(scenario)
    if not ops_shortfalls(instance):
        return
    asked = percent(scenario.settings.ops_buffer)
    highest = highest_protectable_buffer(instance)
    if highest is None:
        say("buffer      operations cannot be protected even without a buffer")
    else:
        say(
            f"buffer      operations can be protected up to a buffer of {percent(highest)} "
            f"(this solve asked {asked}); missions may need less"
        )


def print_frontier(frontier: Frontier) -> None:
    """One line per value of the dial, then the first conflict where plans stop: from a
    buffer up, or up to a network cap."""
    table, dial = frontier.table, frontier.dial
    say(f"{dial.short:>7}  status        value  share  network FTE  missions  gap")
    for row in table.to_dict("records"):
        value, status = percent(row[dial.setting]).rjust(7), f"{row['status']:<11}"
        if isnan(row["value_captured"]):
            say(f"{value}  {status}       —      —            —         —")
            continue
        say(
            f"{value}  {status} {row['value_captured']:7g}  {row['value_share']:5.0%}  "
            f"{row['network_fte']:11g}  {row['missions_staffed']:8}  {_gap_cell(row['gap'])}"
        )
    points = list(zip(table[dial.setting], frontier.results, strict=True))
    edge = "from" if dial.tightens_upward else "up to"
    for value, point in points if dial.tightens_upward else reversed(points):
        if point.conflicts:
            say(f"{edge} {percent(value)}: {point.conflicts[0]}")
            break


def print_sweep(table: pd.DataFrame, settings: Sequence[str]) -> None:
    """How the runs ended, and the five best by score with the ``settings`` they vary."""
    counts = table["status"].value_counts()
    say(f"runs        {len(table)}: " + ", ".join(f"{n} {status}" for status, n in counts.items()))
    best = table.sort_values("score", ascending=False).head(5)
    columns = ["run", "variant", *settings, "status", "value_captured", "network_fte"]
    say("best runs by score:")
    say(best[columns].to_string(index=False))


def print_stress(plan: Result, report: StressReport) -> None:
    """The stress summary as sentences, rung by rung, worst spots first; with periods the
    absences are person-periods and the demands are named with their period."""
    s = report.summary
    kpis = plan.kpis
    assert kpis is not None
    say(
        f"plan        {plan.status}: value {kpis.value_captured:,.0f} of {kpis.value_total:,.0f} "
        f"({kpis.value_share:.0%}), {kpis.missions_staffed} missions staffed"
    )
    if s.periods is None:
        away = f"each person away with probability {s.absence:.0%} "
        away += f"({s.absent_mean:.1f} of {s.people} away on average)"
    else:
        away = f"each person away in each of {s.periods} periods with probability {s.absence:.0%} "
        away += f"({s.absent_mean:.1f} of {s.people * s.periods} person-periods on average)"
    say(f"draws       {s.draws}, {away}, seed {s.seed}")
    say(
        f"operations  plan as is: covered at demand in {s.p_ops_covered:.0%} of draws, "
        f"fully protected in {s.p_ops_protected:.0%}"
    )
    buffer = f"{s.repair_buffer:.0%} buffer"
    say(
        f"            reshuffling duties within units (missions untouched) re-protects them "
        f"({buffer}) in {s.p_ops_reshuffle_ok:.0%}"
    )
    say(
        f"            the people present can protect them at all ({buffer}) "
        f"in {s.p_ops_protectable:.0%}"
    )
    worst = report.operations.sort_values("p_below_demand", ascending=False).head(4)
    spots = ", ".join(
        f"{_demand(row)} {row['p_below_demand']:.0%}"
        for row in worst.to_dict("records")
        if row["p_below_demand"] > 0
    )
    if spots:
        say(f"            below demand most often: {spots}")
    say(f"missions    no mission loses a needed skill in {s.p_missions_intact:.0%} of draws")
    exposed = report.missions.sort_values("p_loses_skill", ascending=False).head(4)
    spots = ", ".join(
        f"{row['mission_id']} {row['p_loses_skill']:.0%} "
        f"(mostly {row['skills_lost'].split(' (')[0]})"
        for row in exposed.to_dict("records")
        if row["p_loses_skill"] > 0
    )
    if spots:
        say(f"            most exposed: {spots}")
    before, after = s.value_before_repair, s.value_after_repair
    say(
        f"value       plan as is: mean {before.mean:,.0f} (5th percentile {before.p5:,.0f}) "
        f"of {s.plan_value:,.0f} planned"
    )
    if after is not None:
        say(
            f"            with a repair: mean {after.mean:,.0f} "
            f"(5th percentile {after.p5:,.0f}) "
            f"in the {s.p_plan_after_repair:.0%} of draws that have a plan"
        )
    outcomes = ", ".join(f"{n} {status}" for status, n in s.repair_outcomes.items())
    per_repair = ""
    if s.changes_mean is not None:
        moves = "" if s.moves_mean is None else f" and {s.moves_mean:.1f} missions moved in time"
        per_repair = f"; {s.changes_mean:.1f} memberships changed{moves} per repair"
    say(f"repair      {outcomes}{per_repair}")


def _demand(row: Mapping[Hashable, Any]) -> str:
    """A row of the stress operations table as ``unit/skill`` (with periods ``unit/skill@q2``)."""
    period = f"@{row['period_id']}" if "period_id" in row else ""
    return f"{row['unit_id']}/{row['skill_id']}{period}"
