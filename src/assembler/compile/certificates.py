"""Why no plan can exist, proven from the data alone, in milliseconds and at any size.

A planner who pins someone, makes a mission mandatory or raises the buffer deserves a
reason, not "no plan meets every requirement".  CP-SAT's assumption cores name a clash but
can take longer than the solve on a large organisation, so the clashes planners actually
meet are certified here first, each with the rows and the numbers at fault:

* operations that cannot be protected (``protection.ops_shortfalls``);
* a committed mission (mandatory, or with someone pinned to it) that cannot run at all: no
  start left behind its ``after`` mission, a need nobody is eligible for, too few candidates
  for its team or its breadth of units, more of a capability than operations leave, a need
  its eligible people have too little time for in some period of every run it could have;
* committed missions that together need more of a capability than is left, in a period
  they all run in (or over the horizon as a whole);
* a pinned person with no time for the pin: away while the mission runs, pinned to more
  missions at once than they may join, or needed for operations — Hall's condition on
  their unit with the pins' minimum shares taken off their time;
* (v3) a unit whose network cap leaves a pinned volunteer less than the minimum share, or
  leaves a committed network mission less time than it needs.

Each check is a sufficient condition: a message means no plan exists; no message proves
nothing, and the solver's diagnosis takes over (``solver/diagnose.py``).
"""

from __future__ import annotations

from collections import defaultdict

from assembler.compile.instance import Instance, Need
from assembler.compile.protection import ops_shortfalls
from assembler.text import plural


def clashes(instance: Instance) -> list[str]:
    """Every certified reason why ``instance`` has no plan; empty if none is certain.

    Operations come first: when they cannot be protected, nothing else matters (and the
    pin checks, which build on them, would only repeat the same shortfall).  The joint flow
    of committed work and operations comes last, and only when nothing more specific is
    found, since it re-finds every single mission's shortage as a larger clash.
    """
    shortfalls = [str(shortfall) for shortfall in ops_shortfalls(instance)]
    return shortfalls or commitment_clashes(instance)


def commitment_clashes(instance: Instance, focus: bool = True) -> list[str]:
    """The clashes of commitments (mandatory missions, pins), assuming operations fit;
    ``focus=False`` leaves out pins to more missions at once than a person may join (which
    validation already reports row by row when there are no periods)."""
    found = [
        *_committed_missions(instance),
        *_shared_capabilities(instance),
        *_pins_without_time(instance, focus),
    ]
    return found or _committed_needs_with_operations(instance)


def committed(instance: Instance) -> dict[int, str]:
    """Missions every plan must staff, with why: mandatory, or someone pinned to them."""
    why: dict[int, str] = {}
    for p, m in instance.pins:
        why.setdefault(m, f"has {instance.people[p].person_id} pinned to it")
    for m in instance.mandatory:
        why[m] = "is mandatory"
    return why


def certain_periods(instance: Instance, m: int) -> range:
    """The periods a staffed mission runs in whatever its start (every run covers them)."""
    starts = instance.starts[m]
    if not starts:
        return range(0)
    return range(starts[-1], starts[0] + instance.duration[m])


def _when(instance: Instance, t: int) -> str:
    return f" in {instance.period_ids[t]}" if instance.scenario.has_horizon else ""


def _name(instance: Instance, m: int) -> str:
    return f"mission {instance.missions[m].mission_id}"


def _committed_missions(instance: Instance) -> list[str]:
    found = []
    for m, why in committed(instance).items():
        reason = (
            _cannot_start(instance, m)
            or _need_without_people(instance, m)
            or _team_too_small(instance, m)
            or _too_few_units(instance, m)
            or _capability_too_small(instance, m)
            or _need_without_time(instance, m)
            or _network_caps_too_small(instance, m)
        )
        if reason is not None:
            found.append(f"{_name(instance, m)} {why} and {reason}")
    return found


