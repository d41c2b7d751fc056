"""Solver-independent verification of a solution against every rule of MODEL.md §4–6.

It reads only the scenario and the solution (via the integer data of ``Instance``), never
the CP-SAT model, so a modelling slip in the solver shows up here as a violation.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from assembler.compile.instance import Instance
from assembler.domain.scenario import Scenario
from assembler.domain.solution import Solution


def check(scenario: Scenario | Instance, solution: Solution) -> list[str]:
    """Every violated rule, as readable sentences; an empty list means the solution is feasible."""
    instance = scenario if isinstance(scenario, Instance) else Instance(scenario)
    return _Checker(instance, solution).run()


class _Checker:
    def __init__(self, instance: Instance, solution: Solution) -> None:
        self.instance = instance
        self.solution = solution
        self.problems: list[str] = []
        self.time_on_need: dict[tuple[int, int], int] = {}

    def run(self) -> list[str]:
        self.references_and_eligibility()
        self.demand_met_if_staffed()
        self.membership()
        self.time()
        self.operations_protected()
        self.team_size()
        self.focus()
        self.capabilities()
        self.network_breadth()
        self.commitments()
        return self.problems

    def fail(self, message: str) -> None:
        self.problems.append(message)

    def references_and_eligibility(self) -> None:
        inst, sol = self.instance, self.solution
        for mission_id in sol.staffed:
            if mission_id not in inst.mission_index:
                self.fail(f"staffed mission '{mission_id}' does not exist")
        for person_id, mission_id in sol.members:
            p, m = inst.person_index.get(person_id), inst.mission_index.get(mission_id)
            if p is None or m is None or not inst.is_candidate(p, m):
                self.fail(f"'{person_id}' is not eligible for any need of '{mission_id}'")
        for row in sol.assignments:
            p = inst.person_index.get(row.person_id)
            n = inst.need_index.get((row.mission_id, row.skill_id))
            if p is None or n is None or p not in inst.needs[n].eligible:
                self.fail(
                    f"'{row.person_id}' is not eligible for need "
                    f"('{row.mission_id}', '{row.skill_id}')"
                )
            elif row.steps <= 0:
                self.fail(f"time of '{row.person_id}' on {row.mission_id}/{row.skill_id} ≤ 0")
            elif (p, n) in self.time_on_need:
                self.fail(f"'{row.person_id}' appears twice on {row.mission_id}/{row.skill_id}")
            else:
                self.time_on_need[p, n] = row.steps
        for kept in sol.ops:
            p = inst.person_index.get(kept.person_id)
            eligible = p is not None and any(
                inst.ops[o].skill_id == kept.skill_id for o in inst.ops_of_person[p]
            )
            if not eligible or kept.steps <= 0:
                self.fail(
                    f"'{kept.person_id}' cannot keep {kept.steps} steps on ops '{kept.skill_id}'"
                )

    def demand_met_if_staffed(self) -> None:
        supplied: Counter[int] = Counter()
        for (_, n), steps in self.time_on_need.items():
            supplied[n] += steps
        for n, need in enumerate(self.instance.needs):
            mission = self.instance.missions[need.mission]
            expected = need.demand if mission.mission_id in self.solution.staffed else 0
            if supplied[n] != expected:
                self.fail(
                    f"need ({mission.mission_id}, {need.skill_id}) gets {supplied[n]} steps, "
                    f"must get exactly {expected}"
                )

    def membership(self) -> None:
        inst, sol = self.instance, self.solution
        share: Counter[tuple[str, str]] = Counter()
        for (p, n), steps in self.time_on_need.items():
            pair = (inst.people[p].person_id, inst.missions[inst.needs[n].mission].mission_id)
            share[pair] += steps
            if pair not in sol.members:
                self.fail(f"'{pair[0]}' gives time to '{pair[1]}' without being a member")
        for person_id, mission_id in sol.members:
            m = inst.mission_index.get(mission_id)
            if m is None:
                continue
            if mission_id not in sol.staffed:
                self.fail(f"'{person_id}' is a member of unstaffed mission '{mission_id}'")
            if share[person_id, mission_id] < inst.min_share[m]:
                self.fail(
                    f"'{person_id}' gives {share[person_id, mission_id]} steps to "
                    f"'{mission_id}', below the minimum {inst.min_share[m]}"
                )

    def time(self) -> None:
        inst = self.instance
        load: Counter[int] = Counter()
        for (p, _), steps in self.time_on_need.items():
            load[p] += steps
        for row in self.solution.ops:
            if row.person_id in inst.person_index:
                load[inst.person_index[row.person_id]] += row.steps
        for p, steps in load.items():
            if steps > inst.capacity[p]:
                self.fail(
                    f"'{inst.people[p].person_id}' is booked {steps} steps, "
                    f"capacity {inst.capacity[p]}"
                )

    def operations_protected(self) -> None:
        inst = self.instance
        covered: Counter[tuple[str, str]] = Counter()
        for row in self.solution.ops:
            p = inst.person_index.get(row.person_id)
            if p is not None:
                covered[inst.people[p].unit_id, row.skill_id] += row.steps
        for need in inst.ops:
            if covered[need.unit_id, need.skill_id] < need.required:
                self.fail(
                    f"operations of {need.unit_id}/{need.skill_id} covered "
                    f"{covered[need.unit_id, need.skill_id]} steps, need {need.required}"
                )

    def _team(self) -> Counter[str]:
        return Counter(mission_id for _, mission_id in self.solution.members)

    def team_size(self) -> None:
        team = self._team()
        for mission in self.instance.missions:
            if mission.mission_id not in self.solution.staffed:
                continue
            size = team[mission.mission_id]
            if size < mission.min_team or (
                mission.max_team is not None and size > mission.max_team
            ):
                self.fail(
                    f"team of '{mission.mission_id}' has {size} members, "
                    f"allowed {mission.min_team}..{mission.max_team}"
                )

    def focus(self) -> None:
        inst = self.instance
        count = Counter(person_id for person_id, _ in self.solution.members)
        for person_id, missions in count.items():
            p = inst.person_index.get(person_id)
            if p is not None and missions > inst.max_missions[p]:
                self.fail(
                    f"'{person_id}' is on {missions} missions, at most {inst.max_missions[p]}"
                )

    def capabilities(self) -> None:
        inst = self.instance
        for limit in inst.capabilities:
            used = sum(
                units
                for m, units in limit.usage
                if inst.missions[m].mission_id in self.solution.staffed
            )
            if used > limit.available:
                self.fail(
                    f"capability '{limit.capability_id}' used {used} units, "
                    f"{limit.available} available"
                )

    def network_breadth(self) -> None:
        inst = self.instance
        units: dict[str, set[str]] = defaultdict(set)
        for person_id, mission_id in self.solution.members:
            p = inst.person_index.get(person_id)
            if p is not None:
                units[mission_id].add(inst.people[p].unit_id)
        for m, mission in enumerate(inst.missions):
            if mission.mission_id in self.solution.staffed and inst.needs_breadth(m):
                drawn = len(units[mission.mission_id])
                if drawn < inst.settings.network_min_units:
                    self.fail(
                        f"network mission '{mission.mission_id}' draws from {drawn} units, "
                        f"needs {inst.settings.network_min_units}"
                    )

    def commitments(self) -> None:
        inst, sol = self.instance, self.solution
        for m in inst.mandatory:
            if inst.missions[m].mission_id not in sol.staffed:
                self.fail(f"mandatory mission '{inst.missions[m].mission_id}' is not staffed")
        for p, m in inst.pins:
            pair = (inst.people[p].person_id, inst.missions[m].mission_id)
            if pair not in sol.members:
                self.fail(f"'{pair[0]}' is pinned to '{pair[1]}' but not on its team")
