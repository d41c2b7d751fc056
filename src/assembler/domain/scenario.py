"""The scenario: immutable, validated input data (MODEL.md §2).

One pydantic model per table row and one ``Scenario`` holding every table as a tuple.
Rows keep unknown columns (``extra="allow"``) so a scenario written back is lossless.
Construct scenarios through ``assembler.validation`` (``read_scenario``, which validates
every cross-reference and reports all problems at once); the models here only guard each
row's own fields.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from functools import cached_property
from typing import Any, NamedTuple

from pydantic import BaseModel, ConfigDict, Field

from assembler.domain.settings import MAX_COUNT, ModelSettings

MAX_VALUE = 1e9
"""The largest mission value: counted to the cent (``100 · value`` points), weighted by
``weights.value`` ≤ 10⁶, a mission's share of the score stays far inside 2⁶³."""

MAX_FTE = 10_000.0
"""The largest FTE of one need or demand: in the finest steps (0.001 FTE) ten million steps,
a number the solver holds with room to spare."""


AFTER_SEPARATOR = ";"
"""What separates the missions of one ``after`` cell (``M08;M11``)."""


class ChangeType(StrEnum):
    """The change matrix: configuration × paradigm."""

    IMPROVE = "improve"
    RENEW = "renew"
    TRANSITION = "transition"
    INNOVATION = "innovation"

    @property
    def is_network(self) -> bool:
        """Paradigm changes run in the network (volunteers across units)."""
        return self in (ChangeType.TRANSITION, ChangeType.INNOVATION)

    @property
    def changes_configuration(self) -> bool:
        return self in (ChangeType.RENEW, ChangeType.INNOVATION)

    @property
    def changes_paradigm(self) -> bool:
        return self.is_network

    @property
    def mode(self) -> str:
        return "network" if self.is_network else "hierarchy"


class CapabilityKind(StrEnum):
    PROCESS = "process"
    INFORMATION = "information"
    TOOL = "tool"


class LockKind(StrEnum):
    PIN = "pin"
    FORBID = "forbid"


class _Row(BaseModel):
    model_config = ConfigDict(frozen=True, extra="allow")


class Person(_Row):
    person_id: str = Field(min_length=1)
    name: str = ""
    unit_id: str = Field(min_length=1)
    fte: float = Field(1.0, gt=0, le=2)
    network_opt_in: bool = False
    max_missions: int | None = Field(None, ge=0, le=MAX_COUNT)

    def mission_limit(self, settings: ModelSettings) -> int:
        """How many missions this person may join: their own ``max_missions`` when given,
        else the scenario's ``max_missions_default`` (MODEL.md §2).

        Validation, edits, the compiled instance and the generator all ask this; one
        answer keeps a pin that validation accepts from being one the solver refuses.
        """
        return settings.max_missions_default if self.max_missions is None else self.max_missions


class PersonSkill(_Row):
    person_id: str = Field(min_length=1)
    skill_id: str = Field(min_length=1)
    level: int = Field(ge=1, le=5)


class Mission(_Row):
    mission_id: str = Field(min_length=1)
    name: str = ""
    change_type: ChangeType
    value: float = Field(ge=0, le=MAX_VALUE)
    mandatory: bool = False
    min_team: int = Field(1, ge=0, le=MAX_COUNT)
    max_team: int | None = Field(None, ge=0, le=MAX_COUNT)
    owner_unit: str | None = None
    earliest_start: str | None = None
    latest_end: str | None = None
    duration: int | None = Field(None, ge=1, le=MAX_COUNT)
    after: str | None = None

    @property
    def is_network(self) -> bool:
        return self.change_type.is_network

    @property
    def predecessors(self) -> tuple[str, ...]:
        """The missions this one waits for (MODEL.md v3: ``after`` may list several, split
        on ``;``).  The cell itself is kept as typed so a scenario written back is the one
        read; validation has already refused empty items and repeated ids."""
        if self.after is None:
            return ()
        return tuple(item.strip() for item in self.after.split(AFTER_SEPARATOR))


