"""Roll an approved plan forward: the scenario's next version once time has passed.

A plan is lived in. When a period ends, what ran is history, what is running keeps its
start and its team, what has not started may still be re-planned, and a new period joins
the horizon. ``roll`` makes that next scenario from the approved plan's scenario and
solution, as plain data, and says what became of every mission:

* **done** — it ended before the period the roll starts at (``at``): recorded, left out;
* **running** — it started before ``at`` and ends at or after it: its remaining periods are
  fixed (window = those periods, duration = their count), it is mandatory, and its team is
  pinned, ``max_team`` set to the team's size so nobody joins or leaves;
* **re-planned** — it has not started: its window is clipped to the new horizon (written out
  with explicit ends, so a new period never widens it) and the re-plan may staff it;
* **missed** — it has not started and no longer fits: its window has ended, it no longer
  holds the duration, a mission that runs its whole window (no ``duration``) could not
  start at the window's start, or it waits for a missed mission. Its value is lost.

An ``after`` edge to a done mission is dropped (the wait is over); one to a running or
open mission is kept (the model still orders them). Availability and operations rows of
the periods that leave go; each new period carries each person's availability and each
unit's operations from the same period a year before when the old horizon has one, else
from its last period. New periods come from the caller (``read_periods``, a periods.csv),
or continue the cadence (``continued_periods``).

``Rolled.reference`` is the approved plan carried into the new horizon (periods shifted,
done and missed missions gone, operations in the new periods as in the period they were
carried from): a feasible plan of the rolled scenario, which the re-plan stays closest
to and its changes are read against.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from pathlib import Path

from assembler.domain.problems import Problem, error
from assembler.domain.scenario import (
    AFTER_SEPARATOR,
    Availability,
    Lock,
    LockKind,
    Mission,
    OpsDemand,
    Period,
    Scenario,
)
from assembler.domain.solution import Assignment, OpsAssignment, Solution
from assembler.io.limits import ReadLimits
from assembler.io.raw import CSV_FOLDER, RawScenario
from assembler.io.readers import table_from_grid
from assembler.validation.rows import TypedTables
from assembler.validation.tables import check_keys, check_period_starts


class RollError(ValueError):
    """A roll that cannot be made, with every reason (``problems``: file, row, column)."""

    def __init__(self, message: str, problems: Sequence[Problem] = ()) -> None:
        super().__init__(message)
        self.problems = tuple(problems)


class Fate(StrEnum):
    """What a roll makes of a mission."""

    DONE = "done"
    RUNNING = "running"
    REPLANNED = "re-planned"
    MISSED = "missed"


@dataclass(frozen=True)
class Member:
    """A running mission's team member and the time they give it when the roll starts."""

    person_id: str
    fte: float


@dataclass(frozen=True)
class MissionFate:
    """One mission's fate in a roll; ``start``/``end`` are the approved plan's period ids
    (blank for a mission it did not staff), ``team`` the running mission's members."""

    mission_id: str
    name: str
    value: float
    fate: Fate
    start: str = ""
    end: str = ""
    team: tuple[Member, ...] = ()
    reason: str = ""

    @property
    def shown(self) -> str:
        """The mission by name, its id when it has none."""
        return self.name or self.mission_id


@dataclass(frozen=True)
class Rolled:
    """A roll's outcome: the next scenario, the approved plan carried into it, and each
    mission's fate, in the scenario's order."""

    scenario: Scenario
    reference: Solution
    at: str
    left: tuple[str, ...]
    """The periods that left the horizon, in order."""
    added: tuple[Period, ...]
    fates: tuple[MissionFate, ...]

    def of(self, fate: Fate) -> tuple[MissionFate, ...]:
        return tuple(item for item in self.fates if item.fate is fate)

    @property
    def value_lost(self) -> float:
        """The value of the missed missions: what waiting cost."""
        return sum(item.value for item in self.of(Fate.MISSED))

    @property
    def summary(self) -> str:
        """``at 2027-Q2: 1 done, 3 running, 12 re-planned, 5 missed (value 150 lost)``."""
        counts = ", ".join(f"{len(self.of(fate))} {fate}" for fate in Fate)
        lost = f" (value {self.value_lost:,.0f} lost)" if self.of(Fate.MISSED) else ""
        return f"at {self.at}: {counts}{lost}"


