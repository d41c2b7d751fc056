"""``assembler plans …``: the scenario and plan store from the command line.

``save`` stores a scenario file as the next version of a named scenario, and with
``--solve`` a plan of it — by default re-planned from the scenario's approved plan with as
few changes as the score allows.  ``list``, ``show``, ``propose``, ``approve``, ``diff`` and
``export`` work on what is stored, each a thin layer over the use cases the app calls too
(``assembler.planning.cases``); all open the same store (``--db``, else ``ASSEMBLER_DB``,
else ``assembler.db`` in the working folder) and migrate it if it is older than this code.

The command line acts for the OS user (``--who`` to name someone else) with the approver
role and as lead of every unit (``releases``): whoever can reach the database URL can
write to it anyway, so roles guard the app's signed-in users, not a shell.  A refusal by
the store — a stale version, a step the plan's status does not allow, an unknown id — is
exit 2 with the store's own message.
"""

from __future__ import annotations

import getpass
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from assembler.cli.common import (
    EXIT_INVALID,
    EXIT_NO_SOLUTION,
    MAX_ID,
    ScenarioArgument,
    SeedOption,
    TimeLimitOption,
    WorkersOption,
    guarded,
    load,
    output_folder,
    solved,
    store_failures,
)
from assembler.cli.interrupt import Interrupt
from assembler.cli.printing import (
    print_growth_and_caps,
    print_periods,
    print_summary,
    print_written,
    progress_printer,
    say,
    visible,
    warn,
)
from assembler.cli.solving import ReportFormat
from assembler.text import format_gap

if TYPE_CHECKING:
    import pandas as pd

    from assembler.domain.edits import Edit
    from assembler.domain.scenario import Scenario
    from assembler.planning.access import User
    from assembler.results.plan import Plan
    from assembler.store import PlanRecord, PlanStatus, PlanStore

app = typer.Typer(
    rich_markup_mode="markdown",
    no_args_is_help=True,
    help="Saved scenarios and plans: save, list, show, propose, approve, diff, export, roll.",
)

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="SQLAlchemy URL of the store; default $ASSEMBLER_DB, else sqlite:///assembler.db.",
        show_default=False,
    ),
]
WhoOption = Annotated[
    str | None, typer.Option("--who", help="Who is acting (default: the OS user).")
]
PlanArgument = Annotated[
    int, typer.Argument(min=1, max=MAX_ID, help="A plan id, as `plans list` shows it.")
]
FromVersionOption = Annotated[
    int | None,
    typer.Option(
        "--from-version",
        min=1,
        max=MAX_ID,
        help="The stored version your file started from (see `plans export --scenario`); "
        "the save is refused if another was saved since.  Default: the newest now.",
    ),
]
ReplanFromOption = Annotated[
    int | None,
    typer.Option(
        "--replan-from",
        min=1,
        max=MAX_ID,
        help="Plan to stay close to (minimal disruption); default: the approved plan.",
    ),
]
FreshOption = Annotated[
    bool, typer.Option("--fresh", help="Solve from scratch, without a reference plan.")
]


def _who(who: str | None) -> str:
    """``who`` as given, else the OS user: every write records someone."""
    if who:
        return who
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def _user(who: str | None) -> User:
    """The command line's user: ``who`` with the approver role, leading every unit (see
    the module docstring)."""
    from assembler.planning.access import User
    from assembler.store import Leads, Role

    return User(_who(who), Role.APPROVER, leads=Leads.all())


@contextmanager
def _store(db: str | None) -> Iterator[PlanStore]:
    """The store at ``db``, opened and migrated; a store that cannot be opened, or a request
    it refuses, ends the command with exit 2 and the reason."""
    from assembler.store import PlanStore, StoreError

    with store_failures(db, opening=True):
        store = PlanStore(db)
    with store, store_failures(db):
        try:
            yield store
        except StoreError as error:
            warn(f"error: {error}")
            raise typer.Exit(EXIT_INVALID) from None


