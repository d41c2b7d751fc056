"""Solver-independent verification of a solution against every rule of MODEL.md §4–6.

It reads only the scenario and the solution (via the integer data of ``Instance``), never
the CP-SAT model, so a modelling slip in the solver shows up here as a violation.  Every
rule is checked in every period: a mission runs in the periods its start gives it.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict

from assembler.compile.instance import EPSILON, Instance
from assembler.domain.scenario import Scenario
from assembler.domain.solution import Solution


def check(scenario: Scenario | Instance, solution: Solution) -> list[str]:
    """Every rule ``solution`` breaks, as readable sentences; empty means it is feasible.

    The independent proof that a plan is valid: it shares nothing with the solver but the
    integer data of MODEL.md §3, so it also verifies plans from elsewhere — a roster read
    back from its report files, a plan merged by the neighbourhood search, a hand edit.
    ``scenario`` may be an ``Instance`` already compiled from it (cheaper in loops).
    """
    instance = scenario if isinstance(scenario, Instance) else Instance(scenario)
    return _Checker(instance, solution).run()


class _Checker:
    def __init__(self, instance: Instance, solution: Solution) -> None:
        self.instance = instance
        self.solution = solution
        self.problems: list[str] = []
        self.time_on_need: dict[tuple[int, int, int], int] = {}  # (person, need, period)
        self.start: dict[int, int] = {
            m: solution.start_of(mission.mission_id, instance.earliest[m])
            for m, mission in enumerate(instance.missions)
            if mission.mission_id in solution.staffed
        }
        """Staffed mission → the period it starts in."""

    def run(self) -> list[str]:
        self.references_and_eligibility()
        self.timing()
        self.demand_met_while_running()
        self.membership()
        self.time()
        self.operations_protected()
        self.team_size()
        self.focus()
        self.capabilities()
        self.network_breadth()
        self.commitments()
        self.sequence()
        self.network_share()
        self.learners_and_mentors()
        return self.problems

    def fail(self, message: str) -> None:
        self.problems.append(message)

    def when(self, t: int) -> str:
        """`` in <period>`` with periods, nothing without (v1 messages stay as they were)."""
        return "" if self.instance.horizon == 1 else f" in {self.instance.period_ids[t]}"

    def running(self, m: int, t: int) -> bool:
        return m in self.start and t in self.instance.run(m, self.start[m])

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
            if p is None or n is None or not _may_give(inst, p, n):
                self.fail(
                    f"'{row.person_id}' is not eligible for need "
                    f"('{row.mission_id}', '{row.skill_id}')"
                )
            elif row.period not in inst.periods:
                self.fail(f"time of '{row.person_id}' on {row.mission_id} in no period")
            elif row.steps <= 0:
                self.fail(f"time of '{row.person_id}' on {row.mission_id}/{row.skill_id} ≤ 0")
            elif (p, n, row.period) in self.time_on_need:
                self.fail(
                    f"'{row.person_id}' appears twice on {row.mission_id}/{row.skill_id}"
                    + self.when(row.period)
                )
            else:
                self.time_on_need[p, n, row.period] = row.steps
        for kept in sol.ops:
            p = inst.person_index.get(kept.person_id)
            eligible = p is not None and inst.may_cover(p, kept.skill_id, kept.period)
            if not eligible or kept.steps <= 0:
                self.fail(
                    f"'{kept.person_id}' cannot keep {kept.steps} steps on ops "
                    f"'{kept.skill_id}'"
                    + (self.when(kept.period) if kept.period in inst.periods else "")
                )

    def timing(self) -> None:
        """A staffed mission starts inside its window early enough to run its duration;
        only staffed missions have a start."""
        inst = self.instance
        for mission_id in self.solution.starts:
            if mission_id not in self.solution.staffed:
                self.fail(f"mission '{mission_id}' has a start but is not staffed")
        for m, start in self.start.items():
            last_start = inst.latest[m] - inst.duration[m] + 1
            if not inst.earliest[m] <= start <= last_start:
                self.fail(
                    f"mission '{inst.missions[m].mission_id}' starts in period {start + 1}, "
                    f"its window allows periods {inst.earliest[m] + 1}..{last_start + 1}"
                )

    def demand_met_while_running(self) -> None:
        supplied: Counter[tuple[int, int]] = Counter()
        for (_, n, t), steps in self.time_on_need.items():
            supplied[n, t] += steps
        for n, need in enumerate(self.instance.needs):
            mission = self.instance.missions[need.mission]
            for t in self.instance.periods:
                expected = need.demand if self.running(need.mission, t) else 0
                if supplied[n, t] != expected:
                    self.fail(
                        f"need ({mission.mission_id}, {need.skill_id}) gets {supplied[n, t]} "
                        f"steps{self.when(t)}, must get exactly {expected}"
                    )

    def membership(self) -> None:
        inst, sol = self.instance, self.solution
        share: Counter[tuple[str, str, int]] = Counter()
        for (p, n, t), steps in self.time_on_need.items():
            pair = (inst.people[p].person_id, inst.missions[inst.needs[n].mission].mission_id)
            share[(*pair, t)] += steps
            if pair not in sol.members:
                self.fail(f"'{pair[0]}' gives time to '{pair[1]}' without being a member")
        for person_id, mission_id in sol.members:
            m = inst.mission_index.get(mission_id)
            if m is None:
                continue
            if mission_id not in sol.staffed:
                self.fail(f"'{person_id}' is a member of unstaffed mission '{mission_id}'")
                continue
            for t in inst.run(m, self.start[m]):
                given = share[person_id, mission_id, t]
                if given < inst.min_share[m]:
                    self.fail(
                        f"'{person_id}' gives {given} steps to '{mission_id}'{self.when(t)}, "
                        f"below the minimum {inst.min_share[m]}"
                    )

    def time(self) -> None:
        inst = self.instance
        load: Counter[tuple[int, int]] = Counter()
        for (p, _, t), steps in self.time_on_need.items():
            load[p, t] += steps
        for row in self.solution.ops:
            if row.person_id in inst.person_index and row.period in inst.periods:
                load[inst.person_index[row.person_id], row.period] += row.steps
        for (p, t), steps in load.items():
            if steps > inst.capacity[p][t]:
                self.fail(
                    f"'{inst.people[p].person_id}' is booked {steps} steps{self.when(t)}, "
                    f"capacity {inst.capacity[p][t]}"
                )

    def operations_protected(self) -> None:
        inst = self.instance
        covered: Counter[tuple[str, str, int]] = Counter()
        for row in self.solution.ops:
            p = inst.person_index.get(row.person_id)
            if p is not None:
                covered[inst.people[p].unit_id, row.skill_id, row.period] += row.steps
        for need in inst.ops:
            steps = covered[need.unit_id, need.skill_id, need.period]
            if steps < need.required:
                self.fail(
                    f"operations of {need.unit_id}/{need.skill_id} covered {steps} steps"
                    f"{self.when(need.period)}, need {need.required}"
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
        count: Counter[tuple[str, int]] = Counter()
        for person_id, mission_id in self.solution.members:
            m = inst.mission_index.get(mission_id)
            if m in self.start:
                for t in inst.run(m, self.start[m]):
                    count[person_id, t] += 1
        for (person_id, t), missions in count.items():
            p = inst.person_index.get(person_id)
            if p is not None and missions > inst.max_missions[p]:
                self.fail(
                    f"'{person_id}' is on {missions} missions{self.when(t)}, "
                    f"at most {inst.max_missions[p]}"
                )

    def capabilities(self) -> None:
        inst = self.instance
        for limit in inst.capabilities:
            for t in inst.periods:
                used = sum(units for m, units in limit.usage if self.running(m, t))
                if used > limit.available:
                    self.fail(
                        f"capability '{limit.capability_id}' used {used} units{self.when(t)}, "
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

    def learners_and_mentors(self) -> None:
        """§6.11 (v3): a learner candidate gives time only as a learner; learners and
        mentors are candidates for their role, on the team, and work on the need in every
        period it runs; no need has more learners than its mentors can take."""
        inst, sol = self.instance, self.solution
        settings = inst.settings
        if not (settings.has_learners or sol.learners or sol.mentors):
            return  # nobody is a learner candidate: time below the level is already refused
        counts: dict[str, Counter[int]] = {"learner": Counter(), "mentor": Counter()}
        for role, rows in (("learner", sol.learners), ("mentor", sol.mentors)):
            for person_id, mission_id, skill_id in sorted(rows):
                p = inst.person_index.get(person_id)
                n = inst.need_index.get((mission_id, skill_id))
                where = f"need ('{mission_id}', '{skill_id}')"
                if p is None or n is None or not self._may_take(role, p, n):
                    self.fail(f"'{person_id}' cannot be a {role} on {where}")
                    continue
                if (person_id, mission_id) not in sol.members:
                    self.fail(f"'{person_id}' is a {role} on {where} but not on its team")
                need = inst.needs[n]
                least = min(inst.min_share[need.mission], need.demand)
                for t in inst.periods:
                    given = self.time_on_need.get((p, n, t), 0)
                    if least and self.running(need.mission, t) and given < least:
                        self.fail(
                            f"'{person_id}' is a {role} on {where} but gives it "
                            f"{inst.fte(given)} FTE{self.when(t)}, below {inst.fte(least)}"
                        )
                counts[role][n] += 1
        for p, n, t in self.time_on_need:
            need = inst.needs[n]
            mission_id = inst.missions[need.mission].mission_id
            person_id = inst.people[p].person_id
            if p not in need.eligible and (person_id, mission_id, need.skill_id) not in (
                sol.learners
            ):
                self.fail(
                    f"'{person_id}' gives time to need ('{mission_id}', '{need.skill_id}')"
                    f"{self.when(t)} below its level without being a learner there"
                )
        for n, learners in counts["learner"].items():
            mentors = counts["mentor"][n]
            if learners > settings.learners_per_mentor * mentors:
                need = inst.needs[n]
                self.fail(
                    f"need ('{inst.missions[need.mission].mission_id}', '{need.skill_id}') has "
                    f"{learners} learners and {mentors} mentors; each mentor takes at most "
                    f"{settings.learners_per_mentor}"
                )

    def _may_take(self, role: str, p: int, n: int) -> bool:
        """``p`` is a learner (or mentor) candidate for need ``n`` under MODEL.md v3 §4,
        worked out from levels here rather than read from the instance's lists."""
        inst = self.instance
        settings = inst.settings
        need = inst.needs[n]
        level = inst.eligibility.level.get((inst.people[p].person_id, need.skill_id), 0)
        if settings.stretch_levels == 0:
            return False
        if role == "mentor":
            mentor_level = max(need.min_level, settings.mentor_min_level)
            return p in need.eligible and level >= mentor_level
        lowest = max(1, need.min_level - settings.stretch_levels)
        mission = inst.missions[need.mission]
        return lowest <= level < need.min_level and inst.eligibility.may_join(
            inst.people[p], mission
        )

    def network_share(self) -> None:
        """§6.12 (v3): no unit gives network missions more than its share of its people's
        time in any period, ``N_ut = floor(share · Σ cap_pt + ε)`` (recomputed here from the
        scenario, not read from the instance's pruned list)."""
        inst = self.instance
        scenario = inst.scenario
        share_of = {u: scenario.network_share(u) for u in {p.unit_id for p in inst.people}}
        if all(share >= 1 for share in share_of.values()):
            return  # no cap below 1: the rule cannot be broken
        given: Counter[tuple[str, int]] = Counter()
        total: Counter[tuple[str, int]] = Counter()
        for p, person in enumerate(inst.people):
            for t in inst.periods:
                total[person.unit_id, t] += inst.capacity[p][t]
        for (p, n, t), steps in self.time_on_need.items():
            if inst.missions[inst.needs[n].mission].is_network:
                given[inst.people[p].unit_id, t] += steps
        for (unit_id, t), steps in sorted(given.items()):
            share = share_of[unit_id]
            limit = math.floor(share * total[unit_id, t] + EPSILON)
            if steps > limit:
                self.fail(
                    f"unit '{unit_id}' gives network missions {inst.fte(steps)} FTE"
                    f"{self.when(t)}, above its cap of {inst.fte(limit)} FTE "
                    f"({share:.0%} of its people's time)"
                )

    def sequence(self) -> None:
        """A mission ``after`` others runs only if each of them does, and only once each is
        over."""
        inst = self.instance
        for m, start in self.start.items():
            for before in inst.after[m]:
                mission, other = inst.missions[m].mission_id, inst.missions[before].mission_id
                if before not in self.start:
                    self.fail(f"mission '{mission}' runs after '{other}', which is not staffed")
                elif start < self.start[before] + inst.duration[before]:
                    self.fail(
                        f"mission '{mission}' starts in period {start + 1}, before '{other}' "
                        f"ends (period {self.start[before] + inst.duration[before]})"
                    )


def _may_give(instance: Instance, p: int, n: int) -> bool:
    """``a_pnt`` may exist: ``p`` is eligible for need ``n`` or a learner candidate there."""
    need = instance.needs[n]
    return p in need.eligible or p in need.learners
