"""The report tables of MODEL.md §8, built from a scenario and a solve result.

Everything is recomputed from the plain ``Solution`` through ``Instance`` and ``kpis`` (never
from the solver), so the tables agree with ``check`` and with each other.  Rows are gathered as
plain Python lists and turned into a DataFrame once per table: per-row DataFrame operations
would dominate the cost on a 10,000-person scenario.  Writing the tables to disk (number
formatting, formula neutralisation) is ``assembler.io.reports``'s job.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import pandas as pd

from assembler.compile.certificates import clashes
from assembler.compile.instance import Instance
from assembler.domain.scenario import Scenario
from assembler.domain.settings import ModelSettings
from assembler.domain.solution import Solution
from assembler.results.explain import explain_unstaffed
from assembler.results.kpis import Coverage, coverage
from assembler.results.names import Names
from assembler.results.result import Result, Status

ROSTER_COLUMNS = (
    "mission_id",
    "mission_name",
    "person_id",
    "person_name",
    "unit_id",
    "skill_id",
    "level",
    "fte",
)
OPS_ALLOCATION_COLUMNS = ("person_id", "unit_id", "skill_id", "fte")
MISSIONS_COLUMNS = (
    "mission_id",
    "name",
    "change_type",
    "mode",
    "value",
    "staffed",
    "team_size",
    "fte",
    "reason",
)
PEOPLE_COLUMNS = (
    "person_id",
    "name",
    "unit_id",
    "capacity_fte",
    "ops_fte",
    "mission_fte",
    "free_fte",
    "missions",
    "mission_ids",
)
OPS_COVERAGE_COLUMNS = (
    "unit_id",
    "skill_id",
    "demand_fte",
    "protected_fte",
    "covered_fte",
    "slack_fte",
)

TABLE_COLUMNS: dict[str, tuple[str, ...]] = {
    "roster": ROSTER_COLUMNS,
    "ops_allocation": OPS_ALLOCATION_COLUMNS,
    "missions": MISSIONS_COLUMNS,
    "people": PEOPLE_COLUMNS,
    "ops_coverage": OPS_COVERAGE_COLUMNS,
}
"""Table name (= file stem of §8) → columns in output order; the §8 columns come first."""

PERIOD_COLUMNS: dict[str, tuple[str, ...]] = {
    "roster": ("period_id",),
    "ops_allocation": ("period_id",),
    "missions": ("start_period", "end_period"),
    "people": ("period_id",),
    "ops_coverage": ("period_id",),
}
"""The columns a scenario with periods adds to each table (MODEL.md §8 v2): ``period_id``
last, a mission's ``start_period, end_period`` before the optional ``reason``."""


DEVELOPMENT_COLUMNS = (
    "mission_id",
    "mission_name",
    "person_id",
    "person_name",
    "skill_id",
    "level",
    "min_level",
    "goal_weight",
    "mentors",
)
"""``development.csv`` (MODEL.md §8 v3): one row per learner, only when learners are on."""

V3_TABLE_COLUMNS: dict[str, tuple[str, ...]] = {"development": DEVELOPMENT_COLUMNS}
"""Report tables MODEL.md v3 adds, written only when their part of the model is on."""

ROLE_COLUMN = "role"
"""The roster's column (v3, with learners on): ``member``, ``learner`` or ``mentor``."""


def table_columns(name: str, with_periods: bool) -> tuple[str, ...]:
    """The columns of report table ``name``, with or without the period columns."""
    if name == "development":
        return (*DEVELOPMENT_COLUMNS, *(("start_period", "end_period") if with_periods else ()))
    columns = TABLE_COLUMNS[name]
    if not with_periods:
        return columns
    if name == "missions":
        cut = columns.index("reason")
        return (*columns[:cut], *PERIOD_COLUMNS[name], *columns[cut:])
    return (*columns, *PERIOD_COLUMNS[name])


def _roster_columns(instance: Instance) -> tuple[str, ...]:
    """The roster's columns, with ``role`` last when learners are on (MODEL.md §8 v3)."""
    columns = table_columns("roster", instance.scenario.has_horizon)
    return (*columns, ROLE_COLUMN) if instance.settings.has_learners else columns


MISSION_ID_SEPARATOR = ";"


