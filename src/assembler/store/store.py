"""``PlanStore``: scenarios and plans that outlive a session, shared by a team.

Three promises shape every method:

* **nobody overwritten** — a scenario version is saved only on top of the version its
  saver started from (``based_on``); the check is one conditional ``UPDATE`` of the
  scenario's version counter, which two savers cannot both pass, so the second is refused
  with ``StaleVersionError`` instead of silently replacing the first;
* **nothing lost** — each request is one transaction: a crash (even ``kill -9``) in the
  middle leaves the store as it was, and a plan is saved with its scenario version, its
  lifecycle step and its changes, or not at all;
* **one approved plan per scenario** — approving supersedes the previous approval in the
  same transaction, the scenario's row locked meanwhile, and a partial unique index in the
  database refuses anything else;
* **only persisting** — a plan arrives as a ``Plan`` with its summary and its changes
  against the plan it re-planned ready (``Plan.against``); everything is encoded before
  a write transaction opens, so no report or comparison runs while the write lock is held.

Every write names ``who`` (an identity string: the OS user on the command line, the
signed-in user in the app) and their ``role``, which ``policy`` checks.  Values only ever
reach SQL as bound parameters.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from types import TracebackType
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from assembler.domain.edits import Edit
from assembler.domain.scenario import Scenario
from assembler.domain.settings import ModelSettings
from assembler.results.plan import Plan
from assembler.store import codec, discarding, reading
from assembler.store import releases as release_requests
from assembler.store.approval import over_newer_note
from assembler.store.discarding import Discarded
from assembler.store.engine import open_engine, resolve_url, shown_url, upgrade, writer
from assembler.store.policy import Action, Leads, Policy, Role
from assembler.store.records import (
    LifecycleError,
    NotFoundError,
    PlanEvent,
    PlanRecord,
    PlanStatus,
    Release,
    ScenarioVersion,
    StaleVersionError,
    StoreError,
)
from assembler.store.schema import (
    NAME_LENGTH,
    plan_events,
    plans,
    scenario_versions,
    scenarios,
)
from assembler.store.workspaces import Workspaces


class PlanStore:
    """The scenario and plan store at ``url`` (see ``assembler.store.engine.resolve_url``),
    migrated to the newest schema on opening.  Use it as a context manager, or ``close`` it."""

    def __init__(self, url: str | None = None, *, policy: Policy | None = None) -> None:
        self.url = resolve_url(url)
        self.policy = policy or Policy()
        self._engine = open_engine(self.url)
        self._writer = writer(self._engine)
        try:
            upgrade(self._engine)
        except Exception:
            self._engine.dispose()
            raise

    @property
    def workspaces(self) -> Workspaces:
        """The planners' working sessions, kept so that a reload brings them back."""
        return Workspaces(self._engine, self._writer)

    @property
    def shown_url(self) -> str:
        """The URL with its password masked, for messages."""
        return shown_url(self.url)

    def close(self) -> None:
        self._engine.dispose()

    def __enter__(self) -> PlanStore:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    # ------------------------------------------------------------------ scenarios

    def save_scenario(
        self,
        name: str,
        scenario: Scenario,
        *,
        who: str,
        role: Role,
        based_on: int | None,
        edits: Sequence[Edit] = (),
        dials: ModelSettings | None = None,
        source: str = "",
        note: str = "",
    ) -> ScenarioVersion:
        """Save ``scenario`` as the next version of ``name``, on top of ``based_on``.

        ``based_on`` is the version the caller started from (``None`` for a new scenario);
        if another version was saved since, nothing is saved and ``StaleVersionError`` says
        by whom and when.  Saving content equal to ``based_on``'s returns that version:
        an unchanged scenario is not a new version.
        """
        self.policy.check(who, role, Action.SAVE)
        content = _Content.of(scenario, edits, dials)
        with self._writer.begin() as connection:
            return self._save_version(connection, name, content, who, based_on, source, note)

    def scenarios(self) -> list[ScenarioVersion]:
        """The newest version of every scenario, by name."""
        query = (
            sa.select(*reading.VERSION_COLUMNS)
            .select_from(reading.VERSIONS)
            .where(scenario_versions.c.version == scenarios.c.latest_version)
            .order_by(scenarios.c.name)
        )
        with self._engine.connect() as connection:
            return [reading.version(row) for row in connection.execute(query)]

    def versions(self, name: str) -> list[ScenarioVersion]:
        """Every version of ``name``, oldest first (empty for an unknown name)."""
        query = (
            sa.select(*reading.VERSION_COLUMNS)
            .select_from(reading.VERSIONS)
            .where(scenarios.c.name == name)
            .order_by(scenario_versions.c.version)
        )
        with self._engine.connect() as connection:
            return [reading.version(row) for row in connection.execute(query)]

    def latest_version(self, name: str) -> ScenarioVersion | None:
        """The newest version of ``name``, ``None`` if there is no such scenario."""
        with self._engine.connect() as connection:
            return reading.latest(connection, name)

    def load_scenario(
        self, name: str, version: int | None = None
    ) -> tuple[ScenarioVersion, Scenario]:
        """Version ``version`` of ``name`` (the newest by default) and its scenario."""
        condition = scenario_versions.c.version == (
            scenarios.c.latest_version if version is None else version
        )
        query = (
            sa.select(*reading.VERSION_COLUMNS, scenario_versions.c.document)
            .select_from(reading.VERSIONS)
            .where(scenarios.c.name == name, condition)
        )
        with self._engine.connect() as connection:
            row = connection.execute(query).first()
        if row is None:
            which = "any version" if version is None else f"a version {version}"
            raise NotFoundError(f"scenario {name!r} has no {which} in the store")
        return reading.version(row), codec.scenario_from(row.document)

    def load_version(self, version_id: int) -> tuple[ScenarioVersion, Scenario]:
        """The stored version with id ``version_id`` (as a plan or a session names it)."""
        with self._engine.connect() as connection:
            return reading.stored_version(connection, version_id)

    # ------------------------------------------------------------------ plans

    def save(
        self,
        name: str,
        plan: Plan,
        *,
        who: str,
        role: Role,
        based_on: int | None,
        source: str = "",
        note: str = "",
    ) -> tuple[ScenarioVersion, PlanRecord]:
        """Save ``plan.scenario`` (with the plan's edits and dials) as ``save_scenario``
        does, and ``plan`` as a draft of that version, in one transaction: both or neither.

        The plan's solve record, the plan it re-planned (``reference_id``) and its changes
        against that plan are stored with it, as the plan carries them.
        """
        self.policy.check(who, role, Action.SAVE)
        content = _Content.of(plan.scenario, plan.edits, plan.dials)
        row = _plan_row(plan, who, note)
        with self._writer.begin() as connection:
            version = self._save_version(connection, name, content, who, based_on, source, note)
            plan_id = _insert_plan(connection, version.id, row)
            return version, reading.plan(connection, plan_id)

    def save_plan(
        self, version_id: int, plan: Plan, *, who: str, role: Role, note: str = ""
    ) -> PlanRecord:
        """Save ``plan``, a solve of the stored version ``version_id``, as a draft."""
        self.policy.check(who, role, Action.SAVE)
        row = _plan_row(plan, who, note)
        with self._writer.begin() as connection:
            reading.stored_version(connection, version_id)  # refuses an unknown version
            plan_id = _insert_plan(connection, version_id, row)
            return reading.plan(connection, plan_id)

    def plans(
        self, scenario: str | None = None, status: PlanStatus | None = None
    ) -> list[PlanRecord]:
        """Stored plans, newest first, of one scenario and in one status if asked."""
        query = (
            sa.select(*reading.PLAN_COLUMNS).select_from(reading.PLANS).order_by(plans.c.id.desc())
        )
        if scenario is not None:
            query = query.where(scenarios.c.name == scenario)
        if status is not None:
            query = query.where(plans.c.status == status.value)
        with self._engine.connect() as connection:
            return reading.records(connection, connection.execute(query).all())

    def plan(self, plan_id: int) -> PlanRecord:
        with self._engine.connect() as connection:
            return reading.plan(connection, plan_id)

    def approved_plan(self, scenario: str) -> PlanRecord | None:
        """The approved plan of ``scenario``, the reference of its next re-plan."""
        found = self.plans(scenario, PlanStatus.APPROVED)
        return found[0] if found else None

    def load_plan(self, plan_id: int) -> Plan:
        """The plan with its scenario version and result, for reports, diffs and re-plans."""
        with self._engine.connect() as connection:
            return reading.loaded(connection, plan_id)

    def events(self, plan_id: int) -> list[PlanEvent]:
        """The plan's lifecycle, oldest step first."""
        query = (
            sa.select(plan_events)
            .where(plan_events.c.plan_id == plan_id)
            .order_by(plan_events.c.id)
        )
        with self._engine.connect() as connection:
            return [reading.event(row) for row in connection.execute(query)]

    # ------------------------------------------------------------------ lifecycle

    def propose(self, plan_id: int, *, who: str, role: Role, reason: str = "") -> PlanRecord:
        """Put a draft forward for approval, asking each network member's unit to release
        them (``store.releases``)."""
        self.policy.check(who, role, Action.PROPOSE)
        asked = release_requests.requests(self.load_plan(plan_id))
        with self._writer.begin() as connection:
            _move(connection, plan_id, PlanStatus.DRAFT, PlanStatus.PROPOSED, who, reason)
            record = reading.plan(connection, plan_id)
            release_requests.ask(connection, record, asked, datetime.now(UTC))
            return record

    def approve(
        self,
        plan_id: int,
        *,
        who: str,
        role: Role,
        reason: str,
        over_newer: bool = False,
        override_releases: str = "",
    ) -> PlanRecord:
        """Approve a proposed plan, recording who, when and why; the scenario's approved
        plan, if any, is superseded in the same transaction.  A plan of an older version
        than the approved plan's needs ``over_newer`` (``store.approval``); one with
        releases still undecided needs ``override_releases``, the approver's reason for
        not waiting (recorded with the approval)."""
        self.policy.check(who, role, Action.APPROVE)
        if not reason.strip():
            raise StoreError("an approval needs a reason: say why this plan")
        with self._writer.begin() as connection:
            scenario_id = connection.execute(
                sa.select(plans.c.scenario_id).where(plans.c.id == plan_id)
            ).scalar()
            if scenario_id is None:
                raise NotFoundError(f"there is no plan {plan_id} in the store")
            # Approvals of one scenario take turns: PostgreSQL locks its row until commit
            # (SQLite's BEGIN IMMEDIATE already serialises every writer), so the status read
            # next is the one this approval changes.
            connection.execute(
                sa.select(scenarios.c.id).where(scenarios.c.id == scenario_id).with_for_update()
            )
            record = reading.plan(connection, plan_id)
            if record.status is not PlanStatus.PROPOSED:
                raise LifecycleError(_cannot(record, "approved", PlanStatus.PROPOSED))
            pending = release_requests.pending_note(connection, record, override_releases)
            previous = connection.execute(
                sa.select(plans.c.id).where(
                    plans.c.scenario_id == scenario_id, plans.c.status == PlanStatus.APPROVED
                )
            ).scalar()
            note = ""
            if previous is not None:
                note = over_newer_note(record, reading.plan(connection, previous), over_newer)
                _move(
                    connection,
                    previous,
                    PlanStatus.APPROVED,
                    PlanStatus.SUPERSEDED,
                    who,
                    f"superseded by the approval of plan {plan_id}",
                )
            _move(
                connection,
                plan_id,
                PlanStatus.PROPOSED,
                PlanStatus.APPROVED,
                who,
                reason + note + pending,
            )
            return reading.plan(connection, plan_id)

    def discard(self, plan_id: int, *, who: str, role: Role, reason: str = "") -> Discarded:
        """Delete draft ``plan_id``, undoing the roll that made it when nothing else stands
        on the rolled version (``store.discarding``), in one transaction.  Only a draft
        goes: a plan put forward stays in the history.  ``reason`` is checked like any
        text and handed back with the outcome (nothing is left to record it with)."""
        self.policy.check(who, role, Action.DISCARD)
        _check_text("who", who, required=True)
        _check_text("reason", reason)
        with self._writer.begin() as connection:
            return discarding.discard(connection, plan_id, reason.strip())

    # ------------------------------------------------------------------ releases

    def releases(self, plan_id: int | None = None, leads: Leads | None = None) -> list[Release]:
        """The release requests of ``plan_id`` (of every plan by default), only those of
        the units ``leads`` covers if given, in the order they were asked."""
        with self._engine.connect() as connection:
            if plan_id is not None:
                reading.plan(connection, plan_id)  # refuses an unknown plan
            return release_requests.listed(connection, plan_id, leads)

    def decide_release(
        self,
        plan_id: int,
        person_id: str,
        mission_id: str,
        *,
        approve: bool,
        who: str,
        leads: Leads,
        reason: str = "",
    ) -> Release:
        """Approve or decline the release of ``person_id`` to ``mission_id`` in plan
        ``plan_id``, as a lead of the person's unit (``Policy.check_release``): recorded
        with who, when and why, once — a request someone decided first is refused with
        ``AlreadyDecidedError``.  Declining needs a reason."""
        _check_text("who", who, required=True)
        _check_text("reason", reason)
        with self._writer.begin() as connection:
            return release_requests.decide(
                connection,
                reading.plan(connection, plan_id),
                person_id,
                mission_id,
                approve=approve,
                who=who,
                leads=leads,
                reason=reason.strip(),
                policy=self.policy,
            )

    # ------------------------------------------------------------------ internals

    def _save_version(
        self,
        connection: Connection,
        name: str,
        content: _Content,
        who: str,
        based_on: int | None,
        source: str,
        note: str,
    ) -> ScenarioVersion:
        _check_text("scenario name", name, required=True)
        _check_text("who", who, required=True)
        _check_text("source", source)
        _check_text("note", note)
        now = datetime.now(UTC)
        found = connection.execute(
            sa.select(scenarios.c.id, scenarios.c.latest_version).where(scenarios.c.name == name)
        ).first()
        if found is None:
            if based_on is not None:
                raise NotFoundError(
                    f"there is no scenario {name!r} to start from version {based_on} of"
                )
            scenario_id = _create_scenario(connection, name, who, now)
            number = 1
        else:
            scenario_id, latest = found
            if based_on is not None and based_on > latest:
                raise NotFoundError(
                    f"scenario {name!r} has no version {based_on}: its newest is {latest}"
                )
            if based_on == latest:
                newest = reading.latest(connection, name)
                if newest is not None and newest.digest == content.digest:
                    return newest
            if based_on is None:
                raise StaleVersionError(reading.newest(connection, scenario_id), None)
            moved = connection.execute(
                scenarios.update()
                .where(scenarios.c.id == scenario_id, scenarios.c.latest_version == based_on)
                .values(latest_version=based_on + 1)
            )
            if moved.rowcount != 1:
                raise StaleVersionError(reading.newest(connection, scenario_id), based_on)
            number = based_on + 1
        version_id = connection.execute(
            scenario_versions.insert().values(
                scenario_id=scenario_id,
                version=number,
                based_on=based_on,
                digest=content.digest,
                document=content.document,
                edits=content.edits,
                overrides=content.dials,
                source=source,
                note=note,
                saved_by=who,
                saved_at=now,
            )
        ).inserted_primary_key
        assert version_id is not None
        return ScenarioVersion(
            id=version_id[0],
            scenario=name,
            version=number,
            based_on=based_on,
            digest=content.digest,
            source=source,
            note=note,
            saved_by=who,
            saved_at=now,
            edits=content.edit_log,
            dials=content.settings,
        )