def _cannot_start(instance: Instance, m: int) -> str | None:
    if instance.starts[m]:
        return None
    befores = instance.after[m]
    if not befores:  # validation keeps windows able to hold their duration
        return "its window cannot hold its duration"
    latest_start = instance.latest[m] - instance.duration[m] + 1
    late = [
        before
        for before in befores
        if not instance.starts[before]
        or instance.starts[before].start + instance.duration[before] > latest_start
    ] or list(befores)
    names = ", ".join(instance.missions[before].mission_id for before in late)
    which = "which cannot end" if len(late) == 1 else "which cannot all end"
    return f"runs after mission {names}, {which} before its window does"


def _need_without_people(instance: Instance, m: int) -> str | None:
    for n in instance.needs_of[m]:
        need = instance.needs[n]
        if not need.eligible:
            skill = f"{need.skill_id} ≥ {need.min_level}"
            return f"needs {skill}, but nobody eligible for it has that skill at that level"
    return None


def _team_too_small(instance: Instance, m: int) -> str | None:
    wanted, eligible = instance.missions[m].min_team, len(instance.candidates[m])
    if eligible >= wanted:
        return None
    verb = "is" if eligible == 1 else "are"
    return (
        f"needs a team of {wanted}, but only {plural(eligible, 'person', 'people')} {verb} eligible"
    )


def _too_few_units(instance: Instance, m: int) -> str | None:
    if not instance.needs_breadth(m):
        return None
    wanted = instance.settings.network_min_units
    units = {instance.people[p].unit_id for p in instance.candidates[m]}
    if len(units) >= wanted:
        return None
    return (
        f"draws on {plural(wanted, 'unit')}, but its eligible people come from "
        f"{plural(len(units), 'unit')}"
    )


def _capability_too_small(instance: Instance, m: int) -> str | None:
    for limit, capability in zip(
        instance.capabilities, instance.scenario.capabilities, strict=True
    ):
        for mission, units in limit.usage:
            if mission == m and units > limit.available:
                return (
                    f"needs {plural(units, 'unit')} of capability {limit.capability_id}; "
                    f"capacity {capability.capacity}, {capability.ops_reserved} reserved for "
                    f"operations: {limit.available} left"
                )
    return None


def _need_without_time(instance: Instance, m: int) -> str | None:
    """A need its eligible people have too little time for (operations aside), in some
    period of every run the mission could have; the earliest start's period is named."""
    shortages = []
    for start in instance.starts[m]:
        shortage = None
        for t in instance.run(m, start):
            for n in instance.needs_of[m]:
                need = instance.needs[n]
                time = sum(instance.capacity[p][t] for p in _givers(need))
                if time < need.demand:
                    shortage = (
                        f"needs {instance.fte(need.demand):g} FTE of {need.skill_id} ≥ "
                        f"{need.min_level}{_when(instance, t)}, but the eligible people have "
                        f"{instance.fte(time):g} FTE in all{_unmentored(instance, need)}"
                    )
                    break
            if shortage is not None:
                break
        if shortage is None:
            return None
        shortages.append(shortage)
    return shortages[0] if shortages else None


def _givers(need: Need) -> tuple[int, ...]:
    """Who can give a need time in some plan: its learner candidates only beside a mentor
    candidate (MODEL.md v3 §6.11), the eligible always."""
    return need.giving if need.mentors else need.eligible


def _unmentored(instance: Instance, need: Need) -> str:
    """`` (Ben Okafor could learn it, but nobody eligible can mentor)`` when learners are
    kept out of a need for want of a mentor, else nothing."""
    if not need.learners or need.mentors:
        return ""
    names = ", ".join(
        instance.people[p].name or instance.people[p].person_id for p in need.learners
    )
    return f" ({names} could learn it, but nobody eligible can mentor)"


