"""A planner's session and the plan store: open a stored plan, save the session's plan,
propose and approve plans, and keep the scenario's approved plan at hand.

``PlanningSession`` knows nothing of databases; these functions do the talking, so the
Plans page only calls them and draws what they return.  Every write goes through the
store's ``Policy`` with the signed-in ``User``'s role, whatever the page greyed out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from assembler.domain.scenario import Scenario
from assembler.planning.access import User
from assembler.planning.session import Approved, Link, Outcome, PlanningSession
from assembler.results.compare import Comparison
from assembler.results.report import build_reports
from assembler.store import (
    LoadedPlan,
    PlanRecord,
    PlanStore,
    ScenarioVersion,
    StoreError,
)
from assembler.text import plural


@dataclass(frozen=True)
class Saved:
    """What a "Save as" stored: the scenario version and, if there was one, the plan."""

    version: ScenarioVersion
    plan: PlanRecord | None
    new_version: bool
    left_out: int = 0
    """Edits made since the plan was solved: they are not in what was saved."""

    @property
    def message(self) -> str:
        what = f"Saved plan {self.plan.id} of " if self.plan is not None else "Saved "
        version = self.version.label if self.new_version else f"{self.version.label} (unchanged)"
        text = f"{what}{version} as a draft." if self.plan is not None else f"{what}{version}."
        if self.left_out:
            text += (
                f" Your {plural(self.left_out, 'edit')} since that solve "
                f"{'is' if self.left_out == 1 else 'are'} not in it: solve and save again."
            )
        return text


def approved_label(record: PlanRecord) -> str:
    """``plan 4 (sample v2), approved by bob on 2026-12-01``."""
    approval = record.approval
    by = "" if approval is None else f", approved by {approval.who} on {approval.at:%Y-%m-%d}"
    return f"{record.label}{by}"


def refresh_approved(store: PlanStore, planner: PlanningSession) -> None:
    """Point the session at its stored scenario's approved plan (read only when it changed:
    a plan and its scenario can be megabytes), or at none."""
    record = None if planner.link is None else store.approved_plan(planner.link.scenario)
    if record is None:
        planner.approved = None
    elif planner.approved is None or planner.approved.plan_id != record.id:
        loaded = store.load_plan(record.id)
        planner.approved = Approved(
            record.id, approved_label(record), loaded.scenario, loaded.result
        )


def outcome_of(loaded: LoadedPlan, edits: tuple[Any, ...] = ()) -> Outcome | None:
    """A stored plan as the session's current plan (``None`` without a solution)."""
    record = loaded.record
    if loaded.result.solution is None:
        return None
    return Outcome(
        loaded.scenario,
        loaded.result,
        build_reports(loaded.scenario, loaded.result),
        solved_at=_local(record.saved_at),
        edits=edits,
        reference_id=record.reference_id,
        settings=dict(record.settings),
        plan_id=record.id,
    )


def _local(moment: datetime) -> datetime:
    """A stored (UTC) moment as the app's other times are: local and naive."""
    return moment.astimezone().replace(tzinfo=None)


def open_plan(store: PlanStore, planner: PlanningSession, plan_id: int) -> PlanRecord:
    """Make plan ``plan_id`` the session: its scenario version (edits and dials baked in)
    is the scenario, the plan the current one, the version the one the next save of that
    name starts from."""
    loaded = store.load_plan(plan_id)
    record = loaded.record
    planner.open_stored(
        loaded.scenario,
        Link(record.scenario, record.version, record.version_id),
        outcome_of(loaded),
    )
    refresh_approved(store, planner)
    return record


def save_as(
    store: PlanStore, planner: PlanningSession, user: User, name: str, note: str = ""
) -> Saved:
    """Save the session under ``name``: the current plan with the scenario it solved, or
    the scenario alone before any plan.  A save of the name the session is linked to
    starts from that version, so a version someone saved since is refused
    (``StaleVersionError``), never overwritten; another existing name is refused too."""
    name = name.strip()
    if not name:
        raise StoreError("give the scenario a name to save it under")
    link = planner.link
    based_on = link.version if link is not None and link.scenario == name else None
    if based_on is None and store.latest_version(name) is not None:
        raise StoreError(
            f"a scenario named {name!r} is already stored: open one of its plans to work "
            "on it, or save under another name"
        )
    current = planner.current
    if current is not None and current.plan_id is not None and based_on is not None:
        raise StoreError(
            f"this plan is stored already (plan {current.plan_id}): edit and solve to make "
            "a new one, or save it under another name"
        )
    common: dict[str, Any] = {
        "who": user.who,
        "role": user.role,
        "based_on": based_on,
        "source": planner.source,
        "note": note.strip(),
    }
    if current is None:
        scenario: Scenario = planner.scenario
        version = store.save_scenario(
            name, scenario, edits=planner.edits, overrides=planner.overrides, **common
        )
        plan = None
    else:
        scenario = current.scenario
        version, plan = store.save(
            name,
            scenario,
            current.result,
            edits=current.edits,
            overrides=_dials(scenario, planner.overrides),
            settings=current.settings,
            reference_id=current.reference_id,
            **common,
        )
    planner.saved_as(
        Link(name, version.version, version.id), scenario, None if plan is None else plan.id
    )
    refresh_approved(store, planner)
    left_out = 0
    if current is not None and planner.stale:
        left_out = max(len(planner.edits) - len(current.edits), 0) or 1
    return Saved(version, plan, version.version != based_on, left_out)


def _dials(scenario: Scenario, dials: dict[str, Any]) -> dict[str, Any]:
    """The dials' values as ``scenario`` was solved with them (the dials may have moved on
    since the solve)."""
    flat = scenario.settings.flat()
    return {name: flat[name] for name in dials if name in flat}


def propose(store: PlanStore, user: User, plan_id: int, reason: str = "") -> PlanRecord:
    return store.propose(plan_id, who=user.who, role=user.role, reason=reason.strip())


def approve(
    store: PlanStore,
    planner: PlanningSession,
    user: User,
    plan_id: int,
    reason: str,
    over_newer: bool = False,
) -> PlanRecord:
    """Approve plan ``plan_id``; if it is of the session's scenario, it becomes the
    reference of the session's next solve.  ``over_newer``: the approver confirmed it
    even though the approved plan is of a newer version (``store.approval``)."""
    record = store.approve(
        plan_id, who=user.who, role=user.role, reason=reason.strip(), over_newer=over_newer
    )
    refresh_approved(store, planner)
    return record


def change_summary(changes: Comparison) -> str:
    """``1 mission gained, 0 lost, 3 people moved, 1 mission moved in time; value +20``."""
    parts = [
        f"{plural(len(changes.gained), 'mission')} gained",
        f"{len(changes.lost)} lost",
        f"{plural(len(changes.moves), 'person', 'people')} moved",
        f"{plural(len(changes.shifts), 'mission')} moved in time",
    ]
    text = ", ".join(parts)
    if changes.value_delta is not None:
        text += f"; value {changes.value_delta:+,.0f}"
    return text
