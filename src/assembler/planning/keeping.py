"""A session that survives a reload: kept in the store as it changes, read back by key.

The app gives each browser session a random key (in the page's address, which a reload
keeps) and a ``Keeper`` for it.  After each interaction the app calls ``keep``; it
compares the session with what it last wrote — by identity for the scenario and the plan,
which the session replaces rather than changes, and by value for the small edit log and
dials — and writes only what changed, so an interaction that changed nothing costs no
write and a scenario is written once per load, not once per click.  ``restore`` rebuilds
the session from what was kept: scenario, edits, dials, the stored version it is linked
to, the current plan, and the scenario's approved plan as it is now.  What the store cannot
hold — a solve still running, the comparison with the previous plan — lives on in
``LiveSessions`` for a reload on the same server.
"""

from __future__ import annotations

import dataclasses
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from assembler.domain.edits import Edit
from assembler.domain.scenario import Scenario
from assembler.domain.settings import ModelSettings
from assembler.planning.edits import EditError
from assembler.planning.session import Link, PlanningSession
from assembler.planning.stored import refresh_approved
from assembler.results.plan import Plan
from assembler.store import NotFoundError, PlanStore, StoreError
from assembler.store.workspaces import UNSET, Base, Change


@dataclass(frozen=True, eq=False)
class _Kept:
    """What was last written: the objects themselves (compared by identity) and copies of
    the small parts (compared by value)."""

    base: Scenario | None = None
    edits: tuple[Edit, ...] = ()
    dials: ModelSettings | None = None
    link: Link | None = None
    current: Plan | None = None

    @classmethod
    def of(cls, planner: PlanningSession) -> _Kept:
        return cls(planner.base, planner.edits, planner.dials, planner.link, planner.current)


class Keeper:
    """Keeps one session under ``key`` for ``who`` (see the module docstring)."""

    def __init__(self, store: PlanStore, key: str, who: str) -> None:
        self.store = store
        self.key = key
        self.who = who
        self._kept = _Kept()
        self.problem: str | None = None
        """Why the last write failed, if it did: the app says so, and keeps working."""

    def kept(self, planner: PlanningSession) -> None:
        """Note that ``planner`` is as kept (it was just restored)."""
        self._kept = _Kept.of(planner)

    def keep(self, planner: PlanningSession) -> bool:
        """Write what changed since the last call; true if something was written."""
        now = _Kept.of(planner)
        change = _change(planner, self._kept, now)
        if change is None:
            return False
        try:
            try:
                self.store.workspaces.keep(self.key, self.who, change)
            except NotFoundError:  # not kept yet, or removed: write it whole
                self.store.workspaces.keep(self.key, self.who, _whole(planner, now))
        except (StoreError, SQLAlchemyError) as error:
            self.problem = f"your work could not be kept for a reload: {error}"
            return False
        self.problem = None
        self._kept = now
        return True


def _whole(planner: PlanningSession, now: _Kept) -> Change:
    change = _change(planner, _Kept(), now)
    assert change is not None  # a new base is always a change
    return change


def _change(planner: PlanningSession, before: _Kept, now: _Kept) -> Change | None:
    whole = now.base is not before.base
    base: Base | Any = UNSET
    if whole:
        base = Base(planner.source, planner.base, planner.base_id)
    edits = now.edits if whole or now.edits != before.edits else UNSET
    dials = now.dials if whole or now.dials != before.dials else UNSET
    link: int | Any | None = UNSET
    if whole or now.link != before.link:
        link = None if now.link is None else now.link.version_id
    plan_id: int | Any | None = UNSET
    plan: Plan | Any | None = UNSET
    if whole or now.current is not before.current:
        plan_id, plan = _plan(now.current)
    change = Change(base, edits, dials, link, plan_id, plan)
    return None if change.empty else change


def _plan(current: Plan | None) -> tuple[int | None, Plan | None]:
    """A stored plan by id, another one in full."""
    if current is None:
        return None, None
    if current.plan_id is not None:
        return current.plan_id, None
    return None, current


def restore(store: PlanStore, key: str, who: str) -> PlanningSession | None:
    """The session kept under ``key`` for ``who``, as it was; ``None`` if there is none or
    it no longer makes sense (a stored version it names is gone, an edit no longer
    applies): the app then starts afresh rather than half-restored."""
    try:
        kept = store.workspaces.read(key, who)
        if kept is None:
            return None
        base = kept.base
        planner = PlanningSession(base.scenario, base.source, base_id=base.version_id)
        link, saved = None, None
        made_by: dict[int | None, tuple[Edit, ...]] = {}
        if kept.link_version_id is not None:
            version, saved = store.load_version(kept.link_version_id)
            link = Link(version.scenario, version.version, version.id)
            made_by = {version.id: version.edits}
        current = kept.plan
        if kept.plan_id is not None:
            stored = store.load_plan(kept.plan_id)
            # The edits that made the plan's scenario from this session's base: none if the
            # base is the plan's version, else those the session saved it with.
            version_id = stored.version_id
            edits = () if kept.base.version_id == version_id else made_by.get(version_id, ())
            current = dataclasses.replace(stored, edits=edits) if stored.has_solution else None
        planner.resume(kept.edits, kept.dials, link, saved, current)
        refresh_approved(store, planner)
    except (StoreError, EditError, SQLAlchemyError):
        return None
    return planner


class LiveSessions:
    """The sessions of one app server by key, the most recently used ``size`` of them.

    A reload starts a new browser session; restoring from the store brings back the work,
    but not a solve still running in the old session's thread, which then finished unseen
    (a planner pressing F5 while solving lost it).  A reload on the same server picks the
    very session object up again, solve and all; only its owner (``who``) can.
    """

    def __init__(self, size: int = 64) -> None:
        self._size = size
        self._sessions: OrderedDict[str, tuple[str, PlanningSession]] = OrderedDict()
        self._lock = threading.Lock()  # every browser session runs on its own thread

    def get(self, key: str, who: str) -> PlanningSession | None:
        with self._lock:
            found = self._sessions.get(key)
            if found is None or found[0] != who:
                return None
            self._sessions.move_to_end(key)
            return found[1]

    def put(self, key: str, who: str, planner: PlanningSession) -> None:
        with self._lock:
            self._sessions[key] = (who, planner)
            self._sessions.move_to_end(key)
            while len(self._sessions) > self._size:
                self._sessions.popitem(last=False)