@dataclass(frozen=True)
class TightestCoverage:
    """The least covered operational demand; ``ratio`` (covered / protected) is ``None``
    when nothing is required of it, because JSON has no infinity."""

    unit_id: str
    skill_id: str
    ratio: float | None


@dataclass(frozen=True)
class ReportSummary:
    """The §8 ``summary.json`` figures of one solve, plus timing, the tightest coverage and
    any conflicts.

    Figures that need a solution are ``None`` without one; scenario totals are always given.
    Typed so that its readers (the CLI, the app, the report files) cannot misspell a key;
    ``to_json`` is what ``summary.json`` holds.
    """

    status: Status
    score: int | None
    best_bound: float | None
    gap: float | None
    value_captured: float | None
    value_total: float
    missions_staffed: int | None
    missions_total: int
    network_fte: float | None
    solve_seconds: float
    build_seconds: float
    settings: ModelSettings
    tightest_coverage: TightestCoverage | None
    conflicts: tuple[str, ...]
    periods: tuple[str, ...] | None = None
    """The period ids in time order; ``None`` without periods (then no period keys)."""
    network_fte_by_period: tuple[float, ...] | None = None
    """Network FTE in each period (``network_fte`` is their mean); ``None`` without a plan."""
    learners: int | None = None
    """How many (person, need) learn (``g = 1``); ``None`` while ``stretch_levels`` is 0
    (then no key) or without a plan."""
    development_goals_met: int | None = None
    """How many of those learners learn a skill they set as a development goal."""
    network_share_by_unit: dict[str, tuple[float, ...]] | None = None
    """Per capped unit (MODEL.md v3 §6.12), the share of its people's time given to network
    missions in each period; ``None`` when no unit is capped (then no key), empty lists
    without a plan."""

    def to_json(self) -> dict[str, Any]:
        """The JSON-ready mapping of ``summary.json``, keys in file order (the period keys
        only with periods, so a v1 summary stays v1's)."""
        tightest = self.tightest_coverage
        horizon: dict[str, Any] = {}
        if self.periods is not None:
            by_period = self.network_fte_by_period
            horizon = {
                "periods": list(self.periods),
                "network_fte_by_period": None if by_period is None else list(by_period),
            }
        return {
            "status": self.status.value,
            "score": self.score,
            "best_bound": self.best_bound,
            "gap": self.gap,
            "value_captured": self.value_captured,
            "value_total": self.value_total,
            "missions_staffed": self.missions_staffed,
            "missions_total": self.missions_total,
            "network_fte": self.network_fte,
            "solve_seconds": self.solve_seconds,
            "build_seconds": self.build_seconds,
            "settings": self.settings.model_dump(mode="json"),
            "tightest_coverage": None if tightest is None else asdict(tightest),
            "conflicts": list(self.conflicts),
            **horizon,
            **self._v3_keys(),
        }

    def _v3_keys(self) -> dict[str, Any]:
        """The keys MODEL.md v3 adds, each only when its part of the model is on."""
        keys: dict[str, Any] = {}
        if self.settings.has_learners:
            keys["learners"] = self.learners
            keys["development_goals_met"] = self.development_goals_met
        if self.network_share_by_unit is not None:
            keys["network_share_by_unit"] = {
                unit_id: list(shares) for unit_id, shares in self.network_share_by_unit.items()
            }
        return keys


@dataclass(frozen=True, eq=False)
class Reports:
    """The §8 tables of one solve plus its summary: everything a planner hands on.

    The tables are DataFrames in the column order of ``TABLE_COLUMNS`` (the files' and
    sheets' layout), built once per solve so that the app's pages and the files written by
    ``io.reports`` show the same figures.  ``eq=False``: comparing DataFrames element-wise
    has no single truth value.

    Attributes:
        roster: one row per person, mission and need with time on it.
        ops_allocation: one row per person and skill with operational time.
        missions: every mission, staffed or not, with the reason when not.
        people: every person's time split between operations, missions and free time.
        ops_coverage: every operational demand with its protected level and slack.
        summary: the headline figures, written as ``summary.json``.
        names: what planners call the rows, for the tables people read (``io.planner``).
        clashes: the summary's conflicts told with those names where they are certified
            (``compile.certificates``), else as the solver gave them.
    """

    roster: pd.DataFrame
    ops_allocation: pd.DataFrame
    missions: pd.DataFrame
    people: pd.DataFrame
    ops_coverage: pd.DataFrame
    summary: ReportSummary
    names: Names
    clashes: tuple[str, ...]
    development: pd.DataFrame | None = None
    """Who learns what, with whom (MODEL.md §8 v3); ``None`` while ``stretch_levels`` is 0."""

    def tables(self) -> dict[str, pd.DataFrame]:
        """Table name → frame in ``TABLE_COLUMNS`` order, then ``development`` when there
        is one: the names of files and sheets."""
        tables = {name: getattr(self, name) for name in TABLE_COLUMNS}
        if self.development is not None:
            tables["development"] = self.development
        return tables


