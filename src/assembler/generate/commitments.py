"""Commitments and exclusions: the mandatory mission, pins and forbids.

These are the parts of a scenario that can make it infeasible, so they are only emitted
against a concrete staffing plan (``_Witness``) or where enough candidates remain.
"""

from __future__ import annotations

import random
from collections import defaultdict

from assembler.compile.eligibility import Eligibility
from assembler.compile.instance import demand_steps
from assembler.domain.scenario import (
    Capability,
    Lock,
    LockKind,
    Mission,
    MissionCapability,
    MissionNeed,
    Person,
    Scenario,
)


class _Witness:
    """A concrete plan that staffs the committed missions next to the ops allocation.

    A mission is committed (made mandatory, or given a pin) only if this plan can staff it
    with the time, mission slots and capability units still free in every period of one of
    its runs, so the generated commitments are jointly feasible: the plan itself is a
    feasible solution of MODEL.md.  Each member gives the same time in every period of the
    run, which keeps a team whole while the mission runs (MODEL.md §2).
    """

    def __init__(
        self,
        scenario: Scenario,
        free: dict[str, list[int]],
        capabilities: list[Capability],
        uses: list[MissionCapability],
    ) -> None:
        settings = scenario.settings
        horizon = len(scenario.period_ids)
        self.scenario = scenario
        self.eligibility = Eligibility(scenario)
        self.settings = settings
        self.step = settings.step_fte
        self.min_share = demand_steps(settings.min_allocation_fte, self.step)
        self.free = {person_id: list(steps) for person_id, steps in free.items()}
        self.slots = {p.person_id: [p.mission_limit(settings)] * horizon for p in scenario.people}
        self.unit_of = {p.person_id: p.unit_id for p in scenario.people}
        self.available = {
            c.capability_id: [c.capacity - c.ops_reserved] * horizon for c in capabilities
        }
        self.uses: dict[str, list[MissionCapability]] = defaultdict(list)
        for use in uses:
            self.uses[use.mission_id].append(use)
        self.needs_of: dict[str, list[MissionNeed]] = defaultdict(list)
        for need in scenario.mission_needs:
            self.needs_of[need.mission_id].append(need)
        self.missions = {m.mission_id: m for m in scenario.missions}
        self.ends: dict[str, int] = {}
        """Staffed mission → the first period after its run (when a follower may start)."""

    def commit(self, mission: Mission, pinned: str | None) -> bool:
        """Staff ``mission`` (with ``pinned`` on the team) in the plan if possible, in the
        earliest run its window allows; the missions it runs after are staffed first."""
        for before in mission.predecessors:
            if before not in self.ends and not self.commit(self.missions[before], None):
                return False
        ready = max((self.ends[before] for before in mission.predecessors), default=0)
        timing = self.scenario.timing(mission)
        for start in timing.starts:
            run = range(start, start + timing.duration)
            if start >= ready and self._staff(mission, run, pinned):
                self.ends[mission.mission_id] = run.stop
                return True
        return False

    def _staff(self, mission: Mission, run: range, pinned: str | None) -> bool:
        if any(
            min(self.available[u.capability_id][t] for t in run) < u.units
            for u in self.uses[mission.mission_id]
        ):
            return False
        needs = self.needs_of[mission.mission_id]
        demands = [demand_steps(need.fte, self.step) for need in needs]
        share = min(self.min_share, sum(demands))
        given: dict[str, int] = {}
        alloc: dict[tuple[str, int], int] = defaultdict(int)
        candidates = [self.eligibility.candidates(mission, need) for need in needs]

        def usable(person_id: str) -> int:
            if person_id not in given and self._slots(person_id, run) < 1:
                return 0
            return self._free(person_id, run) - given.get(person_id, 0)

        for k, demand in enumerate(demands):
            ids = [p.person_id for p in candidates[k]]
            ids.sort(key=lambda pid: (pid != pinned, -usable(pid)))
            remaining = demand
            for person_id in ids:
                if remaining == 0:
                    break
                take = min(usable(person_id), remaining)
                if 0 < remaining - take < share:
                    take -= share - (remaining - take)
                if take <= 0 or (person_id not in given and take < share):
                    continue
                given[person_id] = given.get(person_id, 0) + take
                alloc[person_id, k] += take
                remaining -= take
            if remaining:
                return False
        breadth = self.settings.network_min_units if mission.is_network else 0
        while len(given) < mission.min_team or len(self._units(given)) < breadth:
            if not self._widen(candidates, given, alloc, share, breadth, run):
                return False
        if pinned is not None and pinned not in given:
            return False
        if mission.max_team is not None and len(given) > mission.max_team:
            return False
        for t in run:
            for person_id, steps in given.items():
                self.free[person_id][t] -= steps
                self.slots[person_id][t] -= 1
            for use in self.uses[mission.mission_id]:
                self.available[use.capability_id][t] -= use.units
        return True

    def _free(self, person_id: str, run: range) -> int:
        return min(self.free[person_id][t] for t in run)

    def _slots(self, person_id: str, run: range) -> int:
        return min(self.slots[person_id][t] for t in run)

    def _units(self, team: dict[str, int]) -> set[str]:
        return {self.unit_of[person_id] for person_id in team}

    def _widen(
        self,
        candidates: list[list[Person]],
        given: dict[str, int],
        alloc: dict[tuple[str, int], int],
        share: int,
        breadth: int,
        run: range,
    ) -> bool:
        """Hand one minimum share of a member's time to a new member (from a new unit if the
        network breadth is still short); the donor keeps at least a minimum share."""
        units = self._units(given)
        new_unit = len(units) < breadth
        for (donor, k), steps in list(alloc.items()):
            if steps < share or given[donor] - share < share:
                continue
            for person in candidates[k]:
                pid = person.person_id
                if pid in given or self._slots(pid, run) < 1 or self._free(pid, run) < share:
                    continue
                if new_unit and self.unit_of[pid] in units:
                    continue
                alloc[donor, k] -= share
                given[donor] -= share
                alloc[pid, k] += share
                given[pid] = share
                return True
        return False


