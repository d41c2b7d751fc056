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
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from assembler.compile.instance import Instance, Need
from assembler.compile.protection import Shortfall, ops_shortfalls
from assembler.text import plural


class Naming(Protocol):
    """How a clash names what it is about.  ``results.names.Names`` is the one a planner
    reads (it lives above this layer); ``IDS`` keeps the rows' ids, for the solver's own
    report and for callers without a scenario's names at hand."""

    def mission(self, mission_id: str) -> str: ...
    def person(self, person_id: str) -> str: ...
    def unit(self, unit_id: str) -> str: ...
    def skill(self, skill_id: str) -> str: ...
    def capability(self, capability_id: str) -> str: ...
    def period(self, period_id: str) -> str: ...
    def shortfall(self, shortfall: Shortfall) -> str: ...


class _Ids:
    """Every row by its id, as the data and the solver's diagnosis call it."""

    def mission(self, mission_id: str) -> str:
        return mission_id

    def person(self, person_id: str) -> str:
        return person_id

    def unit(self, unit_id: str) -> str:
        return unit_id

    def skill(self, skill_id: str) -> str:
        return skill_id

    def capability(self, capability_id: str) -> str:
        return capability_id

    def period(self, period_id: str) -> str:
        return period_id

    def shortfall(self, shortfall: Shortfall) -> str:
        return str(shortfall)


IDS: Naming = _Ids()


@dataclass(frozen=True)
class Clash:
    """One certified reason why no plan exists, the smallest change that resolves it, and
    the committed missions it is about (``missions``, instance indices)."""

    text: str
    fix: str
    missions: frozenset[int] = frozenset()

    @property
    def advice(self) -> str:
        """The clash and what to change, as a planner reads it."""
        return f"{self.text}. To resolve it: {self.fix}."


OPS_FIX = "lower the ops buffer, or give the unit more people able to cover it"


def certified(instance: Instance, names: Naming = IDS) -> list[Clash]:
    """Every certified reason why ``instance`` has no plan, each with its fix; empty if
    none is certain.

    Operations come first: when they cannot be protected, nothing else matters (and the
    pin checks, which build on them, would only repeat the same shortfall).  Then every
    commitment that clashes, each on its own, so a planner sees them all at once rather
    than one per solve.
    """
    shortfalls = [
        Clash(names.shortfall(shortfall), OPS_FIX) for shortfall in ops_shortfalls(instance)
    ]
    return shortfalls or _commitments(instance, True, names)


def clashes(instance: Instance, names: Naming = IDS) -> list[str]:
    """The texts of ``certified``: what the solver reports when it refuses to search."""
    return [clash.text for clash in certified(instance, names)]


def commitment_clashes(instance: Instance, focus: bool = True, names: Naming = IDS) -> list[str]:
    """The clashes of commitments (mandatory missions, pins), assuming operations fit;
    ``focus=False`` leaves out pins to more missions at once than a person may join (which
    validation already reports row by row when there are no periods)."""
    return [clash.text for clash in _commitments(instance, focus, names)]


def _commitments(instance: Instance, focus: bool, names: Naming) -> list[Clash]:
    """Each committed mission, shared capability and pin that clashes; then the joint flow
    of the other committed missions' work and operations — without the missions already
    named, whose shortage it would only re-find as a larger clash."""
    found = [
        *_committed_missions(instance, names),
        *_shared_capabilities(instance, names),
        *_pins_without_time(instance, names, focus),
    ]
    named = frozenset(m for clash in found for m in clash.missions)
    return found + _committed_needs_with_operations(instance, names, named)


def _release(instance: Instance, m: int, names: Naming) -> str:
    """The change that lifts the commitment on mission ``m``: make it optional, or take
    off the pins that commit it."""
    mission = _mission(instance, m, names)
    if m in instance.mandatory:
        return f"make {mission} optional"
    pinned = [names.person(instance.people[p].person_id) for p, pin in instance.pins if pin == m]
    return f"unpin {' and '.join(pinned)} from {mission}"


def committed(instance: Instance, names: Naming = IDS) -> dict[int, str]:
    """Missions every plan must staff, with why: mandatory, or someone pinned to them."""
    why: dict[int, str] = {}
    for p, m in instance.pins:
        why.setdefault(m, f"has {names.person(instance.people[p].person_id)} pinned to it")
    for m in instance.mandatory:
        why[m] = "is mandatory"
    return why


