"""Plans that last: a store of scenario versions and plans, and their lifecycle.

``PlanStore`` keeps, behind SQLAlchemy, every saved version of a named scenario (with the
edits and dials that made it) and every plan solved from one (solution, KPIs, settings,
status, score, bound and gap, who saved it, when, a note).  A plan moves draft → proposed →
approved → superseded, one approved plan per scenario at a time (a draft may instead be
discarded, undoing the roll forward that made it); a re-plan names the plan
it started from and keeps its changes against it.  ``side_by_side`` compares 2–4 plans.

By default the store is ``assembler.db``, a SQLite file in the working folder; a team
shares one server through any SQLAlchemy URL (``ASSEMBLER_DB``).  The schema is versioned
with Alembic (``migrations/`` in this package) and migrated on opening.  Callers see plain
dataclasses (``records``), never rows, and pass who they are and their ``Role`` with every
write; the store's ``Policy`` decides what the role allows.  Proposing a plan asks each
network member's unit to release them; a lead of that unit decides (``store.releases``).
A plan goes in and comes out as ``assembler.results.plan.Plan``, the one shape the app
and the CLI hold.
"""

from assembler.store.approval import OlderVersionError
from assembler.store.discarding import ROLL_PREFIX, Discarded
from assembler.store.engine import DB_VARIABLE, DEFAULT_URL, resolve_url, shown_url
from assembler.store.policy import Action, Leads, Policy, Role
from assembler.store.records import (
    AlreadyDecidedError,
    LifecycleError,
    NotFoundError,
    PermissionDeniedError,
    PlanEvent,
    PlanRecord,
    PlanStatus,
    Release,
    ReleasesPendingError,
    ReleaseStatus,
    ScenarioVersion,
    StaleVersionError,
    StoreError,
)
from assembler.store.store import PlanStore

__all__ = [
    "DB_VARIABLE",
    "DEFAULT_URL",
    "ROLL_PREFIX",
    "Action",
    "AlreadyDecidedError",
    "Discarded",
    "Leads",
    "LifecycleError",
    "NotFoundError",
    "OlderVersionError",
    "PermissionDeniedError",
    "PlanEvent",
    "PlanRecord",
    "PlanStatus",
    "PlanStore",
    "Policy",
    "Release",
    "ReleaseStatus",
    "ReleasesPendingError",
    "Role",
    "ScenarioVersion",
    "StaleVersionError",
    "StoreError",
    "resolve_url",
    "shown_url",
]