def build_commitments(
    scenario: Scenario,
    free: dict[str, list[int]],
    capabilities: list[Capability],
    uses: list[MissionCapability],
    rng: random.Random,
    mandatory_share: float | None = None,
) -> tuple[list[str], list[Lock]]:
    """Mandatory missions (the easiest hierarchy missions the plan can staff: one, or
    ``mandatory_share`` of all missions) and pins.

    ``free`` is each person's time per period that operations leave (the ops witness).
    """
    witness = _Witness(scenario, free, capabilities, uses)
    needs_of = witness.needs_of
    with_capability = {use.mission_id for use in uses}
    easy = sorted(
        (m for m in scenario.missions if not m.is_network and m.mission_id not in with_capability),
        key=lambda m: (
            sum(n.fte for n in needs_of[m.mission_id])
            * max(n.min_level for n in needs_of[m.mission_id]),
            m.mission_id,
        ),
    )
    wanted = 1 if mandatory_share is None else round(mandatory_share * len(scenario.missions))
    mandatory: list[str] = []
    for mission in easy[:10] if mandatory_share is None else easy:
        if len(mandatory) == wanted:
            break
        if witness.commit(mission, None):
            mandatory.append(mission.mission_id)
    locks: list[Lock] = []
    missions = [m for m in scenario.missions if m.mission_id not in mandatory]
    wanted = min(len(missions), 1 + len(scenario.missions) // 50)
    for mission in rng.sample(missions, min(len(missions), 3 * wanted)):
        if len(locks) == wanted:
            break
        needs = needs_of[mission.mission_id]
        people = witness.eligibility.candidates(mission, rng.choice(needs))
        if not people:
            continue
        person = rng.choice(people)
        if witness.commit(mission, person.person_id):
            locks.append(
                Lock(person_id=person.person_id, mission_id=mission.mission_id, lock=LockKind.PIN)
            )
    return mandatory, locks


def build_forbids(scenario: Scenario, rng: random.Random) -> list[Lock]:
    """People kept off a mission they could join (a conflict of interest, a planned leave).

    Only where every need keeps at least two other candidates: a forbid should narrow the
    choice, not silently make a mission impossible.
    """
    eligibility = Eligibility(scenario)
    needs_of: dict[str, list[MissionNeed]] = defaultdict(list)
    for need in scenario.mission_needs:
        needs_of[need.mission_id].append(need)
    wanted = 1 + len(scenario.missions) // 25
    forbids: list[Lock] = []
    for mission in rng.sample(scenario.missions, min(len(scenario.missions), 3 * wanted)):
        if len(forbids) == wanted:
            break
        pools = [
            [p.person_id for p in eligibility.candidates(mission, need)]
            for need in needs_of[mission.mission_id]
        ]
        pool = rng.choice(pools)
        if not pool:
            continue
        person_id = rng.choice(pool)
        if all(len(other) >= 3 or person_id not in other for other in pools):
            forbids.append(
                Lock(person_id=person_id, mission_id=mission.mission_id, lock=LockKind.FORBID)
            )
    return forbids
