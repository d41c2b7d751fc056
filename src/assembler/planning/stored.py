"""A planner's session and the plan store: open a stored plan, save the session's plan,
approve plans, and keep the scenario's approved plan at hand.

``PlanningSession`` knows nothing of databases; these functions do the talking through
the use cases of ``planning.cases`` (which the command line calls too), so the Plans page
only calls them and draws what they return.  Every write goes through the store's
``Policy`` with the signed-in ``User``'s role, whatever the page greyed out.
"""

from __future__ import annotations

from dataclasses import dataclass

from assembler.planning import cases
from assembler.planning.access import User
from assembler.planning.rollforward import carried
from assembler.planning.session import Link, PlanningSession
from assembler.store import PlanRecord, PlanStore, ScenarioVersion, StoreError
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
        if self.plan is not None:
            text = f"{what}{version} as a draft."
        else:
            text = (
                f"{what}{version}. It holds the scenario with your edits and dials, no plan "
                "yet: solve, then save again to store one."
            )
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
        planner.set_approved(None)
    elif planner.approved is None or planner.approved.plan_id != record.id:
        approved = carried(store.load_plan(record.id), planner.scenario)
        planner.set_approved(approved, approved_label(record))


def open_plan(store: PlanStore, planner: PlanningSession, plan_id: int) -> PlanRecord:
    """Make plan ``plan_id`` the session: its scenario version (edits and dials baked in)
    is the scenario, the plan the current one, the version the one the next save of that
    name starts from."""
    plan = store.load_plan(plan_id)
    record = store.plan(plan_id)
    planner.open_stored(
        plan.scenario,
        Link(record.scenario, record.version, record.version_id),
        plan if plan.has_solution else None,
    )
    refresh_approved(store, planner)
    return record


def save_as(
    store: PlanStore, planner: PlanningSession, user: User, name: str, note: str = ""
) -> Saved:
    """Save the session under ``name``: the current plan with the scenario it solved, or
    the scenario alone before any plan.  A solve still running is waited for first: the
    planner pressed Save as on the plan it is making, not on the one before it.  A save of
    the name the session is linked to starts from that version, so a version someone saved
    since is refused (``StaleVersionError``), never overwritten; another existing name is
    refused too."""
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
    planner.finish_solve()
    if planner.solving:
        raise StoreError("the solve is still wrapping up: press Save as again in a moment")
    current = planner.current
    if current is not None and current.plan_id is not None and based_on is not None:
        raise StoreError(
            f"this plan is stored already (plan {current.plan_id}): edit and solve to make "
            "a new one, or save it under another name"
        )
    version, plan = cases.save(
        store,
        user,
        name,
        planner.scenario if current is None else current,
        based_on=based_on,
        source=planner.source,
        note=note,
        edits=planner.edits,
        dials=planner.dials,
    )
    scenario = planner.scenario if current is None else current.scenario
    planner.saved_as(
        Link(name, version.version, version.id), scenario, None if plan is None else plan.id
    )
    refresh_approved(store, planner)
    left_out = 0
    if current is not None and planner.stale:
        left_out = max(len(planner.edits) - len(current.edits), 0) or 1
    return Saved(version, plan, version.version != based_on, left_out)


def approve(
    store: PlanStore,
    planner: PlanningSession,
    user: User,
    plan_id: int,
    reason: str,
    over_newer: bool = False,
    override_releases: str = "",
) -> PlanRecord:
    """Approve plan ``plan_id``; if it is of the session's scenario, it becomes the
    reference of the session's next solve.  ``over_newer``: the approver confirmed it
    even though the approved plan is of a newer version (``store.approval``);
    ``override_releases``: why it is approved before every release is decided."""
    approval = cases.approve(store, user, plan_id, reason, over_newer, override_releases)
    refresh_approved(store, planner)
    return approval.plan
