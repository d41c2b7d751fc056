"""Resilience: how does a plan fare when people are away, and what does a repair recover?

Each Monte-Carlo draw sends every person away independently with probability ``absence``
(seeded, so a report can be reproduced) — with periods, in each period independently, so an
absence is a (person, period) pair — and climbs a ladder of answers, cheapest first:

1. The plan left as it is, losing only the absentees' time in the periods they are away: do
   the people present keep operations covered in every period — at the bare demand, and with
   the protection buffer — and which missions lose a needed skill (a need whose absentees'
   time in some period no present, eligible team member can make up from free time then)?
2. Can each unit re-protect its operations by reshuffling duties among the people present,
   using only time the plan leaves outside missions (missions untouched)?
3. Can operations be protected at all by the people present, whatever the plan?
4. If so, a repair re-solve without the absentees (with periods: with no time in the periods
   they are away), warm-started from the plan and charging for every membership it changes
   and every mission it moves in time (``Stability``): the value it recovers.

Rungs 1–3 and the draws live in ``absences``: exact, and no solver (rungs 2–3 are
``protection.ops_shortfalls`` with the absentees' time zeroed in their periods); when rung 3
fails no repair exists and none is attempted.
The repairs are the Dask tasks.  While people are away an organisation may accept a
thinner buffer: ``repair_buffer`` sets the protection rungs 2–4 demand (by default the
scenario's own, so a repair never beats the plan's value).
"""

from __future__ import annotations

import dataclasses
import threading
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from assembler.compile.instance import Instance
from assembler.compile.protection import Shortfall
from assembler.domain.scenario import Availability, Scenario
from assembler.domain.solution import Solution
from assembler.domain.solve_settings import SolveSettings, Stability
from assembler.results.kpis import coverage, evaluate
from assembler.results.result import Result, Status
from assembler.tradeoffs.absences import Absence, Impact, draw_absences, measure, run_periods
from assembler.tradeoffs.runner import ProgressCallback, Runner, one_thread
from assembler.tradeoffs.runs import using

NOT_NEEDED = "not needed"
"""Repair outcome of a draw whose absentees had no time in the plan: it still holds."""

_SOLVED = (NOT_NEEDED, Status.OPTIMAL.value, Status.FEASIBLE.value)
"""Repair outcomes that leave a plan to work with."""

_LIST_SEPARATOR = ";"

_MISSION_COLUMNS = (
    "mission_id",
    "name",
    "value",
    "p_loses_skill",
    "skills_lost",
    "p_staffed_after_repair",
)
_OPERATIONS_COLUMNS = (
    "unit_id",
    "skill_id",
    "demand_fte",
    "protected_fte",
    "covered_fte",
    "p_below_demand",
    "p_below_protected",
    "p_reshuffle_fails",
    "p_unprotectable",
)
"""The columns of the missions and operations tables (with periods ``period_id`` follows
``skill_id``), named even when a plan staffs nothing or a scenario has no operations, so
the chart and the printed summary can read an empty table."""

_HORIZON_FIELDS = ("periods", "moves_mean")
"""Summary figures that only exist with periods: left out of a v1 ``stress_summary.json``."""


class StressStoppedError(RuntimeError):
    """Stopped (``SolveSettings.stop``) before any draw was complete: nothing to report."""


@dataclass(frozen=True)
class StressSettings:
    """``draws`` draws in which each person is away with probability ``absence`` (with
    periods: in each period); ``repair_buffer`` is the ops buffer required while they are
    (``None``: the scenario's)."""

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
class Repair:
    """Outcome of one repair re-solve: a ``Status`` value, or ``NOT_NEEDED``."""

    status: str
    staffed: frozenset[str] = frozenset()
    value: float | None = None
    changes: int | None = None
    moved: int | None = None
    """Missions the repair staffs at another start than the plan's (0 without periods)."""
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
    periods: int | None
    """The horizon's periods; ``None`` without periods (and left out of the JSON)."""
    absent_mean: float
    """Absences per draw: people away, with periods person-periods."""
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
    moves_mean: float | None
    """Missions moved in time per repair re-solve (periods only; ``None`` as above)."""

    def to_json(self) -> dict[str, Any]:
        """The JSON-ready mapping of ``stress_summary.json``: without periods exactly v1's
        keys, so reports of scenarios without periods stay as they were."""
        data = dataclasses.asdict(self)
        if self.periods is None:
            for name in _HORIZON_FIELDS:
                del data[name]
        return data


