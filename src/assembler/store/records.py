"""What the store hands out and refuses with: plain dataclasses and exceptions.

The app and the CLI see no SQLAlchemy rows, only these; a record carries what a list or a
detail view shows of a stored plan's lifecycle, and ``PlanStore.load_plan`` gives the
``Plan`` itself (read only when asked, because a scenario and a solution can be megabytes).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from assembler.domain.edits import Edit
from assembler.domain.settings import ModelSettings
from assembler.results.compare import Comparison
from assembler.results.plan import SolveRecord
from assembler.results.result import Status


class PlanStatus(StrEnum):
    """Where a plan is in its lifecycle: draft → proposed → approved → superseded."""

    DRAFT = "draft"
    PROPOSED = "proposed"
    APPROVED = "approved"
    SUPERSEDED = "superseded"


class StoreError(Exception):
    """A request the store refuses; the message says why, for the person who asked."""


class NotFoundError(StoreError):
    """No scenario, version or plan by that name or id."""


class LifecycleError(StoreError):
    """A lifecycle step the plan's status does not allow (approving a draft …)."""


class PermissionDeniedError(StoreError):
    """The caller's role does not allow the step (see ``assembler.store.policy``)."""


@dataclass(frozen=True)
class ScenarioVersion:
    """One saved version of a named scenario, without the scenario itself.

    ``based_on`` is the version the saver started from (``None`` for the first); ``edits``
    and ``dials`` are the planner's edit log and dialled settings that made it from its
    source (``None``: the source's own settings).
    """

    id: int
    scenario: str
    version: int
    based_on: int | None
    digest: str
    source: str
    note: str
    saved_by: str
    saved_at: datetime
    edits: tuple[Edit, ...] = ()
    dials: ModelSettings | None = None

    @property
    def label(self) -> str:
        """``sample v3``: how a version is named in lists and messages."""
        return f"{self.scenario} v{self.version}"


class StaleVersionError(StoreError):
    """A save that started from a version that is no longer the newest.

    Carries the newest version, so the app can offer to reload it; the message names who
    saved it and when, and what to do.
    """

    def __init__(self, latest: ScenarioVersion, started_from: int | None) -> None:
        self.latest = latest
        self.started_from = started_from
        started = "no version" if started_from is None else f"version {started_from}"
        super().__init__(
            f"scenario {latest.scenario!r} was saved as version {latest.version} by "
            f"{latest.saved_by} at {latest.saved_at:%Y-%m-%d %H:%M:%S} UTC; you started "
            f"from {started}: reload and reapply your edits"
        )


@dataclass(frozen=True)
class PlanEvent:
    """One lifecycle step: ``status_from`` is ``None`` when the plan was saved."""

    plan_id: int
    status_from: PlanStatus | None
    status_to: PlanStatus
    who: str
    at: datetime
    reason: str


@dataclass(frozen=True)
class PlanRecord:
    """A stored plan as lists and detail views show it.

    ``summary`` is the plan's §8 ``summary.json`` (its KPIs: value, missions, network FTE,
    tightest coverage, settings …); ``solve`` how it was solved; ``changes`` its
    difference from ``reference_id``, the plan it re-planned (``None`` for a fresh plan);
    ``approval`` the step that approved it, if it ever was.
    """

    id: int
    scenario: str
    version: int
    version_id: int
    status: PlanStatus
    solve_status: Status
    score: int | None
    best_bound: float | None
    gap: float | None
    summary: dict[str, Any]
    solve: SolveRecord | None
    note: str
    saved_by: str
    saved_at: datetime
    reference_id: int | None = None
    changes: Comparison | None = None
    approval: PlanEvent | None = None

    @property
    def label(self) -> str:
        """``plan 4 (sample v2)``."""
        return f"plan {self.id} ({self.scenario} v{self.version})"

    @property
    def value_captured(self) -> float | None:
        value = self.summary.get("value_captured")
        return None if value is None else float(value)

    @property
    def missions_staffed(self) -> int | None:
        staffed = self.summary.get("missions_staffed")
        return None if staffed is None else int(staffed)


class ReleaseStatus(StrEnum):
    """A release request: asked when its plan is proposed, then decided once by a lead."""

    REQUESTED = "requested"
    APPROVED = "approved"
    DECLINED = "declined"


class AlreadyDecidedError(LifecycleError):
    """A release that someone decided first (decisions are final: the first one stands)."""


class ReleasesPendingError(LifecycleError):
    """Approving a plan whose releases are not all decided, without an override."""


@dataclass(frozen=True)
class Release:
    """A request to a unit to release one of its people to a network mission of a plan.

    The names are the plan's own (a plan never changes), so lists need not load it;
    ``time`` is the person's FTE on the mission in each period it runs, by period id (one
    key, ``""``, without periods).  ``decided_by``, ``decided_at`` and ``reason`` say who
    approved or declined it, when and why; ``carried_from`` names the plan whose approved
    release of the same person to the same mission this one took over.
    """

    id: int
    plan_id: int
    person_id: str
    person_name: str
    unit_id: str
    unit_name: str
    mission_id: str
    mission_name: str
    time: dict[str, float]
    status: ReleaseStatus
    requested_at: datetime
    decided_by: str | None = None
    decided_at: datetime | None = None
    reason: str = ""
    carried_from: int | None = None

    @property
    def decided(self) -> bool:
        return self.status is not ReleaseStatus.REQUESTED