def certain_periods(instance: Instance, m: int) -> range:
    """The periods a staffed mission runs in whatever its start (every run covers them)."""
    starts = instance.starts[m]
    if not starts:
        return range(0)
    return range(starts[-1], starts[0] + instance.duration[m])


def _when(instance: Instance, t: int, names: Naming) -> str:
    return f" in {names.period(instance.period_ids[t])}" if instance.scenario.has_horizon else ""


def _name(instance: Instance, m: int, names: Naming) -> str:
    return f"mission {_mission(instance, m, names)}"


def _mission(instance: Instance, m: int, names: Naming) -> str:
    return names.mission(instance.missions[m].mission_id)


def _missions(instance: Instance, missions: list[int], names: Naming) -> str:
    return ", ".join(_mission(instance, m, names) for m in missions)


def _skill(names: Naming, skill_id: str, min_level: int) -> str:
    return f"{names.skill(skill_id)} ≥ {min_level}"


def _committed_missions(instance: Instance, names: Naming) -> list[Clash]:
    found = []
    for m, why in committed(instance, names).items():
        never = never_staffed(instance, m, names)
        if never is not None:
            reason, change = never
            text = f"{_name(instance, m, names)} {why} and {reason}"
            fix = f"{_release(instance, m, names)}, or {change}"
            found.append(Clash(text, fix, frozenset({m})))
    return found


def never_staffed(instance: Instance, m: int, names: Naming = IDS) -> tuple[str, str] | None:
    """Why no plan can staff mission ``m`` on its own data, and the change that would let
    one (``None``: nothing found): a clash when ``m`` is committed, a mission no bound may
    count on otherwise (``solver.pooled_bound``)."""
    checks: tuple[tuple[Callable[[], str | None], str], ...] = (
        (lambda: _cannot_start(instance, m, names), "widen its window"),
        (lambda: _need_without_people(instance, m, names), "lower the level it needs"),
        (lambda: _team_too_small(instance, m), "lower its minimum team"),
        (lambda: _too_few_units(instance, m), "lower the network min units"),
        (lambda: _capability_too_small(instance, m, names), "raise the capability's capacity"),
        (lambda: _need_without_time(instance, m, names), "widen its window"),
        (lambda: _network_caps_too_small(instance, m, names), "raise the units' network_share_max"),
    )
    for reason, change in checks:
        found = reason()
        if found is not None:
            return found, change
    return None


def _cannot_start(instance: Instance, m: int, names: Naming) -> str | None:
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
    which = "which cannot end" if len(late) == 1 else "which cannot all end"
    return f"runs after mission {_missions(instance, late, names)}, {which} before its window does"


def _need_without_people(instance: Instance, m: int, names: Naming) -> str | None:
    for n in instance.needs_of[m]:
        need = instance.needs[n]
        if not need.eligible:
            skill = _skill(names, need.skill_id, need.min_level)
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


def _capability_too_small(instance: Instance, m: int, names: Naming) -> str | None:
    for limit, capability in zip(
        instance.capabilities, instance.scenario.capabilities, strict=True
    ):
        for mission, units in limit.usage:
            if mission == m and units > limit.available:
                return (
                    f"needs {plural(units, 'unit')} of capability "
                    f"{names.capability(limit.capability_id)}; "
                    f"capacity {capability.capacity}, {capability.ops_reserved} reserved for "
                    f"operations: {limit.available} left"
                )
    return None


def _need_without_time(instance: Instance, m: int, names: Naming) -> str | None:
    """A need its eligible people have too little time for (operations aside), in some
    period of every run the mission could have; the earliest start's period is named."""
    shortages = []
    for start in instance.starts[m]:
        shortage = None
        for t in instance.run(m, start):
            for n in instance.needs_of[m]:
                need = instance.needs[n]
                time = sum(instance.capacity[p][t] for p in givers(need))
                if time < need.demand:
                    shortage = (
                        f"needs {instance.fte(need.demand):g} FTE of "
                        f"{_skill(names, need.skill_id, need.min_level)}"
                        f"{_when(instance, t, names)}, but the eligible people have "
                        f"{instance.fte(time):g} FTE in all{_unmentored(instance, need, names)}"
                    )
                    break
            if shortage is not None:
                break
        if shortage is None:
            return None
        shortages.append(shortage)
    return shortages[0] if shortages else None


def givers(need: Need) -> tuple[int, ...]:
    """Who can give a need time in some plan: its learner candidates only beside a mentor
    candidate (MODEL.md v3 §6.11), the eligible always."""
    return need.giving if need.mentors else need.eligible


