"""Discarding a draft plan, and with it the roll that made it.

A draft is a planner's working copy that nobody has proposed or decided on, so discarding
one deletes it (its row and its one "saved" step): the decisions the history keeps —
proposals, approvals, releases — belong only to plans past draft, which are never
discarded.  A roll forward stores its re-plan as a draft of the scenario's next version
(``source`` ``roll of plan N at P``); discarding that draft undoes the roll when nothing
else stands on the version: the version goes too and the scenario's version counter goes
back one, so a session opened on the version before can save again (the optimistic check
compares against that counter).  Deleting is what makes that possible: version numbers
are unique per scenario and the next save takes the number again, so a draft kept as
"discarded" would point at a version that no longer exists.

What refuses the discard: a plan past draft, a plan another plan was re-planned from
(that plan names it), a plan open in someone's session (the session refers to it).  What
keeps the rolled version (the draft still goes, and the outcome says why): a later
version saved on top of it, another plan of it, or a session based on it.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from assembler.store import reading
from assembler.store.records import (
    LifecycleError,
    NotFoundError,
    PlanRecord,
    PlanStatus,
    ScenarioVersion,
)
from assembler.store.schema import plan_events, plans, scenario_versions, scenarios, workspaces

ROLL_PREFIX = "roll of plan "
"""How a rolled version's ``source`` starts (``roll of plan 5 at 2027-Q2``)."""


@dataclass(frozen=True)
class Discarded:
    """A draft discarded: the plan as it was, why (as its discarder said), the rolled
    version undone with it (``None`` when there was no roll to undo, or it stays) and why a
    roll stays (``kept``)."""

    plan: PlanRecord
    reason: str = ""
    undone: ScenarioVersion | None = None
    kept: str = ""

    @property
    def message(self) -> str:
        """``plan 7 (draft) discarded; the roll of plan 5 at 2027-Q2 is undone: sample is
        back at version 1``: what happened, in one sentence for the app and the CLI."""
        said = f"plan {self.plan.id} ({self.plan.status}) discarded"
        undone = self.undone
        if undone is not None:
            back = undone.version - 1
            said += f"; the {undone.source} is undone: {undone.scenario} is back at version {back}"
        if self.kept:
            said += f"; {self.kept}"
        return said


def discard(connection: Connection, plan_id: int, reason: str) -> Discarded:
    """Delete draft ``plan_id`` and, when it was a roll's only plan on the scenario's newest
    version, that version, moving the scenario's counter back; inside the caller's write
    transaction, the scenario's row locked (PostgreSQL) so no save slips in between."""
    scenario_id = connection.execute(
        sa.select(plans.c.scenario_id).where(plans.c.id == plan_id)
    ).scalar()
    if scenario_id is None:
        raise NotFoundError(f"there is no plan {plan_id} in the store")
    latest = connection.execute(
        sa.select(scenarios.c.latest_version).where(scenarios.c.id == scenario_id).with_for_update()
    ).scalar_one()
    record = reading.plan(connection, plan_id)
    if record.status is not PlanStatus.DRAFT:
        raise LifecycleError(
            f"{record.label} is {record.status}: only a draft can be discarded, as the "
            "history keeps every plan put forward (approve another plan to supersede it)"
        )
    _refuse_if_used(connection, record)
    version = _version(connection, record.version_id)
    kept = _why_kept(connection, record, version, latest)
    connection.execute(plan_events.delete().where(plan_events.c.plan_id == plan_id))
    gone = connection.execute(
        plans.delete().where(plans.c.id == plan_id, plans.c.status == PlanStatus.DRAFT.value)
    )
    if gone.rowcount != 1:  # proposed meanwhile (proposing locks the plan, not the scenario)
        raise LifecycleError(f"{record.label} was proposed meanwhile: it is no draft any more")
    if kept or not _rolled(version):
        return Discarded(record, reason, kept=kept)
    try:
        with connection.begin_nested():
            connection.execute(
                scenario_versions.delete().where(scenario_versions.c.id == version.id)
            )
    except IntegrityError:  # a plan or session took it up while this discard was checking
        kept = f"the {version.source} stays: something was saved on {version.label} meanwhile"
        return Discarded(record, reason, kept=kept)
    connection.execute(
        scenarios.update()
        .where(scenarios.c.id == scenario_id, scenarios.c.latest_version == version.version)
        .values(latest_version=version.version - 1)
    )
    return Discarded(record, reason, undone=version)


def _refuse_if_used(connection: Connection, record: PlanRecord) -> None:
    """Refuse to delete a draft that another plan or a session refers to."""
    replan = connection.execute(
        sa.select(plans.c.id).where(plans.c.reference_id == record.id).order_by(plans.c.id)
    ).scalar()
    if replan is not None:
        raise LifecycleError(
            f"{record.label} cannot be discarded: plan {replan} was re-planned from it "
            f"(discard plan {replan} first)"
        )
    holder = connection.execute(
        sa.select(workspaces.c.who).where(workspaces.c.plan_id == record.id)
    ).scalar()
    if holder is not None:
        raise LifecycleError(
            f"{record.label} cannot be discarded: it is open in a session of {holder} "
            "(open another plan or scenario there first)"
        )


def _version(connection: Connection, version_id: int) -> ScenarioVersion:
    row = connection.execute(
        sa.select(*reading.VERSION_COLUMNS)
        .select_from(reading.VERSIONS)
        .where(scenario_versions.c.id == version_id)
    ).one()
    return reading.version(row)


def _rolled(version: ScenarioVersion) -> bool:
    """Whether ``version`` is a roll's, saved on top of the version before it."""
    return version.source.startswith(ROLL_PREFIX) and version.based_on == version.version - 1


def _why_kept(
    connection: Connection, record: PlanRecord, version: ScenarioVersion, latest: int
) -> str:
    """Why the rolled ``version`` of draft ``record`` stays when the draft goes, or ``""``
    (also for a version that is no roll: it was saved on purpose and stays)."""
    if not _rolled(version):
        return ""
    stays = f"the {version.source} stays:"
    if version.version != latest:
        return f"{stays} {version.scenario} v{latest} was saved after it"
    other = connection.execute(
        sa.select(plans.c.id).where(plans.c.version_id == version.id, plans.c.id != record.id)
    ).scalar()
    if other is not None:
        return f"{stays} plan {other} is of {version.label} too"
    based = connection.execute(
        sa.select(workspaces.c.who).where(
            sa.or_(
                workspaces.c.base_version_id == version.id,
                workspaces.c.link_version_id == version.id,
            )
        )
    ).scalar()
    if based is not None:
        return f"{stays} a session of {based} is based on {version.label}"
    return ""