@dataclass(frozen=True, eq=False)
class StressReport:
    """Per-draw rows, per-mission and per-operational-demand rates, and a summary.

    ``eq=False``: comparing DataFrames element-wise has no single truth value.
    """

    draws: pd.DataFrame
    missions: pd.DataFrame
    operations: pd.DataFrame
    summary: StressSummary


def repair(shared: tuple[Scenario, Solution, SolveSettings], absent: Absence) -> Repair:
    """The Dask task: re-plan without the absentees, staying as close to the plan as value
    allows (each changed membership and each mission moved in time costs
    ``Stability.weight``), warm-started from it."""
    from assembler.solver import solve  # on first solve only: see ``assembler.__init__``

    scenario, plan, settings = shared
    present = _while_away(scenario, absent)
    result = solve(present, dataclasses.replace(settings, hint=plan, stability=Stability(plan)))
    seconds = result.build_seconds + result.solve_seconds
    if result.solution is None or result.kpis is None:
        return Repair(result.status.value, seconds=seconds, note="; ".join(result.conflicts))
    planned = run_periods(scenario, plan)
    members = result.solution.members
    stayed = {
        (person_id, mission_id)
        for person_id, mission_id in plan.members
        if not any((person_id, t) in absent for t in planned[mission_id])
    }
    repaired = run_periods(scenario, result.solution)
    return Repair(
        result.status.value,
        staffed=result.solution.staffed,
        value=result.kpis.value_captured,
        changes=len(stayed - members) + len(members - plan.members),
        moved=sum(repaired[m].start != run.start for m, run in planned.items() if m in repaired),
        seconds=seconds,
    )


def _while_away(scenario: Scenario, absent: Absence) -> Scenario:
    """The scenario a repair solves.  Without periods the absentees are removed, as ever;
    with periods they have no time (availability 0) in the periods they are away, so their
    time in the other periods stays available."""
    if not scenario.has_horizon:
        gone = {person_id for person_id, _ in absent}
        return scenario.model_copy(
            update={
                name: tuple(row for row in getattr(scenario, name) if row.person_id not in gone)
                for name in ("people", "person_skills", "preferences", "locks")
            }
        )
    ids = scenario.period_ids
    pairs = {(person_id, ids[t]) for person_id, t in absent}
    kept = [row for row in scenario.availability if (row.person_id, row.period_id) not in pairs]
    away = [
        Availability(person_id=person_id, period_id=period_id, fte=0.0)
        for person_id, period_id in sorted(pairs)
    ]
    return scenario.model_copy(update={"availability": (*kept, *away)})


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
        plan = _plan_of(scenario, solve_settings)
    instance = Instance(scenario)
    during_scenario = scenario.with_settings(ops_buffer=settings.repair_buffer)
    during = Instance(during_scenario) if settings.repair_buffer is not None else instance
    draws = draw_absences(instance, settings.absence, settings.draws, settings.seed)
    impacts = measure(instance, plan, draws, during, solve_settings.stop)
    if len(impacts) < len(draws):  # stopped while measuring: keep the measured prefix
        if not impacts:
            raise StressStoppedError("stopped before the first draw was measured")
        draws = draws[: len(impacts)]
        settings = dataclasses.replace(settings, draws=len(impacts))
    to_repair = [d for d, hit in enumerate(impacts) if hit.touched and not hit.shortfalls]
    repaired = _repaired(
        (during_scenario, plan, one_thread(solve_settings)),
        {d: draws[d] for d in to_repair},
        runner,
        progress,
        solve_settings.stop,
    )
    unfinished = [d for d in to_repair if d not in repaired]
    if unfinished:
        kept = unfinished[0]
        if kept == 0:
            raise StressStoppedError("stopped before the first draw's repair was finished")
        draws, impacts = draws[:kept], impacts[:kept]
        settings = dataclasses.replace(settings, draws=kept)
    repairs = _outcomes(instance, plan, impacts, repaired)
    return _report(_Measured(instance, plan, settings, draws, impacts, repairs))


def _plan_of(scenario: Scenario, settings: SolveSettings) -> Solution:
    """The plan to stress when none is given: ``solve_plan``'s, or why there is none."""
    found = solve_plan(scenario, settings)
    if found.solution is None:
        raise ValueError(f"no plan to stress: the scenario's solve is {found.status}")
    return found.solution