def _unmentored(instance: Instance, need: Need, names: Naming) -> str:
    """`` (Ben Okafor could learn it, but nobody eligible can mentor)`` when learners are
    kept out of a need for want of a mentor, else nothing."""
    if not need.learners or need.mentors:
        return ""
    learners = ", ".join(names.person(instance.people[p].person_id) for p in need.learners)
    return f" ({learners} could learn it, but nobody eligible can mentor)"


def _network_caps_too_small(instance: Instance, m: int, names: Naming) -> str | None:
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
                    f"{names.unit(u)} at {instance.capped_units[u]:g}"
                    for u in sorted(time)
                    if u in instance.capped_units
                )
                reason = (
                    f"needs {instance.fte(demand):g} FTE{_when(instance, t, names)}, but its "
                    f"people's units may give network missions {instance.fte(room):g} FTE in all "
                    f"(network_share_max: {capped})"
                )
                break
        if reason is None:
            return None
    return reason


def _shared_capabilities(instance: Instance, names: Naming) -> list[Clash]:
    """Committed missions that together need more of a capability than is left: in a period
    every one of them runs in, or in unit-periods over the whole horizon."""
    must = committed(instance)
    found: list[Clash] = []
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
        capability_name = names.capability(limit.capability_id)
        for t in instance.periods:
            running = [(m, units) for m, units in users if t in certain_periods(instance, m)]
            total = sum(units for _, units in running)
            if len(running) > 1 and total > limit.available:
                together = _missions(instance, [m for m, _ in running], names)
                text = (
                    f"missions {together} must all run{_when(instance, t, names)} and together "
                    f"need {plural(total, 'unit')} of capability {capability_name}; {left}"
                )
                changes = [_release(instance, m, names) for m, _ in running]
                if instance.horizon > 1:
                    changes.append(
                        f"let one of them run outside {names.period(instance.period_ids[t])} "
                        "(widen its window or move its start)"
                    )
                fix = ", or ".join([*changes, "raise the capacity"])
                found.append(Clash(text, fix, frozenset(m for m, _ in running)))
                break
        else:
            spread = sum(units * instance.duration[m] for m, units in users)
            if instance.horizon > 1 and spread > limit.available * instance.horizon:
                together = _missions(instance, [m for m, _ in users], names)
                text = (
                    f"missions {together} must all run and together need {spread} "
                    f"unit-periods of capability {capability_name} over the "
                    f"{instance.horizon} periods; {left} per period"
                )
                fix = (
                    f"{' or '.join(_release(instance, m, names) for m, _ in users)}, "
                    "or raise the capacity"
                )
                found.append(Clash(text, fix, frozenset(m for m, _ in users)))
    return found


def _pins_without_time(instance: Instance, names: Naming, focus: bool = True) -> list[Clash]:
    found: list[Clash] = []
    held: dict[int, list[int]] = defaultdict(list)  # person → capacity[p][t] minus pins
    pinned_at: dict[tuple[int, int], list[int]] = defaultdict(list)  # (person, t) → missions
    for p, m in instance.pins:
        person = names.person(instance.people[p].person_id)
        mission = _mission(instance, m, names)
        share = max(instance.min_share[m], 0)
        away = _short_in_every_run(instance, p, m, share)
        if away is not None:
            has, minimum = instance.fte(instance.capacity[p][away]), instance.fte(share)
            unpin = f"unpin {person} from {mission}"
            if instance.is_fixed(m):
                text = (
                    f"{person} is pinned to mission {mission} but has {has:g} FTE"
                    f"{_when(instance, away, names)}, less than the minimum share of "
                    f"{minimum:g} FTE"
                )
                fix = f"{unpin}, or move the mission to when they are there"
            else:
                text = (
                    f"{person} is pinned to mission {mission} but has less than the minimum "
                    f"share of {minimum:g} FTE in some period of every run it could have "
                    f"({has:g} FTE{_when(instance, away, names)})"
                )
                fix = f"{unpin}, or widen the mission's window to when they are there"
            found.append(Clash(text, fix, frozenset({m})))
            continue
        capped = _cap_below_share(instance, p, m, share, names)
        if capped is not None:
            text = (
                f"{person} is pinned to network mission {mission} and must give it at least "
                f"{instance.fte(share):g} FTE, but {capped}"
            )
            fix = f"unpin {person} from {mission}, or raise the unit's network_share_max"
            found.append(Clash(text, fix, frozenset({m})))
            continue
        for t in certain_periods(instance, m):
            pinned_at[p, t].append(m)
            if p not in held:
                held[p] = list(instance.capacity[p])
            held[p][t] = max(0, held[p][t] - share)
    for (p, t), missions in sorted(pinned_at.items()):
        limit = instance.max_missions[p]
        if focus and len(missions) > limit:
            person = names.person(instance.people[p].person_id)
            text = (
                f"{person} is pinned to missions {_missions(instance, missions, names)}, which "
                f"all run{_when(instance, t, names)}, but may work on "
                f"{plural(limit, 'mission')} at a time"
            )
            fix = f"unpin {person} from all but {limit} of them, or raise their max missions"
            found.append(Clash(text, fix, frozenset(missions)))
    if held and not found:
        capacity = [held.get(p, list(caps)) for p, caps in enumerate(instance.capacity)]
        for shortfall in ops_shortfalls(instance, capacity=capacity):
            pins = [
                (p, m)
                for p, m in instance.pins
                if instance.people[p].unit_id == shortfall.unit_id
                and shortfall.period in certain_periods(instance, m)
            ]
            who = " and ".join(
                f"{names.person(instance.people[p].person_id)} (pinned to "
                f"{_mission(instance, m, names)}, at least "
                f"{instance.fte(instance.min_share[m]):g} FTE)"
                for p, m in pins
            )
            short = names.shortfall(shortfall)
            text = f"{who} cannot be spared: with the pinned time aside, {short}"
            unpin = " or ".join(
                f"unpin {names.person(instance.people[p].person_id)}" for p, _ in pins
            )
            fix = f"{unpin}, or lower the ops buffer"
            found.append(Clash(text, fix, frozenset(m for _, m in pins)))
    return found


