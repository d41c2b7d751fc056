"""Time (MODEL.md v2): planning periods, seasonal peaks, leave, joiners and leavers, and
when missions run.

A horizon makes a scenario harder in the ways a planner meets: operations need more people
in winter, people are away or not yet there, missions have windows and wait for the system
change they build on.  It must stay feasible by construction, so operations are planned per
period (``_Cover``, the v1 ops witness copied into every period) and every peak or absence
is only emitted once colleagues who may cover that work have the time to take it over; a
peak that does not fit is lowered, an absence that does not fit is not granted.

Every draw comes from the horizon's own random stream, so the organisation and portfolio of
a seed are the same with and without periods.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from assembler.compile.instance import Instance, capacity_steps, protected_steps
from assembler.domain.scenario import (
    Availability,
    ChangeType,
    Mission,
    OpsDemand,
    Period,
    Scenario,
)
from assembler.domain.settings import ModelSettings
from assembler.generate.organisation import Staff
from assembler.generate.portfolio import Portfolio

QUARTERS_UP_TO = 8
"""Up to two years the periods are quarters; a longer horizon is planned in months."""
FIRST_YEAR = 2027

PEAK_UNITS = 0.3
"""Share of units whose operations peak in winter, by 10, 20 or 30 %."""
JOINERS, LEAVERS, ON_LEAVE = 0.03, 0.03, 0.08
"""Shares of people who join during the horizon, leave during it, or take leave in it."""
PART_TIME_LEAVE = 0.4
"""Share of leave taken part-time (half the person's time) rather than whole periods."""
WHOLE_HORIZON, FLEXIBLE, CHAINED = 0.2, 0.4, 0.4
"""Shares of missions that run the whole horizon, of the others whose window is longer
than their duration, and of ``renew`` missions followed by a change of paradigm."""

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def build_periods(count: int) -> list[Period]:
    """``count`` quarters (or months, beyond two years) from January of ``FIRST_YEAR``."""
    periods = []
    for t in range(count):
        if count <= QUARTERS_UP_TO:
            year, quarter = FIRST_YEAR + t // 4, t % 4 + 1
            period_id, name = f"{year}-Q{quarter}", f"Q{quarter} {year}"
            start = date(year, 3 * quarter - 2, 1)
        else:
            year, month = FIRST_YEAR + t // 12, t % 12 + 1
            period_id, name = f"{year}-{month:02d}", f"{_MONTHS[month - 1]} {year}"
            start = date(year, month, 1)
        periods.append(Period(period_id=period_id, name=name, start=start))
    return periods


def winter(periods: list[Period]) -> list[int]:
    """The winter periods (Q1 and Q4, or December to February): when heating, flu and
    year-end work make operations peak."""
    months = (1, 10) if len(periods) <= QUARTERS_UP_TO else (12, 1, 2)
    return [t for t, period in enumerate(periods) if period.start and period.start.month in months]


@dataclass
class Horizon:
    """What a horizon adds to a scenario, and the ops witness's free time per period."""

    periods: list[Period]
    availability: list[Availability]
    peaks: list[OpsDemand]
    missions: list[Mission]
    free: dict[str, list[int]]
    """Person → steps not kept on operations, per period (what committed missions may use)."""


class _Cover:
    """Operations planned in every period: who keeps how many steps on which demand.

    It starts as the v1 allocation in every period and changes by whole moves: a peak
    raises a demand's requirement in one period, an absence takes a person's time away;
    either is accepted only if qualified colleagues with spare time take the difference.
    """

    def __init__(
        self, staff: Staff, demands: list[OpsDemand], settings: ModelSettings, horizon: int
    ) -> None:
        self.staff = staff
        self.step, self.buffer = settings.step_fte, settings.ops_buffer
        self.capacity = {
            p.person_id: [capacity_steps(p.fte, self.step)] * horizon for p in staff.people
        }
        self.min_level = {(d.unit_id, d.skill_id): d.min_level for d in demands}
        self.required = {
            (d.unit_id, d.skill_id): [protected_steps(d.fte, self.buffer, self.step)] * horizon
            for d in demands
        }
        self.unit_of = {p.person_id: p.unit_id for p in staff.people}
        self.kept: list[dict[str, dict[str, int]]] = [{} for _ in range(horizon)]
        self.allocated: list[dict[tuple[str, str], int]] = [
            defaultdict(int) for _ in range(horizon)
        ]
        self._undo: list[tuple[int, str, str, int]] = []
        for pid, steps in staff.ops_steps.items():
            for t in range(horizon):
                self._keep(t, pid, staff.ops_skill[pid], steps)
        self._undo.clear()

    def _keep(self, t: int, pid: str, skill: str, steps: int) -> None:
        """``pid`` keeps ``steps`` more (or fewer) on demand ``skill`` of their unit in ``t``."""
        skills = self.kept[t].setdefault(pid, {})
        skills[skill] = skills.get(skill, 0) + steps
        self.allocated[t][self.unit_of[pid], skill] += steps
        self._undo.append((t, pid, skill, steps))

    def spare(self, pid: str, t: int) -> int:
        return self.capacity[pid][t] - sum(self.kept[t].get(pid, {}).values())

    def helpers(self, key: tuple[str, str], t: int, absent: str | None = None) -> list[str]:
        """The unit's people who may keep demand ``key`` and have spare time in ``t``,
        most spare first."""
        unit, skill = key
        level = self.min_level[key]
        found = [
            p.person_id
            for p in self.staff.in_unit[unit]
            if p.person_id != absent
            and self.staff.level.get((p.person_id, skill), 0) >= level
            and self.spare(p.person_id, t) > 0
        ]
        return sorted(found, key=lambda pid: -self.spare(pid, t))

    def take_over(self, key: tuple[str, str], t: int, steps: int, absent: str | None) -> bool:
        """Hand ``steps`` of demand ``key`` in ``t`` to colleagues, all or nothing."""
        helpers = self.helpers(key, t, absent)
        if sum(self.spare(pid, t) for pid in helpers) < steps:
            return False
        for pid in helpers:
            take = min(steps, self.spare(pid, t))
            self._keep(t, pid, key[1], take)
            steps -= take
            if steps == 0:
                break
        return True

    def raise_demand(self, demand: OpsDemand, factor: float, t: int) -> float | None:
        """The largest peak up to ``factor`` × the demand that colleagues can cover in
        ``t`` (covered from now on), or ``None`` if not even one step more fits."""
        key = (demand.unit_id, demand.skill_id)
        reachable = self.allocated[t][key] + sum(self.spare(pid, t) for pid in self.helpers(key, t))
        base = round(demand.fte / self.step)
        n = math.floor(demand.fte * factor / self.step + 1e-9)
        while n > base and protected_steps(n * self.step, self.buffer, self.step) > reachable:
            n -= 1
        if n <= base:
            return None
        required = protected_steps(n * self.step, self.buffer, self.step)
        missing = required - self.allocated[t][key]
        if missing > 0:
            covered = self.take_over(key, t, missing, None)
            assert covered  # ``reachable`` counted exactly these helpers' spare time
        self.required[key][t] = required
        self._undo.clear()
        return round(n * self.step, 10)

    def absent(self, pid: str, periods: range, fte: float) -> bool:
        """Give ``pid`` only ``fte`` in ``periods`` if colleagues can take over the
        operations they then drop; otherwise leave everything as it was."""
        capacity = capacity_steps(fte, self.step)
        before = [self.capacity[pid][t] for t in periods]
        for t in periods:
            self.capacity[pid][t] = capacity
            left = capacity
            for skill, steps in list(self.kept[t].get(pid, {}).items()):
                keep = min(steps, left)
                left -= keep
                self._keep(t, pid, skill, keep - steps)
                key = (self.unit_of[pid], skill)
                short = self.required[key][t] - self.allocated[t][key]
                if short > 0 and not self.take_over(key, t, short, pid):
                    for period, old in zip(periods, before, strict=True):
                        self.capacity[pid][period] = old
                    for moved_t, moved_pid, moved_skill, steps_moved in reversed(self._undo):
                        self.kept[moved_t][moved_pid][moved_skill] -= steps_moved
                        self.allocated[moved_t][self.unit_of[moved_pid], moved_skill] -= steps_moved
                    self._undo.clear()
                    return False
        self._undo.clear()
        return True


def _peaks(
    cover: _Cover, demands: list[OpsDemand], periods: list[Period], rng: random.Random
) -> list[OpsDemand]:
    """Winter peaks for some units: period rows raising each of their demands."""
    by_unit: dict[str, list[OpsDemand]] = defaultdict(list)
    for demand in demands:
        by_unit[demand.unit_id].append(demand)
    rows = []
    for unit_demands in by_unit.values():
        if rng.random() >= PEAK_UNITS:
            continue
        factor = rng.choice((1.1, 1.2, 1.3))
        for demand in unit_demands:
            for t in winter(periods):
                fte = cover.raise_demand(demand, factor, t)
                if fte is not None:
                    rows.append(
                        demand.model_copy(update={"fte": fte, "period_id": periods[t].period_id})
                    )
    return rows


def _absences(
    cover: _Cover, staff: Staff, periods: list[Period], rng: random.Random
) -> list[Availability]:
    """Joiners, leavers and leave, each granted only where operations stay covered."""
    horizon = len(periods)
    step = cover.step
    rows: list[Availability] = []
    for person in staff.people:
        draw = rng.random()
        fte = 0.0
        if horizon > 1 and draw < JOINERS:
            away = range(rng.randint(1, horizon - 1))
        elif horizon > 1 and draw < JOINERS + LEAVERS:
            away = range(rng.randint(1, horizon - 1), horizon)
        elif draw < JOINERS + LEAVERS + ON_LEAVE:
            length = rng.randint(1, max(1, horizon // 4))
            first = rng.randint(0, horizon - length)
            away = range(first, first + length)
            if rng.random() < PART_TIME_LEAVE:
                fte = round(round(person.fte / 2 / step) * step, 10)
        else:
            continue
        if cover.absent(person.person_id, away, fte):
            rows.extend(
                Availability(person_id=person.person_id, period_id=periods[t].period_id, fte=fte)
                for t in away
            )
    return rows


def _timed(mission: Mission, ids: list[str], first: int, last: int, duration: int) -> Mission:
    return mission.model_copy(
        update={"earliest_start": ids[first], "latest_end": ids[last], "duration": duration}
    )


def _timing(portfolio: Portfolio, periods: list[Period], rng: random.Random) -> list[Mission]:
    """Windows and durations, then ``after`` chains: a ``renew`` mission followed, once it
    is done, by a ``transition`` or ``innovation`` mission in the same area."""
    ids = [period.period_id for period in periods]
    horizon = len(ids)
    missions: dict[str, Mission] = {}
    for mission in portfolio.missions:
        if rng.random() < WHOLE_HORIZON:
            missions[mission.mission_id] = mission
            continue
        duration = rng.randint(1, max(1, (horizon + 1) // 2))
        window = duration
        if duration < horizon and rng.random() < FLEXIBLE:
            window += rng.randint(1, horizon - duration)
        first = rng.randint(0, horizon - window)
        missions[mission.mission_id] = _timed(mission, ids, first, first + window - 1, duration)
    followers: dict[str, list[str]] = defaultdict(list)
    for mission in portfolio.missions:
        if mission.is_network:
            followers[portfolio.area[mission.mission_id]].append(mission.mission_id)
    for mission in portfolio.missions:
        area = portfolio.area[mission.mission_id]
        if horizon < 2 or mission.change_type is not ChangeType.RENEW or not followers[area]:
            continue
        if rng.random() >= CHAINED:
            continue
        follower = followers[area].pop(rng.randrange(len(followers[area])))
        duration = rng.randint(1, max(1, min(horizon - 1, horizon // 2)))
        first = rng.randint(0, horizon - 1 - duration)
        done = first + duration  # the first period the follower may start in
        last = done - 1 + (rng.randint(0, horizon - 1 - done) if rng.random() < FLEXIBLE else 0)
        missions[mission.mission_id] = _timed(mission, ids, first, last, duration)
        next_duration = rng.randint(1, horizon - done)
        timed = _timed(missions[follower], ids, done, horizon - 1, next_duration)
        missions[follower] = timed.model_copy(update={"after": mission.mission_id})
    return [missions[mission.mission_id] for mission in portfolio.missions]


def build_horizon(
    count: int,
    staff: Staff,
    demands: list[OpsDemand],
    portfolio: Portfolio,
    settings: ModelSettings,
    rng: random.Random,
) -> Horizon:
    """``count`` periods with winter peaks, absences and mission timing, operations
    covered in every period by the witness whose free time the commitments then use."""
    periods = build_periods(count)
    cover = _Cover(staff, demands, settings, count)
    peaks = _peaks(cover, demands, periods, rng)
    availability = _absences(cover, staff, periods, rng)
    missions = _timing(portfolio, periods, rng)
    free = {pid: [cover.spare(pid, t) for t in range(count)] for pid in cover.capacity}
    return Horizon(periods, availability, peaks, missions, free)


def unblock(scenario: Scenario, horizon: Horizon) -> Scenario:
    """Cancel the absences that leave a mission no possible run.

    A run is blocked when, in one of its periods, everyone eligible for one of its needs is
    away; validation would rightly warn that the mission can never be staffed.  Their
    leave is cancelled instead (which only gives operations more time), and the free time
    of the witness grows back with it.
    """
    instance = Instance(scenario)
    cancel: set[str] = set()
    for m in range(len(instance.missions)):
        empty: set[int] = set()
        blocking: set[int] = set()
        for n in instance.needs_of[m]:
            eligible = instance.needs[n].eligible
            gone = {
                t for t in instance.window(m) if all(instance.capacity[p][t] == 0 for p in eligible)
            }
            if gone and eligible:
                empty |= gone
                blocking.update(eligible)
        if empty and all(empty & set(instance.run(m, s)) for s in instance.starts[m]):
            cancel.update(instance.people[p].person_id for p in blocking)
    if not cancel:
        return scenario
    for row in scenario.availability:
        if row.person_id in cancel:
            t = instance.period_index[row.period_id]
            p = instance.person_index[row.person_id]
            person = instance.people[p]
            regained = capacity_steps(person.fte, instance.step) - instance.capacity[p][t]
            horizon.free[row.person_id][t] += regained
    kept = tuple(row for row in scenario.availability if row.person_id not in cancel)
    return scenario.replace(availability=kept)
