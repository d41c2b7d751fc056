"""The constraint families of MODEL.md §6, one small method each.

``guard`` is how infeasibility diagnosis works: when given, the commitments (§6.9) and the
operations protection (§6.4) are enforced only under an assumption literal that it returns,
so CP-SAT can name the subset that clashes.  Without it the model is exactly the spec's.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from ortools.sat.python import cp_model

from assembler.compile.instance import Instance
from assembler.solver.variables import Variables

Guard = Callable[[cp_model.CpModel, str], cp_model.IntVar]


class Constraints:
    def __init__(
        self,
        model: cp_model.CpModel,
        instance: Instance,
        variables: Variables,
        guard: Guard | None = None,
    ) -> None:
        self.model = model
        self.instance = instance
        self.vars = variables
        self.guard = guard

    def add_all(self) -> None:
        self.demand_met_if_staffed()
        self.membership()
        self.time()
        self.operations_protected()
        self.team_size()
        self.focus()
        self.capabilities()
        self.network_breadth()
        self.commitments()

    def _guarded(self, constraint: cp_model.Constraint, label: str) -> None:
        if self.guard is not None:
            constraint.only_enforce_if(self.guard(self.model, label))

    def demand_met_if_staffed(self) -> None:
        """§6.1 ``Σ_p a_pmk = D_mk · y_m``: a staffed mission gets exactly what it needs."""
        time, staffed = self.vars.time, self.vars.staffed
        for n, need in enumerate(self.instance.needs):
            supply = cp_model.LinearExpr.sum([time[p, n] for p in need.eligible])
            self.model.add(supply == need.demand * staffed[need.mission])

    def membership(self) -> None:
        """§6.2: time only through membership, a member gives at least the minimum share,
        and only staffed missions have members."""
        instance, time, member = self.instance, self.vars.time, self.vars.member
        shares: dict[tuple[int, int], list[cp_model.IntVar]] = defaultdict(list)
        for n, need in enumerate(instance.needs):
            for p in need.eligible:
                var = time[p, n]
                self.model.add(var <= need.demand * member[p, need.mission])
                shares[p, need.mission].append(var)
        for (p, m), x in member.items():
            share = cp_model.LinearExpr.sum(shares[p, m])
            self.model.add(share >= instance.min_share[m] * x)
            self.model.add_implication(x, self.vars.staffed[m])

    def time(self) -> None:
        """§6.3: nobody gives more than their capacity to missions and operations together."""
        for p, load in self.vars.time_of_person().items():
            self.model.add(cp_model.LinearExpr.sum(load) <= self.instance.capacity[p])

    def operations_protected(self) -> None:
        """§6.4: each operational demand keeps its protected requirement ``R_uk`` covered."""
        for o, need in enumerate(self.instance.ops):
            cover = cp_model.LinearExpr.sum([self.vars.ops[p, o] for p in need.eligible])
            constraint = self.model.add(cover >= need.required)
            self._guarded(
                constraint,
                f"operations of unit '{need.unit_id}' in skill "
                f"'{need.skill_id}' need {self.instance.fte(need.required)} FTE "
                f"(demand {need.demand_fte} + buffer)",
            )

    def team_size(self) -> None:
        """§6.5 ``min_team · y ≤ Σ_p x_pm ≤ max_team · y``."""
        members = self._members_of_mission()
        for m, mission in enumerate(self.instance.missions):
            size = cp_model.LinearExpr.sum(members[m])
            y = self.vars.staffed[m]
            if mission.min_team > 0:
                self.model.add(size >= mission.min_team * y)
            if mission.max_team is not None:
                self.model.add(size <= mission.max_team * y)

    def focus(self) -> None:
        """§6.6: each person joins at most ``maxm_p`` missions."""
        missions_of: dict[int, list[cp_model.IntVar]] = defaultdict(list)
        for (p, _), x in self.vars.member.items():
            missions_of[p].append(x)
        for p, xs in missions_of.items():
            if len(xs) > self.instance.max_missions[p]:
                self.model.add(cp_model.LinearExpr.sum(xs) <= self.instance.max_missions[p])

    def capabilities(self) -> None:
        """§6.7: missions share what processes, information and tools have left after operations."""
        for limit in self.instance.capabilities:
            if not limit.usage:
                continue
            use = cp_model.LinearExpr.weighted_sum(
                [self.vars.staffed[m] for m, _ in limit.usage], [units for _, units in limit.usage]
            )
            self.model.add(use <= limit.available)

    def network_breadth(self) -> None:
        """§6.8: a staffed network mission draws members from ``network_min_units`` units."""
        min_units = self.instance.settings.network_min_units
        people = self.instance.people
        for m in range(len(self.instance.missions)):
            if not self.instance.needs_breadth(m):
                continue
            by_unit: dict[str, list[cp_model.IntVar]] = defaultdict(list)
            for p in self.instance.candidates[m]:
                by_unit[people[p].unit_id].append(self.vars.member[p, m])
            represented = []
            for unit_id, xs in by_unit.items():
                z = self.model.new_bool_var(f"z[{unit_id},{m}]")
                self.model.add(z <= cp_model.LinearExpr.sum(xs))
                self.vars.represented[unit_id, m] = z
                represented.append(z)
            self.model.add(cp_model.LinearExpr.sum(represented) >= min_units * self.vars.staffed[m])

    def commitments(self) -> None:
        """§6.9: mandatory missions are staffed, pinned people are on their team."""
        instance = self.instance
        for m in instance.mandatory:
            constraint = self.model.add(self.vars.staffed[m] == 1)
            self._guarded(constraint, f"mission '{instance.missions[m].mission_id}' is mandatory")
        for p, m in instance.pins:
            x = self.vars.member.get((p, m))
            label = (
                f"'{instance.people[p].person_id}' is pinned to '{instance.missions[m].mission_id}'"
            )
            constraint = self.model.add(x == 1) if x is not None else self.model.add_bool_or([])
            self._guarded(constraint, label)

    def _members_of_mission(self) -> dict[int, list[cp_model.IntVar]]:
        members: dict[int, list[cp_model.IntVar]] = defaultdict(list)
        for (_, m), x in self.vars.member.items():
            members[m].append(x)
        return members