def _cap_below_share(instance: Instance, p: int, m: int, share: int, names: Naming) -> str | None:
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
        f"unit {names.unit(unit_id)} may give network missions only {limit:g} FTE"
        f"{_when(instance, first, names)} (network_share_max "
        f"{instance.capped_units[unit_id]:g})"
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


def _committed_needs_with_operations(
    instance: Instance, names: Naming, named: frozenset[int] = frozenset()
) -> list[Clash]:
    """Committed missions' needs and operations, period by period, as one transportation
    problem: each person's time (``cap_pt``) flows to the needs and operational demands
    they are eligible for.  Minimum shares and teams are left out, so this only relaxes
    the model: when the flow cannot meet every demand, no plan can, and the minimum cut
    names the demands and the people at fault.  Missions in ``named`` (clashes found on
    their own) are left out: fewer demands only relax it further.

    Demands that share no one are independent clashes and are told apart; the same
    missions and units short in several periods are one clash, told for the first period
    with the others listed."""
    must = [m for m in committed(instance) if m not in named]
    same: dict[tuple[frozenset[int], frozenset[str]], list[_Cut]] = {}
    for t in instance.periods:
        needs = [n for m in must if t in certain_periods(instance, m) for n in instance.needs_of[m]]
        for cut in _cuts(instance, t, needs):
            same.setdefault((frozenset(cut.missions), frozenset(cut.operations)), []).append(cut)
    return [_told(instance, cuts, names) for cuts in same.values()]


@dataclass(frozen=True)
class _Cut:
    """The demands of one period that the people able to do them cannot all meet:
    each mission's asks, each unit's operational demands (indices), the steps wanted and
    the steps those people have."""

    period: int
    missions: dict[int, list[str]]
    operations: dict[str, list[int]]
    wanted: int
    time: int


def _cuts(instance: Instance, t: int, needs: list[int]) -> list[_Cut]:
    """The max-flow of one period, one per group of demands sharing people; a cut for
    each group that falls short (a mission's need among its demands)."""
    demands: list[tuple[str, int, tuple[int, ...]]] = []  # (label, steps, eligible people)
    people: set[int] = set()
    for n in needs:
        need = instance.needs[n]
        demands.append((f"n{n}", need.demand, givers(need)))
        people.update(givers(need))
    units = {instance.people[p].unit_id for p in people}
    for o, ops_need in enumerate(instance.ops):
        if ops_need.period == t and ops_need.unit_id in units:
            demands.append((f"o{o}", ops_need.required, ops_need.eligible))
    found = []
    for group in _groups(demands):
        if any(label[0] == "n" for label, _, _ in group):
            found += _cut(instance, t, group)
    return found