def roll(
    scenario: Scenario,
    solution: Solution,
    at: str,
    new_periods: Sequence[Period] | None = None,
    *,
    source: str = "periods",
) -> Rolled:
    """``scenario`` rolled forward to start at period ``at``, given its approved
    ``solution`` (see the module docstring). ``new_periods`` join the horizon after its
    last period; by default as many as leave, continuing the cadence. ``source`` names
    where the new periods came from (a file) in the problems found with them."""
    if scenario.periods is None:
        raise RollError("this scenario has no periods: there is nothing to roll forward")
    ids = scenario.period_ids
    if at not in ids:
        raise RollError(f"{at!r} is not a period of this plan: its periods are {', '.join(ids)}")
    k = ids.index(at)
    if k == 0:
        raise RollError(
            f"{at} is the plan's first period: roll forward to a later one, when time has passed"
        )
    added = tuple(continued_periods(scenario.periods, k) if new_periods is None else new_periods)
    _check_new_periods(scenario.periods, added, source)
    fates = _fates(scenario, solution, k)
    kept_periods = (*scenario.periods[k:], *added)
    sources = {period.period_id: _source(scenario.periods, period) for period in added}
    rolled = _rolled_scenario(scenario, k, kept_periods, fates, sources)
    reference = _carried(scenario, solution, k, fates, sources, rolled)
    return Rolled(rolled, reference, at, ids[:k], added, tuple(fates.values()))


# ---------------------------------------------------------------------- missions


def _fates(scenario: Scenario, solution: Solution, k: int) -> dict[str, MissionFate]:
    """Each mission's fate, missed ones including those that wait for a missed one."""
    fates = {m.mission_id: _fate(scenario, solution, m, k) for m in scenario.missions}
    changed = True
    while changed:  # a mission that waits for a missed one can never be staffed
        changed = False
        for mission in scenario.missions:
            if fates[mission.mission_id].fate is not Fate.REPLANNED:
                continue
            missed = [m for m in mission.predecessors if fates[m].fate is Fate.MISSED]
            if missed:
                waits = f"it waits for {fates[missed[0]].shown}, which is missed"
                fates[mission.mission_id] = MissionFate(
                    mission.mission_id, mission.name, mission.value, Fate.MISSED, reason=waits
                )
                changed = True
    return fates


def _fate(scenario: Scenario, solution: Solution, mission: Mission, k: int) -> MissionFate:
    """``mission``'s fate when the horizon starts at period ``k``, on its own."""
    mission_id, name, value = mission.mission_id, mission.name, mission.value
    if mission_id not in solution.staffed:
        why = _why_missed(scenario, mission, k)
        fate = Fate.REPLANNED if why is None else Fate.MISSED
        return MissionFate(mission_id, name, value, fate, reason=why or "")
    ids = scenario.period_ids
    timing = scenario.timing(mission)
    start = solution.start_of(mission_id, timing.earliest)
    end = start + timing.duration - 1
    if end < k:
        return MissionFate(mission_id, name, value, Fate.DONE, ids[start], ids[end])
    if start < k:
        team = _team(solution, mission_id, k, scenario.settings.step_fte)
        return MissionFate(mission_id, name, value, Fate.RUNNING, ids[start], ids[end], team)
    # planned to start later: it still fits, where the approved plan put it
    return MissionFate(mission_id, name, value, Fate.REPLANNED, ids[start], ids[end])


def _why_missed(scenario: Scenario, mission: Mission, k: int) -> str | None:
    """Why a mission not started no longer fits the horizon from period ``k``, or ``None``."""
    timing = scenario.timing(mission)
    names = scenario.period_name
    if timing.latest < k:
        return f"its window ended in {names(timing.latest)}"
    if mission.duration is None and timing.earliest < k:
        return f"it runs its whole window, from {names(timing.earliest)}, which has passed"
    left = timing.latest - max(timing.earliest, k) + 1
    if left < timing.duration:
        return f"it takes {timing.duration} periods and only {left} of its window are left"
    return None


