"""Resilience: how does a plan fare when people are away, and what does a repair recover?

Each Monte-Carlo draw sends every person away independently with probability ``absence``
(seeded, so a report can be reproduced) and climbs a ladder of answers, cheapest first:

1. The plan left as it is: do the people present keep operations covered — at the bare
   demand, and with the protection buffer — and which missions lose a needed skill (a need
   whose absentees' time no present, eligible team member can make up from free time)?
2. Can each unit re-protect its operations by reshuffling duties among the people present,
   using only time the plan leaves outside missions (missions untouched)?
3. Can operations be protected at all by the people present, whatever the plan?
4. If so, a repair re-solve without the absentees, warm-started from the plan and charging
   for every membership it changes (``Stability``): the value it recovers.

Rungs 2–3 are exact and need no solver (``protection.ops_shortfalls``); when rung 3 fails no
repair exists and none is attempted.  The repairs are the Dask tasks.  While people are
away an organisation may accept a thinner buffer: ``repair_buffer`` sets the protection
rungs 2–4 demand (by default the scenario's own, so a repair never beats the plan's value).
"""

from __future__ import annotations

import dataclasses
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from assembler.compile.instance import Instance
from assembler.compile.protection import Shortfall, ops_shortfalls
from assembler.domain.scenario import Scenario
from assembler.domain.solution import Solution
from assembler.domain.solve_settings import SolveSettings, Stability
from assembler.results.kpis import coverage, evaluate
from assembler.results.result import Result, Status
from assembler.tradeoffs.runner import ProgressCallback, Runner, one_thread
from assembler.tradeoffs.runs import using

NOT_NEEDED = "not needed"
"""Repair outcome of a draw whose absentees had no time in the plan: it still holds."""

_SOLVED = (NOT_NEEDED, Status.OPTIMAL.value, Status.FEASIBLE.value)
"""Repair outcomes that leave a plan to work with."""

_LIST_SEPARATOR = ";"


class StressStoppedError(RuntimeError):
    """Stopped (``SolveSettings.stop``) before any draw was complete: nothing to report."""


@dataclass(frozen=True)
class StressSettings:
    """``draws`` draws in which each person is away with probability ``absence``;
    ``repair_buffer`` is the ops buffer required while they are (``None``: the scenario's)."""

    absence: float = 0.1
    draws: int = 500
    seed: int = 0
    repair_buffer: float | None = None

    def __post_init__(self) -> None:
        if not 0 <= self.absence <= 1:
            raise ValueError(f"absence must be a probability from 0 to 1, not {self.absence}")
        if self.draws < 1:
            raise ValueError(f"draws must be at least 1, not {self.draws}")
        if self.repair_buffer is not None and self.repair_buffer < 0:
            raise ValueError(f"repair buffer must be ≥ 0, not {self.repair_buffer}")

    def problem(self, scenario: Scenario) -> str | None:
        """Why these settings do not fit ``scenario``: a repair buffer above the plan's."""
        buffer = scenario.settings.ops_buffer
        if self.repair_buffer is not None and self.repair_buffer > buffer:
            return (
                f"repair buffer {self.repair_buffer:g} exceeds the plan's ops buffer {buffer:g}: "
                "it is the protection accepted while people are away"
            )
        return None


@dataclass(frozen=True, slots=True)
class Impact:
    """What one draw's absences do before any re-solve (indices into the instance)."""

    below_demand: tuple[int, ...]
    """Operational demands (``instance.ops``) the plan as is now covers below bare demand."""
    below_protected: tuple[int, ...]
    """Operational demands the plan as is now covers below demand + buffer."""
    lost_needs: tuple[int, ...]
    """Mission needs (``instance.needs``) whose lost time no present member can make up."""
    value_kept: float
    """Value of the staffed missions that lost no need."""
    touched: bool
    """Some absentee had time in the plan (otherwise it holds unchanged)."""
    unit_shortfalls: tuple[Shortfall, ...]
    """What reshuffling duties within units, missions untouched, cannot re-protect."""
    shortfalls: tuple[Shortfall, ...]
    """What the people present cannot protect whatever the plan: no repair exists."""


@dataclass(frozen=True, slots=True)
class Repair:
    """Outcome of one repair re-solve: a ``Status`` value, or ``NOT_NEEDED``."""

    status: str
    staffed: frozenset[str] = frozenset()
    value: float | None = None
    changes: int | None = None
    seconds: float = 0.0
    note: str = ""