class MissionNeed(_Row):
    mission_id: str = Field(min_length=1)
    skill_id: str = Field(min_length=1)
    fte: float = Field(gt=0, le=MAX_FTE)
    min_level: int = Field(1, ge=1, le=5)


class Unit(_Row):
    unit_id: str = Field(min_length=1)
    name: str = ""
    parent_id: str | None = None
    network_share_max: float | None = Field(None, ge=0, le=1)


class Skill(_Row):
    skill_id: str = Field(min_length=1)
    name: str = ""
    category: str = ""


class OpsDemand(_Row):
    """Operational demand of a unit in a skill; with a ``period_id`` only in that period,
    where it replaces the blank-period row (0 then means no requirement in that period)."""

    unit_id: str = Field(min_length=1)
    skill_id: str = Field(min_length=1)
    fte: float = Field(ge=0, le=MAX_FTE)
    min_level: int = Field(1, ge=1, le=5)
    period_id: str | None = None


class Capability(_Row):
    capability_id: str = Field(min_length=1)
    name: str = ""
    kind: CapabilityKind
    capacity: int = Field(ge=0, le=MAX_COUNT)
    ops_reserved: int = Field(0, ge=0, le=MAX_COUNT)


class MissionCapability(_Row):
    mission_id: str = Field(min_length=1)
    capability_id: str = Field(min_length=1)
    units: int = Field(ge=1, le=MAX_COUNT)


class Preference(_Row):
    person_id: str = Field(min_length=1)
    mission_id: str = Field(min_length=1)
    weight: int = Field(ge=1, le=3)


class Lock(_Row):
    person_id: str = Field(min_length=1)
    mission_id: str = Field(min_length=1)
    lock: LockKind


class Timing(NamedTuple):
    """A mission's window and duration as period positions (0 = the first period)."""

    earliest: int
    latest: int
    duration: int

    @property
    def starts(self) -> range:
        """The periods the mission may start in so that it ends inside its window."""
        return range(self.earliest, self.latest - self.duration + 2)


class Period(_Row):
    """A planning period (month, quarter…); rows are listed in time order."""

    period_id: str = Field(min_length=1)
    name: str = ""
    start: date | None = None


class Availability(_Row):
    """A person's time in one period, instead of ``people.fte`` (0: away, not yet, or gone)."""

    person_id: str = Field(min_length=1)
    period_id: str = Field(min_length=1)
    fte: float = Field(ge=0, le=2)


class Development(_Row):
    """A development goal (MODEL.md v3): the person wants to grow in this skill, which they
    need not hold yet; ``weight`` says how much (from their appraisal)."""

    person_id: str = Field(min_length=1)
    skill_id: str = Field(min_length=1)
    weight: int = Field(1, ge=1, le=3)


