"""``assembler plans roll PLAN --at PERIOD [--periods FILE]``: roll the approved plan forward;
``assembler plans discard PLAN --reason TEXT``: discard a draft, undoing the roll that made it.

A thin layer over ``planning.rollforward`` (which the Plans page calls too): the roll is
made, re-planned against the approved plan with as few changes as the score allows, and
stored as a draft of the scenario's next version. It prints what became of each mission
by name — done, running (with its team), re-planned, missed — and the version chain.
A roll that cannot be made (the plan is not approved, the period is unknown or the
first, the periods file is wrong) is exit 2 with every reason; so is a discard the store
refuses (an unknown plan, one past draft, a role that may not).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from assembler.cli.common import (
    EXIT_INVALID,
    EXIT_NO_SOLUTION,
    TimeLimitOption,
    WorkersOption,
    guarded,
    solved,
)
from assembler.cli.interrupt import Interrupt
from assembler.cli.plans import DbOption, PlanArgument, WhoOption, _store, _user
from assembler.cli.printing import print_problems, print_summary, progress_printer, say, warn

if TYPE_CHECKING:
    from assembler.planning.rollforward import RolledPlan


@guarded
def roll(
    plan_id: PlanArgument,
    at: Annotated[str, typer.Option("--at", help="The period the plan rolls forward to (its id).")],
    periods: Annotated[
        Path | None,
        typer.Option(
            "--periods",
            help="New periods (a CSV laid out like periods.csv); default: as many as leave, "
            "continuing the cadence.",
        ),
    ] = None,
    time_limit: TimeLimitOption = 60.0,
    workers: WorkersOption = 2,
    quiet: Annotated[bool, typer.Option("--quiet", help="No progress on stderr.")] = False,
    db: DbOption = None,
    who: WhoOption = None,
) -> None:
    """Roll an approved plan forward to period --at: the periods before it leave, missions
    that ended are done, running ones keep their start and team, the rest are re-planned
    with as few changes as the score allows (or missed, when they no longer fit), and the
    outcome is stored as a draft of the scenario's next version."""
    from assembler.planning import rollforward
    from assembler.planning.rolling import RollError, read_periods

    started = time.perf_counter()
    user = _user(who)
    with _store(db) as store:
        try:
            new_periods = None if periods is None else read_periods(periods)
            source = "periods" if periods is None else periods.name
            prepared = rollforward.prepare(store, plan_id, at, new_periods, source)
        except RollError as error:
            warn(f"error: {error}")
            print_problems(error.problems)
            raise typer.Exit(EXIT_INVALID) from None
        with Interrupt("the best plan found so far will be saved") as interrupt:
            settings = rollforward.solve_settings(
                prepared,
                time_limit,
                workers,
                progress=None if quiet else progress_printer(),
                stop=interrupt.stop,
                started=started,
            )
            label = Path(prepared.approved.label)
            result = solved(label, prepared.rolled.scenario, settings, interrupt)
        stored = rollforward.save(store, user, prepared, result, settings)
        chain = rollforward.chain(store, stored.version.scenario)
    _print_roll(stored)
    print_summary(result)
    say(f"scenario    {stored.version.label} saved by {stored.version.saved_by}")
    say(f"plan        {stored.record.id} saved as a draft of {stored.version.label}")
    if chain:
        say(f"versions    {chain}")
    if stored.warning:
        warn(f"warning: {stored.warning}")
    if interrupt.interrupted:
        warn(f"interrupted: the search stopped after {result.solve_seconds:.1f}s.")
    if not result.has_solution:
        raise typer.Exit(EXIT_NO_SOLUTION)


@guarded
def discard(
    plan_id: PlanArgument,
    reason: Annotated[str, typer.Option(help="Why the draft goes.")] = "",
    db: DbOption = None,
    who: WhoOption = None,
) -> None:
    """Discard a draft plan. A roll's draft takes its rolled version with it, so the
    scenario is back at the version before the roll (unless a later version, another plan
    or a session stands on it: then only the draft goes, and the reason is printed)."""
    from assembler.planning.rollforward import discard as discard_draft

    user = _user(who)
    with _store(db) as store:
        done = discard_draft(store, user, plan_id, reason)
    say(done.message)


def _print_roll(stored: RolledPlan) -> None:
    """Each mission's fate by name, and the re-plan's changes against the approved plan."""
    from assembler.planning.cases import change_summary
    from assembler.planning.rollforward import outcomes

    rolled = stored.roll.rolled
    say(f"roll        {stored.roll.approved.label} {rolled.summary}")
    joined = ", ".join(p.period_id for p in rolled.added)
    say(f"periods     {', '.join(rolled.left)} left; {joined} joined")
    for outcome in outcomes(stored):
        say(f"{outcome.fate.fate:<11} {outcome.mission}: {outcome.text}")
    changes = stored.plan.changes
    if changes is not None:
        say(f"changes     against the approved plan: {change_summary(changes)}")