def build_reports(scenario: Scenario, result: Result) -> Reports:
    """All report tables and the summary for ``result``, a solve of ``scenario``.

    Everything is recomputed from the plain solution (never read from the solver), so the
    tables agree with ``check`` and with each other whichever engine produced the plan.
    Without a solution (infeasible, or no solution found in time) there is nothing to
    report per row: the tables are empty but keep their columns, so writers and readers
    need no special case, and the summary carries nulls plus the conflicts found.

    Args:
        scenario: the scenario that was solved, with the settings it was solved under.
        result: its solve result; ``result.solution`` must be a plan of ``scenario``.
    """
    instance = Instance(scenario)
    summary = _summary(instance, result)
    names = Names.of(scenario)
    named = tuple(clashes(instance, names)) if result.conflicts else ()
    told = named or result.conflicts
    solution = result.solution
    learning = instance.settings.has_learners
    if solution is None:
        empty = {
            name: _frame([], table_columns(name, scenario.has_horizon)) for name in TABLE_COLUMNS
        }
        empty["roster"] = _frame([], _roster_columns(instance))
        development = _frame([], table_columns("development", scenario.has_horizon))
        return Reports(
            **empty,
            summary=summary,
            names=names,
            clashes=told,
            development=development if learning else None,
        )
    return Reports(
        roster=_roster(instance, solution),
        ops_allocation=_ops_allocation(instance, solution),
        missions=_missions(instance, solution),
        people=_people(instance, solution),
        ops_coverage=_ops_coverage(instance, solution),
        summary=summary,
        names=names,
        clashes=told,
        development=_development(instance, solution) if learning else None,
    )


def _frame(rows: Sequence[Sequence[Any]], columns: Sequence[str]) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=list(columns))


def _period_cells(instance: Instance, *periods: int) -> tuple[str, ...]:
    """The period columns' cells of one row: nothing without periods, else period ids."""
    if not instance.scenario.has_horizon:
        return ()
    return tuple(instance.period_ids[t] for t in periods)


def _roster(instance: Instance, solution: Solution) -> pd.DataFrame:
    """One row per ``a_pmkt > 0``, by mission, then person, then need, then period (all in
    scenario order)."""
    level = instance.eligibility.level
    rows = sorted(
        solution.assignments,
        key=lambda a: (
            instance.mission_index[a.mission_id],
            instance.person_index[a.person_id],
            instance.need_index[a.mission_id, a.skill_id],
            a.period,
        ),
    )
    learning = instance.settings.has_learners
    table = []
    for row in rows:
        mission = instance.missions[instance.mission_index[row.mission_id]]
        person = instance.people[instance.person_index[row.person_id]]
        table.append(
            (
                mission.mission_id,
                mission.name,
                person.person_id,
                person.name,
                person.unit_id,
                row.skill_id,
                level[person.person_id, row.skill_id],
                instance.fte(row.steps),
                *_period_cells(instance, row.period),
                *(
                    (_role(solution, row.person_id, row.mission_id, row.skill_id),)
                    if learning
                    else ()
                ),
            )
        )
    return _frame(table, _roster_columns(instance))


def _role(solution: Solution, person_id: str, mission_id: str, skill_id: str) -> str:
    """What the person is on that need: ``learner``, ``mentor`` or ``member``."""
    if (person_id, mission_id, skill_id) in solution.learners:
        return "learner"
    if (person_id, mission_id, skill_id) in solution.mentors:
        return "mentor"
    return "member"