def _team(solution: Solution, mission_id: str, k: int, step: float) -> tuple[Member, ...]:
    """The running mission's members, each with the time they give it in period ``k``."""
    steps: dict[str, int] = {}
    for row in solution.assignments:
        if row.mission_id == mission_id and row.period == k:
            steps[row.person_id] = steps.get(row.person_id, 0) + row.steps
    members = sorted(person for person, mission in solution.members if mission == mission_id)
    return tuple(Member(person, round(steps.get(person, 0) * step, 6)) for person in members)


def _rolled_mission(
    scenario: Scenario, mission: Mission, fate: MissionFate, k: int, fates: dict[str, MissionFate]
) -> Mission:
    """The mission in the new horizon: a running one fixed to its remaining periods, a
    re-planned one with its window's ends written out (clipped to the new horizon)."""
    ids = scenario.period_ids
    timing = scenario.timing(mission)
    waits = [m for m in mission.predecessors if fates[m].fate is not Fate.DONE]
    update: dict[str, object] = {"after": AFTER_SEPARATOR.join(waits) or None}
    if fate.fate is Fate.RUNNING:
        end = ids.index(fate.end)
        size = len(fate.team)
        update |= {
            "earliest_start": ids[k],
            "latest_end": fate.end,
            "duration": end - k + 1,
            "mandatory": True,
            "max_team": size,
            "min_team": min(mission.min_team, size),
        }
    else:
        update |= {
            "earliest_start": ids[max(timing.earliest, k)],
            "latest_end": ids[timing.latest],
        }
    return mission.model_copy(update=update)


# ---------------------------------------------------------------------- the scenario


def _rolled_scenario(
    scenario: Scenario,
    k: int,
    periods: tuple[Period, ...],
    fates: dict[str, MissionFate],
    sources: dict[str, str],
) -> Scenario:
    """The next scenario: running and re-planned missions with their rows, running teams
    pinned, the past's rows gone and the new periods' rows carried from ``sources``."""
    kept = {m for m, fate in fates.items() if fate.fate in (Fate.RUNNING, Fate.REPLANNED)}
    running = {m for m, fate in fates.items() if fate.fate is Fate.RUNNING}
    past = set(scenario.period_ids[:k])
    missions = tuple(
        _rolled_mission(scenario, mission, fates[mission.mission_id], k, fates)
        for mission in scenario.missions
        if mission.mission_id in kept
    )
    pins = [
        Lock(person_id=member.person_id, mission_id=mission_id, lock=LockKind.PIN)
        for mission_id in running
        for member in fates[mission_id].team
    ]
    pinned = {(lock.person_id, lock.mission_id) for lock in pins}
    locks = [
        lock
        for lock in scenario.locks
        if lock.mission_id in kept and (lock.person_id, lock.mission_id) not in pinned
    ]
    availability = [row for row in scenario.availability if row.period_id not in past]
    ops = [row for row in scenario.ops_demand if row.period_id not in past]
    for new_id, source in sources.items():
        availability += [
            Availability(**{**row.model_dump(), "period_id": new_id})
            for row in scenario.availability
            if row.period_id == source
        ]
        ops += [
            OpsDemand(**{**row.model_dump(), "period_id": new_id})
            for row in scenario.ops_demand
            if row.period_id == source
        ]
    return scenario.replace(
        periods=periods,
        missions=missions,
        mission_needs=tuple(n for n in scenario.mission_needs if n.mission_id in kept),
        mission_capabilities=tuple(
            c for c in scenario.mission_capabilities if c.mission_id in kept
        ),
        preferences=tuple(p for p in scenario.preferences if p.mission_id in kept),
        locks=(*locks, *sorted(pins, key=lambda lock: (lock.mission_id, lock.person_id))),
        availability=tuple(availability),
        ops_demand=tuple(ops),
    )


