"""An independent re-implementation of MODEL.md as a MILP (scipy's HiGHS), for cross-checks.

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
    cap = {p.person_id: math.floor(p.fte / step + EPS) for p in s.people}
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

    def eligible(pid: str, m_id: str, skill: str, min_level: int) -> bool:
        mission = next(m for m in s.missions if m.mission_id == m_id)
        person = next(p for p in s.people if p.person_id == pid)
        if level.get((pid, skill), 0) < min_level or (pid, m_id) in forbidden:
            return False
        if mission.change_type in ("transition", "innovation"):
            return person.network_opt_in or not st.network_opt_in_required
        return mission.owner_unit is None or inside(person.unit_id, mission.owner_unit)

    lp = _Lp()
    objective: dict[int, float] = defaultdict(float)
    y = {m.mission_id: lp.var(1) for m in s.missions}
    needs = defaultdict(list)
    for n in s.mission_needs:
        needs[n.mission_id].append(n)
    a: dict[tuple[str, str, str], int] = {}
    x: dict[tuple[str, str], int] = {}
    load: dict[str, dict[int, float]] = defaultdict(dict)
    for m in s.missions:
        total_demand = sum(math.ceil(n.fte / step - EPS) for n in needs[m.mission_id])
        share = min(math.ceil(st.min_allocation_fte / step - EPS), total_demand)
        per_person: dict[str, list[int]] = defaultdict(list)
        for n in needs[m.mission_id]:
            demand = math.ceil(n.fte / step - EPS)
            supply: dict[int, float] = {}
            for p in s.people:
                if eligible(p.person_id, m.mission_id, n.skill_id, n.min_level):
                    var = lp.var(demand)
                    a[p.person_id, m.mission_id, n.skill_id] = var
                    supply[var] = 1
                    per_person[p.person_id].append(var)
                    load[p.person_id][var] = 1
            lp.row({**supply, y[m.mission_id]: -demand}, 0, 0)  # §6.1
        for pid, vars_ in per_person.items():
            xv = x[pid, m.mission_id] = lp.var(1)
            for var in vars_:
                lp.row({var: 1, xv: -lp.upper[var]}, high=0)  # §6.2 a ≤ D·x
            lp.row({**dict.fromkeys(vars_, 1.0), xv: -share}, low=0)  # §6.2 share
            lp.row({xv: 1, y[m.mission_id]: -1}, high=0)  # §6.2 x ≤ y
        team = {x[pid, m.mission_id]: 1.0 for pid in per_person}
        lp.row({**team, y[m.mission_id]: -m.min_team}, low=0)  # §6.5
        if m.max_team is not None:
            lp.row({**team, y[m.mission_id]: -m.max_team}, high=0)
        if m.change_type in ("transition", "innovation") and st.network_min_units > 0:  # §6.8
            by_unit: dict[str, dict[int, float]] = defaultdict(dict)
            for pid in per_person:
                by_unit[unit[pid]][x[pid, m.mission_id]] = 1
            zs = {}
            for members in by_unit.values():
                z = lp.var(1)
                zs[z] = 1.0
                lp.row({z: 1, **{k: -v for k, v in members.items()}}, high=0)
            lp.row({**zs, y[m.mission_id]: -st.network_min_units}, low=0)
        if m.mandatory:
            lp.row({y[m.mission_id]: 1}, 1, 1)  # §6.9
        objective[y[m.mission_id]] += st.weights.value * round(100 * m.value)
    for o in s.ops_demand:  # §6.4
        required = math.ceil(o.fte * (1 + st.ops_buffer) / step - EPS)
        cover = {}
        for p in s.people:
            if p.unit_id == o.unit_id and level.get((p.person_id, o.skill_id), 0) >= o.min_level:
                var = lp.var(cap[p.person_id])
                cover[var] = 1.0
                load[p.person_id][var] = 1
        lp.row(cover, low=required)
    for p in s.people:
        lp.row(load[p.person_id], high=cap[p.person_id])  # §6.3
        mine = {xv: 1.0 for (pid, _), xv in x.items() if pid == p.person_id}
        maxm = st.max_missions_default if p.max_missions is None else p.max_missions
        lp.row(mine, high=maxm)  # §6.6
    for c in s.capabilities:  # §6.7
        use: dict[int, float] = defaultdict(float)
        for mc in s.mission_capabilities:
            if mc.capability_id == c.capability_id:
                use[y[mc.mission_id]] += mc.units
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