def _network_caps_too_small(instance: Instance, m: int) -> str | None:
    """A network mission its people's units may not give enough time under their network
    caps (MODEL.md v3 §6.12), in some period of every run it could have; the capped units
    are named."""
    if not instance.capped_units or not instance.is_network(m):
        return None
    demand = sum(instance.needs[n].demand for n in instance.needs_of[m])
    reason = None
    for start in instance.starts[m]:
        reason = None
        for t in instance.run(m, start):
            time: dict[str, int] = defaultdict(int)
            for p in instance.candidates[m]:
                time[instance.people[p].unit_id] += instance.capacity[p][t]
            room = sum(min(steps, instance.network_limit(u, t)) for u, steps in time.items())
            if room < demand <= sum(time.values()):  # short because of the caps alone
                capped = ", ".join(
                    f"{u} at {instance.capped_units[u]:g}"
                    for u in sorted(time)
                    if u in instance.capped_units
                )
                reason = (
                    f"needs {instance.fte(demand):g} FTE{_when(instance, t)}, but its people's "
                    f"units may give network missions {instance.fte(room):g} FTE in all "
                    f"(network_share_max: {capped})"
                )
                break
        if reason is None:
            return None
    return reason


def _shared_capabilities(instance: Instance) -> list[str]:
    """Committed missions that together need more of a capability than is left: in a period
    every one of them runs in, or in unit-periods over the whole horizon."""
    must = committed(instance)
    found = []
    for limit, capability in zip(
        instance.capabilities, instance.scenario.capabilities, strict=True
    ):
        users = [(m, units) for m, units in limit.usage if m in must and instance.starts[m]]
        if len(users) < 2:
            continue
        left = (
            f"capacity {capability.capacity}, {capability.ops_reserved} reserved for "
            f"operations: {limit.available} left"
        )
        for t in instance.periods:
            running = [(m, units) for m, units in users if t in certain_periods(instance, m)]
            total = sum(units for _, units in running)
            if len(running) > 1 and total > limit.available:
                names = ", ".join(instance.missions[m].mission_id for m, _ in running)
                found.append(
                    f"missions {names} must all run{_when(instance, t)} and together need "
                    f"{plural(total, 'unit')} of capability {limit.capability_id}; {left}"
                )
                break
        else:
            spread = sum(units * instance.duration[m] for m, units in users)
            if instance.horizon > 1 and spread > limit.available * instance.horizon:
                names = ", ".join(instance.missions[m].mission_id for m, _ in users)
                found.append(
                    f"missions {names} must all run and together need {spread} unit-periods "
                    f"of capability {limit.capability_id} over the {instance.horizon} periods; "
                    f"{left} per period"
                )
    return found


def _pins_without_time(instance: Instance, focus: bool = True) -> list[str]:
    found = []
    held: dict[int, list[int]] = defaultdict(list)  # person → capacity[p][t] minus pins
    pinned_at: dict[tuple[int, int], list[int]] = defaultdict(list)  # (person, t) → missions
    for p, m in instance.pins:
        person = instance.people[p].person_id
        mission = instance.missions[m].mission_id
        share = max(instance.min_share[m], 0)
        away = _short_in_every_run(instance, p, m, share)
        if away is not None:
            has, minimum = instance.fte(instance.capacity[p][away]), instance.fte(share)
            if instance.is_fixed(m):
                found.append(
                    f"{person} is pinned to mission {mission} but has {has:g} FTE"
                    f"{_when(instance, away)}, less than the minimum share of {minimum:g} FTE"
                )
            else:
                found.append(
                    f"{person} is pinned to mission {mission} but has less than the minimum "
                    f"share of {minimum:g} FTE in some period of every run it could have "
                    f"({has:g} FTE{_when(instance, away)})"
                )
            continue
        capped = _cap_below_share(instance, p, m, share)
        if capped is not None:
            found.append(
                f"{person} is pinned to network mission {mission} and must give it at least "
                f"{instance.fte(share):g} FTE, but {capped}"
            )
            continue
        for t in certain_periods(instance, m):
            pinned_at[p, t].append(m)
            if p not in held:
                held[p] = list(instance.capacity[p])
            held[p][t] = max(0, held[p][t] - share)
    for (p, t), missions in sorted(pinned_at.items()):
        limit = instance.max_missions[p]
        if focus and len(missions) > limit:
            names = ", ".join(instance.missions[m].mission_id for m in missions)
            found.append(
                f"{instance.people[p].person_id} is pinned to missions {names}, which all run"
                f"{_when(instance, t)}, but may work on {plural(limit, 'mission')} at a time"
            )
    if held and not found:
        capacity = [held.get(p, list(caps)) for p, caps in enumerate(instance.capacity)]
        for shortfall in ops_shortfalls(instance, capacity=capacity):
            pins = [
                (p, m)
                for p, m in instance.pins
                if instance.people[p].unit_id == shortfall.unit_id
                and shortfall.period in certain_periods(instance, m)
            ]
            names = " and ".join(
                f"{instance.people[p].person_id} (pinned to {instance.missions[m].mission_id}, "
                f"at least {instance.fte(instance.min_share[m]):g} FTE)"
                for p, m in pins
            )
            found.append(f"{names} cannot be spared: with the pinned time aside, {shortfall}")
    return found


