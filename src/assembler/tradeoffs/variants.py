"""Data variants of a scenario: "what if unit X lost 20 % of its time", "mission Y were worth
twice as much", "unit Z's operational load grew by 10 %".

Settings sweeps answer questions about the model's knobs; variants answer questions about
the organisation itself.  Each change checks itself against the scenario first
(``problems``), so a sweep refuses a variant naming an unknown unit before any solve starts
rather than failing 200 tasks later on a worker.
"""

from __future__ import annotations

from dataclasses import dataclass

from assembler.domain.scenario import Scenario
from assembler.text import did_you_mean

MAX_FTE = 2.0
"""The largest ``people.fte`` a scenario accepts (MODEL.md §2)."""


@dataclass(frozen=True, slots=True)
class UnitCapacity:
    """Everyone in ``unit`` and the units below it gives ``factor`` × their time."""

    unit: str
    factor: float

    def problems(self, scenario: Scenario) -> list[str]:
        if self.unit not in scenario.unit_ids:
            return [f"unknown unit {self.unit!r}{did_you_mean(self.unit, scenario.unit_ids)}"]
        if self.factor <= 0:
            return ["factor must be > 0 (remove people with a smaller scenario instead)"]
        branch = scenario.unit_branch(self.unit)
        largest = max((p.fte for p in scenario.people if p.unit_id in branch), default=0.0)
        if largest * self.factor > MAX_FTE:
            return [
                f"factor {self.factor:g} would give someone {largest * self.factor:g} FTE, "
                f"more than the {MAX_FTE:g} a person may have"
            ]
        return []

    def apply(self, scenario: Scenario) -> Scenario:
        branch = scenario.unit_branch(self.unit)
        people = tuple(
            p.model_copy(update={"fte": p.fte * self.factor}) if p.unit_id in branch else p
            for p in scenario.people
        )
        return scenario.model_copy(update={"people": people})


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
    """``unit``'s operational demand (in ``skill`` only, if given) is ``factor`` × as large."""

    unit: str
    factor: float
    skill: str | None = None

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
        return ["factor must be > 0"] if self.factor <= 0 else []

    def apply(self, scenario: Scenario) -> Scenario:
        demand = tuple(
            row.model_copy(update={"fte": row.fte * self.factor})
            if row.unit_id == self.unit and self.skill in (None, row.skill_id)
            else row
            for row in scenario.ops_demand
        )
        return scenario.model_copy(update={"ops_demand": demand})


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
