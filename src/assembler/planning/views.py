"""The figures behind the planner app's pictures, computed here so they are tested once.

The §8 reports are per row (person, need, demand); the app also draws aggregates a planner
reads at a glance: the change matrix with every mission in its cell; each unit's capacity
per period split into what keeps operations running, what goes to change in the hierarchy
and in the network, and what is left; each operational demand with its *headroom* (the
free time of the people who could cover it, which the protected minimum alone hides); and
one person's time over the horizon.  All are plain data, so the app only lays them out,
with the names planners know (``Names``) instead of ids.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from assembler.compile.instance import Instance
from assembler.compile.protection import ops_shortfalls
from assembler.domain.scenario import ChangeType, Scenario
from assembler.domain.solution import Solution
from assembler.results.capacity import (
    FREE,
    HIERARCHY,
    NETWORK,
    OPERATIONS,
)
from assembler.results.names import Names
from assembler.results.report import network_shares


def ops_short(scenario: Scenario) -> list[str]:
    """Why operations alone cannot be protected in ``scenario``, in the planner's words
    (``Names.shortfall``); empty when they can.  Milliseconds, so a page may ask it of
    every frontier point without a plan instead of showing the solver's joined ids."""
    names = Names.of(scenario)
    return [names.shortfall(shortfall) for shortfall in ops_shortfalls(Instance(scenario))]


@dataclass(frozen=True, slots=True)
class MatrixMission:
    """A mission as the change matrix shows it; ``staffed`` is ``None`` before any solve."""

    mission_id: str
    name: str
    value: float
    mandatory: bool
    staffed: bool | None


@dataclass(frozen=True, slots=True)
class MatrixCell:
    """One change type of the 2×2 matrix (configuration × paradigm) and its missions."""

    change_type: ChangeType
    missions: tuple[MatrixMission, ...]

    @property
    def staffed(self) -> int:
        return sum(1 for mission in self.missions if mission.staffed)


def change_matrix(scenario: Scenario, solution: Solution | None) -> dict[ChangeType, MatrixCell]:
    """Every change type (all four, even when empty) with its missions in scenario order."""
    staffed = None if solution is None else solution.staffed
    return {
        change_type: MatrixCell(
            change_type,
            tuple(
                MatrixMission(
                    mission.mission_id,
                    mission.name,
                    mission.value,
                    mission.mandatory,
                    None if staffed is None else mission.mission_id in staffed,
                )
                for mission in scenario.missions
                if mission.change_type is change_type
            ),
        )
        for change_type in ChangeType
    }


class TimeUse:
    """Each person's steps per period on operations and on missions, and what is free."""

    def __init__(self, instance: Instance, solution: Solution) -> None:
        self.instance = instance
        self.ops: Counter[tuple[str, int]] = Counter()
        self.missions: Counter[tuple[str, int]] = Counter()
        for kept in solution.ops:
            self.ops[kept.person_id, kept.period] += kept.steps
        for row in solution.assignments:
            self.missions[row.person_id, row.period] += row.steps

    def free(self, p: int, t: int) -> int:
        person_id = self.instance.people[p].person_id
        used = self.ops[person_id, t] + self.missions[person_id, t]
        return self.instance.capacity[p][t] - used


def capacity_in(table: pd.DataFrame, period_id: str | None = None) -> pd.DataFrame:
    """``unit_capacity`` for one period, or (``None``) the mean over the periods: columns
    ``unit_id, use, fte`` in the table's order.

    FTE of different periods must never be summed — a person in four quarters is one
    person, not four — so a chart of the whole horizon shows the mean period."""
    chosen = table if period_id is None else table[table.period_id == period_id]
    mean = chosen.groupby(["unit_id", "use"], sort=False, as_index=False)["fte"].mean()
    return pd.DataFrame(mean).assign(fte=lambda frame: frame.fte.round(4))


def ops_headroom(scenario: Scenario, solution: Solution) -> pd.DataFrame:
    """Per operational demand and period: the demand, the protected minimum, the time
    the plan keeps on it, and the headroom — the free time of the unit's people able to
    cover it in that period (with their missions and other operations taken off).

    A plan keeps operations at exactly the protected minimum whenever that frees time for
    missions, so covered = protected says nothing about how close to the edge a unit is;
    the headroom does: what it could still give operations, or a mission, without changing
    anyone else's work.  A person able to cover several demands counts in each, so the
    headroom of a unit's demands do not add up.  Columns ``unit_id, skill_id, period_id,
    demand_fte, protected_fte, covered_fte, slack_fte, headroom_fte, qualified`` (people
    able to cover it), by unit (scenario order), skill as in ``ops_demand``, period.
    """
    instance = Instance(scenario)
    use = TimeUse(instance, solution)
    unit_of = {person.person_id: person.unit_id for person in instance.people}
    covered: Counter[tuple[str, str, int]] = Counter()
    for kept in solution.ops:
        covered[unit_of[kept.person_id], kept.skill_id, kept.period] += kept.steps
    unit_order = {unit_id: i for i, unit_id in enumerate(scenario.unit_ids)}
    skill_order = {
        key: i for i, key in enumerate(dict.fromkeys((n.unit_id, n.skill_id) for n in instance.ops))
    }
    needs = sorted(
        instance.ops,
        key=lambda n: (unit_order.get(n.unit_id, 0), skill_order[n.unit_id, n.skill_id], n.period),
    )
    rows = []
    for need in needs:
        steps = covered[need.unit_id, need.skill_id, need.period]
        headroom = sum(max(use.free(p, need.period), 0) for p in need.eligible)
        rows.append(
            (
                need.unit_id,
                need.skill_id,
                instance.period_ids[need.period],
                need.demand_fte,
                instance.fte(need.required),
                instance.fte(steps),
                instance.fte(steps - need.required),
                instance.fte(headroom),
                len(need.eligible),
            )
        )
    columns = [
        "unit_id",
        "skill_id",
        "period_id",
        "demand_fte",
        "protected_fte",
        "covered_fte",
        "slack_fte",
        "headroom_fte",
        "qualified",
    ]
    return pd.DataFrame(rows, columns=columns)