def _cap_below_share(instance: Instance, p: int, m: int, share: int) -> str | None:
    """Why ``p``'s unit may not give network mission ``m`` even the minimum share under
    its network cap (MODEL.md v3 §6.12) in some period of every run, or ``None``."""
    unit_id = instance.people[p].unit_id
    if not instance.is_network(m) or unit_id not in instance.capped_units:
        return None
    first = None
    for start in instance.starts[m]:
        run = instance.run(m, start)
        short = next((t for t in run if instance.network_limit(unit_id, t) < share), None)
        if short is None:
            return None
        first = short if first is None else first
    if first is None:
        return None
    limit = instance.fte(instance.network_limit(unit_id, first))
    return (
        f"unit {unit_id} may give network missions only {limit:g} FTE{_when(instance, first)} "
        f"(network_share_max {instance.capped_units[unit_id]:g})"
    )


def _short_in_every_run(instance: Instance, p: int, m: int, share: int) -> int | None:
    """A period in which ``p`` has less time than the minimum share, found in every run of
    ``m`` (the earliest start's), or ``None`` when some run leaves them enough."""
    first = None
    for start in instance.starts[m]:
        short = next((t for t in instance.run(m, start) if instance.capacity[p][t] < share), None)
        if short is None:
            return None
        first = short if first is None else first
    return first


def _committed_needs_with_operations(instance: Instance) -> list[str]:
    """Committed missions' needs and operations, period by period, as one transportation
    problem: each person's time (``cap_pt``) flows to the needs and operational demands
    they are eligible for.  Minimum shares and teams are left out, so this only relaxes
    the model: when the flow cannot meet every demand, no plan can, and the minimum cut
    names the demands and the people at fault."""
    must = committed(instance)
    found = []
    for t in instance.periods:
        needs = [n for m in must if t in certain_periods(instance, m) for n in instance.needs_of[m]]
        if not needs:
            continue
        cut = _cut(instance, t, needs)
        if cut is not None:
            found.append(cut)
    return found