def _carried(
    scenario: Scenario,
    solution: Solution,
    k: int,
    fates: dict[str, MissionFate],
    sources: dict[str, str],
    rolled: Scenario,
) -> Solution:
    """The approved plan in the rolled horizon: a feasible plan of it (module docstring)."""
    kept = {m for m, fate in fates.items() if fate.fate in (Fate.RUNNING, Fate.REPLANNED)}
    staffed = solution.staffed & kept
    old_ids, new_ids = scenario.period_ids, rolled.period_ids
    position = {period_id: new_ids.index(period_id) for period_id in old_ids[k:]}
    assignments = [
        Assignment(row.person_id, row.mission_id, row.skill_id, row.steps, row.period - k)
        for row in solution.assignments
        if row.mission_id in staffed and row.period >= k
    ]
    ops = [
        OpsAssignment(row.person_id, row.skill_id, row.steps, row.period - k)
        for row in solution.ops
        if row.period >= k
    ]
    for new_id, source in sources.items():
        was = old_ids.index(source)
        ops += [
            OpsAssignment(row.person_id, row.skill_id, row.steps, new_ids.index(new_id))
            for row in solution.ops
            if row.period == was
        ]
    # a running mission starts the new horizon; an open one keeps its planned period
    starts = {m: position.get(fates[m].start, 0) for m in staffed}
    return Solution(
        staffed=frozenset(staffed),
        members=frozenset(pair for pair in solution.members if pair[1] in staffed),
        assignments=tuple(assignments),
        ops=tuple(ops),
        starts=starts,
        learners=frozenset(role for role in solution.learners if role[1] in staffed),
        mentors=frozenset(role for role in solution.mentors if role[1] in staffed),
    )


# ---------------------------------------------------------------------- periods

_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_NUMBERED = re.compile(r"^(.*?)(\d+)$")


def continued_periods(periods: Sequence[Period], count: int) -> list[Period]:
    """``count`` periods after ``periods``, continuing their cadence: ids in their pattern
    (``2027-Q4`` → ``2028-Q1``, ``2027-12`` → ``2028-01``, ``P4`` → ``P5``), starts a
    cadence's step after the last (when the starts are evenly a number of months apart),
    names those of the period a year before with the year moved on (``Q1 2027 (winter)`` →
    ``Q1 2028 (winter)``), else blank (the id is then shown)."""
    made: list[Period] = []
    step = _month_step(periods)
    for _ in range(count):
        every = (*periods, *made)
        last = every[-1]
        period_id = _next_id(last.period_id)
        if period_id is None or period_id in {p.period_id for p in every}:
            raise RollError(
                f"cannot tell which period comes after {last.period_id!r}: give the new "
                "periods in a file (periods.csv: period_id, name, start)"
            )
        start = None
        if last.start is not None:
            if step is None:
                raise RollError(
                    "the periods' starts are not a whole number of months apart: give the "
                    "new periods in a file (periods.csv: period_id, name, start)"
                )
            start = _plus_months(last.start, step)
        draft = Period(period_id=period_id, start=start)
        made.append(draft.model_copy(update={"name": _name_a_year_on(every, draft)}))
    return made


def _month_step(periods: Sequence[Period]) -> int | None:
    """Months between consecutive starts, when every pair is the same whole number."""
    starts = [period.start for period in periods]
    if len(starts) < 2 or any(start is None for start in starts):
        return None
    steps = set()
    for before, after in itertools.pairwise(starts):
        assert before is not None and after is not None
        if before.day != after.day:
            return None
        steps.add((after.year - before.year) * 12 + after.month - before.month)
    return steps.pop() if len(steps) == 1 and min(steps) > 0 else None


