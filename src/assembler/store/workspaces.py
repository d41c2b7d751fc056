"""Working sessions in the store: what a planner is working on, kept as it changes.

The app keeps each browser session's state — the scenario loaded, the edit log and dials
on top of it, the stored version it is linked to, the current plan — under a random key
the browser carries, so a reload or a server restart brings it back.  A session belongs
to whoever started it: another identity holding the key reads nothing and writes nothing.

Writes are partial (``Change`` names only what changed) because the app writes after
every change and a scenario can be large: the loaded scenario is written when another is
loaded, the edit log when it changes, a plan when a new one is taken in.  What is already
in the store — a stored version as the loaded scenario, a stored plan as the current
plan — is referenced by id, not copied.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from typing import Any, Final, Literal

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from assembler.domain.edits import Edit
from assembler.domain.scenario import Scenario
from assembler.domain.settings import ModelSettings
from assembler.results.plan import Plan
from assembler.store import codec, reading
from assembler.store.records import NotFoundError, PermissionDeniedError, StoreError
from assembler.store.schema import NAME_LENGTH, workspaces


class _Unset(Enum):
    UNSET = "unset"


UNSET: Final = _Unset.UNSET
"""A ``Change`` field left as it is (``None`` clears a link or a plan)."""


@dataclass(frozen=True, eq=False)
class Base:
    """The scenario a session loaded: a stored version (``version_id``) or the scenario
    itself (a file, an upload), with the name it is shown under."""

    source: str
    scenario: Scenario
    version_id: int | None = None


@dataclass(frozen=True, eq=False)
class Change:
    """What changed in a session since it was last kept; ``UNSET`` fields stay as they are.
    A new ``base`` starts the session afresh: its edits, dials, link and plan are cleared
    unless given with it."""

    base: Base | Literal[_Unset.UNSET] = UNSET
    edits: tuple[Edit, ...] | Literal[_Unset.UNSET] = UNSET
    dials: ModelSettings | Literal[_Unset.UNSET] | None = UNSET
    link_version_id: int | Literal[_Unset.UNSET] | None = UNSET
    plan_id: int | Literal[_Unset.UNSET] | None = UNSET
    plan: Plan | Literal[_Unset.UNSET] | None = UNSET

    @property
    def empty(self) -> bool:
        """Nothing changed: nothing to write."""
        parts = (self.base, self.edits, self.dials, self.link_version_id, self.plan_id)
        return all(part is UNSET for part in (*parts, self.plan))

    def values(self) -> dict[str, Any]:
        """The columns to write."""
        values: dict[str, Any] = {}
        if self.base is not UNSET:
            stored = self.base.version_id is not None
            values |= {
                "source": self.base.source,
                "base_version_id": self.base.version_id,
                "base_document": None if stored else codec.scenario_document(self.base.scenario),
                "edits": [],
                "overrides": {},
                "link_version_id": None,
                "plan_id": None,
                "plan": None,
            }
        if self.edits is not UNSET:
            values["edits"] = codec.edits_document(self.edits)
        if self.dials is not UNSET:
            values["overrides"] = codec.dials_document(self.dials)
        if self.link_version_id is not UNSET:
            values["link_version_id"] = self.link_version_id
        if self.plan_id is not UNSET:
            values["plan_id"] = self.plan_id
        if self.plan is not UNSET:
            values["plan"] = None if self.plan is None else codec.plan_document(self.plan)
        return values


@dataclass(frozen=True, eq=False)
class Workspace:
    """A kept session as read back: everything needed to rebuild it."""

    key: str
    who: str
    base: Base
    edits: tuple[Edit, ...]
    dials: ModelSettings | None
    link_version_id: int | None
    plan_id: int | None
    plan: Plan | None
    updated_at: datetime


class Workspaces:
    """The store's working sessions (``PlanStore.workspaces``)."""

    def __init__(self, engine: Engine, writer: Engine) -> None:
        self._engine = engine
        self._writer = writer

    def keep(self, key: str, who: str, change: Change) -> None:
        """Write ``change`` to the session ``key`` of ``who``, creating it with its first
        ``base``.  Raises ``NotFoundError`` for a change to a session not kept yet (the
        caller writes it whole), ``PermissionDeniedError`` if ``key`` is someone else's."""
        if not key or len(key) > 64 or not who.strip() or len(who) > NAME_LENGTH:
            raise StoreError("a session needs a key of 1 to 64 characters and who it is for")
        values = change.values() | {"updated_at": datetime.now(UTC)}
        with self._writer.begin() as connection:
            owner = connection.execute(
                sa.select(workspaces.c.who).where(workspaces.c.key == key)
            ).scalar()
            if owner is not None and owner != who:
                raise PermissionDeniedError(f"session {key} belongs to someone else")
            if owner is not None:
                connection.execute(
                    workspaces.update().where(workspaces.c.key == key).values(**values)
                )
                return
            if change.base is UNSET:
                raise NotFoundError(f"there is no session {key} to change: keep it whole")
            connection.execute(workspaces.insert().values(key=key, who=who, **values))

    def read(self, key: str, who: str) -> Workspace | None:
        """The session ``key`` of ``who``; ``None`` if there is none (or it is someone
        else's: a key passed on in an address does not hand over a session)."""
        with self._engine.connect() as connection:
            row = connection.execute(
                sa.select(workspaces).where(workspaces.c.key == key, workspaces.c.who == who)
            ).first()
            if row is None:
                return None
            if row.base_version_id is not None:
                _, scenario = reading.stored_version(connection, row.base_version_id)
            else:
                scenario = codec.scenario_from(row.base_document)
        return Workspace(
            key=row.key,
            who=row.who,
            base=Base(row.source, scenario, row.base_version_id),
            edits=codec.edits_from(row.edits),
            dials=codec.dials_from(row.overrides),
            link_version_id=row.link_version_id,
            plan_id=row.plan_id,
            plan=None if row.plan is None else codec.plan_from(row.plan),
            updated_at=row.updated_at,
        )