# ---------------------------------------------------------------------- save


@guarded
def save(
    scenario: ScenarioArgument,
    name: Annotated[str, typer.Option("--name", help="The scenario's name in the store.")],
    note: Annotated[str, typer.Option(help="Why this version or plan.")] = "",
    solve: Annotated[bool, typer.Option("--solve", help="Solve it and store the plan.")] = False,
    time_limit: TimeLimitOption = 60.0,
    workers: WorkersOption = 2,
    seed: SeedOption = 0,
    from_version: FromVersionOption = None,
    replan_from: ReplanFromOption = None,
    fresh: FreshOption = False,
    quiet: Annotated[bool, typer.Option("--quiet", help="No progress on stderr.")] = False,
    db: DbOption = None,
    who: WhoOption = None,
) -> None:
    """Store a scenario as the next version of --name, and with --solve a plan of it.

    An unchanged scenario is not a new version: its plans join the stored one.  With
    --solve the plan is re-planned from the scenario's approved plan (or --replan-from):
    no point of score is given up, and among the best plans the closest one is kept; its
    changes against the reference are stored and printed.
    """
    from assembler.planning.cases import change_summary, plan_of, save, solve_settings

    started = time.perf_counter()  # the time limit counts reading the scenario too
    if fresh and replan_from is not None:
        warn("error: --fresh and --replan-from contradict each other; give one.")
        raise typer.Exit(EXIT_INVALID)
    loaded = load(scenario)
    user = _user(who)
    with _store(db) as store:
        based_on = _based_on(store, name, from_version)
        if not solve:
            version, _ = save(
                store, user, name, loaded, based_on=based_on, source=str(scenario), note=note
            )
            _print_version(version.label, version.version != based_on, version.saved_by)
            return
        reference = None if fresh else _reference(store, name, replan_from, loaded)
        loaded, decided = _with_releases(loaded, store, reference)
        with Interrupt("the best plan found so far will be saved") as interrupt:
            settings = solve_settings(
                time_limit,
                workers,
                seed=seed,
                reference=reference,
                progress=None if quiet else progress_printer(),
                stop=interrupt.stop,
                started=started,
            )
            result = solved(scenario, loaded, settings, interrupt)
        plan = plan_of(loaded, result, settings, reference=reference, edits=decided)
        version, record = save(
            store, user, name, plan, based_on=based_on, source=str(scenario), note=note
        )
    _print_version(version.label, version.version != based_on, version.saved_by)
    print_summary(result)
    print_periods(loaded, result)
    print_growth_and_caps(loaded, result)
    say(f"plan        {record.id} saved as a draft of {version.label} by {record.saved_by}")
    if plan.changes is not None:
        say(f"changes     against plan {plan.reference_id}: {change_summary(plan.changes)}")
    if interrupt.interrupted:
        warn(f"interrupted: the search stopped after {result.solve_seconds:.1f}s.")
    if not result.has_solution:
        raise typer.Exit(EXIT_NO_SOLUTION)


def _based_on(store: PlanStore, name: str, from_version: int | None) -> int | None:
    """The version a save starts from: ``--from-version``, else the newest now; one older
    than the newest is refused here, before a long solve."""
    from assembler.store import StaleVersionError

    latest = store.latest_version(name)
    based_on = from_version
    if based_on is None and latest is not None:
        based_on = latest.version
    if latest is not None and based_on is not None and based_on < latest.version:
        raise StaleVersionError(latest, based_on)
    return based_on


def _reference(
    store: PlanStore, name: str, replan_from: int | None, scenario: Scenario
) -> Plan | None:
    """The plan a re-plan of ``scenario`` stays close to: the one named, else the approved
    one, if any (carried into ``scenario``'s horizon when it is a roll of it)."""
    from assembler.planning.cases import reference_plan
    from assembler.planning.rollforward import carried

    found = reference_plan(store, name, replan_from)
    if found is None:
        return None
    reference, record = found
    if not reference.has_solution:
        warn(f"plan {record.id} has no solution to stay close to; solving from scratch.")
        return None
    say(f"reference   plan {record.id} ({record.status}): fewest changes to it")
    return carried(reference, scenario)


