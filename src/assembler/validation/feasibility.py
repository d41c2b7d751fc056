"""Stage 3 of validation: warnings (and impossible pins) that need the built scenario.

Only asked once the scenario is built without error: asked of broken data these questions
would report consequences of earlier errors rather than causes.  Eligibility, operational
protection and mission timing are answered by ``compile.instance`` (``Instance``: its
eligibility, ``cap_pt``, ``R_ukt`` per period and the possible starts ``S_m``), so these
warnings can never disagree with what the solver will do.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence

from assembler.compile.certificates import commitment_clashes
from assembler.compile.eligibility import Eligibility, condition_clause
from assembler.compile.instance import Instance
from assembler.compile.protection import ops_shortfalls
from assembler.compile.sizing import ModelSize, available_memory_mib
from assembler.domain.problems import error, warning
from assembler.domain.scenario import LockKind, Mission, MissionNeed, Person, Scenario
from assembler.text import plural
from assembler.validation.rows import TypedTables

_Needs = Mapping[str, Sequence[tuple[int, MissionNeed]]]
"""Mission id → its needs, each with its row number in the needs table."""

_INFEASIBLE = "the model will be infeasible"


def check_feasibility(tables: TypedTables, scenario: Scenario) -> None:
    """Impossible pins, needs nobody can fill, operations nobody can protect and (with
    periods) missions whose timing or whose people's time leaves them no possible run."""
    # A shallow copy takes the cached properties Eligibility fills in (``parent_of``), so
    # the scenario handed back stays as fresh as one built directly.  The eligible people of
    # every need are the costliest part of an Instance and only the run check reads them:
    # without periods the copy leaves the needs out, keeping validation near-linear.
    horizon = scenario.has_horizon
    committed = any(m.mandatory for m in scenario.missions) or any(
        lock.lock is LockKind.PIN for lock in scenario.locks
    )
    full = horizon or committed
    instance = Instance(scenario.model_copy(update={} if full else {"mission_needs": ()}))
    eligibility = instance.eligibility
    needs: dict[str, list[tuple[int, MissionNeed]]] = defaultdict(list)
    for number, need in zip(tables.numbers("mission_needs"), scenario.mission_needs, strict=True):
        needs[need.mission_id].append((number, need))
    _check_pins(tables, scenario, eligibility, needs)
    _check_needs_fillable(tables, scenario, eligibility, needs)
    _check_learner_needs(tables, scenario, eligibility, needs)
    _check_operations(tables, instance)
    if full and _too_large(tables, instance):
        return  # the checks below take minutes on such a model, which no solve will build
    if horizon:
        _check_runs(tables, instance)
    if committed and not tables.has_errors():
        _check_commitments(tables, instance)


def _too_large(tables: TypedTables, instance: Instance) -> bool:
    """Warn, and say so, when the model cannot fit this machine's memory: a solve will be
    refused before building it, so the checks that would take minutes are not run."""
    memory = ModelSize.of(instance).beyond_memory(available_memory_mib())
    if memory is not None:
        tables.add(
            warning(
                "scenario",
                f"its model would need {memory}available here: a solve will refuse it, so "
                "the checks of timing and commitments were skipped",
            )
        )
    return memory is not None


def _check_commitments(tables: TypedTables, instance: Instance) -> None:
    """Mandatory missions and pins no plan can honour, certified from the data (the
    clashes ``solve`` would name at once), once operations alone fit."""
    if ops_shortfalls(instance):
        return  # the operations rows already carry the warning
    for clash in commitment_clashes(instance, focus=instance.horizon > 1):
        tables.add(warning("scenario", f"{clash}: {_INFEASIBLE}"))


def _check_pins(
    tables: TypedTables, scenario: Scenario, eligibility: Eligibility, needs: _Needs
) -> None:
    missions = {mission.mission_id: mission for mission in scenario.missions}
    pins: dict[str, list[int]] = defaultdict(list)
    source = tables.source("locks")
    for number, lock in zip(tables.numbers("locks"), scenario.locks, strict=True):
        if lock.lock is not LockKind.PIN:
            continue
        pins[lock.person_id].append(number)
        person = eligibility.person_by_id[lock.person_id]
        mission = missions[lock.mission_id]
        mission_needs = [need for _, need in needs[mission.mission_id]]
        if not eligibility.eligible_for_mission(person, mission, mission_needs):
            why = eligibility.why_not(person, mission, mission_needs)
            tables.add(
                error(
                    source,
                    f"impossible pin: {person.person_id!r} is not eligible for any need of "
                    f"mission {mission.mission_id!r}: {why}",
                    row=number,
                    column="person_id",
                    value=person.person_id,
                )
            )
    if scenario.has_horizon:
        return  # pins at different times do not compete: the certificates judge per period
    for person_id, numbers in pins.items():
        limit = eligibility.person_by_id[person_id].mission_limit(scenario.settings)
        if len(numbers) > limit:
            tables.add(
                warning(
                    source,
                    f"{person_id!r} is pinned to {len(numbers)} mission(s) but may join "
                    f"at most {limit} (max_missions): {_INFEASIBLE}",
                    row=numbers[-1],
                    column="person_id",
                    value=person_id,
                )
            )