@dataclass(frozen=True)
class ValueDistribution:
    """Mean and percentiles of the value a plan keeps over some draws, and how many draws:
    a mean alone hides the bad draws a resilience test is about."""

    mean: float
    p5: float
    median: float
    p95: float
    draws: int

    @classmethod
    def of(cls, values: Sequence[float]) -> ValueDistribution:
        """The distribution of ``values``, which must not be empty."""
        p5, p50, p95 = np.percentile(values, [5, 50, 95])
        return cls(
            mean=round(float(np.mean(values)), 4),
            p5=round(float(p5), 4),
            median=round(float(p50), 4),
            p95=round(float(p95), 4),
            draws=len(values),
        )


@dataclass(frozen=True)
class StressSummary:
    """The headline figures of a stress test; rates are over all draws unless named.

    Typed so that its readers (the CLI, the app) cannot misspell a key; ``to_json`` is what
    ``stress_summary.json`` holds, its keys the fields in this order.
    """

    absence: float
    draws: int
    seed: int
    repair_buffer: float
    """The ops buffer demanded while people are away (the scenario's unless set)."""
    people: int
    absent_mean: float
    plan_value: float
    value_total: float
    plan_missions_staffed: int
    p_ops_covered: float
    """Rung 1: the plan as is covers every operational demand at bare demand."""
    p_ops_protected: float
    """Rung 1: the plan as is keeps every operational demand at demand + buffer."""
    p_ops_reshuffle_ok: float
    """Rung 2: reshuffling duties within units re-protects operations."""
    p_ops_protectable: float
    """Rung 3: the people present can protect operations at all."""
    p_missions_intact: float
    repairs_needed: int
    """Draws in which some absentee had time in the plan."""
    repair_outcomes: Mapping[str, int]
    """Repair outcome (a ``Status`` value or ``NOT_NEEDED``) → draws, in order of appearance."""
    p_plan_after_repair: float
    value_before_repair: ValueDistribution
    value_after_repair: ValueDistribution | None
    """Over the draws left with a plan; ``None`` when no draw is."""
    changes_mean: float | None
    """Memberships changed per repair re-solve; ``None`` when none was solved."""

    def to_json(self) -> dict[str, Any]:
        """The JSON-ready mapping of ``stress_summary.json``."""
        return dataclasses.asdict(self)


@dataclass(frozen=True, eq=False)
class StressReport:
    """Per-draw rows, per-mission and per-operational-demand rates, and a summary.

    ``eq=False``: comparing DataFrames element-wise has no single truth value.
    """

    draws: pd.DataFrame
    missions: pd.DataFrame
    operations: pd.DataFrame
    summary: StressSummary


def impact(
    instance: Instance, plan: Solution, absent: frozenset[str], during: Instance | None = None
) -> Impact:
    """Rungs 1–3 of the ladder for one draw; ``during`` is the scenario at the repair buffer
    (by default ``instance`` itself)."""
    during = during or instance
    index = instance.person_index
    away = [index[person_id] for person_id in absent]
    kept = without_people(plan, absent)
    rows = coverage(instance, kept)
    below_demand = tuple(o for o, row in enumerate(rows) if row.covered_fte + 1e-9 < row.demand_fte)
    below_protected = tuple(o for o, row in enumerate(rows) if row.ratio < 1)

    on_missions: Counter[tuple[int, int]] = Counter()
    lost: Counter[tuple[int, int]] = Counter()  # (need, period) → steps
    for row in plan.assignments:
        on_missions[index[row.person_id], row.period] += row.steps
        if row.person_id in absent:
            lost[instance.need_index[row.mission_id, row.skill_id], row.period] += row.steps
    outside_missions = [
        [cap - on_missions[p, t] for t, cap in enumerate(caps)]
        for p, caps in enumerate(instance.capacity)
    ]
    free = [list(steps) for steps in outside_missions]
    for kept_ops in plan.ops:
        free[index[kept_ops.person_id]][kept_ops.period] -= kept_ops.steps
    present_members: dict[str, set[int]] = defaultdict(set)
    for person_id, mission_id in kept.members:
        present_members[mission_id].add(index[person_id])
    short: set[int] = set()
    for (n, t), steps in lost.items():
        need = instance.needs[n]
        helpers = present_members[instance.missions[need.mission].mission_id]
        if sum(free[p][t] for p in helpers.intersection(need.eligible)) < steps:
            short.add(n)
    lost_needs = sorted(short)
    hit = {instance.missions[instance.needs[n].mission].mission_id for n in lost_needs}
    return Impact(
        below_demand=below_demand,
        below_protected=below_protected,
        lost_needs=tuple(lost_needs),
        value_kept=sum(m.value for m in instance.missions if m.mission_id in plan.staffed - hit),
        touched=kept != plan,
        unit_shortfalls=tuple(ops_shortfalls(during, away, outside_missions)),
        shortfalls=tuple(ops_shortfalls(during, away)),
    )


