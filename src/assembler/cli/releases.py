"""``assembler plans releases`` and ``assembler plans release``: unit leads decide whether
their people join a plan's network missions.

Proposing a plan asks each network member's unit to release them (``store.releases``).
``releases PLAN`` lists the requests with the time each asks and its decision;
``release PLAN PERSON MISSION --approve|--decline --reason …`` decides one.  The command
line acts for the OS user (or ``--who``) as lead of every unit: on a planner's own machine
they are already the approver, and whoever can reach the database URL can write to it
anyway — leads are enforced for the app's signed-in users.  Every refusal (unknown plan,
person or mission, a mission of the hierarchy, someone not on the team, a request decided
already) is exit 2 with the reason.
"""

from __future__ import annotations

from typing import Annotated

import typer

from assembler.cli.common import EXIT_INVALID, guarded
from assembler.cli.plans import DbOption, PlanArgument, WhoOption, _print_table, _store, _user
from assembler.cli.printing import say, visible, warn


@guarded
def releases(plan_id: PlanArgument, db: DbOption = None) -> None:
    """The release requests of a proposed plan: who, to which mission, for how much time,
    and what their unit decided."""
    from assembler.planning.releases import releases_table
    from assembler.results.names import Names

    with _store(db) as store:
        asked = store.releases(plan_id)
        names = Names.of(store.load_plan(plan_id).scenario) if asked else None
    if names is None:
        say(f"plan {plan_id} asks no releases (it is a draft, or no network mission has a team)")
        return
    table = releases_table(asked, names)
    _print_table(list(table.columns), [list(row) for row in table.itertuples(index=False)])
    waiting = sum(not request.decided for request in asked)
    say(f"{waiting} of {len(asked)} still to decide" if waiting else "all decided")


@guarded
def release(
    plan_id: PlanArgument,
    person: Annotated[str, typer.Argument(help="The person's id, as `plans releases` lists.")],
    mission: Annotated[str, typer.Argument(help="The network mission's id.")],
    approve: Annotated[
        bool | None,
        typer.Option(
            "--approve/--decline",
            help="Let the person join the mission, or keep them in the unit.",
            show_default=False,
        ),
    ] = None,
    reason: Annotated[
        str, typer.Option(help="Why: recorded with the decision (a decline needs one).")
    ] = "",
    db: DbOption = None,
    who: WhoOption = None,
) -> None:
    """Approve or decline one release request of a proposed plan, as the person's unit
    lead; a declined release is forbidden in the next re-plan (`plans save --solve`)."""
    from assembler.planning.releases import decide

    if approve is None:
        warn("error: say --approve or --decline.")
        raise typer.Exit(EXIT_INVALID)
    user = _user(who)
    with _store(db) as store:
        done = decide(store, user, plan_id, person, mission, approve=approve, reason=reason)
    why = f": {visible(done.reason)}" if done.reason else ""
    say(
        f"release of {visible(done.person_name)} ({visible(done.unit_name)}) to "
        f"{visible(done.mission_name)} {done.status} by {visible(user.who)}{why}"
    )


def register(app: typer.Typer) -> None:
    """Add the commands to the ``plans`` sub-app."""
    app.command()(releases)
    app.command()(release)