def _with_releases(
    scenario: Scenario, store: PlanStore, reference: Plan | None
) -> tuple[Scenario, tuple[Edit, ...]]:
    """``scenario`` with the releases decided in the reference plan (and those it
    re-planned) applied: declined ones forbidden, approved ones pinned; each is printed,
    and one that no longer fits the scenario ends the command (exit 2)."""
    from assembler.planning.edits import EditError
    from assembler.planning.releases import with_releases

    try:
        scenario, edits = with_releases(
            scenario, store, None if reference is None else reference.plan_id
        )
    except EditError as error:
        warn(f"error: {error}")
        raise typer.Exit(EXIT_INVALID) from None
    for edit in edits:
        say(f"release     {edit}")
    return scenario, edits


def _print_version(label: str, created: bool, saved_by: str) -> None:
    if created:
        say(f"scenario    {label} saved by {saved_by}")
    else:
        say(f"scenario    {label} unchanged: no new version")


# ---------------------------------------------------------------------- reading


@guarded
def list_plans(
    scenario: Annotated[
        str | None, typer.Option("--scenario", help="Only the plans of this scenario.")
    ] = None,
    status: Annotated[
        str | None,
        typer.Option("--status", help="Only plans in this status: draft, proposed, approved…"),
    ] = None,
    db: DbOption = None,
) -> None:
    """List stored plans, newest first, and the version chain of a rolled scenario."""
    from assembler.planning.rollforward import chains
    from assembler.store import PlanStatus

    wanted = _status(status, PlanStatus) if status is not None else None
    with _store(db) as store:
        records = store.plans(scenario, wanted)
        rolls = chains(store, [record.scenario for record in records])
    if not records:
        say("no plans stored" + (" that match" if scenario or status else ""))
        return
    headers = ("id", "scenario", "status", "solve", "score", "value", "missions", "saved by")
    rows = [
        (
            str(record.id),
            f"{record.scenario} v{record.version}",
            str(record.status),
            str(record.solve_status),
            "–" if record.score is None else f"{record.score:,}",
            "–" if record.value_captured is None else f"{record.value_captured:g}",
            _missions(record),
            f"{record.saved_by} {record.saved_at:%Y-%m-%d %H:%M}",
            record.note,
        )
        for record in records
    ]
    _print_table((*headers, "note"), rows)
    for chain in rolls:
        say(f"versions  {chain}")


def _status(text: str, statuses: type[PlanStatus]) -> PlanStatus:
    try:
        return statuses(text)
    except ValueError:
        names = ", ".join(statuses)
        warn(f"error: --status {text!r} is not a plan status: {names}")
        raise typer.Exit(EXIT_INVALID) from None


def _missions(record: PlanRecord) -> str:
    staffed, total = record.missions_staffed, record.summary.get("missions_total")
    return "–" if staffed is None else f"{staffed} of {total}"


def _print_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    """Columns padded to their widest cell; the last one is left ragged.  A cell is one
    line whatever it holds: a newline in a note is shown as ``\\n`` (``visible``)."""
    rows = [[visible(cell) for cell in row] for row in rows]
    widths = [max(len(row[i]) for row in (headers, *rows)) for i in range(len(headers) - 1)]
    for row in (headers, *rows):
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        say("  ".join([*cells, row[-1]]).rstrip())


