"""Roll forward, the use case: from a stored approved plan to a draft of the scenario's next
version, re-planned with the fewest changes, written once for the app and the command line.

``prepare`` rolls the approved plan's scenario (``planning.rolling``) and carries the
approved plan into the new horizon as the reference of the re-plan, so that the re-plan
keeps what it can of it (the lexicographic re-plan: no point of score given up, then as
few changes as possible) and its changes are read against it rather than against
missions that are simply over. ``save`` stores the re-plan as a draft of the scenario's
next version; the version's ``source`` says which plan was rolled at which period, and
its ``note`` lists the missions done and missed, by id and name, so the store's history
keeps them. The approved plan stays approved: a roll is undone by discarding its draft
(``discard``: the rolled version goes with it), never by changing what was approved.
``chain`` tells a scenario's versions by their horizons (``v1 2027-Q1–2027-Q4 → v2
2027-Q2–2028-Q1``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from assembler.compile.instance import Instance
from assembler.domain.scenario import Period, Scenario
from assembler.domain.solve_settings import Progress, SolveSettings
from assembler.planning import cases
from assembler.planning.access import User
from assembler.planning.rolling import Fate, MissionFate, Rolled, RollError, roll
from assembler.results.kpis import evaluate, score_of
from assembler.results.names import Names
from assembler.results.plan import Plan
from assembler.results.result import Result
from assembler.solver import solve
from assembler.store import (
    ROLL_PREFIX,
    Discarded,
    PlanRecord,
    PlanStatus,
    PlanStore,
    ScenarioVersion,
)

ROLL_SOURCE = ROLL_PREFIX + "{plan} at {at}"
"""A rolled version's ``source``: which approved plan, rolled at which period."""


@dataclass(frozen=True)
class Roll:
    """A roll ready to re-plan: the approved plan's record, the roll, and the approved plan
    carried into the new horizon (stored under the approved plan's id, as a reference)."""

    approved: PlanRecord
    rolled: Rolled
    reference: Plan
    before: Plan
    """The approved plan itself, in its own horizon (for the names of the periods gone)."""


@dataclass(frozen=True)
class RolledPlan:
    """A roll stored: the new version, its draft and the draft itself (with its changes)."""

    roll: Roll
    version: ScenarioVersion
    record: PlanRecord
    plan: Plan
    passed_over: ScenarioVersion | None = None
    """A version newer than the approved plan's, saved before the roll: the roll starts
    from the approved plan's version, so that version's changes are not in the new one
    (it stays in the history, as every version does)."""

    @property
    def warning(self) -> str:
        """What a planner must hear about ``passed_over``, or nothing."""
        over = self.passed_over
        if over is None:
            return ""
        return (
            f"{over.label}, saved by {over.saved_by} after the approved plan's version, is "
            f"not in {self.version.label}: the roll starts from the approved plan's version, "
            f"so make {over.label}'s changes again on {self.version.label} if they still hold"
        )


def prepare(
    store: PlanStore,
    plan_id: int,
    at: str,
    new_periods: Sequence[Period] | None = None,
    source: str = "periods",
) -> Roll:
    """Roll approved plan ``plan_id`` forward to period ``at`` (``RollError`` says why not);
    ``source`` names the file ``new_periods`` came from, for its problems."""
    record = store.plan(plan_id)
    if record.status is not PlanStatus.APPROVED:
        raise RollError(
            f"{record.label} is {record.status}: only the approved plan is rolled forward, "
            "as it is the plan being lived"
        )
    approved = store.load_plan(plan_id)
    solution = approved.result.solution
    if solution is None:
        raise RollError(f"{record.label} has no solution to roll forward")
    rolled = roll(approved.scenario, solution, at, new_periods, source=source)
    reference = _as_reference(rolled, approved.result, plan_id, record.version_id)
    return Roll(record, rolled, reference, approved)


def _as_reference(rolled: Rolled, approved: Result, plan_id: int, version_id: int | None) -> Plan:
    """The approved plan carried into the rolled horizon, as a stored plan to re-plan from:
    its score and figures those of the carried plan in the new horizon."""
    instance = Instance(rolled.scenario)
    carried = Result(
        status=approved.status,
        score=score_of(instance, rolled.reference),
        best_bound=None,
        gap=None,
        build_seconds=0.0,
        solve_seconds=0.0,
        solution=rolled.reference,
        kpis=evaluate(instance, rolled.reference),
    )
    return Plan(rolled.scenario, carried, plan_id=plan_id, version_id=version_id)


def carried(approved: Plan, scenario: Scenario) -> Plan:
    """``approved`` as the reference of a solve of ``scenario``: itself, unless ``scenario``
    is a roll of it (its horizon starts at a later period of the approved plan's); then the
    approved plan carried into that horizon as the roll carries it, so that a re-solve of a
    rolled draft stays close to the approved plan period for period and reads its changes
    against what is left of it, not against missions that are over."""
    solution, before = approved.result.solution, approved.scenario
    if solution is None or approved.plan_id is None or before.periods is None:
        return approved
    old, new = before.period_ids, scenario.period_ids
    if scenario.periods is None or new[0] not in old[1:]:
        return approved
    kept = old[old.index(new[0]) :]
    if new[: len(kept)] != kept:  # not the rest of its horizon: not a roll of it
        return approved
    added = [period for period in scenario.periods if period.period_id not in old]
    try:
        rolled = roll(before, solution, new[0], added)
    except RollError:  # not a roll of it after all (periods of its own): as it is
        return approved
    return _as_reference(rolled, approved.result, approved.plan_id, approved.version_id)


