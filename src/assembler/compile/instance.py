"""The scenario compiled to integer data (MODEL.md §3) and eligibility lists (§4).

Everything downstream — the CP-SAT model, the solver-independent checker, KPIs, the
explanations of unstaffed missions — reads this one object, so they all agree on what
``D_mk``, ``R_uk``, ``cap_p`` and "eligible" mean.  People and missions are addressed by
index (their position in the scenario's tables) to keep the large-instance paths cheap.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property

from assembler.compile.eligibility import Eligibility
from assembler.domain.scenario import LockKind, Mission, Person, Scenario

EPSILON = 1e-9


def capacity_steps(fte: float, step: float) -> int:
    """``cap_p = floor(fte / s + ε)``."""
    return math.floor(fte / step + EPSILON)


def demand_steps(fte: float, step: float) -> int:
    """``D = ceil(fte / s − ε)``: needs are rounded up to whole steps."""
    return math.ceil(fte / step - EPSILON)


def protected_steps(fte: float, ops_buffer: float, step: float) -> int:
    """``R = ceil(fte · (1 + buffer) / s − ε)``."""
    return math.ceil(fte * (1 + ops_buffer) / step - EPSILON)


def value_points(value: float) -> int:
    """``V = round(100 · value)``: values count to the cent in the integer score."""
    return round(100 * value)


@dataclass(frozen=True, slots=True)
class Need:
    """A mission's need ``(m, k)`` with its demand in steps and its eligible people."""

    mission: int
    skill_id: str
    min_level: int
    demand: int
    eligible: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class OpsNeed:
    """An operational demand ``(u, k)``: ``required`` = ``R_uk`` steps, kept by ``eligible``."""

    unit_id: str
    skill_id: str
    min_level: int
    demand_fte: float
    required: int
    eligible: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class CapabilityLimit:
    """A capability's free capacity for missions and which missions draw on it."""

    capability_id: str
    available: int
    usage: tuple[tuple[int, int], ...]  # (mission index, units)


class Instance:
    """Integer, index-based view of a scenario under its model settings."""

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self.settings = settings = scenario.settings
        self.step = settings.step_fte
        self.eligibility = eligibility = Eligibility(scenario)

        self.people: tuple[Person, ...] = scenario.people
        self.person_index = {p.person_id: i for i, p in enumerate(self.people)}
        self.capacity = tuple(capacity_steps(p.fte, self.step) for p in self.people)
        self.max_missions = tuple(p.mission_limit(settings) for p in self.people)

        self.missions: tuple[Mission, ...] = scenario.missions
        self.mission_index = {m.mission_id: i for i, m in enumerate(self.missions)}
        self.value = tuple(value_points(m.value) for m in self.missions)

        needs: list[Need] = []
        needs_of: list[list[int]] = [[] for _ in self.missions]
        for row in scenario.mission_needs:
            m = self.mission_index.get(row.mission_id)
            if m is None:
                continue
            mission = self.missions[m]
            eligible = tuple(
                sorted(self.person_index[p.person_id] for p in eligibility.candidates(mission, row))
            )
            needs_of[m].append(len(needs))
            needs.append(
                Need(m, row.skill_id, row.min_level, demand_steps(row.fte, self.step), eligible)
            )
        self.needs = tuple(needs)
        self.needs_of = tuple(tuple(n) for n in needs_of)
        self.need_index = {
            (self.missions[n.mission].mission_id, n.skill_id): i for i, n in enumerate(self.needs)
        }

        min_share = demand_steps(settings.min_allocation_fte, self.step)
        self.min_share = tuple(
            min(min_share, sum(self.needs[n].demand for n in needs_of[m]))
            for m in range(len(self.missions))
        )
        self.candidates = tuple(
            tuple(sorted({p for n in needs_of[m] for p in self.needs[n].eligible}))
            for m in range(len(self.missions))
        )

        self.ops = tuple(self._ops_needs())
        ops_of_person: list[list[int]] = [[] for _ in self.people]
        for i, ops_need in enumerate(self.ops):
            for p in ops_need.eligible:
                ops_of_person[p].append(i)
        self.ops_of_person = tuple(tuple(o) for o in ops_of_person)

        self.capabilities = tuple(self._capability_limits())
        self.mandatory = tuple(m for m, mission in enumerate(self.missions) if mission.mandatory)
        self.pins = tuple(
            (self.person_index[lock.person_id], self.mission_index[lock.mission_id])
            for lock in scenario.locks
            if lock.lock is LockKind.PIN
            and lock.person_id in self.person_index
            and lock.mission_id in self.mission_index
        )
        self.preference = self._preference_weights()

    def _ops_needs(self) -> list[OpsNeed]:
        people_of_unit: dict[str, list[int]] = defaultdict(list)
        for i, person in enumerate(self.people):
            people_of_unit[person.unit_id].append(i)
        needs = []
        for row in self.scenario.ops_demand:
            eligible = tuple(
                p
                for p in people_of_unit.get(row.unit_id, ())
                if self.eligibility.can_cover(self.people[p], row)
            )
            required = protected_steps(row.fte, self.settings.ops_buffer, self.step)
            needs.append(
                OpsNeed(row.unit_id, row.skill_id, row.min_level, row.fte, required, eligible)
            )
        return needs

    def _capability_limits(self) -> list[CapabilityLimit]:
        usage: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for row in self.scenario.mission_capabilities:
            m = self.mission_index.get(row.mission_id)
            if m is not None:
                usage[row.capability_id].append((m, row.units))
        return [
            CapabilityLimit(
                c.capability_id, c.capacity - c.ops_reserved, tuple(usage[c.capability_id])
            )
            for c in self.scenario.capabilities
        ]

    def _preference_weights(self) -> dict[tuple[int, int], int]:
        """Summed preference weight per (person, mission) pair that has an ``x`` variable."""
        weights: dict[tuple[int, int], int] = defaultdict(int)
        for row in self.scenario.preferences:
            p = self.person_index.get(row.person_id)
            m = self.mission_index.get(row.mission_id)
            if p is not None and m is not None and self.is_candidate(p, m):
                weights[p, m] += row.weight
        return dict(weights)

    @cached_property
    def _candidate_pairs(self) -> frozenset[tuple[int, int]]:
        return frozenset((p, m) for m, people in enumerate(self.candidates) for p in people)

    def is_candidate(self, person: int, mission: int) -> bool:
        """``x_pm`` exists: the person is eligible for some need of the mission."""
        return (person, mission) in self._candidate_pairs

    def is_network(self, mission: int) -> bool:
        return self.missions[mission].is_network

    def needs_breadth(self, mission: int) -> bool:
        """Constraint 8 applies: a network mission while ``network_min_units > 0``."""
        return self.is_network(mission) and self.settings.network_min_units > 0

    def fte(self, steps: int) -> float:
        """Steps to FTE, rounded to the step grid's decimals so reports print ``0.35``."""
        return round(steps * self.step, 10)