def _cut(instance: Instance, t: int, needs: list[int]) -> str | None:
    """The max-flow of one period; a message naming the violated demands, or ``None``."""
    demands: list[tuple[str, int, tuple[int, ...]]] = []  # (label, steps, eligible people)
    people: set[int] = set()
    for n in needs:
        need = instance.needs[n]
        demands.append((f"n{n}", need.demand, _givers(need)))
        people.update(_givers(need))
    units = {instance.people[p].unit_id for p in people}
    for o, ops_need in enumerate(instance.ops):
        if ops_need.period == t and ops_need.unit_id in units:
            demands.append((f"o{o}", ops_need.required, ops_need.eligible))
            people.update(ops_need.eligible)
    flow = _Flow(len(demands) + len(people) + 2)
    source, sink = 0, 1
    node = {p: 2 + len(demands) + i for i, p in enumerate(sorted(people))}
    for d, (_, steps, eligible) in enumerate(demands):
        flow.edge(source, 2 + d, steps)
        for p in eligible:
            flow.edge(2 + d, node[p], steps)
    for p, v in node.items():
        flow.edge(v, sink, instance.capacity[p][t])
    required = sum(steps for _, steps, _ in demands)
    if flow.max_flow(source, sink) >= required:
        return None
    side = flow.source_side(source)
    short = [demands[d] for d in range(len(demands)) if 2 + d in side]
    givers = {p for p, v in node.items() if v in side}
    wanted = sum(steps for _, steps, _ in short)
    time = sum(instance.capacity[p][t] for p in givers)
    must = committed(instance)
    missions: dict[int, list[str]] = defaultdict(list)
    operations: dict[str, list[int]] = defaultdict(list)
    for label, _, _ in short:
        index = int(label[1:])
        if label[0] == "n":
            need = instance.needs[index]
            missions[need.mission].append(
                f"{instance.fte(need.demand):g} FTE of {need.skill_id} ≥ {need.min_level}"
            )
        else:
            operations[instance.ops[index].unit_id].append(index)
    parts = [
        f"{_name(instance, m)} {must[m]} and needs {' and '.join(asks)}"
        for m, asks in missions.items()
    ]
    for unit_id, kept in operations.items():
        skills = ", ".join(instance.ops[o].skill_id for o in kept)
        steps = sum(instance.ops[o].required for o in kept)
        parts.append(
            f"operations of unit '{unit_id}' need {instance.fte(steps):g} FTE in {skills} "
            "(demand + buffer)"
        )
    return (
        f"{'; '.join(parts)}{_when(instance, t)}: {instance.fte(wanted):g} FTE in all, but the "
        f"people able to do this work have {instance.fte(time):g} FTE"
    )


class _Flow:
    """Dinic's maximum flow on a small graph of integer capacities."""

    def __init__(self, nodes: int) -> None:
        self.head: list[list[int]] = [[] for _ in range(nodes)]
        self.to: list[int] = []
        self.left: list[int] = []

    def edge(self, a: int, b: int, capacity: int) -> None:
        self.head[a].append(len(self.to))
        self.to.append(b)
        self.left.append(capacity)
        self.head[b].append(len(self.to))
        self.to.append(a)
        self.left.append(0)

    def _levels(self, source: int) -> list[int]:
        level = [-1] * len(self.head)
        level[source] = 0
        queue = [source]
        for node in queue:
            for e in self.head[node]:
                if self.left[e] > 0 and level[self.to[e]] < 0:
                    level[self.to[e]] = level[node] + 1
                    queue.append(self.to[e])
        return level

    def max_flow(self, source: int, sink: int) -> int:
        total = 0
        while True:
            level = self._levels(source)
            if level[sink] < 0:
                return total
            position = [0] * len(self.head)
            while pushed := self._push(source, sink, 1 << 62, level, position):
                total += pushed

    def _push(
        self, node: int, sink: int, amount: int, level: list[int], position: list[int]
    ) -> int:
        """One augmenting path in the level graph, depth first (paths here are 3 edges)."""
        if node == sink:
            return amount
        edges = self.head[node]
        while position[node] < len(edges):
            e = edges[position[node]]
            nxt = self.to[e]
            if self.left[e] > 0 and level[nxt] == level[node] + 1:
                pushed = self._push(nxt, sink, min(amount, self.left[e]), level, position)
                if pushed:
                    self.left[e] -= pushed
                    self.left[e ^ 1] += pushed
                    return pushed
            position[node] += 1
        return 0

    def source_side(self, source: int) -> set[int]:
        """Nodes reachable from ``source`` in the residual graph: the minimum cut's side."""
        return {node for node, level in enumerate(self._levels(source)) if level >= 0}