def _repaired(
    shared: tuple[Scenario, Solution, SolveSettings],
    to_repair: Mapping[int, Absence],
    runner: Runner | None,
    progress: ProgressCallback | None,
    stop: threading.Event | None,
) -> dict[int, Repair]:
    """The repair re-solves of the draws ``to_repair`` (by draw index), one Dask task each:
    those finished, all unless ``stop`` is set first.  No cluster is started for a plan no
    absence touches."""
    if not to_repair:
        return {}
    indices = list(to_repair)
    with using(runner) as active:
        solved = active.map_done(repair, shared, [to_repair[d] for d in indices], progress, stop)
    return {indices[i]: fix for i, fix in solved.items()}


def _outcomes(
    instance: Instance, plan: Solution, impacts: Sequence[Impact], repaired: Mapping[int, Repair]
) -> list[Repair]:
    """Where each draw's ladder ends: its repair, no repair possible (operations cannot be
    protected, rung 3), or the plan as it is (no absentee had time in it)."""
    unchanged = Repair(
        NOT_NEEDED,
        staffed=plan.staffed,
        value=evaluate(instance, plan).value_captured,
        changes=0,
        moved=0,
    )
    repairs = []
    for d, hit in enumerate(impacts):
        if d in repaired:
            repairs.append(repaired[d])
        elif hit.shortfalls:
            note = "; ".join(str(short) for short in hit.shortfalls)
            repairs.append(Repair(Status.INFEASIBLE.value, note=note))
        else:
            repairs.append(unchanged)
    return repairs


def solve_plan(scenario: Scenario, settings: SolveSettings | None = None) -> Result:
    """The plan to stress, solved on one thread: several plans often share the optimal
    score, and one thread finds the same one each time, so a seed gives the same report."""
    from assembler.solver import solve  # on first solve only: see ``assembler.__init__``

    settings = settings or SolveSettings()
    # Solved here, not on a worker: the caller's stop event still applies.
    return solve(scenario, dataclasses.replace(one_thread(settings), stop=settings.stop))


@dataclass(frozen=True, eq=False)
class _Measured:
    """A stress test's draws as measured and repaired: what its report is made of."""

    instance: Instance
    plan: Solution
    settings: StressSettings
    draws: Sequence[Absence]
    impacts: Sequence[Impact]
    repairs: Sequence[Repair]


def _report(study: _Measured) -> StressReport:
    named = study.instance.scenario.has_horizon
    when = _period_suffix(study.instance)
    ops_labels = [
        f"{need.unit_id}/{need.skill_id}{when(need.period)}" for need in study.instance.ops
    ]
    index = study.instance.person_index
    rows = []
    for number, (absent, hit, fix) in enumerate(
        zip(study.draws, study.impacts, study.repairs, strict=True), 1
    ):
        lost = [(study.instance.needs[n], t) for n, t in hit.lost]
        away = sorted(absent, key=lambda pair: (index[pair[0]], pair[1]))
        rows.append(
            {
                "draw": number,
                "absent_count": len(absent),
                "absent": _LIST_SEPARATOR.join(f"{person}{when(t)}" for person, t in away),
                "ops_covered": not hit.below_demand,
                "ops_protected": not hit.below_protected,
                "ops_below_demand": _LIST_SEPARATOR.join(ops_labels[o] for o in hit.below_demand),
                "ops_reshuffle_ok": not hit.unit_shortfalls,
                "ops_protectable": not hit.shortfalls,
                "missions_losing_skill": _LIST_SEPARATOR.join(
                    dict.fromkeys(
                        study.instance.missions[need.mission].mission_id for need, _ in lost
                    )
                ),
                "needs_lost": _LIST_SEPARATOR.join(
                    f"{study.instance.missions[need.mission].mission_id}/{need.skill_id}{when(t)}"
                    for need, t in lost
                ),
                "value_before_repair": hit.value_kept,
                "repair": fix.status,
                "value_after_repair": fix.value,
                "changes": fix.changes,
                **({"missions_moved": fix.moved} if named else {}),
                "repair_seconds": round(fix.seconds, 3),
                "repair_note": fix.note,
            }
        )
    table = pd.DataFrame(rows)
    for column in ("changes", "missions_moved") if named else ("changes",):
        table[column] = table[column].astype("Int64")
    return StressReport(
        draws=table,
        missions=_missions(study.instance, study.plan, study.impacts, study.repairs),
        operations=_operations(study.instance, study.plan, study.impacts),
        summary=_summary(study),
    )