def _development(instance: Instance, solution: Solution) -> pd.DataFrame:
    """One row per learner (``g = 1``), by mission, person and need in scenario order: the
    level they hold against the need's, their goal's weight (0 without one) and the mentors
    on that need."""
    level = instance.eligibility.level
    mentors: dict[tuple[str, str], list[str]] = defaultdict(list)
    for person_id, mission_id, skill_id in solution.mentors:
        mentors[mission_id, skill_id].append(person_id)
    rows = sorted(
        solution.learners,
        key=lambda r: (
            instance.mission_index[r[1]],
            instance.person_index[r[0]],
            instance.need_index[r[1], r[2]],
        ),
    )
    table = []
    for person_id, mission_id, skill_id in rows:
        m, p = instance.mission_index[mission_id], instance.person_index[person_id]
        mission, person = instance.missions[m], instance.people[p]
        need = instance.needs[instance.need_index[mission_id, skill_id]]
        run = instance.run(m, solution.start_of(mission_id, instance.earliest[m]))
        table.append(
            (
                mission_id,
                mission.name,
                person_id,
                person.name,
                skill_id,
                level[person_id, skill_id],
                need.min_level,
                instance.goal.get((p, skill_id), 0),
                MISSION_ID_SEPARATOR.join(
                    sorted(mentors[mission_id, skill_id], key=instance.person_index.__getitem__)
                ),
                *_period_cells(instance, run[0], run[-1]),
            )
        )
    return _frame(table, table_columns("development", instance.scenario.has_horizon))


def _ops_allocation(instance: Instance, solution: Solution) -> pd.DataFrame:
    """One row per ``o_pkt > 0``, by person (scenario order), then period, then skill."""
    rows = sorted(
        solution.ops, key=lambda o: (instance.person_index[o.person_id], o.period, o.skill_id)
    )
    table = [
        (
            row.person_id,
            instance.people[instance.person_index[row.person_id]].unit_id,
            row.skill_id,
            instance.fte(row.steps),
            *_period_cells(instance, row.period),
        )
        for row in rows
    ]
    return _frame(table, table_columns("ops_allocation", instance.scenario.has_horizon))


