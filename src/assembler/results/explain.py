"""Plain-language reasons why missions were left unstaffed.

A planner looking at an unstaffed mission wants to know whether it *cannot* be staffed
(nobody has the skill, too few candidates, a tool is used up, no time left) or whether the
optimiser merely found better uses for the people.  Each test below is a cheap, sufficient
reason read from the integer data and the solution; they run from the most structural to
the most situational and the first that applies is reported.  Only when none applies does
the mission fall back to the trade-off explanation, which is then the honest answer.

With periods a situational reason must hold whichever start the mission could take, and it
names the period that lacks what ("in 2027-Q1 the eligible people with triage ≥ 3 have
0.2 FTE free, it needs 1 FTE").
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable

from assembler.compile.eligibility import condition
from assembler.compile.instance import Instance, Need
from assembler.domain.solution import Solution
from assembler.results.names import Names
from assembler.text import plural

NOT_WORTH_IT = (
    "not worth it at current weights: its eligible people create more value elsewhere "
    "or are needed for operations"
)


def explain_unstaffed(instance: Instance, solution: Solution) -> dict[str, str]:
    """Mission id → reason, for every mission of ``instance`` that ``solution`` leaves unstaffed."""
    explainer = _Explainer(instance, solution)
    return {
        mission.mission_id: explainer.reason(m)
        for m, mission in enumerate(instance.missions)
        if mission.mission_id not in solution.staffed
    }


class _Explainer:
    """Per-solution figures shared by all missions (free time, capability use), computed once."""

    def __init__(self, instance: Instance, solution: Solution) -> None:
        self.instance = instance
        self.solution = solution
        self.names = Names.of(instance.scenario)
        self.free = self._free_steps()
        self.capability_left = self._capability_left()
        self.capability_use: dict[int, list[tuple[str, int]]] = defaultdict(list)
        for limit in instance.capabilities:
            for m, units in limit.usage:
                self.capability_use[m].append((limit.capability_id, units))
        self.checks: tuple[Callable[[int], str | None], ...] = (
            self.no_eligible_person,
            self.team_too_small,
            self.too_few_units,
            self.cannot_follow,
            self.capability_exhausted,
            self.no_free_time,
            self.network_cap_reached,
            self.no_value,
        )

    def reason(self, m: int) -> str:
        for check in self.checks:
            found = check(m)
            if found is not None:
                return found
        return NOT_WORTH_IT

    def _free_steps(self) -> list[list[int]]:
        """Per person and period: steps not on missions, counting operational time above
        the protected level as free too.

        Operations carry no cost in the objective, so the solver may park spare time there;
        treating that spare as free (up to each demand's slack) keeps "no free time" an
        upper bound and therefore a true statement.
        """
        inst = self.instance
        free = [list(steps) for steps in inst.capacity]
        for row in self.solution.assignments:
            free[inst.person_index[row.person_id]][row.period] -= row.steps
        ops_need = {
            (need.unit_id, need.skill_id, need.period): o for o, need in enumerate(inst.ops)
        }
        covered: Counter[int] = Counter()
        kept: list[tuple[int, int, int]] = []  # (person, ops need, steps)
        for ops_row in self.solution.ops:
            p = inst.person_index[ops_row.person_id]
            o = ops_need[inst.people[p].unit_id, ops_row.skill_id, ops_row.period]
            covered[o] += ops_row.steps
            kept.append((p, o, ops_row.steps))
        for p, o, steps in kept:
            slack = max(0, covered[o] - inst.ops[o].required)
            free[p][inst.ops[o].period] -= steps - min(steps, slack)
        return free

    def _capability_left(self) -> dict[str, list[int]]:
        """Capability id → units still available in each period after the staffed missions
        running then took theirs."""
        inst = self.instance
        running: dict[int, range] = {
            m: inst.run(m, self.solution.start_of(mission.mission_id, inst.earliest[m]))
            for m, mission in enumerate(inst.missions)
            if mission.mission_id in self.solution.staffed
        }
        return {
            limit.capability_id: [
                limit.available
                - sum(units for m, units in limit.usage if m in running and t in running[m])
                for t in inst.periods
            ]
            for limit in inst.capabilities
        }

    def _when(self, t: int) -> str:
        """``in 2027-Q1 `` with periods; nothing without, so v1 reasons read as before."""
        if not self.instance.scenario.has_horizon:
            return ""
        return f"in {self.instance.scenario.period_name(t)} "

    def _first_failure(self, m: int, fails: Callable[[int], str | None]) -> str | None:
        """The reason ``fails`` gives for some period of every possible start's run, or
        ``None`` if one start has no failing period.  The earliest start's reason is given."""
        reasons = []
        for start in self.instance.starts[m]:
            found = None
            for t in self.instance.run(m, start):
                found = fails(t)
                if found is not None:
                    break
            if found is None:
                return None
            reasons.append(found)
        return reasons[0] if reasons else None

    def _needs(self, m: int) -> list[Need]:
        return [self.instance.needs[n] for n in self.instance.needs_of[m]]

    def no_eligible_person(self, m: int) -> str | None:
        """A need nobody may fill: the mission can never be staffed.  Eligibility words it
        with the skill's and the branch's ids; they are told again by name."""
        inst = self.instance
        mission = inst.missions[m]
        for need in self._needs(m):
            if not need.eligible:
                reason = inst.eligibility.why_unfillable(mission, need.skill_id, need.min_level)
                reason = reason.replace(
                    f"skill {need.skill_id} ≥", f"skill {self.names.skill(need.skill_id)} ≥"
                )
                branch = condition(mission, inst.settings).branch_of
                if branch is not None:
                    reason = reason.replace(
                        f"the {branch} branch", f"the {self.names.unit(branch)} branch"
                    )
                return reason
        return None

    def team_too_small(self, m: int) -> str | None:
        """Fewer candidates than the minimum team size."""
        needed, eligible = self.instance.missions[m].min_team, len(self.instance.candidates[m])
        if eligible >= needed:
            return None
        who = plural(eligible, "person", "people")
        verb = "is" if eligible == 1 else "are"
        return f"needs a team of {needed} but only {who} {verb} eligible"

    def too_few_units(self, m: int) -> str | None:
        """A network mission whose candidates cannot reach the required breadth of units."""
        inst = self.instance
        if not inst.needs_breadth(m):
            return None
        required = inst.settings.network_min_units
        units = {inst.people[p].unit_id for p in inst.candidates[m]}
        if len(units) >= required:
            return None
        who = "volunteers" if inst.settings.network_opt_in_required else "people"
        return (
            f"eligible {who} come from only {plural(len(units), 'unit')}, "
            f"network missions need {required}"
        )

    def cannot_follow(self, m: int) -> str | None:
        """A mission ``after`` another that is unstaffed, or that ends too late for it."""
        inst = self.instance
        for before in inst.after[m]:
            other = inst.missions[before].mission_id
            named = self.names.mission(other)
            if other not in self.solution.staffed:
                return f"it runs after {named}, which is not staffed"
            ends = self.solution.start_of(other, inst.earliest[before]) + inst.duration[before]
            if not any(start >= ends for start in inst.starts[m]):
                return f"it runs after {named}, which ends too late for its window"
        return None

    def capability_exhausted(self, m: int) -> str | None:
        """A capability the mission needs has fewer units left than it takes, in some
        period of every run it could have."""

        def short(t: int) -> str | None:
            for capability_id, units in self.capability_use[m]:
                left = self.capability_left[capability_id][t]
                if units > left:
                    return (
                        f"capability {self.names.capability(capability_id)} exhausted "
                        f"{self._when(t)}"
                        f"(needs {plural(units, 'unit')}, {left} left)"
                    )
            return None

        return self._first_failure(m, short)

    def no_free_time(self, m: int) -> str | None:
        """A need whose eligible people together have less free time than it demands, in
        some period of every run it could have."""
        inst = self.instance

        def short(t: int) -> str | None:
            for need in self._needs(m):
                free = sum(self.free[p][t] for p in need.giving)
                if free < need.demand:
                    return (
                        f"{self._when(t)}eligible people with skill "
                        f"{self.names.skill(need.skill_id)} ≥ "
                        f"{need.min_level} have only {inst.fte(free):g} FTE free, "
                        f"it needs {inst.fte(need.demand):g} FTE"
                    )
            return None

        return self._first_failure(m, short)

    def network_cap_reached(self, m: int) -> str | None:
        """A network mission whose volunteers' units have used their network cap (MODEL.md
        v3 §6.12): what the caps leave them is less than it needs, in some period of every
        run it could have."""
        inst = self.instance
        if not inst.network_cap or not inst.is_network(m):
            return None
        given: Counter[tuple[str, int]] = Counter()
        for row in self.solution.assignments:
            if inst.is_network(inst.mission_index[row.mission_id]):
                given[inst.people[inst.person_index[row.person_id]].unit_id, row.period] += (
                    row.steps
                )
        demand = sum(need.demand for need in self._needs(m))

        def short(t: int) -> str | None:
            free: Counter[str] = Counter()
            for p in inst.candidates[m]:
                free[inst.people[p].unit_id] += max(0, self.free[p][t])
            room = {
                u: min(steps, inst.network_limit(u, t) - given[u, t])
                if u in inst.capped_units
                else steps
                for u, steps in free.items()
            }
            capped = sorted(u for u in room if u in inst.capped_units and room[u] < free[u])
            if sum(max(0, steps) for steps in room.values()) >= demand or not capped:
                return None
            return (
                f"{self._when(t)}the network caps of {', '.join(capped)} leave its volunteers "
                f"{inst.fte(sum(max(0, steps) for steps in room.values())):g} FTE, it needs "
                f"{inst.fte(demand):g} FTE"
            )

        return self._first_failure(m, short)

    def no_value(self, m: int) -> str | None:
        """Without value in the score, a team mostly costs memberships: say so rather than
        suggest its people are better used elsewhere."""
        inst = self.instance
        if inst.settings.weights.value * inst.value[m] > 0:
            return None
        return "it has no value at current weights"