@guarded
def show(plan_id: PlanArgument, db: DbOption = None) -> None:
    """A stored plan: its scenario version, figures, lifecycle and changes."""
    from assembler.planning.cases import change_summary
    from assembler.store.sidebyside import change_sentences

    with _store(db) as store:
        record = store.plan(plan_id)
        plan = store.load_plan(plan_id)
        events = store.events(plan_id)
        reference = None if record.reference_id is None else store.load_plan(record.reference_id)
    say(f"plan        {visible(record.label)}, {record.status}")
    say(f"saved       by {visible(record.saved_by)} at {record.saved_at:%Y-%m-%d %H:%M:%S} UTC")
    if record.note:
        say(f"note        {visible(record.note)}")
    if record.solve is not None:
        say(f"solved with {record.solve.shown()}")
    print_summary(plan.result)
    print_periods(plan.scenario, plan.result)
    print_growth_and_caps(plan.scenario, plan.result)
    if record.changes is not None and reference is not None:
        say(f"changes     against plan {record.reference_id}: {change_summary(record.changes)}")
        for sentence in change_sentences(reference, plan):
            say(f"  {visible(sentence)}")
    say("history")
    for event in events:
        step = f"{event.status_from} → {event.status_to}" if event.status_from else "saved"
        why = f": {visible(event.reason)}" if event.reason and event.status_from else ""
        say(f"  {event.at:%Y-%m-%d %H:%M:%S}  {step} by {visible(event.who)}{why}")


# ---------------------------------------------------------------------- lifecycle


@guarded
def propose(
    plan_id: PlanArgument,
    reason: Annotated[str, typer.Option(help="Why this plan.")] = "",
    db: DbOption = None,
    who: WhoOption = None,
) -> None:
    """Put a draft plan forward for approval."""
    from assembler.planning.cases import propose as propose_plan

    user = _user(who)
    with _store(db) as store:
        record = propose_plan(store, user, plan_id, reason)
    say(f"{record.label} proposed by {user.who}")


@guarded
def approve(
    plan_id: PlanArgument,
    reason: Annotated[str, typer.Option(help="Why this plan: recorded with the approval.")],
    over_newer: Annotated[
        bool,
        typer.Option(
            "--over-newer",
            help="Approve it even though the approved plan is of a newer scenario version "
            "(recorded in the history).",
        ),
    ] = False,
    override_releases: Annotated[
        str,
        typer.Option(
            "--override-releases",
            help="Approve it although some releases are not decided yet: say why "
            "(recorded in the history).",
        ),
    ] = "",
    db: DbOption = None,
    who: WhoOption = None,
) -> None:
    """Approve a proposed plan once its units have decided every release (`plans
    releases`); the scenario's approved plan, if any, is superseded."""
    from assembler.planning.cases import approve as approve_plan

    with _store(db) as store:
        done = approve_plan(store, _user(who), plan_id, reason, over_newer, override_releases)
    approval = done.plan.approval
    assert approval is not None
    who, why = visible(approval.who), visible(approval.reason)
    say(f"{visible(done.plan.label)} approved by {who}: {why}")
    if done.superseded is not None:
        say(f"{visible(done.superseded.label)} superseded")


# ---------------------------------------------------------------------- comparing, exporting


@guarded
def diff(
    plan_ids: Annotated[
        list[int],
        typer.Argument(min=1, max=MAX_ID, help="2 to 4 plan ids; the first is the base."),
    ],
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Export: .csv (the change list) or .xlsx (every table)."),
    ] = None,
    db: DbOption = None,
) -> None:
    """Compare 2–4 plans: figures, changes against the first, and load per unit."""
    from assembler.planning.cases import compare_plans
    from assembler.store.sidebyside import MAX_PLANS, column, write_side_by_side

    if not 2 <= len(plan_ids) <= MAX_PLANS or len(set(plan_ids)) != len(plan_ids):
        warn(f"error: name 2 to {MAX_PLANS} plans, each once: {' '.join(map(str, plan_ids))}.")
        raise typer.Exit(EXIT_INVALID)
    if out is not None and out.suffix.lower() not in (".csv", ".xlsx"):
        warn(f"error: --out {out}: export a comparison as .csv or .xlsx.")
        raise typer.Exit(EXIT_INVALID)
    with _store(db) as store:
        view = compare_plans(store, plan_ids)
    say(_figures_text(view.figures))
    say()
    base = column(view.plans[0])
    if view.changes.empty:
        say(f"no changes against {base}")
    for (plan, _), changes in view.changes.groupby(["plan", "against"], sort=False):
        say(f"{plan} against {base}: {len(changes)} change{'s' if len(changes) != 1 else ''}")
        for text in changes["change"]:
            say(f"  {text}")
    _print_load(view.load, [column(plan) for plan in view.plans], view.plans[-1].scenario)
    if out is not None:
        print_written([write_side_by_side(view, out)])


