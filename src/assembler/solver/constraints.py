"""The constraint families of MODEL.md §6, one small method each.

``guard`` is how infeasibility diagnosis works: when given, the commitments (§6.9) and the
operations protection (§6.4) are enforced only under an assumption literal that it returns,
so CP-SAT can name the subset that clashes.  Without it the model is exactly the spec's.

Constraints are written on the variables that exist (see ``variables``): where a person has
no time in a period there is no ``a``, and ``r_mt`` of a mission fixed in time is ``y_m``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from ortools.sat.python import cp_model

from assembler.compile.instance import Instance
from assembler.solver.stopping import UNTIMED, Clock
from assembler.solver.variables import Literal, Variables

Guard = Callable[[cp_model.CpModel, str], cp_model.IntVar]

LinearSum = cp_model.LinearExpr


class Constraints:
    def __init__(
        self,
        model: cp_model.CpModel,
        instance: Instance,
        variables: Variables,
        guard: Guard | None = None,
        clock: Clock = UNTIMED,
    ) -> None:
        self.model = model
        self.instance = instance
        self.vars = variables
        self.guard = guard
        self.clock = clock
        """Checked once an item in the large families: a long horizon builds for minutes."""
        self.time_on: dict[tuple[int, int, int], list[cp_model.IntVar]] = defaultdict(list)
        """(person, mission, period) → the person's time variables on the mission's needs."""
        for (p, n, t), var in variables.time.items():
            self.time_on[p, instance.needs[n].mission, t].append(var)

    def add_all(self) -> None:
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
        self.learning_under_a_mentor()
        self.mentors_work_on_the_need()
        self.enough_mentors()

    def _guarded(self, constraint: cp_model.Constraint, label: str) -> None:
        if self.guard is not None:
            constraint.only_enforce_if(self.guard(self.model, label))

    def _running(self, m: int, t: int) -> Literal | None:
        """``r_mt``, or ``None`` where the mission cannot run in ``t``."""
        return self.vars.running.get((m, t))

    def demand_met_while_running(self) -> None:
        """§6.1 ``Σ_p a_pmkt = D_mk · r_mt``: a running mission gets exactly what it needs
        in every period of its run (the single start is in ``variables``)."""
        supply: dict[tuple[int, int], list[cp_model.IntVar]] = defaultdict(list)
        for (_, n, t), var in self.vars.time.items():
            supply[n, t].append(var)
        for n, need in enumerate(self.instance.needs):
            self.clock.check()
            for t in self.instance.window(need.mission):
                running = self._running(need.mission, t)
                assert running is not None
                given = LinearSum.sum(supply[n, t])
                self.model.add(given == need.demand * running)

    def membership(self) -> None:
        """§6.2: time only through membership, a member gives at least the minimum share in
        every period the mission runs, and only staffed missions have members.

        ``w_pmt`` appears here through its definition (``w ≥ x + r − 1``, ``w ≤ x``,
        ``w ≤ r``): ``Σ_k a ≥ A · w`` holds for every such ``w`` exactly when
        ``Σ_k a ≥ A · (x + r − 1)``, which needs no variable.
        """
        instance, member, learning = self.instance, self.vars.member, self.vars.learning
        for (p, n, t), var in self.vars.time.items():
            self.clock.check()
            if (p, n) in learning:  # ``a ≤ D · g`` (learning_under_a_mentor) and g ≤ x
                continue
            need = instance.needs[n]
            # ``a ≤ D · x`` with ``a``'s own upper bound, min(D, cap): the same integer set,
            # a tighter linear relaxation.
            bound = min(need.demand, instance.capacity[p][t])
            self.model.add(var <= bound * member[p, need.mission])
        for (p, m), x in member.items():
            self.clock.check()
            self.model.add_implication(x, self.vars.staffed[m])
            share = instance.min_share[m]
            for t in instance.window(m):
                given = LinearSum.sum(self.time_on[p, m, t])
                if len(self.time_on[p, m, t]) > 1:  # all of a member's needs together
                    self.model.add(given <= instance.capacity[p][t] * x)
                if share == 0:
                    continue
                running = self._running(m, t)
                assert running is not None
                if running is self.vars.staffed[m]:  # x ≤ y makes x + y − 1 = x
                    self.model.add(given >= share * x)
                else:
                    self.model.add(given >= share * (x + running - 1))

    def time(self) -> None:
        """§6.3: nobody gives more than their capacity in a period, missions and operations
        together (sums that cannot exceed it are left out)."""
        capacity = self.instance.capacity
        load: dict[tuple[int, int], list[cp_model.IntVar]] = defaultdict(list)
        bound: dict[tuple[int, int], int] = defaultdict(int)
        for (p, n, t), var in self.vars.time.items():
            load[p, t].append(var)
            bound[p, t] += min(self.instance.needs[n].demand, capacity[p][t])
        for (p, o), var in self.vars.ops.items():
            t = self.instance.ops[o].period
            load[p, t].append(var)
            bound[p, t] += capacity[p][t]
        for (p, t), variables in load.items():
            self.clock.check()
            if bound[p, t] > capacity[p][t]:
                self.model.add(LinearSum.sum(variables) <= capacity[p][t])

    def operations_protected(self) -> None:
        """§6.4: each operational demand keeps its protected requirement ``R_ukt`` covered."""
        instance = self.instance
        for o, need in enumerate(instance.ops):
            self.clock.check()
            cover = LinearSum.sum([self.vars.ops[p, o] for p in need.eligible])
            constraint = self.model.add(cover >= need.required)
            when = "" if instance.horizon == 1 else f" in {instance.period_ids[need.period]}"
            self._guarded(
                constraint,
                f"operations of unit '{need.unit_id}' in skill "
                f"'{need.skill_id}'{when} need {instance.fte(need.required)} FTE "
                f"(demand {need.demand_fte} + buffer)",
            )

    def team_size(self) -> None:
        """§6.5 ``min_team · y ≤ Σ_p x_pm ≤ max_team · y``."""
        members = self._members_of_mission()
        for m, mission in enumerate(self.instance.missions):
            size = LinearSum.sum(members[m])
            y = self.vars.staffed[m]
            if mission.min_team > 0:
                self.model.add(size >= mission.min_team * y)
            if mission.max_team is not None:
                self.model.add(size <= mission.max_team * y)

    def focus(self) -> None:
        """§6.6: in every period each person works on at most ``maxm_p`` missions.

        ``w_pmt`` is ``x_pm`` for a mission fixed in time; for the others it is a literal
        forced up by ``x ∧ r`` (only its lower side matters under an upper limit).  Periods
        in which a person cannot be on more missions than allowed get no constraint.
        """
        instance, vars_ = self.instance, self.vars
        working: dict[tuple[int, int], list[tuple[int, cp_model.IntVar]]] = defaultdict(list)
        for (p, m), x in vars_.member.items():
            for t in instance.window(m):
                working[p, t].append((m, x))
        for (p, t), candidates in working.items():
            self.clock.check()
            limit = instance.max_missions[p]
            if len(candidates) <= limit:
                continue
            terms = []
            for m, x in candidates:
                running = self._running(m, t)
                assert running is not None
                if running is vars_.staffed[m]:
                    terms.append(x)
                    continue
                w = self.model.new_bool_var(f"w[{p},{m},{t}]")
                self.model.add_bool_or([x.Not(), running.Not(), w])
                vars_.working[p, m, t] = w
                terms.append(w)
            self.model.add(LinearSum.sum(terms) <= limit)

    def capabilities(self) -> None:
        """§6.7: in every period, missions share what processes, information and tools have
        left after operations."""
        for limit in self.instance.capabilities:
            use: dict[int, list[tuple[Literal, int]]] = defaultdict(list)
            for m, units in limit.usage:
                for t in self.instance.window(m):
                    running = self._running(m, t)
                    assert running is not None
                    use[t].append((running, units))
            for t in sorted(use):
                terms = use[t]
                if sum(units for _, units in terms) <= limit.available:
                    continue
                total = LinearSum.weighted_sum([r for r, _ in terms], [u for _, u in terms])
                self.model.add(total <= limit.available)

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
                self.model.add(z <= LinearSum.sum(xs))
                self.vars.represented[unit_id, m] = z
                represented.append(z)
            self.model.add(LinearSum.sum(represented) >= min_units * self.vars.staffed[m])

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

    def sequence(self) -> None:
        """§6.10: a mission ``after`` others is staffed only with each of them and starts
        once each has finished — per start: ``b_mt ≤ Σ b_m't'`` over the starts ``t'`` of
        the other that end before ``t``, the time-indexed form of
        ``start_m ≥ start_m' + d_m'`` (v3: once per mission listed)."""
        instance, vars_ = self.instance, self.vars
        for m, befores in enumerate(instance.after):
            for before in befores:
                self.clock.check()
                self.model.add_implication(vars_.staffed[m], vars_.staffed[before])
                for t in instance.starts[m]:
                    ready = [
                        vars_.starts[before, s]
                        for s in instance.starts[before]
                        if s + instance.duration[before] <= t
                    ]
                    self.model.add(LinearSum.sum(ready) >= vars_.starts[m, t])

    def network_share(self) -> None:
        """§6.12 (v3), the volunteer army is released, not taken: in every period a unit's
        people give network missions at most ``N_ut`` steps.  Built only where the instance
        found it can bind (``Instance.network_cap``), so with share 1 nothing is added."""
        instance = self.instance
        if not instance.network_cap:
            return
        given: dict[tuple[str, int], list[cp_model.IntVar]] = defaultdict(list)
        for (p, n, t), var in self.vars.time.items():
            key = (instance.people[p].unit_id, t)
            if key in instance.network_cap and instance.is_network(instance.needs[n].mission):
                given[key].append(var)
        for (unit_id, t), limit in instance.network_cap.items():
            self.clock.check()
            if given[unit_id, t]:
                self.model.add(LinearSum.sum(given[unit_id, t]) <= limit)

    def _works_whenever_running(self, p: int, n: int, role: Literal) -> None:
        """``a_pmkt ≥ min(A_m, D_mk) · (role + r_mt − 1)`` in every period of the need's
        window; where ``p`` has no time (no ``a``) the role and the run exclude each other."""
        instance = self.instance
        need = instance.needs[n]
        least = min(instance.min_share[need.mission], need.demand)
        if least == 0:
            return
        for t in instance.window(need.mission):
            running = self._running(need.mission, t)
            assert running is not None
            a = self.vars.time.get((p, n, t))
            if a is None:
                self.model.add_bool_or([role.Not(), running.Not()])
            elif running is self.vars.staffed[need.mission]:
                self.model.add(a >= least).only_enforce_if(role)
            else:
                self.model.add(a >= least).only_enforce_if([role, running])

    def learning_under_a_mentor(self) -> None:
        """§6.11 (v3): a learner candidate gives time to the need only as a learner
        (``a ≤ D · g``, with ``a``'s own bound as in ``membership``, which leaves out the
        ``a ≤ D · x`` that this and ``g ≤ x`` imply: on M4's organisation a sixth of the
        constraints v3's parts add), a learner is a member (``g ≤ x``) and works on the
        need in every period the mission runs."""
        instance, vars_ = self.instance, self.vars
        for (p, n), g in vars_.learning.items():
            self.clock.check()
            need = instance.needs[n]
            self.model.add_implication(g, vars_.member[p, need.mission])
            for t in instance.window(need.mission):
                a = vars_.time.get((p, n, t))
                if a is not None:
                    self.model.add(a <= min(need.demand, instance.capacity[p][t]) * g)
            self._works_whenever_running(p, n, g)

    def mentors_work_on_the_need(self) -> None:
        """§6.11 (v3): a mentor is on the team (``h ≤ x``) and works on the need in every
        period the mission runs."""
        instance, vars_ = self.instance, self.vars
        for (p, n), h in vars_.mentoring.items():
            self.clock.check()
            self.model.add_implication(h, vars_.member[p, instance.needs[n].mission])
            self._works_whenever_running(p, n, h)

    def enough_mentors(self) -> None:
        """§6.11 (v3): ``Σ_p g_pmk ≤ learners_per_mentor · Σ_q h_qmk`` on every need with
        learner candidates."""
        if not self.vars.learning:
            return
        per_mentor = self.instance.settings.learners_per_mentor
        learners: dict[int, list[Literal]] = defaultdict(list)
        mentors: dict[int, list[Literal]] = defaultdict(list)
        for (_, n), g in self.vars.learning.items():
            learners[n].append(g)
        for (_, n), h in self.vars.mentoring.items():
            mentors[n].append(h)
        for n, gs in learners.items():
            self.model.add(LinearSum.sum(gs) <= per_mentor * LinearSum.sum(mentors[n]))

    def _members_of_mission(self) -> dict[int, list[cp_model.IntVar]]:
        members: dict[int, list[cp_model.IntVar]] = defaultdict(list)
        for (_, m), x in self.vars.member.items():
            members[m].append(x)
        return members
