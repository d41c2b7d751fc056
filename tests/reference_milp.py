"""An independent re-implementation of MODEL.md v3 as a MILP (scipy's HiGHS), for cross-checks.

It shares no code with the engine beyond the scenario's row models: eligibility, the
integer data and every constraint are re-derived here from the spec text, so a misreading
in one implementation shows up as a different optimum on random scenarios.
"""

from __future__ import annotations

import math
from collections import defaultdict

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_array

from assembler.domain.scenario import Scenario

EPS = 1e-9


class _Lp:
    def __init__(self) -> None:
        self.upper: list[float] = []
        self.rows: list[tuple[dict[int, float], float, float]] = []

    def var(self, upper: float) -> int:
        self.upper.append(upper)
        return len(self.upper) - 1

    def row(self, terms: dict[int, float], low: float = -np.inf, high: float = np.inf) -> None:
        self.rows.append((terms, low, high))


def reference_optimum(s: Scenario) -> int | None:
    """The optimal score, or ``None`` when the scenario is infeasible."""
    st = s.settings
    step = st.step_fte
    periods = [q.period_id for q in s.periods] if s.periods is not None else [None]
    horizon = range(1, len(periods) + 1)  # t = 1 … T, as MODEL.md §3 numbers them
    index_of = {period_id: t for t, period_id in zip(horizon, periods, strict=True)}
    given = {(r.person_id, r.period_id): r.fte for r in s.availability}
    cap = {
        (p.person_id, t): math.floor(given.get((p.person_id, periods[t - 1]), p.fte) / step + EPS)
        for p in s.people
        for t in horizon
    }
    unit = {p.person_id: p.unit_id for p in s.people}
    level = {(r.person_id, r.skill_id): r.level for r in s.person_skills}
    forbidden = {(lk.person_id, lk.mission_id) for lk in s.locks if lk.lock == "forbid"}
    parent = {u.unit_id: u.parent_id for u in s.units} if s.units is not None else {}

    def inside(u: str, owner: str) -> bool:
        seen = set()
        current: str | None = u
        while current is not None and current not in seen:
            if current == owner:
                return True
            seen.add(current)
            current = parent.get(current)
        return False

    def joins(pid: str, m_id: str) -> bool:
        """The mission-level rules of §4: not forbidden, volunteer, inside the branch."""
        mission = next(m for m in s.missions if m.mission_id == m_id)
        person = next(p for p in s.people if p.person_id == pid)
        if (pid, m_id) in forbidden:
            return False
        if mission.change_type in ("transition", "innovation"):
            return person.network_opt_in or not st.network_opt_in_required
        return mission.owner_unit is None or inside(person.unit_id, mission.owner_unit)

    def eligible(pid: str, m_id: str, skill: str, min_level: int) -> bool:
        return level.get((pid, skill), 0) >= min_level and joins(pid, m_id)

    def learner(pid: str, m_id: str, skill: str, min_level: int) -> bool:
        """§4 v3: one to ``stretch_levels`` levels short of the need."""
        held = level.get((pid, skill), 0)
        lowest = max(1, min_level - st.stretch_levels)
        return st.stretch_levels > 0 and lowest <= held < min_level and joins(pid, m_id)

    goal = {(r.person_id, r.skill_id): r.weight for r in s.development}
    share_of = {
        u.unit_id: u.network_share_max for u in (s.units or ()) if u.network_share_max is not None
    }
    network_time: dict[tuple[str, int], dict[int, float]] = defaultdict(dict)

    lp = _Lp()
    objective: dict[int, float] = defaultdict(float)
    y = {m.mission_id: lp.var(1) for m in s.missions}
    # Timing (§2, §3): window e … l, duration d, starts S = e … l − d + 1, b_mt per start.
    first: dict[str, int] = {}
    length: dict[str, int] = {}
    starts: dict[str, dict[int, int]] = {}
    for m in s.missions:
        e = index_of[m.earliest_start] if m.earliest_start is not None else 1
        last = index_of[m.latest_end] if m.latest_end is not None else len(periods)
        d = m.duration if m.duration is not None else last - e + 1
        first[m.mission_id], length[m.mission_id] = e, d
        starts[m.mission_id] = {t: lp.var(1) for t in range(e, last - d + 2)}
        lp.row({**dict.fromkeys(starts[m.mission_id].values(), 1.0), y[m.mission_id]: -1}, 0, 0)
        for t, b in starts[m.mission_id].items():
            objective[b] -= st.weights.delay * (t - e)  # §7 delay

    def running(m_id: str, t: int) -> dict[int, float]:
        """r_mt as terms: the starts t' with t − d < t' ≤ t."""
        return {b: 1.0 for t0, b in starts[m_id].items() if t - length[m_id] < t0 <= t}

    needs = defaultdict(list)
    for n in s.mission_needs:
        needs[n.mission_id].append(n)
    x: dict[tuple[str, str], int] = {}
    working: dict[tuple[str, int], dict[int, float]] = defaultdict(dict)  # Σ_m w_pmt
    load: dict[tuple[str, int], dict[int, float]] = defaultdict(dict)
    for m in s.missions:
        m_id = m.mission_id
        total_demand = sum(math.ceil(n.fte / step - EPS) for n in needs[m_id])
        share = min(math.ceil(st.min_allocation_fte / step - EPS), total_demand)
        time_of: dict[tuple[str, int], list[int]] = defaultdict(list)
        people: set[str] = set()
        roles: list[tuple[str, int, dict[int, int], int]] = []  # (person, g or h, a by t, D)
        learners_of: dict[str, list[int]] = defaultdict(list)
        mentors_of: dict[str, list[int]] = defaultdict(list)
        for n in needs[m_id]:
            demand = math.ceil(n.fte / step - EPS)
            holders = [
                p.person_id
                for p in s.people
                if eligible(p.person_id, m_id, n.skill_id, n.min_level)
            ]
            short = [
                p.person_id for p in s.people if learner(p.person_id, m_id, n.skill_id, n.min_level)
            ]
            people.update(holders, short)
            on_need: dict[tuple[str, int], int] = {}
            for t in horizon:
                supply: dict[int, float] = {}
                for pid in holders + short:
                    var = on_need[pid, t] = lp.var(demand)
                    supply[var] = 1
                    time_of[pid, t].append(var)
                    load[pid, t][var] = 1
                    if m.change_type in ("transition", "innovation"):
                        network_time[unit[pid], t][var] = 1
                run = {b: -demand * c for b, c in running(m_id, t).items()}
                lp.row({**supply, **run}, 0, 0)  # §6.1
            for pid in short:  # §6.11: time only as a learner
                g = lp.var(1)
                learners_of[n.skill_id].append(g)
                objective[g] += st.weights.development * goal.get((pid, n.skill_id), 0)
                for t in horizon:
                    lp.row({on_need[pid, t]: 1, g: -demand}, high=0)
                roles.append((pid, g, {t: on_need[pid, t] for t in horizon}, demand))
            if short:  # h for every mentor candidate (it matters only beside learners)
                mentor_level = max(n.min_level, st.mentor_min_level)
                for pid in holders:
                    if level[pid, n.skill_id] >= mentor_level:
                        h = lp.var(1)
                        mentors_of[n.skill_id].append(h)
                        roles.append((pid, h, {t: on_need[pid, t] for t in horizon}, demand))
        for skill, gs in learners_of.items():  # Σ g ≤ L · Σ h
            hs = {h: -float(st.learners_per_mentor) for h in mentors_of[skill]}
            lp.row({**dict.fromkeys(gs, 1.0), **hs}, high=0)
        for pid in sorted(people):
            xv = x[pid, m_id] = lp.var(1)
            lp.row({xv: 1, y[m_id]: -1}, high=0)  # §6.2 x ≤ y
            for t in horizon:
                for var in time_of[pid, t]:
                    lp.row({var: 1, xv: -lp.upper[var]}, high=0)  # §6.2 a ≤ D·x
                w = lp.var(1)
                run = running(m_id, t)
                lp.row({w: 1, xv: -1, **{b: -c for b, c in run.items()}}, low=-1)  # w ≥ x + r − 1
                lp.row({w: 1, xv: -1}, high=0)
                lp.row({w: 1, **{b: -c for b, c in run.items()}}, high=0)
                lp.row({**dict.fromkeys(time_of[pid, t], 1.0), w: -share}, low=0)  # share
                working[pid, t][w] = 1
        for pid, role, on_need_by_t, demand in roles:  # §6.11: on the team, working each run
            lp.row({role: 1, x[pid, m_id]: -1}, high=0)
            least = min(share, demand)
            for t, var in on_need_by_t.items():
                run = running(m_id, t)  # a ≥ least · (role + r − 1)
                lp.row({var: 1, role: -least, **{b: -least * c for b, c in run.items()}}, -least)
        team = {x[pid, m_id]: 1.0 for pid in people}
        lp.row({**team, y[m_id]: -m.min_team}, low=0)  # §6.5
        if m.max_team is not None:
            lp.row({**team, y[m_id]: -m.max_team}, high=0)
        if m.change_type in ("transition", "innovation") and st.network_min_units > 0:  # §6.8
            by_unit: dict[str, dict[int, float]] = defaultdict(dict)
            for pid in people:
                by_unit[unit[pid]][x[pid, m_id]] = 1
            zs = {}
            for members in by_unit.values():
                z = lp.var(1)
                zs[z] = 1.0
                lp.row({z: 1, **{k: -v for k, v in members.items()}}, high=0)
            lp.row({**zs, y[m_id]: -st.network_min_units}, low=0)
        if m.mandatory:
            lp.row({y[m_id]: 1}, 1, 1)  # §6.9
        objective[y[m_id]] += st.weights.value * round(100 * m.value)
    for m in s.missions:  # §6.10 sequence, as a big-M on start times, per predecessor
        for before in filter(None, (i.strip() for i in (m.after or "").split(";"))):
            lp.row({y[m.mission_id]: 1, y[before]: -1}, high=0)
            big = 2 * len(periods) + 1
            terms: dict[int, float] = defaultdict(float)
            for t, b in starts[m.mission_id].items():
                terms[b] += t
            for t, b in starts[before].items():
                terms[b] -= t + length[before]
            terms[y[m.mission_id]] -= big
            lp.row(dict(terms), low=-big)
    in_force: dict[tuple[str, str, int], tuple[float, int]] = {}
    for o in s.ops_demand:
        if o.period_id is None:
            for t in horizon:
                in_force.setdefault((o.unit_id, o.skill_id, t), (o.fte, o.min_level))
    for o in s.ops_demand:
        if o.period_id is not None:
            in_force[o.unit_id, o.skill_id, index_of[o.period_id]] = (o.fte, o.min_level)
    for (u, k, t), (fte, min_level) in in_force.items():  # §6.4
        required = math.ceil(fte * (1 + st.ops_buffer) / step - EPS)
        cover = {}
        for p in s.people:
            if p.unit_id == u and level.get((p.person_id, k), 0) >= min_level:
                var = lp.var(cap[p.person_id, t])
                cover[var] = 1.0
                load[p.person_id, t][var] = 1
        lp.row(cover, low=required)
    for p in s.people:
        maxm = st.max_missions_default if p.max_missions is None else p.max_missions
        for t in horizon:
            lp.row(load[p.person_id, t], high=cap[p.person_id, t])  # §6.3
            lp.row(working[p.person_id, t], high=maxm)  # §6.6
    for u in {p.unit_id for p in s.people}:  # §6.12 the volunteer army's cap
        share_u = share_of.get(u, st.network_share_max)
        for t in horizon:
            total = sum(cap[p.person_id, t] for p in s.people if p.unit_id == u)
            if network_time[u, t]:
                lp.row(network_time[u, t], high=math.floor(share_u * total + EPS))
    for c in s.capabilities:  # §6.7
        for t in horizon:
            use: dict[int, float] = defaultdict(float)
            for mc in s.mission_capabilities:
                if mc.capability_id == c.capability_id:
                    for b, coefficient in running(mc.mission_id, t).items():
                        use[b] += mc.units * coefficient
            lp.row(use, high=c.capacity - c.ops_reserved)
    for lk in s.locks:
        if lk.lock == "pin":
            if (lk.person_id, lk.mission_id) not in x:
                return None
            lp.row({x[lk.person_id, lk.mission_id]: 1}, 1, 1)
    for pref in s.preferences:
        if (pref.person_id, pref.mission_id) in x:
            objective[x[pref.person_id, pref.mission_id]] += st.weights.preference * pref.weight
    for xv in x.values():
        objective[xv] -= st.weights.assignment
    return _solve(lp, objective)


def _solve(lp: _Lp, objective: dict[int, float]) -> int | None:
    size = len(lp.upper)
    if size == 0:
        return 0
    cost = np.zeros(size)
    for var, coefficient in objective.items():
        cost[var] = -coefficient
    rows, cols, vals = [], [], []
    for i, (terms, _, _) in enumerate(lp.rows):
        for var, coefficient in terms.items():
            rows.append(i)
            cols.append(var)
            vals.append(coefficient)
    matrix = coo_array((vals, (rows, cols)), shape=(len(lp.rows), size))
    constraints = (
        LinearConstraint(matrix, [r[1] for r in lp.rows], [r[2] for r in lp.rows])
        if lp.rows
        else ()
    )
    result = milp(
        cost,
        constraints=constraints,
        integrality=np.ones(size),
        bounds=Bounds(np.zeros(size), np.array(lp.upper, dtype=float)),
        options={"time_limit": 60, "mip_rel_gap": 0},
    )
    if result.status == 2:
        return None
    assert result.status == 0, result.message
    return round(-result.fun)