def person_time(scenario: Scenario, solution: Solution, person_id: str) -> pd.DataFrame:
    """One person's time in every period, part by part: operations per skill, each mission
    they work on, and what is free.  Columns ``period_id, use, part, fte, capacity_fte``:
    ``use`` is one of ``CAPACITY_USES`` (what colours the part), ``part`` what it is (the
    skill id, the mission id, or ``free``); parts without time are left out, except the
    free part, so every period has a row (a full one, or one the person is away for, shows
    0 free).  Raises ``KeyError`` for an unknown person.
    """
    instance = Instance(scenario)
    p = instance.person_index[person_id]
    network = {mission.mission_id for mission in instance.missions if mission.is_network}
    ops: Counter[tuple[int, str]] = Counter()
    for kept in solution.ops:
        if kept.person_id == person_id:
            ops[kept.period, kept.skill_id] += kept.steps
    missions: Counter[tuple[int, str]] = Counter()
    for row in solution.assignments:
        if row.person_id == person_id:
            missions[row.period, row.mission_id] += row.steps
    use = TimeUse(instance, solution)
    rows: list[tuple[str, str, str, float, float]] = []
    for t in instance.periods:
        period_id, capacity = instance.period_ids[t], instance.fte(instance.capacity[p][t])
        parts = [(OPERATIONS, skill, steps) for (u, skill), steps in ops.items() if u == t]
        parts.sort(key=lambda part: part[1])
        parts += [
            (NETWORK if mission_id in network else HIERARCHY, mission_id, steps)
            for mission_id in (m.mission_id for m in instance.missions)
            if (steps := missions[t, mission_id])
        ]
        parts.append((FREE, FREE, use.free(p, t)))
        rows += [
            (period_id, kind, part, instance.fte(steps), capacity)
            for kind, part, steps in parts
            if steps or kind == FREE
        ]
    return pd.DataFrame(rows, columns=["period_id", "use", "part", "fte", "capacity_fte"])


def network_caps(scenario: Scenario, solution: Solution) -> pd.DataFrame:
    """Each capped unit's share of its people's time given to network missions, per
    period, against its cap (MODEL.md v3 §6.12): columns ``unit_id, period_id, share,
    cap``, units in scenario order, then periods; empty when no unit is capped below 1.

    The summary's ``network_share_by_unit`` without the cap beside it says nothing at a
    glance: 5 % is ample under a 10 % cap and a breach under a 4 % one."""
    instance = Instance(scenario)
    shares = network_shares(instance, solution) or {}
    rows = [
        (unit_id, instance.period_ids[t], share, instance.capped_units[unit_id])
        for unit_id in sorted(shares, key=_unit_order(scenario))
        for t, share in enumerate(shares[unit_id])
    ]
    return pd.DataFrame(rows, columns=["unit_id", "period_id", "share", "cap"])


def _unit_order(scenario: Scenario) -> Callable[[str], int]:
    order = {unit_id: i for i, unit_id in enumerate(scenario.unit_ids)}
    return lambda unit_id: order.get(unit_id, len(order))


OVER_CAPACITY = "over capacity"
FULLY_BOOKED = "fully booked"
ALL_ON_OPERATIONS = "all on operations"
AWAY = "away"
SPARE = "time to spare"
LOADS = (OVER_CAPACITY, FULLY_BOOKED, ALL_ON_OPERATIONS, AWAY, SPARE)
"""How loaded a person is in a period, the most pressing first.  "No time left" alone
marks nearly everyone in a hospital, where operations take most people's whole time; a
planner needs to tell those from the people the plan's missions fill up."""
OVERLOADED = (OVER_CAPACITY, FULLY_BOOKED)
"""The states a planner should look at: asked more than they have, or filled by missions."""

_EPSILON = 1e-9


def loads(people: pd.DataFrame) -> pd.Series[str]:
    """Each row of the ``people`` report (a person in a period) as one of ``LOADS``:

    * over capacity: operations and missions ask more than the person has (no plan the
      model accepts does this; a plan checked against changed data can);
    * fully booked: no time left, and missions take part of it;
    * all on operations: no time left, all of it on operations (their unit needs it; the
      calmer state, not an overload);
    * away: no capacity in the period;
    * time to spare: anything else.
    """

    def load(capacity: float, ops: float, mission: float, free: float) -> str:
        if ops + mission > capacity + _EPSILON:
            return OVER_CAPACITY
        if capacity <= _EPSILON:
            return AWAY
        if free > _EPSILON:
            return SPARE
        return FULLY_BOOKED if mission > _EPSILON else ALL_ON_OPERATIONS

    return pd.Series(
        [
            load(capacity, ops, mission, free)
            for capacity, ops, mission, free in zip(
                people.capacity_fte,
                people.ops_fte,
                people.mission_fte,
                people.free_fte,
                strict=True,
            )
        ],
        index=people.index,
        dtype=object,
    )