def _plus_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return day.replace(year=index // 12, month=index % 12 + 1)


def _next_id(period_id: str) -> str | None:
    if found := _QUARTER.match(period_id):
        year, quarter = int(found[1]), int(found[2])
        return f"{year + quarter // 4}-Q{quarter % 4 + 1}"
    if found := _MONTH.match(period_id):
        year, month = int(found[1]), int(found[2])
        return f"{year + month // 12}-{month % 12 + 1:02d}"
    if found := _NUMBERED.match(period_id):
        digits = found[2]
        return f"{found[1]}{int(digits) + 1:0{len(digits)}d}"
    return None


def _a_year_before(periods: Sequence[Period], period: Period) -> Period | None:
    """The period of ``periods`` a year before ``period``: by start date, else by id."""
    if period.start is not None:
        try:
            before = period.start.replace(year=period.start.year - 1)
        except ValueError:  # 29 February
            return None
        return next((p for p in periods if p.start == before), None)
    wanted = None
    if found := _QUARTER.match(period.period_id) or _MONTH.match(period.period_id):
        wanted = f"{int(found[1]) - 1}{period.period_id[4:]}"
    return next((p for p in periods if p.period_id == wanted), None)


def _name_a_year_on(periods: Sequence[Period], period: Period) -> str:
    before = _a_year_before(periods, period)
    if before is None or not before.name:
        return ""
    year = (
        before.start.year
        if before.start is not None
        else int(before.period_id[:4])
        if _QUARTER.match(before.period_id) or _MONTH.match(before.period_id)
        else None
    )
    if year is None or str(year) not in before.name:
        return ""
    return before.name.replace(str(year), str(year + 1))


def _source(periods: Sequence[Period], period: Period) -> str:
    """The old period a new one carries availability and operations from."""
    before = _a_year_before(periods, period)
    return (before or periods[-1]).period_id


def _check_new_periods(periods: Sequence[Period], added: Sequence[Period], source: str) -> None:
    """New periods follow the old ones: new ids, and starts (all or none, like the old
    periods') after the last old start."""
    taken = {period.period_id for period in periods}
    dated = periods[-1].start is not None
    problems = []
    for number, period in enumerate(added, start=1):
        if period.period_id in taken:
            problems.append(
                error(
                    source,
                    "is already a period of the plan: new periods need new ids",
                    row=number,
                    column="period_id",
                    value=period.period_id,
                )
            )
        if dated and period.start is None:
            problems.append(
                error(
                    source,
                    "start is blank, but the plan's periods have start dates: give one",
                    row=number,
                    column="start",
                )
            )
        if not dated and period.start is not None:
            problems.append(
                error(
                    source,
                    "the plan's periods have no start dates: leave start blank",
                    row=number,
                    column="start",
                    value=period.start.isoformat(),
                )
            )
    last = periods[-1].start
    if added and last is not None and added[0].start is not None and added[0].start <= last:
        problems.append(
            error(
                source,
                f"start is not after {last.isoformat()}, the start of the plan's last period",
                row=1,
                column="start",
                value=added[0].start.isoformat(),
            )
        )
    if problems:
        raise RollError("the new periods do not follow the plan's", problems)


def read_periods(path: Path) -> tuple[Period, ...]:
    """New periods from a CSV file laid out like ``periods.csv`` (``period_id``, ``name``,
    ``start``), checked like that table: every problem with its file, row and column."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise RollError(f"{path.name}: cannot read the new periods: {exc.strerror}") from None
    return periods_from(path.name, data)


def periods_from(name: str, data: bytes) -> tuple[Period, ...]:
    """New periods from the CSV ``data`` of a file called ``name`` (an upload, or
    ``read_periods``'s file)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RollError(f"{name} is not UTF-8 text: save it as UTF-8 (CSV UTF-8)") from None
    raw = RawScenario(CSV_FOLDER)
    table = table_from_grid(
        "periods", name, csv.reader(io.StringIO(text, newline="")), raw.problems, ReadLimits()
    )
    if table is not None:
        raw.tables["periods"] = table
    tables = TypedTables(raw)
    tables.read_table("periods")
    check_keys(tables)
    check_period_starts(tables)
    rows = tables.rows.get("periods", [])
    if not tables.has_errors() and not rows:
        tables.add(error(name, "has no periods: list at least one"))
    if tables.has_errors():
        raise RollError(f"{name} does not hold valid periods", tables.problems)
    return tuple(Period.model_validate(row.values) for row in rows)