@dataclass(frozen=True)
class _Content:
    """A scenario version's content, encoded before its write transaction opens."""

    document: dict[str, Any]
    edits: list[dict[str, Any]]
    dials: dict[str, Any]
    digest: str
    edit_log: tuple[Edit, ...]
    settings: ModelSettings | None

    @classmethod
    def of(cls, scenario: Scenario, edits: Sequence[Edit], dials: ModelSettings | None) -> _Content:
        document = codec.scenario_document(scenario)
        rows = codec.edits_document(edits)
        dial_document = codec.dials_document(dials)
        digest = codec.digest(document, rows, dial_document)
        return cls(document, rows, dial_document, digest, tuple(edits), dials)


def _check_text(what: str, text: str, required: bool = False) -> None:
    """Refuse what no database keeps intact: an empty name, an over-long one, or a NUL
    (PostgreSQL text cannot hold one).  Everything else — quotes, unicode, formulas — is
    stored as given."""
    if required and not text.strip():
        raise StoreError(f"{what} must not be empty")
    if required and len(text) > NAME_LENGTH:
        raise StoreError(f"{what} is longer than {NAME_LENGTH} characters")
    if "\x00" in text:
        raise StoreError(f"{what} must not contain a NUL character")


def _create_scenario(connection: Connection, name: str, who: str, now: datetime) -> int:
    """The new scenario's id; a planner who created the same name a moment earlier wins,
    and this save is refused as stale (it started from no version)."""
    try:
        with connection.begin_nested():
            key = connection.execute(
                scenarios.insert().values(
                    name=name, latest_version=1, created_by=who, created_at=now
                )
            ).inserted_primary_key
    except IntegrityError:
        taken = reading.latest(connection, name)
        if taken is None:
            raise
        raise StaleVersionError(taken, None) from None
    assert key is not None
    return int(key[0])