def _missions(instance: Instance, solution: Solution) -> pd.DataFrame:
    """Every mission with its outcome; ``reason`` says why an unstaffed one stayed unstaffed.

    With periods ``fte`` is the mission's time in each period it runs (the same in each:
    needs are met exactly), and the run's first and last periods are given."""
    team = Counter(mission_id for _, mission_id in solution.members)
    steps: Counter[str] = Counter()
    for row in solution.assignments:
        steps[row.mission_id] += row.steps
    reasons = explain_unstaffed(instance, solution)
    periods = instance.scenario.has_horizon
    table = []
    for m, mission in enumerate(instance.missions):
        staffed = mission.mission_id in solution.staffed
        run = range(0)
        if staffed:
            run = instance.run(m, solution.start_of(mission.mission_id, instance.earliest[m]))
        timing: tuple[str, ...] = ()
        if periods:
            timing = _period_cells(instance, run[0], run[-1]) if run else ("", "")
        table.append(
            (
                mission.mission_id,
                mission.name,
                mission.change_type.value,
                mission.change_type.mode,
                mission.value,
                staffed,
                team[mission.mission_id],
                instance.fte(steps[mission.mission_id] // max(len(run), 1)),
                *timing,
                reasons.get(mission.mission_id, ""),
            )
        )
    return _frame(table, table_columns("missions", periods))


def _people(instance: Instance, solution: Solution) -> pd.DataFrame:
    """Every person's time split in every period, summed in steps so that free = capacity -
    ops - mission holds exactly in the written decimals; ``missions`` counts the teams the
    person works on in the period."""
    ops_steps: Counter[tuple[str, int]] = Counter()
    for ops_row in solution.ops:
        ops_steps[ops_row.person_id, ops_row.period] += ops_row.steps
    mission_steps: Counter[tuple[str, int]] = Counter()
    for row in solution.assignments:
        mission_steps[row.person_id, row.period] += row.steps
    missions_of: dict[tuple[str, int], list[str]] = defaultdict(list)
    for person_id, mission_id in solution.members:
        m = instance.mission_index[mission_id]
        for t in instance.run(m, solution.start_of(mission_id, instance.earliest[m])):
            missions_of[person_id, t].append(mission_id)
    table = []
    for p, person in enumerate(instance.people):
        for t in instance.periods:
            key = (person.person_id, t)
            ops, mission, capacity = ops_steps[key], mission_steps[key], instance.capacity[p][t]
            joined = sorted(missions_of[key], key=instance.mission_index.__getitem__)
            table.append(
                (
                    person.person_id,
                    person.name,
                    person.unit_id,
                    instance.fte(capacity),
                    instance.fte(ops),
                    instance.fte(mission),
                    instance.fte(capacity - ops - mission),
                    len(joined),
                    MISSION_ID_SEPARATOR.join(joined),
                    *_period_cells(instance, t),
                )
            )
    return _frame(table, table_columns("people", instance.scenario.has_horizon))


def _ops_coverage(instance: Instance, solution: Solution) -> pd.DataFrame:
    """``kpis.coverage`` per operational demand and period, plus the slack above the
    protected level."""
    table = [
        (
            row.unit_id,
            row.skill_id,
            row.demand_fte,
            row.protected_fte,
            row.covered_fte,
            # Both figures lie on the step grid: go through steps so the slack does too.
            instance.fte(round((row.covered_fte - row.protected_fte) / instance.step)),
            *_period_cells(instance, row.period),
        )
        for row in coverage(instance, solution)
    ]
    return _frame(table, table_columns("ops_coverage", instance.scenario.has_horizon))


def network_shares(
    instance: Instance, solution: Solution | None
) -> dict[str, tuple[float, ...]] | None:
    """Each capped unit's network time over its people's capacity, period by period
    (``None`` when no unit is capped; a unit without capacity in a period gives 0 there)."""
    if not instance.capped_units:
        return None
    given: Counter[tuple[str, int]] = Counter()
    for row in solution.assignments if solution is not None else ():
        m = instance.mission_index[row.mission_id]
        if instance.is_network(m):
            given[instance.people[instance.person_index[row.person_id]].unit_id, row.period] += (
                row.steps
            )
    shares: dict[str, tuple[float, ...]] = {}
    for unit_id in instance.capped_units:
        people = instance.people_of_unit[unit_id]
        per_period = []
        for t in instance.periods:
            total = sum(instance.capacity[p][t] for p in people)
            per_period.append(round(given[unit_id, t] / total, 4) if total else 0.0)
        shares[unit_id] = tuple(per_period) if solution is not None else ()
    return shares


def _summary(instance: Instance, result: Result) -> ReportSummary:
    kpis = result.kpis
    return ReportSummary(
        status=result.status,
        score=result.score,
        best_bound=result.best_bound,
        gap=result.gap,
        value_captured=kpis.value_captured if kpis else None,
        value_total=sum(mission.value for mission in instance.missions),
        missions_staffed=kpis.missions_staffed if kpis else None,
        missions_total=len(instance.missions),
        network_fte=kpis.network_fte if kpis else None,
        solve_seconds=result.solve_seconds,
        build_seconds=result.build_seconds,
        settings=instance.settings,
        tightest_coverage=_tightest(kpis.tightest) if kpis else None,
        conflicts=result.conflicts,
        periods=instance.period_ids if instance.scenario.has_horizon else None,
        network_fte_by_period=kpis.network_fte_by_period if kpis else None,
        network_share_by_unit=network_shares(instance, result.solution),
        **_learner_counts(instance, result.solution),
    )


def _learner_counts(instance: Instance, solution: Solution | None) -> dict[str, int | None]:
    """``learners`` and ``development_goals_met`` of the summary (``None`` without a plan)."""
    if solution is None:
        return {"learners": None, "development_goals_met": None}
    met = sum(
        (instance.person_index[person_id], skill_id) in instance.goal
        for person_id, _, skill_id in solution.learners
    )
    return {"learners": len(solution.learners), "development_goals_met": met}


def _tightest(row: Coverage | None) -> TightestCoverage | None:
    if row is None:
        return None
    ratio = row.ratio if math.isfinite(row.ratio) else None
    return TightestCoverage(row.unit_id, row.skill_id, ratio)