def without_people(plan: Solution, absent: frozenset[str]) -> Solution:
    """The plan minus the absentees' memberships and time; the staffed missions stay."""
    return Solution(
        staffed=plan.staffed,
        members=frozenset(pair for pair in plan.members if pair[0] not in absent),
        assignments=tuple(row for row in plan.assignments if row.person_id not in absent),
        ops=tuple(row for row in plan.ops if row.person_id not in absent),
    )


def repair(shared: tuple[Scenario, Solution, SolveSettings], absent: frozenset[str]) -> Repair:
    """The Dask task: re-plan without the absentees, staying as close to the plan as value
    allows (each changed membership costs ``Stability.weight``), warm-started from it."""
    from assembler.solver import solve  # on first solve only: see ``assembler.__init__``

    scenario, plan, settings = shared
    present = scenario.model_copy(
        update={
            name: tuple(row for row in getattr(scenario, name) if row.person_id not in absent)
            for name in ("people", "person_skills", "preferences", "locks")
        }
    )
    result = solve(present, dataclasses.replace(settings, hint=plan, stability=Stability(plan)))
    seconds = result.build_seconds + result.solve_seconds
    if result.solution is None or result.kpis is None:
        return Repair(result.status.value, seconds=seconds, note="; ".join(result.conflicts))
    members = result.solution.members
    stayed = {pair for pair in plan.members if pair[0] not in absent}
    return Repair(
        result.status.value,
        staffed=result.solution.staffed,
        value=result.kpis.value_captured,
        changes=len(stayed - members) + len(members - plan.members),
        seconds=seconds,
    )


def stress(
    scenario: Scenario,
    settings: StressSettings | None = None,
    solve_settings: SolveSettings | None = None,
    *,
    plan: Solution | None = None,
    runner: Runner | None = None,
    progress: ProgressCallback | None = None,
) -> StressReport:
    """Stress ``plan`` with random absences: what breaks, and what a repair recovers.

    An optimal plan is often a brittle one: it leaves no slack.  Each draw sends people
    away at random and climbs the ladder of the module docstring, cheapest answer first,
    so the report says how often operations and missions survive the plan as it is, how
    often reshuffling duties is enough, and how much value a repair re-solve (the only
    part that needs the solver, one Dask task per draw that needs one) brings back.

    Args:
        scenario: the validated scenario ``plan`` staffs.
        settings: absence probability, draws, seed, and the buffer accepted while people
            are away, which must not exceed the scenario's own (``ValueError`` otherwise).
        solve_settings: limits of the plan's solve and of each repair (one solver thread
            per repair task).
        plan: the plan to stress; by default ``solve_plan``'s (``ValueError`` when the
            scenario has none).
        runner: where the repairs run; by default a local cluster, started only when some
            draw needs a repair.
        progress: called with (repairs done, repairs in all) as each one finishes.

    When ``solve_settings.stop`` is set during the repairs, the report holds the draws
    before the first repair left unfinished: a prefix of independent draws is still an
    unbiased sample, where keeping every finished repair would favour the quick ones.
    """
    settings = settings or StressSettings()
    solve_settings = solve_settings or SolveSettings()
    problem = settings.problem(scenario)
    if problem is not None:
        raise ValueError(problem)
    if plan is None:
        found = solve_plan(scenario, solve_settings)
        if found.solution is None:
            raise ValueError(f"no plan to stress: the scenario's solve is {found.status}")
        plan = found.solution
    instance = Instance(scenario)
    during_scenario = scenario.with_settings(ops_buffer=settings.repair_buffer)
    during = Instance(during_scenario) if settings.repair_buffer is not None else instance
    draws = _absences(instance, settings)
    impacts = [impact(instance, plan, absent, during) for absent in draws]
    to_repair = [d for d, hit in enumerate(impacts) if hit.touched and not hit.shortfalls]
    solved: dict[int, Repair] = {}
    if to_repair:  # no cluster for a plan no absence touches
        with using(runner) as active:
            solved = active.map_done(
                repair,
                (during_scenario, plan, one_thread(solve_settings)),
                [draws[d] for d in to_repair],
                progress,
                solve_settings.stop,
            )
    unchanged = Repair(
        NOT_NEEDED, staffed=plan.staffed, value=evaluate(instance, plan).value_captured, changes=0
    )
    repaired = {to_repair[i]: fix for i, fix in solved.items()}
    unfinished = [d for d in to_repair if d not in repaired]
    if unfinished:
        kept = unfinished[0]
        if kept == 0:
            raise StressStoppedError("stopped before the first draw's repair was finished")
        draws, impacts = draws[:kept], impacts[:kept]
        settings = dataclasses.replace(settings, draws=kept)
    repairs = []
    for d, hit in enumerate(impacts):
        if d in repaired:
            repairs.append(repaired[d])
        elif hit.shortfalls:
            note = "; ".join(str(short) for short in hit.shortfalls)
            repairs.append(Repair(Status.INFEASIBLE.value, note=note))
        else:
            repairs.append(unchanged)
    return _report(instance, plan, settings, draws, impacts, repairs)


