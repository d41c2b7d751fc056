"""Release requests in the store: asked when a plan is proposed, decided once by a lead.

``PlanStore.propose`` writes one request per network membership of the plan
(``results.releases``) in the transaction that proposes it, so a proposed plan always has
its requests.  A membership of the plan it re-planned (``reference_id``) that a lead had
approved is carried over approved, with that lead's name, moment and reason: a re-plan
that keeps a released volunteer where they were does not ask their unit twice.

A decision is final and made once: the ``UPDATE`` only changes a request that is still
``requested``, so of two leads deciding the same request at once the second changes
nothing and is told who decided first.  ``PlanStore.approve`` counts what is still
requested and refuses without an approver's override (``pending_note``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from assembler.results.plan import Plan
from assembler.results.releases import network_memberships
from assembler.store.policy import Leads, Policy
from assembler.store.reading import AnyRow
from assembler.store.records import (
    AlreadyDecidedError,
    LifecycleError,
    NotFoundError,
    PlanRecord,
    PlanStatus,
    Release,
    ReleasesPendingError,
    ReleaseStatus,
    StoreError,
)
from assembler.store.schema import releases

DECIDABLE = (PlanStatus.PROPOSED, PlanStatus.APPROVED)
"""A plan's releases are decided while it is proposed, and still after an approval that
overrode them (a decline then reaches the next re-plan)."""


def requests(plan: Plan) -> list[dict[str, Any]]:
    """The rows ``plan``'s proposal asks, computed before the write transaction opens."""
    solution = plan.result.solution
    if solution is None:
        return []
    return [
        {
            "person_id": membership.person_id,
            "person_name": membership.person_name,
            "unit_id": membership.unit_id,
            "unit_name": membership.unit_name,
            "mission_id": membership.mission_id,
            "mission_name": membership.mission_name,
            "time": membership.time,
        }
        for membership in network_memberships(plan.scenario, solution)
    ]


def ask(
    connection: Connection, record: PlanRecord, rows: Sequence[dict[str, Any]], now: datetime
) -> None:
    """Insert ``record``'s requests, those its reference plan had approved carried over."""
    carried: dict[tuple[str, str], AnyRow] = {}
    if record.reference_id is not None:
        query = sa.select(releases).where(
            releases.c.plan_id == record.reference_id,
            releases.c.status == ReleaseStatus.APPROVED.value,
        )
        carried = {(row.person_id, row.mission_id): row for row in connection.execute(query)}
    values = []
    for row in rows:
        before = carried.get((row["person_id"], row["mission_id"]))
        decision: dict[str, Any] = {
            "status": ReleaseStatus.REQUESTED.value,
            "decided_by": None,
            "decided_at": None,
            "reason": "",
            "carried_from": None,
        }
        if before is not None:
            decision = {
                "status": ReleaseStatus.APPROVED.value,
                "decided_by": before.decided_by,
                "decided_at": before.decided_at,
                "reason": before.reason,
                "carried_from": record.reference_id,
            }
        values.append({**row, **decision, "plan_id": record.id, "requested_at": now})
    if values:
        connection.execute(releases.insert(), values)


def listed(
    connection: Connection, plan_id: int | None = None, leads: Leads | None = None
) -> list[Release]:
    """The requests of ``plan_id`` (every plan's by default), only of the units ``leads``
    covers if given, in the order they were asked."""
    query = sa.select(releases).order_by(releases.c.id)
    if plan_id is not None:
        query = query.where(releases.c.plan_id == plan_id)
    if leads is not None and not leads.every:
        query = query.where(releases.c.unit_id.in_(sorted(leads.units)))
    return [release(row) for row in connection.execute(query)]


def decide(
    connection: Connection,
    record: PlanRecord,
    person_id: str,
    mission_id: str,
    *,
    approve: bool,
    who: str,
    leads: Leads,
    reason: str,
    policy: Policy,
) -> Release:
    """Approve or decline the request of ``record`` for ``person_id`` on ``mission_id``."""
    if record.status not in DECIDABLE:
        raise LifecycleError(
            f"{record.label} is {record.status}: releases are decided while a plan is "
            "proposed (or approved with releases still undecided)"
        )
    row = connection.execute(
        sa.select(releases).where(
            releases.c.plan_id == record.id,
            releases.c.person_id == person_id,
            releases.c.mission_id == mission_id,
        )
    ).first()
    if row is None:
        raise NotFoundError(
            f"{record.label} asks no release of {person_id} to {mission_id}: they are not "
            "on that network mission's team in this plan"
        )
    policy.check_release(who, leads, row.unit_id, row.unit_name)
    if not approve and not reason.strip():
        raise StoreError("declining a release needs a reason: say why the unit keeps them")
    status = ReleaseStatus.APPROVED if approve else ReleaseStatus.DECLINED
    changed = connection.execute(
        releases.update()
        .where(releases.c.id == row.id, releases.c.status == ReleaseStatus.REQUESTED.value)
        .values(status=status.value, decided_by=who, decided_at=datetime.now(UTC), reason=reason)
    )
    current = release(connection.execute(sa.select(releases).where(releases.c.id == row.id)).one())
    if changed.rowcount != 1:
        assert current.decided_at is not None
        raise AlreadyDecidedError(
            f"the release of {current.person_name} to {current.mission_name} was already "
            f"{current.status} by {current.decided_by} at "
            f"{current.decided_at:%Y-%m-%d %H:%M:%S} UTC" + _why(current.reason)
        )
    return current


def pending_note(connection: Connection, record: PlanRecord, override: str) -> str:
    """What an approval's history adds for releases still requested (nothing when all are
    decided); raises ``ReleasesPendingError`` when some are and there is no ``override``."""
    waiting = connection.execute(
        sa.select(sa.func.count())
        .select_from(releases)
        .where(
            releases.c.plan_id == record.id,
            releases.c.status == ReleaseStatus.REQUESTED.value,
        )
    ).scalar_one()
    if not waiting:
        return ""
    asked = f"{waiting} release{'' if waiting == 1 else 's'}"
    if not override.strip():
        raise ReleasesPendingError(
            f"{record.label} has {asked} not yet decided by the units: approve it once "
            "they are, or override with a reason (plans approve --override-releases, or "
            "the override on the Plans page)"
        )
    return f" [approved with {asked} undecided: {override.strip()}]"


def _why(reason: str) -> str:
    return f": {reason}" if reason else ""


def release(row: AnyRow) -> Release:
    return Release(
        id=row.id,
        plan_id=row.plan_id,
        person_id=row.person_id,
        person_name=row.person_name,
        unit_id=row.unit_id,
        unit_name=row.unit_name,
        mission_id=row.mission_id,
        mission_name=row.mission_name,
        time=dict(row.time),
        status=ReleaseStatus(row.status),
        requested_at=row.requested_at,
        decided_by=row.decided_by,
        decided_at=row.decided_at,
        reason=row.reason,
        carried_from=row.carried_from,
    )
