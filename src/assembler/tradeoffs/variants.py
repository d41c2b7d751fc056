"""Data variants of a scenario: "what if unit X lost 20 % of its time", "mission Y were worth
twice as much", "unit Z's operational load grew by 10 %".

Settings sweeps answer questions about the model's knobs; variants answer questions about
the organisation itself.  Each change checks itself against the scenario first
(``problems``), so a sweep refuses a variant naming an unknown unit before any solve starts
rather than failing 200 tasks later on a worker.

On a horizon (MODEL.md v2) time and load change with the seasons, so ``UnitCapacity`` and
``OpsLoad`` may name the periods they apply to (``period``: period ids; in a grid file one
id or a list).  A winter peak of +20 % is ``OpsLoad("emergency", 1.2, period=("2027-Q1",
"2027-Q4"))``, in a grid file ``ops_demand = { unit = "emergency", factor = 1.2, period =
["2027-Q1", "2027-Q4"] }``.  Only the named periods change: ``OpsLoad`` scales the demand
row in force there, making a row for the period from the blank-period row where there is
none; ``UnitCapacity`` scales the availability there, making a row from ``people.fte``
where there is none.  Without ``period`` a change applies to every period: the demand rows
and ``people.fte`` as without periods, and the availability rows too.  Naming a period on
a scenario without periods, or one it does not have, is a problem like an unknown unit.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass

from assembler.domain.scenario import Availability, OpsDemand, Scenario
from assembler.text import did_you_mean

MAX_FTE = 2.0
"""The largest ``people.fte`` (and availability) a scenario accepts (MODEL.md §2)."""


@dataclass(frozen=True, slots=True)
class UnitCapacity:
    """Everyone in ``unit`` and the units below it gives ``factor`` × their time: in the
    periods of ``period`` if any are named, else throughout."""

    unit: str
    factor: float
    period: tuple[str, ...] = ()

    def problems(self, scenario: Scenario) -> list[str]:
        if self.unit not in scenario.unit_ids:
            return [f"unknown unit {self.unit!r}{did_you_mean(self.unit, scenario.unit_ids)}"]
        if self.factor <= 0:
            return ["factor must be > 0 (remove people with a smaller scenario instead)"]
        unknown = _period_problems(scenario, self.period)
        if unknown:
            return unknown
        largest = max(self._times(scenario), default=0.0)
        if largest * self.factor > MAX_FTE:
            return [
                f"factor {self.factor:g} would give someone {largest * self.factor:g} FTE, "
                f"more than the {MAX_FTE:g} a person may have"
            ]
        return []

    def apply(self, scenario: Scenario) -> Scenario:
        branch = self._people(scenario)
        periods = set(self.period)
        availability = [
            row.model_copy(update={"fte": row.fte * self.factor})
            if row.person_id in branch and (not periods or row.period_id in periods)
            else row
            for row in scenario.availability
        ]
        if not periods:
            people = tuple(
                p.model_copy(update={"fte": p.fte * self.factor}) if p.person_id in branch else p
                for p in scenario.people
            )
            return scenario.model_copy(
                update={"people": people, "availability": tuple(availability)}
            )
        given = {(row.person_id, row.period_id) for row in scenario.availability}
        availability += [
            Availability(
                person_id=person.person_id, period_id=period_id, fte=person.fte * self.factor
            )
            for person in scenario.people
            if person.person_id in branch
            for period_id in scenario.period_ids
            if period_id in periods and (person.person_id, period_id) not in given
        ]
        return scenario.model_copy(update={"availability": tuple(availability)})

    def _people(self, scenario: Scenario) -> frozenset[str]:
        branch = scenario.unit_branch(self.unit)
        return frozenset(p.person_id for p in scenario.people if p.unit_id in branch)

    def _times(self, scenario: Scenario) -> Iterator[float]:
        """Every FTE figure the change scales: ``people.fte`` and availability rows, or in
        the named periods the time each person of the branch has there."""
        branch = self._people(scenario)
        given = {
            (row.person_id, row.period_id): row.fte
            for row in scenario.availability
            if row.person_id in branch
        }
        if not self.period:
            yield from given.values()
            yield from (p.fte for p in scenario.people if p.person_id in branch)
            return
        for person in scenario.people:
            if person.person_id in branch:
                yield from (given.get((person.person_id, t), person.fte) for t in self.period)


@dataclass(frozen=True, slots=True)
class MissionValue:
    """``mission`` is worth ``factor`` × its value."""

    mission: str
    factor: float

    def problems(self, scenario: Scenario) -> list[str]:
        ids = [m.mission_id for m in scenario.missions]
        if self.mission not in ids:
            return [f"unknown mission {self.mission!r}{did_you_mean(self.mission, ids)}"]
        return ["factor must be ≥ 0"] if self.factor < 0 else []

    def apply(self, scenario: Scenario) -> Scenario:
        missions = tuple(
            m.model_copy(update={"value": m.value * self.factor})
            if m.mission_id == self.mission
            else m
            for m in scenario.missions
        )
        return scenario.model_copy(update={"missions": missions})


@dataclass(frozen=True, slots=True)
class OpsLoad:
    """``unit``'s operational demand (in ``skill`` only, if given) is ``factor`` × as large:
    in the periods of ``period`` if any are named, else throughout."""

    unit: str
    factor: float
    skill: str | None = None
    period: tuple[str, ...] = ()

    def problems(self, scenario: Scenario) -> list[str]:
        units = sorted({row.unit_id for row in scenario.ops_demand})
        if self.unit not in units:
            return [f"unit {self.unit!r} has no operational demand{did_you_mean(self.unit, units)}"]
        skills = sorted({row.skill_id for row in scenario.ops_demand if row.unit_id == self.unit})
        if self.skill is not None and self.skill not in skills:
            return [
                f"unit {self.unit!r} has no operational demand in {self.skill!r}"
                + did_you_mean(self.skill, skills)
            ]
        if self.factor <= 0:
            return ["factor must be > 0"]
        return _period_problems(scenario, self.period)

    def apply(self, scenario: Scenario) -> Scenario:
        periods = set(self.period)
        own = {
            (row.unit_id, row.skill_id, row.period_id)
            for row in scenario.ops_demand
            if row.period_id is not None
        }
        demand: list[OpsDemand] = []
        for row in scenario.ops_demand:
            scaled = self._scales(row) and (not periods or row.period_id in periods)
            demand.append(row.model_copy(update={"fte": row.fte * self.factor}) if scaled else row)
            if periods and row.period_id is None and self._scales(row):
                demand += [  # the blank row is in force there: the period gets its own
                    row.model_copy(update={"fte": row.fte * self.factor, "period_id": period_id})
                    for period_id in scenario.period_ids
                    if period_id in periods and (row.unit_id, row.skill_id, period_id) not in own
                ]
        return scenario.model_copy(update={"ops_demand": tuple(demand)})

    def _scales(self, row: OpsDemand) -> bool:
        return row.unit_id == self.unit and self.skill in (None, row.skill_id)


Change = UnitCapacity | MissionValue | OpsLoad

CHANGE_KINDS: dict[str, type[UnitCapacity] | type[MissionValue] | type[OpsLoad]] = {
    "unit_capacity": UnitCapacity,
    "mission_value": MissionValue,
    "ops_demand": OpsLoad,
}
"""The key of each kind of change in a grid file's ``[[variant]]`` tables."""


@dataclass(frozen=True, slots=True)
class Variant:
    """A named set of changes, applied in order; the baseline has none."""

    name: str
    changes: tuple[Change, ...] = ()

    def apply(self, scenario: Scenario) -> Scenario:
        for change in self.changes:
            scenario = change.apply(scenario)
        return scenario


BASELINE = Variant("baseline")


def _period_problems(scenario: Scenario, periods: Collection[str]) -> list[str]:
    """What is wrong with the periods a change names: any on a scenario without periods,
    or ids the horizon does not have."""
    if not periods:
        return []
    if not scenario.has_horizon:
        return ["period is only for a scenario with periods, and this one has no periods table"]
    known = scenario.period_ids
    return [f"unknown period {p!r}{did_you_mean(p, known)}" for p in periods if p not in known]