def _print_load(load: pd.DataFrame, plans: list[str], scenario: Scenario) -> None:
    """Mission FTE per unit (and period) where the plans differ, units by name."""
    from assembler.results.names import Names

    columns = [f"{plan} missions" for plan in plans if f"{plan} missions" in load.columns]
    if len(columns) < 2:
        return
    keys = [key for key in ("unit_id", "period_id") if key in load.columns]
    differ = load[load[columns].nunique(axis=1, dropna=False) > 1]
    say()
    if differ.empty:
        say("mission FTE per unit: the same in every plan")
        return
    same = len(load) - len(differ)
    say(f"mission FTE per unit where the plans differ ({same} rows alike):")
    shown = differ[[*keys, *columns]].copy()
    names = Names.of(scenario)
    shown["unit_id"] = shown["unit_id"].map(names.unit)
    if "period_id" in shown:
        shown["period_id"] = shown["period_id"].map(names.period)
    headers = {"unit_id": "unit", "period_id": "period"}
    say(_text(shown.rename(columns=headers).set_index([headers[key] for key in keys])))


def _text(frame: pd.DataFrame) -> str:
    """A table as text: numbers plain (``0.35``, ``8,000,211``), a missing figure as ``–``."""
    return frame.map(_cell).to_string()


def _figures_text(figures: pd.DataFrame) -> str:
    """The figures table with the gap and the value share as percentages."""
    import pandas as pd

    table = figures.set_index("figure")
    cells = {
        str(name): [_figure(str(name), value) for value in values]
        for name, values in zip(table.index, table.to_numpy().tolist(), strict=True)
    }
    return pd.DataFrame.from_dict(cells, orient="index", columns=table.columns).to_string()


def _figure(name: str, value: Any) -> str:
    if value is not None and name == "gap":
        return format_gap(value)
    if value is not None and name == "value share":
        return f"{value:.1%}"
    return _cell(value)


def _cell(value: Any) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return "–"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):  # FTE and scores: two decimals at most, no trailing zeros
        return f"{round(value, 2):,.10g}"
    return str(value)


@guarded
def export(
    plan_id: PlanArgument,
    out: Annotated[Path, typer.Option("--out", help="Folder for the plan's report files.")],
    report_format: Annotated[
        ReportFormat, typer.Option("--format", help="csv, or csv plus an Excel workbook.")
    ] = ReportFormat.CSV,
    scenario_out: Annotated[
        Path | None,
        typer.Option(
            "--scenario",
            help="Also write the scenario version it solved (a folder, .zip, .xlsx or .json).",
        ),
    ] = None,
    db: DbOption = None,
) -> None:
    """Write a stored plan's report files (MODEL.md §8), as `assembler solve` does."""
    from assembler.io import write_scenario
    from assembler.io.reports import report_folder
    from assembler.planning.cases import export_plan

    with output_folder(report_folder(out)) as folder, _store(db) as store:
        plan, written = export_plan(store, plan_id, folder, report_format.value)
        record = store.plan(plan_id)
    print_written(written)
    if scenario_out is not None:
        write_scenario(plan.scenario, scenario_out)
        print_written([scenario_out])
        say(
            f"edit it and save it with --name {record.scenario!r} --from-version "
            f"{record.version}: a version saved since is then refused, not overwritten"
        )


for command in (save, list_plans, show, propose, approve, diff, export):
    app.command("list" if command is list_plans else None)(command)

__all__ = ["app"]