def _period_suffix(instance: Instance) -> Callable[[int], str]:
    """How tables name a period after a person or a demand: ``@q2`` with periods, nothing
    without (so v1 tables read as they always did)."""
    if not instance.scenario.has_horizon:
        return lambda _: ""
    return lambda t: f"@{instance.period_ids[t]}"


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
    return pd.DataFrame(rows, columns=_MISSION_COLUMNS)


def _operations(instance: Instance, plan: Solution, impacts: Sequence[Impact]) -> pd.DataFrame:
    """Per operational demand (with periods: per unit, skill and period), how often each
    rung of the ladder fails on it: the plan as is leaves it below demand (or below its
    protected level), reshuffling within the unit cannot re-protect it, nobody present could
    protect it whatever the plan."""
    draws = len(impacts)
    below_demand = Counter(o for draw in impacts for o in draw.below_demand)
    below_protected = Counter(o for draw in impacts for o in draw.below_protected)
    in_unit = _demands_at_fault(draw.unit_shortfalls for draw in impacts)
    anyhow = _demands_at_fault(draw.shortfalls for draw in impacts)
    named = instance.scenario.has_horizon
    columns = [
        *_OPERATIONS_COLUMNS[:2],
        *(["period_id"] if named else []),
        *_OPERATIONS_COLUMNS[2:],
    ]
    return pd.DataFrame(
        [
            {
                "unit_id": row.unit_id,
                "skill_id": row.skill_id,
                **({"period_id": instance.period_ids[row.period]} if named else {}),
                "demand_fte": row.demand_fte,
                "protected_fte": row.protected_fte,
                "covered_fte": row.covered_fte,
                "p_below_demand": below_demand[o] / draws,
                "p_below_protected": below_protected[o] / draws,
                "p_reshuffle_fails": in_unit[row.unit_id, row.skill_id, row.period] / draws,
                "p_unprotectable": anyhow[row.unit_id, row.skill_id, row.period] / draws,
            }
            for o, row in enumerate(coverage(instance, plan))
        ],
        columns=columns,
    )


def _demands_at_fault(draws: Iterable[Sequence[Shortfall]]) -> Counter[tuple[str, str, int]]:
    """In how many draws each (unit, skill, period) belongs to a shortfall."""
    return Counter(
        (short.unit_id, skill, short.period)
        for draw in draws
        for short in draw
        for skill in short.skill_ids
    )


def _summary(study: _Measured) -> StressSummary:
    kpis = evaluate(study.instance, study.plan)
    after = [fix.value for fix in study.repairs if fix.value is not None]
    solved = [fix for fix in study.repairs if fix.changes is not None and fix.status != NOT_NEEDED]
    moves = [fix.moved for fix in solved if fix.moved is not None]
    return StressSummary(
        absence=study.settings.absence,
        draws=study.settings.draws,
        seed=study.settings.seed,
        repair_buffer=study.instance.settings.ops_buffer
        if study.settings.repair_buffer is None
        else study.settings.repair_buffer,
        people=len(study.instance.people),
        periods=study.instance.horizon if study.instance.scenario.has_horizon else None,
        absent_mean=_mean([len(absent) for absent in study.draws]),
        plan_value=kpis.value_captured,
        value_total=kpis.value_total,
        plan_missions_staffed=kpis.missions_staffed,
        p_ops_covered=_mean([not draw.below_demand for draw in study.impacts]),
        p_ops_protected=_mean([not draw.below_protected for draw in study.impacts]),
        p_ops_reshuffle_ok=_mean([not draw.unit_shortfalls for draw in study.impacts]),
        p_ops_protectable=_mean([not draw.shortfalls for draw in study.impacts]),
        p_missions_intact=_mean([not draw.lost_needs for draw in study.impacts]),
        repairs_needed=sum(draw.touched for draw in study.impacts),
        repair_outcomes=dict(Counter(fix.status for fix in study.repairs)),
        p_plan_after_repair=_mean([fix.status in _SOLVED for fix in study.repairs]),
        value_before_repair=ValueDistribution.of([draw.value_kept for draw in study.impacts]),
        value_after_repair=ValueDistribution.of(after) if after else None,
        changes_mean=_mean([fix.changes or 0 for fix in solved]) if solved else None,
        moves_mean=_mean(moves) if moves and study.instance.scenario.has_horizon else None,
    )


def _mean(values: Sequence[float]) -> float:
    return round(float(np.mean(values)), 4)