def _check_needs_fillable(
    tables: TypedTables, scenario: Scenario, eligibility: Eligibility, needs: _Needs
) -> None:
    """Warn about needs no one may ever fill: their mission can never be staffed.

    Holders of each skill are searched best level first, stopping at the first eligible
    one, which keeps this near-linear even with ten thousand people.
    """
    holders: dict[str, list[tuple[int, Person]]] = defaultdict(list)
    for row in scenario.person_skills:
        holders[row.skill_id].append((row.level, eligibility.person_by_id[row.person_id]))
    for ranked in holders.values():
        ranked.sort(key=lambda holder: -holder[0])
    for number, mission in zip(tables.numbers("missions"), scenario.missions, strict=True):
        unfillable: list[str] = []
        for need_number, need in needs[mission.mission_id]:
            if _anyone_eligible(eligibility, mission, need, holders[need.skill_id]):
                continue
            unfillable.append(need.skill_id)
            tables.add(
                warning(
                    tables.source("mission_needs"),
                    f"nobody is eligible for this need ({need.skill_id} at level ≥ "
                    f"{need.min_level}{condition_clause(mission, scenario.settings)}): mission "
                    f"{mission.mission_id!r} can never be staffed",
                    row=need_number,
                    column="skill_id",
                    value=need.skill_id,
                )
            )
        if unfillable and mission.mandatory:
            tables.add(
                warning(
                    tables.source("missions"),
                    "mandatory mission cannot be staffed: nobody is eligible for its "
                    f"need(s) in {', '.join(unfillable)}; {_INFEASIBLE}",
                    row=number,
                    column="mandatory",
                    value="true",
                )
            )


def _check_learner_needs(
    tables: TypedTables, scenario: Scenario, eligibility: Eligibility, needs: _Needs
) -> None:
    """Warn about needs people could learn on but nobody could mentor (MODEL.md v3 §4):
    without a mentor candidate their learners can never join."""
    if not scenario.settings.has_learners:
        return
    for mission in scenario.missions:
        for number, need in needs[mission.mission_id]:
            learners = eligibility.learner_candidates(mission, need)
            if not learners:
                continue
            level = eligibility.mentor_level(need)
            if any(
                eligibility.level[person.person_id, need.skill_id] >= level
                for person in eligibility.candidates(mission, need)
            ):
                continue
            names = ", ".join(person.name or person.person_id for person in learners[:3])
            more = f" and {plural(len(learners) - 3, 'other')}" if len(learners) > 3 else ""
            tables.add(
                warning(
                    tables.source("mission_needs"),
                    f"{names}{more} could learn {need.skill_id} on mission "
                    f"{mission.mission_id!r}, but nobody eligible for it holds "
                    f"{need.skill_id} at level ≥ {level} to mentor them "
                    "(mentor_min_level): they can never join it as learners",
                    row=number,
                    column="skill_id",
                    value=need.skill_id,
                )
            )


def _anyone_eligible(
    eligibility: Eligibility,
    mission: Mission,
    need: MissionNeed,
    ranked: Sequence[tuple[int, Person]],
) -> bool:
    for level, person in ranked:
        if level < need.min_level:
            return False
        if eligibility.is_eligible(person, mission, need):
            return True
    return False


def _check_operations(tables: TypedTables, instance: Instance) -> None:
    """Warn about operational demand the unit's own people cannot protect (infeasible).

    One demand and period at a time, with the compiled ``R_ukt`` and ``cap_pt``: a row is
    judged in the periods it is in force, against the time people have then.  Clashes
    between several demands of a unit are left to ``solve``'s own check.
    """
    scenario = instance.scenario
    step = instance.step
    row_of: dict[tuple[str, str, str | None], int] = {}
    for number, demand in zip(tables.numbers("ops_demand"), scenario.ops_demand, strict=True):
        row_of[demand.unit_id, demand.skill_id, demand.period_id] = number
    demand_of = dict(zip(tables.numbers("ops_demand"), scenario.ops_demand, strict=True))
    unable: dict[int, list[int]] = defaultdict(list)
    short: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
    for need in instance.ops:
        unit_id, skill_id = need.unit_id, need.skill_id
        in_force = row_of.get((unit_id, skill_id, instance.period_ids[need.period]))
        number = row_of[unit_id, skill_id, None] if in_force is None else in_force
        available = sum(instance.capacity[p][need.period] for p in need.eligible)
        if not need.eligible:
            unable[number].append(need.period)
        elif available < need.required:
            short[number].append((need.period, available, need.required))
    named = scenario.has_horizon
    for number in sorted(unable.keys() | short.keys()):
        demand = demand_of[number]
        reasons: list[str] = []
        if number in unable:
            when = f" {_periods_text(instance, unable[number])}" if named else ""
            reasons.append(
                f"nobody in unit {demand.unit_id!r} has {demand.skill_id} at level ≥ "
                f"{demand.min_level}: this operational demand cannot be covered{when} and "
                f"{_INFEASIBLE}"
            )
        for period, available, protected in short.get(number, ()):
            when = f"in {instance.period_ids[period]}, " if named else ""
            reasons.append(
                f"{when}the people of unit {demand.unit_id!r} who can cover {demand.skill_id} "
                f"have {available * step:g} FTE in all, less than the protected "
                f"{protected * step:g} FTE (fte * (1 + ops_buffer)): {_INFEASIBLE}"
            )
        for reason in reasons:
            tables.add(
                warning(
                    tables.source("ops_demand"),
                    reason,
                    row=number,
                    column="skill_id",
                    value=demand.skill_id,
                )
            )