def solve_plan(scenario: Scenario, settings: SolveSettings | None = None) -> Result:
    """The plan to stress, solved on one thread: several plans often share the optimal
    score, and one thread finds the same one each time, so a seed gives the same report."""
    from assembler.solver import solve  # on first solve only: see ``assembler.__init__``

    settings = settings or SolveSettings()
    # Solved here, not on a worker: the caller's stop event still applies.
    return solve(scenario, dataclasses.replace(one_thread(settings), stop=settings.stop))


def _absences(instance: Instance, settings: StressSettings) -> list[frozenset[str]]:
    """Who is away in each draw: everyone independently with probability ``absence``."""
    rng = np.random.default_rng(settings.seed)
    people = instance.people
    return [
        frozenset(
            people[p].person_id for p in np.flatnonzero(rng.random(len(people)) < settings.absence)
        )
        for _ in range(settings.draws)
    ]


def _report(
    instance: Instance,
    plan: Solution,
    settings: StressSettings,
    draws: Sequence[frozenset[str]],
    impacts: Sequence[Impact],
    repairs: Sequence[Repair],
) -> StressReport:
    ops_labels = [f"{need.unit_id}/{need.skill_id}" for need in instance.ops]
    rows = []
    for number, (absent, hit, fix) in enumerate(zip(draws, impacts, repairs, strict=True), 1):
        lost = [instance.needs[n] for n in hit.lost_needs]
        rows.append(
            {
                "draw": number,
                "absent_count": len(absent),
                "absent": _LIST_SEPARATOR.join(
                    sorted(absent, key=instance.person_index.__getitem__)
                ),
                "ops_covered": not hit.below_demand,
                "ops_protected": not hit.below_protected,
                "ops_below_demand": _LIST_SEPARATOR.join(ops_labels[o] for o in hit.below_demand),
                "ops_reshuffle_ok": not hit.unit_shortfalls,
                "ops_protectable": not hit.shortfalls,
                "missions_losing_skill": _LIST_SEPARATOR.join(
                    dict.fromkeys(instance.missions[need.mission].mission_id for need in lost)
                ),
                "needs_lost": _LIST_SEPARATOR.join(
                    f"{instance.missions[need.mission].mission_id}/{need.skill_id}" for need in lost
                ),
                "value_before_repair": hit.value_kept,
                "repair": fix.status,
                "value_after_repair": fix.value,
                "changes": fix.changes,
                "repair_seconds": round(fix.seconds, 3),
                "repair_note": fix.note,
            }
        )
    table = pd.DataFrame(rows)
    table["changes"] = table["changes"].astype("Int64")
    return StressReport(
        draws=table,
        missions=_missions(instance, plan, impacts, repairs),
        operations=_operations(instance, plan, impacts),
        summary=_summary(instance, plan, settings, draws, impacts, repairs),
    )