def _plan_row(plan: Plan, who: str, note: str) -> dict[str, Any]:
    """``plan``'s columns, encoded (its summary built, if it was not yet) before any write
    transaction opens; refuses what no database keeps intact."""
    _check_text("who", who, required=True)
    _check_text("note", note)
    result = plan.result
    document = codec.result_document(result)
    return {
        "solve_status": document.pop("status"),
        **document,
        "summary": plan.summary,
        "settings": codec.solve_document(plan.solve),
        "reference_id": plan.reference_id,
        "changes": None if plan.changes is None else codec.comparison_document(plan.changes),
        "note": note,
        "saved_by": who,
    }


def _insert_plan(connection: Connection, version_id: int, row: dict[str, Any]) -> int:
    """Insert ``row`` as a draft of version ``version_id`` with its first lifecycle step;
    its id."""
    now = datetime.now(UTC)
    scenario_id = connection.execute(
        sa.select(scenario_versions.c.scenario_id).where(scenario_versions.c.id == version_id)
    ).scalar_one()
    key = connection.execute(
        plans.insert().values(
            scenario_id=scenario_id,
            version_id=version_id,
            status=PlanStatus.DRAFT.value,
            saved_at=now,
            **row,
        )
    ).inserted_primary_key
    assert key is not None
    plan_id = int(key[0])
    _log(connection, plan_id, None, PlanStatus.DRAFT, row["saved_by"], now, "saved")
    return plan_id