def _groups(
    demands: list[tuple[str, int, tuple[int, ...]]],
) -> list[list[tuple[str, int, tuple[int, ...]]]]:
    """The demands in groups that share no eligible person: independent flow problems."""
    parent = list(range(len(demands)))

    def root(d: int) -> int:
        while parent[d] != d:
            parent[d] = parent[parent[d]]
            d = parent[d]
        return d

    first: dict[int, int] = {}  # person → the first demand they are eligible for
    for d, (_, _, eligible) in enumerate(demands):
        for p in eligible:
            parent[root(d)] = root(first.setdefault(p, d))
    groups: dict[int, list[tuple[str, int, tuple[int, ...]]]] = defaultdict(list)
    for d, demand in enumerate(demands):
        groups[root(d)].append(demand)
    return list(groups.values())


def _cut(instance: Instance, t: int, demands: list[tuple[str, int, tuple[int, ...]]]) -> list[_Cut]:
    """The max-flow of one group of demands in period ``t``: a cut for each part of the
    minimum cut that falls short on its own (none when the flow meets every demand).

    A person may give a demand any of their time, so the minimum cut's source side holds
    every person able to do its demands, and its parts that share no one are independent:
    each asks more than its people have, or dropping it would leave a cut as small."""
    people = sorted({p for _, _, eligible in demands for p in eligible})
    flow = _Flow(len(demands) + len(people) + 2)
    source, sink = 0, 1
    node = {p: 2 + len(demands) + i for i, p in enumerate(people)}
    for d, (_, steps, eligible) in enumerate(demands):
        flow.edge(source, 2 + d, steps)
        for p in eligible:
            flow.edge(2 + d, node[p], _UNBOUNDED)
    for p, v in node.items():
        flow.edge(v, sink, instance.capacity[p][t])
    required = sum(steps for _, steps, _ in demands)
    if flow.max_flow(source, sink) >= required:
        return []
    side = flow.source_side(source)
    found = []
    for part in _groups([demands[d] for d in range(len(demands)) if 2 + d in side]):
        able = {p for _, _, eligible in part for p in eligible}
        wanted = sum(steps for _, steps, _ in part)
        time = sum(instance.capacity[p][t] for p in able)
        if wanted <= time or not any(label[0] == "n" for label, _, _ in part):
            continue
        missions: dict[int, list[str]] = defaultdict(list)
        operations: dict[str, list[int]] = defaultdict(list)
        for label, _, _ in part:
            index = int(label[1:])
            if label[0] == "n":
                missions[instance.needs[index].mission].append(label)
            else:
                operations[instance.ops[index].unit_id].append(index)
        found.append(_Cut(t, dict(missions), dict(operations), wanted, time))
    return found


_UNBOUNDED = 1 << 62
"""A demand may take any of an eligible person's time: only the source and sink edges
bound the flow."""


def _told(instance: Instance, cuts: list[_Cut], names: Naming) -> Clash:
    """One clash from the cuts of the same missions and units in several periods: the
    first period's figures, the other periods named, and what would resolve it."""
    cut = cuts[0]
    must = committed(instance, names)
    parts = []
    for m, labels in cut.missions.items():
        asks = [
            f"{instance.fte(need.demand):g} FTE of {_skill(names, need.skill_id, need.min_level)}"
            for need in (instance.needs[int(label[1:])] for label in labels)
        ]
        parts.append(f"{_name(instance, m, names)} {must[m]} and needs {' and '.join(asks)}")
    for unit_id, kept in cut.operations.items():
        skills = ", ".join(names.skill(instance.ops[o].skill_id) for o in kept)
        steps = sum(instance.ops[o].required for o in kept)
        parts.append(
            f"operations of {names.unit(unit_id)} need {instance.fte(steps):g} FTE in "
            f"{skills} (demand + buffer)"
        )
    text = (
        f"{'; '.join(parts)}{_when(instance, cut.period, names)}: "
        f"{instance.fte(cut.wanted):g} FTE in all, but the people able to do this work have "
        f"{instance.fte(cut.time):g} FTE"
    )
    periods = [names.period(instance.period_ids[c.period]) for c in cuts]
    if len(periods) > 1:
        text += f" (and likewise in {', '.join(periods[1:])})"
    changes = [_release(instance, m, names) for m in cut.missions]
    if cut.missions and len(periods) < instance.horizon:  # some period is left to run in
        changes.append(
            f"let it run outside {', '.join(periods)} (widen its window or move its start)"
        )
    changes.append("lower the ops buffer")
    return Clash(text, ", or ".join(changes), frozenset(cut.missions))


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
