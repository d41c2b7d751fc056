"""A constructive heuristic: the plan a careful planner would write by hand.

It serves twice: as the warm start that gives CP-SAT a feasible plan from the first
second on large organisations, and as the "what a user would do instead" peer of the
benchmark.  It is feasible by construction (every rule of MODEL.md §6), never optimal
by promise:

1. operations first — each unit's protected requirements, period by period, are covered
   by a small max-flow over its people, drawing first on those least needed by missions;
2. then missions — committed ones (mandatory, pinned) first, the rest by value per step
   of demand — each staffed completely or not at all, members chosen to keep teams small,
   at the earliest start where the team fits (a mission ``after`` another is tried once
   that one is placed).  A member gives the same time in every period of the run.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterable
from dataclasses import dataclass, field

from assembler.compile.instance import Instance, chain_depths
from assembler.domain.solution import Assignment, OpsAssignment, Solution
from assembler.solver.stopping import UNTIMED, Clock


def greedy_solution(
    instance: Instance, start: Solution | None = None, clock: Clock = UNTIMED
) -> Solution | None:
    """A feasible plan, or ``None`` when the heuristic cannot meet operations or commitments.

    With ``start`` (a previous plan, perhaps of a slightly different scenario) every team
    of it that is still valid is kept and only the rest is planned anew: the warm start
    of an interactive re-solve.  Operations go first, unless that leaves a commitment
    unstaffable: then commitments are staffed first and operations covered around them.
    ``clock`` raises ``OutOfTimeError`` when the solve's time is up.
    """
    attempts: list[tuple[bool, Solution | None]] = [(False, start)] if start else []
    attempts += [(False, None), (True, None)]
    for commitments_first, kept in attempts:
        plan = _Greedy(instance, clock).run(commitments_first, kept)
        if plan is not None:
            return plan
    return None


@dataclass
class _TeamPlan:
    """Time planned for one mission before it is committed: ``(person, need) → steps`` in
    every period of ``run``."""

    time: dict[tuple[int, int], int] = field(default_factory=dict)
    run: range = range(0)

    def share(self, p: int) -> int:
        return sum(steps for (q, _), steps in self.time.items() if q == p)

    def members(self) -> set[int]:
        return {p for (p, _), steps in self.time.items() if steps > 0}

    def move(self, source: int, target: int, n: int, steps: int) -> None:
        self.time[source, n] -= steps
        if not self.time[source, n]:
            del self.time[source, n]
        self.time[target, n] = self.time.get((target, n), 0) + steps


class _Greedy:
    def __init__(self, instance: Instance, clock: Clock) -> None:
        self.inst = instance
        self.clock = clock
        self.free = [list(steps) for steps in instance.capacity]  # person → period → steps
        self.missions_joined = [[0] * instance.horizon for _ in instance.people]
        self.capability_left = {
            c.capability_id: [c.available] * instance.horizon for c in instance.capabilities
        }
        self.capability_use: dict[int, list[tuple[str, int]]] = defaultdict(list)
        for limit in instance.capabilities:
            for m, units in limit.usage:
                self.capability_use[m].append((limit.capability_id, units))
        self.usefulness = [0] * len(instance.people)
        for need in instance.needs:
            for p in need.eligible:
                self.usefulness[p] += 1
        self.pins: dict[int, list[int]] = defaultdict(list)
        self.pinned_to: dict[int, list[int]] = defaultdict(list)
        for p, m in instance.pins:
            self.pins[m].append(p)
            self.pinned_to[p].append(m)
        # (person, period) → ops need of that period → steps: a hand-over search stays in
        # one period, so it never walks a long horizon's other periods.
        self.ops: dict[tuple[int, int], dict[int, int]] = defaultdict(dict)
        self.ops_eligible: dict[int, list[int]] = {}  # ops need → its people, spare-first
        self.planning = _TeamPlan()  # the team being planned, not yet committed
        self.eligible_sets: dict[int, frozenset[int]] = {}
        self.time: dict[tuple[int, int, int], int] = {}  # (person, need, period) → steps
        self.members: set[tuple[int, int]] = set()
        self.staffed: set[int] = set()
        self.start: dict[int, int] = {}
        self.tried: set[int] = set()
        self.network_left = dict(instance.network_cap)  # (unit, period) → steps under its cap

    def run(self, commitments_first: bool, start: Solution | None) -> Solution | None:
        if start is not None:
            self.keep_teams(start)
        committed = set(self.inst.mandatory) | set(self.pins)
        order = self.mission_order(committed)
        if commitments_first and not all(self.place(m) for m in order if m in committed):
            return None
        if not self.cover_operations():
            return None
        self.tried.clear()
        for m in order:
            if not self.place(m) and m in committed:
                return None
        return self.solution()

    def place(self, m: int) -> bool:
        """Staff ``m`` unless done or tried, its ``after`` missions first; true if staffed."""
        if m in self.staffed:
            return True
        if m in self.tried:
            return False
        self.clock.check()
        self.tried.add(m)
        if not all(self.place(before) for before in self.inst.after[m]):
            return False
        return self.staff(m)

    # ------------------------------------------------------------------ a previous plan

    def keep_teams(self, start: Solution) -> None:
        """Commit each team of ``start`` that still satisfies every rule on its own, at the
        start it had (missions ``after`` another only behind a kept one)."""
        inst = self.inst
        teams: dict[int, dict[tuple[int, int, int], int]] = defaultdict(dict)
        broken: set[int] = set()
        for row in start.assignments:
            p = inst.person_index.get(row.person_id)
            n = inst.need_index.get((row.mission_id, row.skill_id))
            m = inst.mission_index.get(row.mission_id)
            if m is None:
                continue
            if p is None or n is None or row.steps <= 0 or row.period not in inst.periods:
                broken.add(m)
            else:
                teams[m][p, n, row.period] = row.steps
        for m in self._chain_order(teams):
            mission_id = inst.missions[m].mission_id
            begin = start.start_of(mission_id, inst.earliest[m])
            staffed = mission_id in start.staffed
            if staffed and m not in broken and self._still_valid(m, begin, teams[m]):
                self._commit(m, begin, teams[m])

    def _chain_order(self, missions: Iterable[int]) -> list[int]:
        """``missions`` with every ``after`` mission before those that follow it."""
        ordered: dict[int, None] = {}

        def visit(m: int, depth: int) -> None:
            if m in ordered:  # with several befores a mission is reached by many paths
                return
            if depth < len(self.inst.missions):
                for before in self.inst.after[m]:
                    visit(before, depth + 1)
            ordered[m] = None

        chosen = set(missions)
        for m in sorted(chosen):
            visit(m, 0)
        return [m for m in ordered if m in chosen]

    def _still_valid(self, m: int, begin: int, team: dict[tuple[int, int, int], int]) -> bool:
        inst = self.inst
        mission = inst.missions[m]
        if begin not in inst.starts[m] or not self._follows(m, begin):
            return False
        run = inst.run(m, begin)
        if not self._capabilities_fit(m, run):
            return False
        supplied: dict[tuple[int, int], int] = defaultdict(int)
        share: dict[tuple[int, int], int] = defaultdict(int)
        for (p, n, t), steps in team.items():
            if inst.needs[n].mission != m or p not in self._eligible(n) or t not in run:
                return False
            supplied[n, t] += steps
            share[p, t] += steps
        if any(supplied[n, t] != inst.needs[n].demand for n in inst.needs_of[m] for t in run):
            return False
        members = {p for p, _, _ in team}
        for p in members:
            for t in run:
                joined = self.missions_joined[p][t] < inst.max_missions[p]
                if share[p, t] < inst.min_share[m] or share[p, t] > self.free[p][t] or not joined:
                    return False
        size_ok = len(members) >= mission.min_team and (
            mission.max_team is None or len(members) <= mission.max_team
        )
        units = {inst.people[p].unit_id for p in members}
        broad = not inst.needs_breadth(m) or len(units) >= inst.settings.network_min_units
        return (
            size_ok
            and broad
            and set(self.pins[m]) <= members
            and self._within_network_caps(m, team)
        )

    def _network_room(self, p: int, run: range) -> int:
        """What ``p``'s unit has left under its network cap in the tightest period of
        ``run`` (its people are tried last on a network mission when that is too little)."""
        unit_id = self.inst.people[p].unit_id
        return min((self.network_left.get((unit_id, t), self.free[p][t]) for t in run), default=0)

    def _within_network_caps(self, m: int, team: dict[tuple[int, int, int], int]) -> bool:
        """A network team fits what its members' units have left under their caps in every
        period (MODEL.md v3 §6.12); a team that does not is not placed at that start."""
        inst = self.inst
        if not inst.network_cap or not inst.is_network(m):
            return True
        given: dict[tuple[str, int], int] = defaultdict(int)
        for (p, _, t), steps in team.items():
            given[inst.people[p].unit_id, t] += steps
        return all(steps <= self.network_left.get(key, steps) for key, steps in given.items())

    def _follows(self, m: int, begin: int) -> bool:
        """Starting in ``begin`` respects ``after``: each such mission is placed and over by
        then."""
        return all(
            before in self.start and self.start[before] + self.inst.duration[before] <= begin
            for before in self.inst.after[m]
        )

    def _capabilities_fit(self, m: int, run: range) -> bool:
        return all(
            units <= self.capability_left[c][t] for c, units in self.capability_use[m] for t in run
        )

    def _eligible(self, n: int) -> frozenset[int]:
        if n not in self.eligible_sets:
            self.eligible_sets[n] = frozenset(self.inst.needs[n].eligible)
        return self.eligible_sets[n]

    # ------------------------------------------------------------------ operations

    def cover_operations(self) -> bool:
        """Per unit and period, a max-flow from people's capacity to protected requirements.

        Pinned people's minimum share is held back first (over the run of the mission's
        earliest start), so operations do not absorb a commitment; if operations need that
        time too, they get it.
        """
        before = [list(free) for free in self.free]
        for m, pinned in self.pins.items():
            if m not in self.staffed and self.inst.starts[m]:
                for p in pinned:
                    for t in self.inst.run(m, self.inst.starts[m].start):
                        self.free[p][t] -= min(self.free[p][t], max(self.inst.min_share[m], 1))
        if self._cover_all_units():
            load = self._ops_load()
            self.free = [
                [free - kept for free, kept in zip(frees, kepts, strict=True)]
                for frees, kepts in zip(before, load, strict=True)
            ]
            return True
        self.free = before
        self.ops.clear()
        return self._cover_all_units()

    def _ops_load(self) -> list[list[int]]:
        load = [[0] * self.inst.horizon for _ in self.free]
        for (p, t), needs in self.ops.items():
            load[p][t] += sum(needs.values())
        return load

    def _cover_all_units(self) -> bool:
        needs_of_unit: dict[tuple[str, int], list[int]] = defaultdict(list)
        for o, need in enumerate(self.inst.ops):
            needs_of_unit[need.unit_id, need.period].append(o)
        return all(self._cover_unit(needs) for needs in needs_of_unit.values())

    def _cover_unit(self, needs: list[int]) -> bool:
        """One unit's demands in one period."""
        inst = self.inst
        t = inst.ops[needs[0]].period
        for o in needs:
            self.ops_eligible[o] = sorted(
                inst.ops[o].eligible, key=lambda p: (self.usefulness[p], -self.free[p][t])
            )
        missing = {o: inst.ops[o].required for o in needs}
        capacity = {o: sum(self.free[p][t] for p in self.ops_eligible[o]) for o in needs}
        for o in sorted(needs, key=lambda o: capacity[o] - missing[o]):
            while missing[o] > 0:
                path = self._augmenting_path(o)
                if path is None:
                    return False
                missing[o] -= self._push(path, missing[o])
        return True

    def release(self, p: int, t: int, wanted: int) -> None:
        """Free up to ``wanted`` steps of ``p``'s ops time in period ``t`` by handing it to
        colleagues.

        Operations stay covered — only who covers them changes — so nothing needs undoing
        if the mission that asked is not staffed after all.
        """
        held = self.ops[p, t]
        for o in list(held):
            while wanted > 0 and held[o] > 0:
                path = self._augmenting_path(o, exclude=p)
                if path is None:
                    break
                moved = self._push(path, min(wanted, held[o]))
                held[o] -= moved
                self.free[p][t] += moved
                wanted -= moved

    def release_over_run(self, p: int, target: int) -> None:
        """Bring ``p``'s spare time up to ``target`` steps in every period of the run."""
        for t in self.planning.run:
            if self.spare(p, t) < target:
                self.release(p, t, target - self.spare(p, t))

    def _augmenting_path(
        self, target: int, exclude: int | None = None
    ) -> list[tuple[int, int]] | None:
        """Breadth-first: a person with free time, or a chain of people handing over ops load
        (all in the period of ``target``).

        Returns ``[(person, need), …]`` from the person with free time to ``target``.
        """
        self.clock.check()
        t = self.inst.ops[target].period
        came_from: dict[int, tuple[int, int] | None] = {target: None}  # need → (person, next need)
        queue = deque([target])
        seen_people: set[int] = set() if exclude is None else {exclude}
        while queue:
            o = queue.popleft()
            for p in self.ops_eligible[o]:
                if p in seen_people:
                    continue
                seen_people.add(p)
                if self.spare(p, t) > 0:
                    path = [(p, o)]
                    while (link := came_from[path[-1][1]]) is not None:
                        path.append(link)
                    return path
                for other, steps in self.ops[p, t].items():
                    if steps > 0 and other not in came_from:
                        came_from[other] = (p, o)
                        queue.append(other)
        return None

    def _push(self, path: list[tuple[int, int]], limit: int) -> int:
        """Push up to ``limit`` steps along ``path``: the first person takes on load, each
        next one hands some of theirs on.  Returns the steps pushed."""
        t = self.inst.ops[path[0][1]].period
        amount = min(self.spare(path[0][0], t), limit)
        for i in range(1, len(path)):
            p, _ = path[i]
            amount = min(amount, self.ops[p, t][path[i - 1][1]])
        self.free[path[0][0]][t] -= amount
        for i, (p, o) in enumerate(path):
            self.ops[p, t][o] = self.ops[p, t].get(o, 0) + amount
            if i + 1 < len(path):
                self.ops[path[i + 1][0], t][o] -= amount
        return amount

    # ------------------------------------------------------------------ missions

    def mission_order(self, committed: set[int]) -> list[int]:
        inst = self.inst

        def density(m: int) -> float:
            demand = sum(inst.needs[n].demand for n in inst.needs_of[m]) or 1
            return inst.value[m] / demand

        worth = [
            m
            for m in range(len(inst.missions))
            if m in committed or inst.settings.weights.value * inst.value[m] > 0
        ]
        tail = self.chain_tails()

        def priority(m: int) -> tuple[bool, float, int]:
            if m in committed:  # longest chain first; of equal chains, the scarcest staff
                return False, -tail[m], len(inst.candidates[m])
            return True, -density(m), 0

        return sorted(worth, key=priority)

    def chain_tails(self) -> list[int]:
        """Per mission, the periods from its start to the end of the longest chain of
        missions ``after`` it: the critical path.  Commitments are placed longest tail
        first — a list schedule's priority rule — so a long chain of mandatory missions
        starts early instead of waiting behind short ones that happen to come first in the
        file.  On 60 project-scheduling instances (``generate.projects``, 100–200 tasks,
        4–15 people) the greedy found no plan for 12 in file order, for 1 by the chains
        alone and for none with ties broken by the fewest eligible people."""
        inst = self.inst
        depth = chain_depths(inst.after)  # a follower is deeper than each of its befores
        tail = list(inst.duration)
        for m in sorted(range(len(inst.missions)), key=lambda m: -depth[m]):
            for before in inst.after[m]:  # deeper missions are final when a predecessor reads them
                tail[before] = max(tail[before], inst.duration[before] + tail[m])
        return tail

    def can_join(self, p: int, m: int, plan: _TeamPlan) -> bool:
        """``p`` has a mission slot left in every period of the run, beside one kept for
        each other mission they are pinned to and that is not staffed yet: a person with
        one slot, pinned to a mission, must not spend it on another team first (10,000
        people with commitments: the greedy found no plan for that alone)."""
        already = any(q == p for q, _ in plan.time)
        pending = sum(1 for other in self.pinned_to[p] if other != m and other not in self.staffed)
        limit = self.inst.max_missions[p] - pending
        return already or all(self.missions_joined[p][t] < limit for t in plan.run)

    def spare(self, p: int, t: int) -> int:
        """Time in period ``t`` neither committed nor planned for the team in progress."""
        planned = self.planning.share(p) if t in self.planning.run else 0
        return self.free[p][t] - planned

    def spare_over_run(self, p: int) -> int:
        """What ``p`` can give in every period of the run of the team in progress."""
        return min(self.spare(p, t) for t in self.planning.run)

    def staff(self, m: int) -> bool:
        """Plan the whole team at the earliest start where it fits; commit it only if every
        rule holds."""
        for begin in self.inst.starts[m]:
            run = self.inst.run(m, begin)
            if not self._follows(m, begin) or not self._capabilities_fit(m, run):
                continue
            self.planning = _TeamPlan(run=run)
            try:
                if self._plan_team(m, self.planning) and self._within_network_caps(
                    m, team := self._uniform(self.planning)
                ):
                    self._commit(m, begin, team)
                    return True
            finally:
                self.planning = _TeamPlan()
        return False

    @staticmethod
    def _uniform(plan: _TeamPlan) -> dict[tuple[int, int, int], int]:
        """The planned team's time in every period of its run."""
        return {(p, n, t): steps for (p, n), steps in plan.time.items() for t in plan.run}

    def _plan_team(self, m: int, plan: _TeamPlan) -> bool:
        inst = self.inst
        mission = inst.missions[m]
        share = max(inst.min_share[m], 1)
        if not all(self._add_pinned(p, m, plan, share) for p in self.pins[m]):
            return False
        for n in sorted(inst.needs_of[m], key=lambda n: len(inst.needs[n].eligible)):
            if not self._fill_need(m, n, plan, share):
                return False
        if not self._grow_team(m, plan, share):
            return False
        size = len(plan.members())
        return size >= mission.min_team and (mission.max_team is None or size <= mission.max_team)

    def _add_pinned(self, p: int, m: int, plan: _TeamPlan, share: int) -> bool:
        for n in self.inst.needs_of[m]:
            need = self.inst.needs[n]
            if p in need.eligible:
                self.release_over_run(p, share)
            give = min(share, need.demand, self.spare_over_run(p))
            if p in need.eligible and give > 0 and self.can_join(p, m, plan):
                plan.time[p, n] = give
                return plan.share(p) >= self.inst.min_share[m]
        return False

    def _fill_need(self, m: int, n: int, plan: _TeamPlan, share: int) -> bool:
        inst = self.inst
        need = inst.needs[n]
        missing = need.demand - sum(s for (_, k), s in plan.time.items() if k == n)
        units = {inst.people[p].unit_id for p in plan.members()}
        wanted_units = inst.settings.network_min_units if inst.needs_breadth(m) else 0

        capped = bool(self.network_left) and inst.is_network(m)

        def rank(p: int) -> tuple[bool, bool, bool, int, int]:
            new_unit = len(units) < wanted_units and inst.people[p].unit_id not in units
            wish = inst.preference.get((p, m), 0)
            held_back = capped and self._network_room(p, plan.run) < share
            return (
                p not in plan.members(),
                held_back,
                not new_unit,
                -wish,
                -self.spare_over_run(p),
            )

        candidates = sorted(need.eligible, key=rank)
        passed: set[int] = set()
        # First pass: time people have; second: time their colleagues can take off them.
        for p in [*candidates, *candidates]:
            if missing == 0:
                break
            if not self.can_join(p, m, plan):
                continue
            avail = self.spare_over_run(p)
            if avail < max(missing, share) and p in passed:
                self.release_over_run(p, max(missing, share))
                avail = self.spare_over_run(p)
            passed.add(p)
            if avail <= 0:
                continue
            give = min(avail, missing)
            if p not in plan.members() and give < share:
                if avail < share or not self._make_room(plan, n, share - give):
                    continue
                missing += share - give
                give = share
            plan.time[p, n] = plan.time.get((p, n), 0) + give
            missing -= give
            units.add(inst.people[p].unit_id)
        return missing == 0

    def _make_room(self, plan: _TeamPlan, n: int, steps: int) -> bool:
        """Take ``steps`` back from a member of need ``n`` who keeps a full share afterwards."""
        share = max(self.inst.min_share[self.inst.needs[n].mission], 1)
        for (q, k), given in sorted(plan.time.items(), key=lambda item: -item[1]):
            if k == n and given > steps and plan.share(q) - steps >= share:
                plan.time[q, n] -= steps
                return True
        return False

    def _grow_team(self, m: int, plan: _TeamPlan, share: int) -> bool:
        """Split time off large members until the team is big and broad enough."""
        inst = self.inst
        mission = inst.missions[m]
        wanted_units = inst.settings.network_min_units if inst.needs_breadth(m) else 0
        while True:
            members = plan.members()
            units = {inst.people[p].unit_id for p in members}
            if len(members) >= mission.min_team and len(units) >= wanted_units:
                return True
            need_unit = len(units) < wanted_units
            if not self._split_once(m, plan, share, members, units if need_unit else set()):
                return False

    def _split_once(
        self, m: int, plan: _TeamPlan, share: int, members: set[int], avoid_units: set[str]
    ) -> bool:
        inst = self.inst
        # First people with time to spare; then people whose operations colleagues can take.
        for relieve in (False, True):
            for n in inst.needs_of[m]:
                for newcomer in inst.needs[n].eligible:
                    if (
                        newcomer in members
                        or inst.people[newcomer].unit_id in avoid_units
                        or not self.can_join(newcomer, m, plan)
                    ):
                        continue
                    if relieve and self.spare_over_run(newcomer) < share:
                        self.release_over_run(newcomer, share)
                    if self.spare_over_run(newcomer) < share:
                        continue
                    for (q, k), given in list(plan.time.items()):
                        if k == n and given >= share and plan.share(q) - share >= share:
                            plan.move(q, newcomer, n, share)
                            return True
        return False

    def _commit(self, m: int, begin: int, team: dict[tuple[int, int, int], int]) -> None:
        run = self.inst.run(m, begin)
        for (p, n, t), steps in team.items():
            self.time[p, n, t] = steps
            self.free[p][t] -= steps
        for p in {p for (p, _, _), steps in team.items() if steps > 0}:
            self.members.add((p, m))
            for t in run:
                self.missions_joined[p][t] += 1
        for c, units in self.capability_use[m]:
            for t in run:
                self.capability_left[c][t] -= units
        if self.inst.is_network(m):
            for (p, _, t), steps in team.items():
                key = (self.inst.people[p].unit_id, t)
                if key in self.network_left:
                    self.network_left[key] -= steps
        self.staffed.add(m)
        self.start[m] = begin

    def solution(self) -> Solution:
        inst = self.inst
        people, missions = inst.people, inst.missions
        return Solution(
            staffed=frozenset(missions[m].mission_id for m in self.staffed),
            members=frozenset(
                (people[p].person_id, missions[m].mission_id) for p, m in self.members
            ),
            assignments=tuple(
                Assignment(
                    people[p].person_id,
                    missions[inst.needs[n].mission].mission_id,
                    inst.needs[n].skill_id,
                    steps,
                    t,
                )
                for (p, n, t), steps in self.time.items()
                if steps > 0
            ),
            ops=tuple(
                OpsAssignment(people[p].person_id, inst.ops[o].skill_id, steps, inst.ops[o].period)
                for (p, _), load in self.ops.items()
                for o, steps in load.items()
                if steps > 0
            ),
            starts=(
                {missions[m].mission_id: t for m, t in self.start.items()}
                if inst.scenario.has_horizon
                else {}
            ),
        )