def _move(
    connection: Connection,
    plan_id: int,
    before: PlanStatus,
    after: PlanStatus,
    who: str,
    reason: str,
) -> None:
    """Move the plan from ``before`` to ``after`` and log it, or refuse if it is elsewhere."""
    _check_text("who", who, required=True)
    _check_text("reason", reason)
    moved = connection.execute(
        plans.update()
        .where(plans.c.id == plan_id, plans.c.status == before.value)
        .values(status=after.value)
    )
    if moved.rowcount != 1:
        raise LifecycleError(_cannot(reading.plan(connection, plan_id), str(after), before))
    _log(connection, plan_id, before, after, who, datetime.now(UTC), reason)


def _cannot(record: PlanRecord, wanted: str, needed: PlanStatus) -> str:
    advice = "; propose it first" if record.status is PlanStatus.DRAFT else ""
    return f"{record.label} is {record.status}: only a {needed} plan can be {wanted}{advice}"


def _log(
    connection: Connection,
    plan_id: int,
    before: PlanStatus | None,
    after: PlanStatus,
    who: str,
    at: datetime,
    reason: str,
) -> None:
    connection.execute(
        plan_events.insert().values(
            plan_id=plan_id,
            status_from=None if before is None else before.value,
            status_to=after.value,
            who=who,
            at=at,
            reason=reason,
        )
    )