class Scenario(BaseModel):
    """Every table of a scenario plus its model settings.

    ``units`` and ``skills`` are ``None`` when the table is absent, because absence has a
    meaning of its own (units come from ``people``; skills are not cross-checked).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    people: tuple[Person, ...]
    person_skills: tuple[PersonSkill, ...]
    missions: tuple[Mission, ...]
    mission_needs: tuple[MissionNeed, ...]
    units: tuple[Unit, ...] | None = None
    skills: tuple[Skill, ...] | None = None
    ops_demand: tuple[OpsDemand, ...] = ()
    capabilities: tuple[Capability, ...] = ()
    mission_capabilities: tuple[MissionCapability, ...] = ()
    preferences: tuple[Preference, ...] = ()
    locks: tuple[Lock, ...] = ()
    periods: tuple[Period, ...] | None = None
    availability: tuple[Availability, ...] = ()
    development: tuple[Development, ...] = ()
    settings: ModelSettings = ModelSettings()

    def with_settings(self, **overrides: Any) -> Scenario:
        """The same scenario under other model settings (see ``ModelSettings.with_overrides``)."""
        return self.model_copy(update={"settings": self.settings.with_overrides(overrides)})

    def replace(self, **tables: Any) -> Scenario:
        """The same scenario with some tables replaced (rows are re-validated)."""
        fields = {name: getattr(self, name) for name in Scenario.model_fields}
        return Scenario.model_validate({**fields, **tables})

    @property
    def has_horizon(self) -> bool:
        """Periods are given (MODEL.md v2): reports then carry period columns."""
        return self.periods is not None

    @property
    def period_ids(self) -> tuple[str, ...]:
        """The periods in time order; without a ``periods`` table one unnamed period."""
        return ("",) if self.periods is None else tuple(p.period_id for p in self.periods)

    def timing(self, mission: Mission) -> Timing:
        """``mission``'s window and duration with the defaults of MODEL.md §2 filled in:
        the window is the whole horizon, the duration the whole window."""
        ids = self.period_ids
        earliest = ids.index(mission.earliest_start) if mission.earliest_start in ids else 0
        latest = ids.index(mission.latest_end) if mission.latest_end in ids else len(ids) - 1
        duration = latest - earliest + 1 if mission.duration is None else mission.duration
        return Timing(earliest, latest, duration)

    def period_name(self, index: int) -> str:
        """What a planner calls period ``index`` (its name, else its id)."""
        if self.periods is None:
            return "the plan"
        period = self.periods[index]
        return period.name or period.period_id

    @property
    def unit_ids(self) -> tuple[str, ...]:
        """Units of the tree, or (without a ``units`` table) those named in ``people``."""
        if self.units is not None:
            return tuple(unit.unit_id for unit in self.units)
        return tuple(dict.fromkeys(person.unit_id for person in self.people))

    @property
    def parent_of(self) -> dict[str, str | None]:
        if self.units is None:
            return {unit_id: None for unit_id in self.unit_ids}
        return {unit.unit_id: unit.parent_id for unit in self.units}

    def network_share(self, unit_id: str) -> float:
        """The most of ``unit_id``'s time given to network missions per period (MODEL.md v3):
        the unit's own ``network_share_max``, else the setting."""
        own = self._unit_shares.get(unit_id)
        return self.settings.network_share_max if own is None else own

    @cached_property
    def _unit_shares(self) -> dict[str, float]:
        """The units' own ``network_share_max``, looked up once per scenario."""
        return {
            unit.unit_id: unit.network_share_max
            for unit in self.units or ()
            if unit.network_share_max is not None
        }

    def unit_branch(self, unit_id: str) -> frozenset[str]:
        """``unit_id`` and all its descendants: where a hierarchy mission may draw people."""
        children: dict[str | None, list[str]] = {}
        for child, parent in self.parent_of.items():
            children.setdefault(parent, []).append(child)
        branch: set[str] = set()
        stack = [unit_id]
        while stack:
            current = stack.pop()
            if current in branch:
                continue
            branch.add(current)
            stack.extend(children.get(current, ()))
        return frozenset(branch)


TABLE_ROW_TYPES: dict[str, type[_Row]] = {
    "people": Person,
    "person_skills": PersonSkill,
    "missions": Mission,
    "mission_needs": MissionNeed,
    "units": Unit,
    "skills": Skill,
    "ops_demand": OpsDemand,
    "capabilities": Capability,
    "mission_capabilities": MissionCapability,
    "preferences": Preference,
    "locks": Lock,
    "periods": Period,
    "availability": Availability,
    "development": Development,
}
"""Table name → row model, in the order tables are read, validated and written."""

REQUIRED_TABLES: tuple[str, ...] = ("people", "person_skills", "missions", "mission_needs")

HORIZON_COLUMNS: dict[str, tuple[str, ...]] = {
    "missions": ("earliest_start", "latest_end", "duration", "after"),
    "ops_demand": ("period_id",),
}
"""Columns that only mean something with a ``periods`` table (MODEL.md v2): blank without
one, and left out of a scenario written without one, so a v1 scenario stays v1."""

V3_COLUMNS: dict[str, tuple[str, ...]] = {"units": ("network_share_max",)}
"""Optional columns of MODEL.md v3: left out of a scenario written without a value in them,
so a v2 scenario is written exactly as v2 wrote it."""

V3_TABLES: tuple[str, ...] = ("development",)
"""Tables of MODEL.md v3: left out of a scenario written without rows in them."""