def _missions(
    instance: Instance, plan: Solution, impacts: Sequence[Impact], repairs: Sequence[Repair]
) -> pd.DataFrame:
    """Per staffed mission: how often it loses a needed skill (and which), and how often a
    repaired plan still staffs it."""
    draws = len(impacts)
    hit: Counter[int] = Counter()
    skills: dict[int, Counter[str]] = defaultdict(Counter)
    for draw in impacts:
        for m in {instance.needs[n].mission for n in draw.lost_needs}:
            hit[m] += 1
        for n in draw.lost_needs:
            skills[instance.needs[n].mission][instance.needs[n].skill_id] += 1
    planned = [fix for fix in repairs if fix.status in _SOLVED]
    rows = []
    for m, mission in enumerate(instance.missions):
        if mission.mission_id not in plan.staffed:
            continue
        kept = sum(mission.mission_id in fix.staffed for fix in planned)
        rows.append(
            {
                "mission_id": mission.mission_id,
                "name": mission.name,
                "value": mission.value,
                "p_loses_skill": hit[m] / draws,
                "skills_lost": ", ".join(
                    f"{skill} ({count / draws:.0%})" for skill, count in skills[m].most_common()
                ),
                "p_staffed_after_repair": kept / len(planned) if planned else None,
            }
        )
    return pd.DataFrame(rows)


def _operations(instance: Instance, plan: Solution, impacts: Sequence[Impact]) -> pd.DataFrame:
    """Per operational demand, how often each rung of the ladder fails on it: the plan as is
    leaves it below demand (or below its protected level), reshuffling within the unit
    cannot re-protect it, nobody present could protect it whatever the plan."""
    draws = len(impacts)
    below_demand = Counter(o for draw in impacts for o in draw.below_demand)
    below_protected = Counter(o for draw in impacts for o in draw.below_protected)
    in_unit = _demands_at_fault(draw.unit_shortfalls for draw in impacts)
    anyhow = _demands_at_fault(draw.shortfalls for draw in impacts)
    return pd.DataFrame(
        [
            {
                "unit_id": row.unit_id,
                "skill_id": row.skill_id,
                "demand_fte": row.demand_fte,
                "protected_fte": row.protected_fte,
                "covered_fte": row.covered_fte,
                "p_below_demand": below_demand[o] / draws,
                "p_below_protected": below_protected[o] / draws,
                "p_reshuffle_fails": in_unit[row.unit_id, row.skill_id] / draws,
                "p_unprotectable": anyhow[row.unit_id, row.skill_id] / draws,
            }
            for o, row in enumerate(coverage(instance, plan))
        ]
    )


def _demands_at_fault(draws: Iterable[Sequence[Shortfall]]) -> Counter[tuple[str, str]]:
    """In how many draws each (unit, skill) belongs to a shortfall."""
    return Counter(
        (short.unit_id, skill) for draw in draws for short in draw for skill in short.skill_ids
    )


def _summary(
    instance: Instance,
    plan: Solution,
    settings: StressSettings,
    draws: Sequence[frozenset[str]],
    impacts: Sequence[Impact],
    repairs: Sequence[Repair],
) -> StressSummary:
    kpis = evaluate(instance, plan)
    after = [fix.value for fix in repairs if fix.value is not None]
    solved = [
        fix.changes for fix in repairs if fix.changes is not None and fix.status != NOT_NEEDED
    ]
    return StressSummary(
        absence=settings.absence,
        draws=settings.draws,
        seed=settings.seed,
        repair_buffer=instance.settings.ops_buffer
        if settings.repair_buffer is None
        else settings.repair_buffer,
        people=len(instance.people),
        absent_mean=_mean([len(absent) for absent in draws]),
        plan_value=kpis.value_captured,
        value_total=kpis.value_total,
        plan_missions_staffed=kpis.missions_staffed,
        p_ops_covered=_mean([not draw.below_demand for draw in impacts]),
        p_ops_protected=_mean([not draw.below_protected for draw in impacts]),
        p_ops_reshuffle_ok=_mean([not draw.unit_shortfalls for draw in impacts]),
        p_ops_protectable=_mean([not draw.shortfalls for draw in impacts]),
        p_missions_intact=_mean([not draw.lost_needs for draw in impacts]),
        repairs_needed=sum(draw.touched for draw in impacts),
        repair_outcomes=dict(Counter(fix.status for fix in repairs)),
        p_plan_after_repair=_mean([fix.status in _SOLVED for fix in repairs]),
        value_before_repair=ValueDistribution.of([draw.value_kept for draw in impacts]),
        value_after_repair=ValueDistribution.of(after) if after else None,
        changes_mean=_mean(solved) if solved else None,
    )


def _mean(values: Sequence[float]) -> float:
    return round(float(np.mean(values)), 4)
