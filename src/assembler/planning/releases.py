"""Release requests as unit leads and planners work with them, for the app and the CLI.

The store keeps the requests and their decisions (``store.releases``); these are the use
cases around them: deciding one with an error that says what is wrong with the request
(no such person or mission, not a network mission, not on its team), the edits a re-plan
takes from the decisions (a decline forbids, an approval pins), and the figures a lead
weighs — their unit's network share against its cap (MODEL.md v3 §6.12) and what each
release costs their operations' headroom.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

import pandas as pd

from assembler.compile.instance import Instance
from assembler.domain.edits import Edit, EditKind
from assembler.domain.scenario import Scenario
from assembler.planning.access import User
from assembler.planning.edits import EditError, apply_edit
from assembler.planning.session import PlanningSession
from assembler.planning.views import ops_headroom
from assembler.results.names import Names
from assembler.results.plan import Plan
from assembler.store import NotFoundError, PlanStore, Release, ReleaseStatus, StoreError
from assembler.text import did_you_mean


def decide(
    store: PlanStore,
    user: User,
    plan_id: int,
    person_id: str,
    mission_id: str,
    *,
    approve: bool,
    reason: str = "",
) -> Release:
    """Approve or decline the release of ``person_id`` to ``mission_id`` in ``plan_id``
    as ``user`` (a lead of the person's unit, or the store refuses).  A request the plan
    does not ask is refused with the reason: an unknown person or mission, a mission of
    the hierarchy, or a person not on its team."""
    asked = {(r.person_id, r.mission_id) for r in store.releases(plan_id)}
    if (person_id, mission_id) not in asked:
        raise _not_asked(store.load_plan(plan_id), plan_id, person_id, mission_id)
    return store.decide_release(
        plan_id,
        person_id,
        mission_id,
        approve=approve,
        who=user.who,
        leads=user.leads,
        reason=reason.strip(),
    )


def _not_asked(plan: Plan, plan_id: int, person_id: str, mission_id: str) -> StoreError:
    scenario = plan.scenario
    people = [p.person_id for p in scenario.people]
    missions = {m.mission_id: m for m in scenario.missions}
    if person_id not in people:
        return NotFoundError(
            f"plan {plan_id} has no person {person_id!r}{did_you_mean(person_id, people)}"
        )
    if mission_id not in missions:
        return NotFoundError(
            f"plan {plan_id} has no mission {mission_id!r}{did_you_mean(mission_id, missions)}"
        )
    names = Names.of(scenario)
    mission = missions[mission_id]
    if not mission.is_network:
        return StoreError(
            f"{names.mission(mission_id)} is a mission of the hierarchy "
            f"({mission.change_type}): only network missions (transition, innovation) ask "
            "a unit to release someone"
        )
    return NotFoundError(
        f"{names.person(person_id)} is not on the team of {names.mission(mission_id)} in "
        f"plan {plan_id}: there is no release to decide"
    )


def release_edits(store: PlanStore, plan_id: int) -> tuple[Edit, ...]:
    """The edits a re-plan of ``plan_id`` takes from the decided releases: a declined
    one forbids the person on the mission, its lead's reason with it; an approved one
    pins them.  The plans it was re-planned from count too, the newest decision of a
    (person, mission) winning, so a decline is not forgotten two re-plans later."""
    decided: dict[tuple[str, str], Release] = {}
    seen: set[int] = set()
    current: int | None = plan_id
    while current is not None and current not in seen:
        seen.add(current)
        for release in store.releases(current):
            if release.decided:
                decided.setdefault((release.person_id, release.mission_id), release)
        current = store.plan(current).reference_id
    return tuple(_edit(release) for release in decided.values())


def _edit(release: Release) -> Edit:
    if release.status is ReleaseStatus.DECLINED:
        why = f"release declined by {release.decided_by}: {release.reason}"
        return Edit(EditKind.FORBID, release.mission_id, release.person_id, reason=why)
    return Edit(
        EditKind.PIN,
        release.mission_id,
        release.person_id,
        reason=f"released by {release.decided_by}",
    )


def time_text(release: Release, names: Names) -> str:
    """``0.3 FTE`` without periods, ``0.3 FTE in Q2 to Q3`` or ``0.2–0.4 FTE in Q2 to Q4``
    with them: what the unit gives, and when."""
    fte, when = fte_text(release), when_text(release, names)
    return fte if not when else f"{fte} in {when.replace(' – ', ' to ')}"


def fte_text(release: Release) -> str:
    """``0.3 FTE``, or ``0.2–0.4 FTE`` when it differs from period to period."""
    amounts = sorted(set(release.time.values()))
    if not amounts:
        return "no time"
    fte = f"{amounts[0]:g}" if len(amounts) == 1 else f"{amounts[0]:g}–{amounts[-1]:g}"
    return f"{fte} FTE"


def when_text(release: Release, names: Names) -> str:
    """``Q2 – Q3`` by period name (``Names.span``); nothing without periods."""
    periods = [period for period in release.time if period]
    return names.span(periods[0], periods[-1]) if periods else ""


def network_share(plan: Plan, unit_ids: Iterable[str]) -> pd.DataFrame:
    """Each of ``unit_ids``' network time against its cap (MODEL.md v3 §6.12), period by
    period: columns ``unit_id, period_id, network_fte, capacity_fte, share, cap`` —
    ``share`` the network FTE over the capacity of the unit's own people (0 without
    capacity), ``cap`` its ``network_share_max`` (1: no cap)."""
    scenario, solution = plan.scenario, plan.result.solution
    instance = Instance(scenario)
    network = {m.mission_id for m in scenario.missions if m.is_network}
    unit_of = {p.person_id: p.unit_id for p in scenario.people}
    given: Counter[tuple[str, int]] = Counter()
    for row in solution.assignments if solution is not None else ():
        if row.mission_id in network:
            given[unit_of[row.person_id], row.period] += row.steps
    rows = []
    for unit_id in unit_ids:
        people = instance.people_of_unit.get(unit_id, ())
        for t in instance.periods:
            capacity = sum(instance.capacity[p][t] for p in people)
            rows.append(
                (
                    unit_id,
                    scenario.period_ids[t],
                    instance.fte(given[unit_id, t]),
                    instance.fte(capacity),
                    round(given[unit_id, t] / capacity, 4) if capacity else 0.0,
                    scenario.network_share(unit_id),
                )
            )
    columns = ["unit_id", "period_id", "network_fte", "capacity_fte", "share", "cap"]
    return pd.DataFrame(rows, columns=columns)


def release_costs(plan: Plan, releases: Sequence[Release]) -> pd.DataFrame:
    """What each release takes from its unit's operations, period by period: the FTE it
    gives the mission, the headroom of the unit's tightest operational demand the person
    could cover (``planning.views.ops_headroom``: the free time of those able to cover
    it), and that headroom were the person kept.  Columns ``release_id, period_id, fte,
    headroom_fte, kept_headroom_fte``; the headroom is empty (NaN) in a period where the
    person can cover none of the unit's demands — releasing them costs operations
    nothing there."""
    columns = ["release_id", "period_id", "fte", "headroom_fte", "kept_headroom_fte"]
    solution = plan.result.solution
    if solution is None or not releases:
        return pd.DataFrame([], columns=columns)
    instance = Instance(plan.scenario)
    headroom = ops_headroom(plan.scenario, solution).set_index(
        ["unit_id", "skill_id", "period_id"]
    )["headroom_fte"]
    rows = []
    for release in releases:
        p = instance.person_index.get(release.person_id)
        for period_id, fte in release.time.items():
            t = instance.period_index[period_id]
            covered = [
                float(headroom[need.unit_id, need.skill_id, period_id])
                for need in instance.ops
                if need.period == t and p in need.eligible
            ]
            tightest = min(covered) if covered else float("nan")
            rows.append((release.id, period_id, fte, tightest, round(tightest + fte, 10)))
    return pd.DataFrame(rows, columns=columns)


def with_releases(
    scenario: Scenario, store: PlanStore, plan_id: int | None
) -> tuple[Scenario, tuple[Edit, ...]]:
    """``scenario`` ready for a re-plan of ``plan_id`` (``None``: a fresh solve, no
    change): its decided releases applied (``release_edits``), and those edits, for the
    plan's edit log.  Raises ``EditError`` naming the release that no longer fits (its
    person or mission gone from the scenario, a pin they are no longer eligible for)."""
    if plan_id is None:
        return scenario, ()
    edits = release_edits(store, plan_id)
    for edit in edits:
        try:
            scenario = apply_edit(scenario, edit)
        except EditError as error:
            raise _unfit(edit, plan_id, error) from None
    return scenario, edits


def _unfit(edit: Edit, plan_id: int, error: EditError) -> EditError:
    return EditError(f"the release decision '{edit}' of plan {plan_id} cannot be kept: {error}")


RELEASE_COLUMNS = (
    "person",
    "unit",
    "mission",
    "fte",
    "when",
    "status",
    "decided by",
    "reason",
)


def releases_table(
    releases: Sequence[Release], names: Names, costs: pd.DataFrame | None = None
) -> pd.DataFrame:
    """The requests as the CLI and the Releases page list them, names not ids: person,
    unit, mission, time (FTE, and when), status, who decided (and in which plan, for one
    carried from the plan it re-planned), reason; with ``costs`` (``release_costs``) also
    the operations headroom each release leaves its unit and the headroom were the person
    kept, in the tightest period, as text (``0.35 FTE, 0.85 if kept``; ``none they cover``
    when the person covers none of the unit's demands)."""
    rows = [
        {
            "person": release.person_name,
            "unit": release.unit_name,
            "mission": release.mission_name,
            "fte": fte_text(release),
            "when": when_text(release, names),
            "status": str(release.status),
            "decided by": _decided_by(release),
            "reason": release.reason,
        }
        for release in releases
    ]
    table = pd.DataFrame(rows, columns=list(RELEASE_COLUMNS))
    if costs is not None:
        tightest = _tightest(costs)
        table["operations headroom"] = [
            f"{tightest[release.id][0]:g} FTE, {tightest[release.id][1]:g} if kept"
            if release.id in tightest
            else "none they cover"
            for release in releases
        ]
    return table


def _decided_by(release: Release) -> str:
    if release.decided_by is None:
        return ""
    if release.carried_from is None:
        return release.decided_by
    return f"{release.decided_by} (in plan {release.carried_from})"


def _tightest(costs: pd.DataFrame) -> dict[int, tuple[float, float]]:
    """Each release's headroom and kept headroom in its period of least headroom."""
    tightest: dict[int, tuple[float, float]] = {}
    known = costs.dropna(subset=["headroom_fte"])
    for release_id, headroom, kept in zip(
        known.release_id.tolist(),
        known.headroom_fte.tolist(),
        known.kept_headroom_fte.tolist(),
        strict=True,
    ):
        if release_id not in tightest or headroom < tightest[release_id][0]:
            tightest[release_id] = (float(headroom), float(kept))
    return tightest


def adopt_decisions(store: PlanStore, planner: PlanningSession, plan_id: int) -> list[Edit]:
    """Put the decided releases of ``plan_id`` (``release_edits``) into the session's edit
    log, where the planner sees each forbid with its lead's reason, so the next solve
    re-plans around them; the edits added (those already in the log are not repeated).
    Raises ``EditError`` for one that no longer fits, the earlier ones kept."""
    added = []
    for edit in release_edits(store, plan_id):
        if edit in planner.edits:
            continue
        try:
            planner.edit(edit)
        except EditError as error:
            raise _unfit(edit, plan_id, error) from None
        added.append(edit)
    return added
