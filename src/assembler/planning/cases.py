"""The planner's use cases, written once for the app's session and the command line.

Solve, re-plan against a stored plan, save, propose, approve, compare and export: each is
one function here, and both ``PlanningSession`` (with ``planning.stored``) and
``assembler plans`` call it, so the same inputs give the same stored plan — the same solve
record, dials, summary and changes — and the same words on either side.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, overload

from assembler.domain.edits import Edit
from assembler.domain.scenario import Scenario
from assembler.domain.settings import ModelSettings
from assembler.domain.solution import Solution
from assembler.domain.solve_settings import Progress, SolveSettings, Stability
from assembler.io.atomic import FolderSwap
from assembler.io.reports import write_report_set
from assembler.planning.access import User
from assembler.results.compare import Comparison
from assembler.results.plan import Plan, SolveRecord
from assembler.results.result import Result
from assembler.store import PlanRecord, PlanStore, ScenarioVersion
from assembler.store.sidebyside import SideBySide, side_by_side
from assembler.text import plural


def solve_settings(
    time_limit: float,
    workers: int,
    *,
    seed: int = 0,
    hint: Solution | None = None,
    reference: Plan | None = None,
    progress: Callable[[Progress], None] | None = None,
    stop: threading.Event | None = None,
    started: float | None = None,
) -> SolveSettings:
    """How to solve: warm-started from ``hint`` (the latest plan) — or, with a
    ``reference`` plan that has a solution, re-planned from it: no point of score given
    up, then as few changes to it as possible.  ``started``: when the time limit began
    (a command's start; see ``SolveSettings``)."""
    if reference is not None and reference.result.solution is not None:
        hint = reference.result.solution
    return SolveSettings(
        time_limit=time_limit,
        workers=workers,
        seed=seed,
        hint=hint,
        stability=None if hint is None else Stability(hint, weight=None),
        progress=progress,
        stop=stop,
        started=started,
    )


def replanned_from(reference: Plan | None) -> Plan | None:
    """The stored plan a solve re-plans against: ``reference`` if it has a solution."""
    if reference is None or reference.result.solution is None:
        return None
    return reference


def plan_of(
    scenario: Scenario,
    result: Result,
    settings: SolveSettings,
    *,
    reference: Plan | None = None,
    edits: tuple[Edit, ...] = (),
    dials: ModelSettings | None = None,
) -> Plan:
    """A finished solve of ``scenario`` as a ``Plan``: how it was solved, and its changes
    against ``reference`` (the stored plan it re-planned, if it has a solution) worked out
    now, so that saving it later only writes."""
    against = replanned_from(reference)
    record = SolveRecord.of(settings, None if against is None else against.plan_id)
    plan = Plan(scenario, result, edits=edits, dials=dials, solve=record)
    return plan if against is None or result.solution is None else plan.against(against)


def reference_plan(
    store: PlanStore, name: str, replan_from: int | None = None
) -> tuple[Plan, PlanRecord] | None:
    """The stored plan a re-plan of scenario ``name`` stays close to: ``replan_from`` if
    given, else the scenario's approved plan, if any (with its record, for its status)."""
    if replan_from is None:
        approved = store.approved_plan(name)
        if approved is None:
            return None
        replan_from = approved.id
    return store.load_plan(replan_from), store.plan(replan_from)


@overload
def save(
    store: PlanStore,
    user: User,
    name: str,
    what: Plan,
    *,
    based_on: int | None,
    source: str,
    note: str = "",
    edits: tuple[Edit, ...] = (),
    dials: ModelSettings | None = None,
) -> tuple[ScenarioVersion, PlanRecord]: ...


@overload
def save(
    store: PlanStore,
    user: User,
    name: str,
    what: Scenario,
    *,
    based_on: int | None,
    source: str,
    note: str = "",
    edits: tuple[Edit, ...] = (),
    dials: ModelSettings | None = None,
) -> tuple[ScenarioVersion, None]: ...


def save(
    store: PlanStore,
    user: User,
    name: str,
    what: Plan | Scenario,
    *,
    based_on: int | None,
    source: str,
    note: str = "",
    edits: tuple[Edit, ...] = (),
    dials: ModelSettings | None = None,
) -> tuple[ScenarioVersion, PlanRecord | None]:
    """Store ``what`` as the next version of ``name`` (on top of ``based_on``): a plan as
    a draft, with the scenario it solved, or a scenario alone before any plan, with the
    ``edits`` and ``dials`` that made it from what was loaded (a plan carries its own)."""
    note = note.strip()
    if isinstance(what, Plan):
        return store.save(
            name, what, who=user.who, role=user.role, based_on=based_on, source=source, note=note
        )
    version = store.save_scenario(
        name,
        what,
        who=user.who,
        role=user.role,
        based_on=based_on,
        edits=edits,
        dials=dials,
        source=source,
        note=note,
    )
    return version, None


def propose(store: PlanStore, user: User, plan_id: int, reason: str = "") -> PlanRecord:
    """Put draft ``plan_id`` forward for approval."""
    return store.propose(plan_id, who=user.who, role=user.role, reason=reason.strip())


@dataclass(frozen=True)
class Approval:
    """An approval: the plan approved, and the one it superseded, if any."""

    plan: PlanRecord
    superseded: PlanRecord | None


def approve(
    store: PlanStore,
    user: User,
    plan_id: int,
    reason: str,
    over_newer: bool = False,
    override_releases: str = "",
) -> Approval:
    """Approve plan ``plan_id``; the scenario's approved plan, if any, is superseded.
    ``over_newer``: the approver confirmed it although the approved plan is of a newer
    version (refused otherwise, ``store.approval``); ``override_releases``: why it is
    approved before its units decided every release (refused otherwise)."""
    previous = store.approved_plan(store.plan(plan_id).scenario)
    record = store.approve(
        plan_id,
        who=user.who,
        role=user.role,
        reason=reason.strip(),
        over_newer=over_newer,
        override_releases=override_releases,
    )
    superseded = previous if previous is not None and previous.id != record.id else None
    return Approval(record, superseded)


def compare_plans(store: PlanStore, plan_ids: Sequence[int]) -> SideBySide:
    """2–4 stored plans side by side, the first the baseline."""
    return side_by_side([(store.plan(plan_id), store.load_plan(plan_id)) for plan_id in plan_ids])


def export_plan(
    store: PlanStore, plan_id: int, folder: FolderSwap, report_format: Literal["csv", "xlsx"]
) -> tuple[Plan, list[Path]]:
    """Write stored plan ``plan_id``'s report files (MODEL.md §8) into the entered
    ``folder``; the plan, and the paths written."""
    plan = store.load_plan(plan_id)
    return plan, write_report_set(plan.reports, folder, report_format)


def change_summary(changes: Comparison) -> str:
    """``1 mission gained, 0 lost, 3 people moved, 1 mission moved in time; value +20,
    score +2,000``: a plan's changes in the words the app and the command line share."""
    parts = [
        f"{plural(len(changes.gained), 'mission')} gained",
        f"{len(changes.lost)} lost",
        f"{plural(len(changes.moves), 'person', 'people')} moved",
        f"{plural(len(changes.shifts), 'mission')} moved in time",
    ]
    if changes.learners_gained or changes.learners_lost:  # only where learners are on (v3)
        parts.append(
            f"{plural(len(changes.learners_gained), 'learner')} gained, "
            f"{len(changes.learners_lost)} lost"
        )
    text = ", ".join(parts)
    if changes.value_delta is not None:
        text += f"; value {changes.value_delta:+,.0f}"
    if changes.score_delta is not None:
        text += f", score {changes.score_delta:+,}"
    return text