def solve_settings(
    prepared: Roll,
    time_limit: float,
    workers: int,
    *,
    progress: Callable[[Progress], None] | None = None,
    stop: threading.Event | None = None,
    started: float | None = None,
) -> SolveSettings:
    """How the roll's re-plan is solved: close to the carried approved plan."""
    return cases.solve_settings(
        time_limit,
        workers,
        reference=prepared.reference,
        progress=progress,
        stop=stop,
        started=started,
    )


def roll_forward(
    store: PlanStore,
    user: User,
    plan_id: int,
    at: str,
    new_periods: Sequence[Period] | None = None,
    *,
    source: str = "periods",
    time_limit: float = 30.0,
    workers: int = 2,
) -> RolledPlan:
    """Roll, re-plan and store in one call (the app's button; the command line runs the
    re-plan itself, to show its progress and stop on Ctrl-C)."""
    prepared = prepare(store, plan_id, at, new_periods, source)
    settings = solve_settings(prepared, time_limit, workers)
    return save(store, user, prepared, solve(prepared.rolled.scenario, settings), settings)


def save(
    store: PlanStore, user: User, prepared: Roll, result: Result, settings: SolveSettings
) -> RolledPlan:
    """Store the re-plan ``result`` as a draft of the scenario's next version."""
    rolled, approved = prepared.rolled, prepared.approved
    plan = cases.plan_of(rolled.scenario, result, settings, reference=prepared.reference)
    latest = store.latest_version(approved.scenario)
    version, record = cases.save(
        store,
        user,
        approved.scenario,
        plan,
        based_on=None if latest is None else latest.version,
        source=ROLL_SOURCE.format(plan=approved.id, at=rolled.at),
        note=note(prepared),
    )
    passed_over = latest if latest is not None and latest.version > approved.version else None
    return RolledPlan(prepared, version, record, plan, passed_over)


def discard(store: PlanStore, user: User, plan_id: int, reason: str = "") -> Discarded:
    """Discard draft ``plan_id``; a roll's draft takes its rolled version with it, so the
    scenario is back where it was before the roll (``store.discarding``)."""
    return store.discard(plan_id, who=user.who, role=user.role, reason=reason.strip())


class Outcome(NamedTuple):
    """What became of one mission, in words: ``when`` it runs (a done or running mission's
    periods, where the re-plan starts a re-planned one) and ``what`` else there is to say
    (the running team with the time each gives, the value a missed one lost and why)."""

    fate: MissionFate
    mission: str
    when: str
    what: str

    @property
    def text(self) -> str:
        """``q1 to q4, its team kept: …``: both parts, as the command line prints them."""
        return ", ".join(part for part in (self.when, self.what) if part)


def outcomes(stored: RolledPlan) -> list[Outcome]:
    """Each mission's fate by name (``M08 · ERP rollout in Finance``) and what it means,
    in the words the command line prints and the Plans page shows (periods by name)."""
    old, new = Names.of(stored.roll.before.scenario), Names.of(stored.roll.rolled.scenario)
    scenario = stored.roll.rolled.scenario
    missions = {m.mission_id: m for m in scenario.missions}
    solution = stored.plan.result.solution
    rows = []
    for fate in stored.roll.rolled.fates:
        when, what = f"{old.period(fate.start)} to {old.period(fate.end)}", ""
        if fate.fate is Fate.RUNNING:
            team = ", ".join(f"{new.person(m.person_id)} {m.fte:g} FTE" for m in fate.team)
            what = f"its team kept: {team}"
        elif fate.fate is Fate.MISSED:
            when, what = "", f"value {fate.value:g} lost: {fate.reason}"
        elif fate.fate is Fate.REPLANNED:
            when = "not staffed"
            if solution is not None and fate.mission_id in solution.staffed:
                earliest = scenario.timing(missions[fate.mission_id]).earliest
                start = scenario.period_ids[solution.start_of(fate.mission_id, earliest)]
                when = f"starts in {new.period(start)}"
        rows.append(Outcome(fate, old.mission(fate.mission_id), when, what))
    return rows


def note(prepared: Roll) -> str:
    """The rolled version's note: the roll's counts and the missions done and missed."""
    rolled = prepared.rolled
    parts = [f"{prepared.approved.label} rolled forward {rolled.summary}"]
    for fate in (Fate.DONE, Fate.MISSED):
        missions = rolled.of(fate)
        if missions:
            parts.append(f"{fate}: " + ", ".join(_named(m) for m in missions))
    return "; ".join(parts)


def _named(fate: MissionFate) -> str:
    return f"{fate.mission_id} {fate.name}".rstrip()


def chain(store: PlanStore, name: str) -> str:
    """``sample: v1 2027-Q1–2027-Q4 → v2 2027-Q2–2028-Q1``: the scenario's versions with
    plans, by the horizons their plans cover; empty for a scenario never rolled."""
    if not any(v.source.startswith(ROLL_PREFIX) for v in store.versions(name)):
        return ""
    horizons: dict[int, str] = {}
    for record in sorted(store.plans(name), key=lambda r: r.version):
        periods = record.summary.get("periods") or []
        if periods and record.version not in horizons:
            horizons[record.version] = f"v{record.version} {periods[0]}–{periods[-1]}"
    return f"{name}: " + " → ".join(horizons.values())


def chains(store: PlanStore, names: Sequence[str]) -> list[str]:
    """``chain`` of each rolled scenario among ``names`` (each once, in order)."""
    found = (chain(store, name) for name in dict.fromkeys(names))
    return [shown for shown in found if shown]