def _periods_text(instance: Instance, periods: Sequence[int]) -> str:
    """``in every period`` or ``in q1, q3``: where a warning holds, without a long list."""
    if len(periods) == instance.horizon:
        return "in every period"
    return "in " + ", ".join(instance.period_ids[t] for t in periods)


def _check_runs(tables: TypedTables, instance: Instance) -> None:
    """Warn about missions that have no possible run (MODEL.md v2): their ``after`` chain
    leaves no start in the window, or every start runs through a period in which the people
    eligible for one of their needs have no time at all."""
    for m, number in enumerate(tables.numbers("missions")):
        mission = instance.missions[m]
        if not instance.starts[m]:
            column, value, reason = "after", mission.after, _why_no_start(instance, m)
        else:
            blocked = _blocked_runs(instance, m)
            if not blocked:
                continue
            column, value, reason = "mission_id", mission.mission_id, blocked
        if mission.mandatory:
            reason += f"; it is mandatory, so {_INFEASIBLE}"
        tables.add(
            warning(tables.source("missions"), reason, row=number, column=column, value=value)
        )


def _why_no_start(instance: Instance, mission: int) -> str:
    """The ``after`` chain from ``mission`` to the first mission that can run, and why the
    mission after that one cannot start in time (``Instance.starts`` dropped every start);
    of several befores, the one that ends last is named."""
    ids = instance.period_ids
    chain = [mission]
    dead = [before for before in instance.after[mission] if not instance.starts[before]]
    while dead:  # follow missions that can never run back to one whose befores all can
        chain.append(dead[0])
        dead = [before for before in instance.after[dead[0]] if not instance.starts[before]]
    last = chain[-1]
    # validation keeps every window non-empty: only befores empty one, the last to end first
    root = max(instance.after[last], key=lambda b: instance.starts[b].start + instance.duration[b])
    names = [instance.missions[m].mission_id for m in (*chain, root)]
    runs_after = ", which runs after ".join(repr(name) for name in names[1:])
    root_start = instance.starts[root].start
    ready = root_start + instance.duration[root]
    latest_start = instance.latest[last] - instance.duration[last] + 1
    root_end = (
        f"{names[-1]!r} ends in {ids[ready - 1]} at the earliest (starting in "
        f"{ids[root_start]}, {plural(instance.duration[root], 'period')})"
    )
    if ready >= instance.horizon:
        why = f"{root_end}, which leaves no period for {names[-2]!r} to start in"
    else:
        why = (
            f"{root_end}, so {names[-2]!r} cannot start before {ids[ready]}, but to end by "
            f"{ids[instance.latest[last]]} in {plural(instance.duration[last], 'period')} it "
            f"must start by {ids[latest_start]}"
        )
    return f"mission {names[0]!r} can never run: it runs after {runs_after}; {why}"


def _blocked_runs(instance: Instance, mission: int) -> str:
    """Why no start of ``mission`` leaves its team any time, or ``""`` if some start does.

    A run is blocked when, in one of its periods, everyone eligible for one need has 0
    capacity (all on leave, not yet joined or gone).  Needs nobody is eligible for are left
    to ``_check_needs_fillable``, which already says so.
    """
    window = instance.window(mission)
    blocks: dict[str, list[int]] = {}
    for n in instance.needs_of[mission]:
        need = instance.needs[n]
        if not need.eligible:
            continue
        empty = [t for t in window if all(instance.capacity[p][t] == 0 for p in need.giving)]
        if empty:
            blocks[need.skill_id] = empty
    blocked = {t for periods in blocks.values() for t in periods}
    starts = instance.starts[mission]
    if not blocked or not all(blocked & set(instance.run(mission, s)) for s in starts):
        return ""
    ids = instance.period_ids
    length = plural(instance.duration[mission], "period")
    if len(starts) == 1:
        runs = f"its only run ({length} from {ids[starts[0]]})"
    else:
        runs = (
            f"every run its window allows ({length}, starting in {ids[starts[0]]} … "
            f"{ids[starts[-1]]})"
        )
    where = "; ".join(
        f"{skill} in {', '.join(ids[t] for t in periods)}" for skill, periods in blocks.items()
    )
    return (
        f"mission {instance.missions[mission].mission_id!r} can never be staffed: {runs} "
        "meets a period in which nobody eligible for one of its needs has any time: "
        f"{where}"
    )
