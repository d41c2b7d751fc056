"""Growth under a plan (MODEL.md v3): who learns what on which mission and with whom,
which development goals the plan meets, and — for each goal it leaves unmet — why, in
words a planner can act on.

``development.csv`` lists the learners by id; a planner also asks about the goals the plan
*does not* meet, and the answer is rarely "the optimiser chose not to": nobody may learn
while stretch assignments are off, no mission needs the skill within reach of the
person's level, no mentor can join, the missions where they could learn are not staffed,
or operations take all their time.  The reasons are tried in the order a planner would fix
them, so the first that holds is the one worth reading.  Everything comes out as plain
tables with names (``Names``), so the app only lays them out.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pandas as pd

from assembler.compile.eligibility import condition
from assembler.compile.instance import Instance, Need
from assembler.domain.scenario import Scenario
from assembler.domain.solution import Solution
from assembler.planning.views import TimeUse
from assembler.results.names import Names
from assembler.results.report import MISSION_ID_SEPARATOR, Reports
from assembler.text import plural

ROLE_WORDS = {"member": "Member", "learner": "Learner", "mentor": "Mentor"}
"""The roster's ``role`` (MODEL.md §8 v3) in the words a team table shows."""

LEARNER_COLUMNS = ["person", "skill", "mission", "level", "need_level", "mentors", "goal", "when"]
GOAL_COLUMNS = ["person", "unit", "skill", "weight", "met", "learns_on", "why"]


def roles_of(solution: Solution, person_id: str, mission_id: str) -> str:
    """What ``person_id`` is on ``mission_id``'s team, in words: ``Learner``, ``Mentor``,
    both (``Mentor, Learner``: a mentor on one need may learn on another) or ``Member``."""
    roles = [
        word
        for word, held in (("Mentor", solution.mentors), ("Learner", solution.learners))
        if any(row[0] == person_id and row[1] == mission_id for row in held)
    ]
    return ", ".join(roles) or ROLE_WORDS["member"]


def is_idle(scenario: Scenario) -> bool:
    """Nothing to show on growth: no development goals and stretch assignments off."""
    return not scenario.development and not scenario.settings.has_learners


def learners(reports: Reports) -> pd.DataFrame:
    """``development.csv`` as a planner reads it: one row per learner place, who learns
    which skill on which mission, their level against the need's, their mentors on that
    need, the goal's weight it meets (blank when it meets none), and when.  Empty while
    stretch assignments are off.

    Columns ``LEARNER_COLUMNS``, names instead of ids."""
    table, names = reports.development, reports.names
    if table is None or table.empty:
        return pd.DataFrame(columns=LEARNER_COLUMNS)
    return pd.DataFrame(
        {
            "person": table.person_id.map(names.person),
            "skill": table.skill_id.map(names.skill),
            "mission": table.mission_id.map(names.mission),
            "level": table.level,
            "need_level": table.min_level,
            "mentors": [
                ", ".join(names.person(q) for q in mentors.split(MISSION_ID_SEPARATOR) if q)
                for mentors in table.mentors
            ],
            "goal": [f"yes (weight {w})" if w else "" for w in table.goal_weight],
            "when": [
                names.span(start, end)
                for start, end in zip(table.start_period, table.end_period, strict=True)
            ]
            if "start_period" in table
            else "",
        },
        columns=LEARNER_COLUMNS,
    )


def goals(scenario: Scenario, solution: Solution) -> pd.DataFrame:
    """One row per development goal, in the ``development`` table's order: met or not,
    where it is met (the missions), and for an unmet goal why (``_unmet_reason``).

    Columns ``GOAL_COLUMNS``, names instead of ids; ``met`` is a bool, ``weight`` 1–3."""
    instance = Instance(scenario)
    names = Names.of(scenario)
    use = TimeUse(instance, solution)
    rows = []
    for goal in scenario.development:
        p = instance.person_index.get(goal.person_id)
        if p is None:
            continue
        where = [
            names.mission(mission_id)
            for mission_id in _missions_in_order(
                instance,
                (m for q, m, k in solution.learners if q == goal.person_id and k == goal.skill_id),
            )
        ]
        person = instance.people[p]
        rows.append(
            (
                names.person(goal.person_id),
                names.unit(person.unit_id),
                names.skill(goal.skill_id),
                goal.weight,
                bool(where),
                ", ".join(where),
                "" if where else _unmet_reason(instance, solution, use, p, goal.skill_id, names),
            )
        )
    return pd.DataFrame(rows, columns=GOAL_COLUMNS)


def _unmet_reason(
    instance: Instance, solution: Solution, use: TimeUse, p: int, skill_id: str, names: Names
) -> str:
    """Why person ``p`` learns ``skill_id`` nowhere in ``solution``: the first of the
    reasons below that holds, in the order a planner would fix them — the settings, the
    skill's needs, who may join, mentors, the plan's missions, the mentors' places, the
    person's time, and last the trade-off the optimiser made."""
    settings = instance.settings
    skill = names.skill(skill_id)
    if not settings.has_learners:
        return (
            "nobody learns while stretch assignments are off: set Learners: levels short "
            "to 1 or 2 in the sidebar"
        )
    needs = [need for need in instance.needs if need.skill_id == skill_id]
    if not needs:
        return f"no mission needs {skill}"
    reach = [need for need in needs if p in need.learners]
    if not reach:
        return _out_of_reach(instance, p, skill_id, needs, names)
    mentored = [need for need in reach if need.mentors]
    if not mentored:
        level = max(settings.mentor_min_level, min(need.min_level for need in reach))
        return (
            f"nobody who may join {_listed(instance, names, reach)} holds {skill} at level "
            f"{level} or more to mentor them"
        )
    staffed = [need for need in mentored if _mission_id(instance, need) in solution.staffed]
    if not staffed:
        return (
            f"{_listed(instance, names, mentored)}, where they could learn it, "
            f"{'is' if len(mentored) == 1 else 'are'} not staffed in this plan"
        )
    taught = [
        need
        for need in staffed
        if any(
            (instance.people[q].person_id, _mission_id(instance, need), skill_id)
            in solution.mentors
            for q in need.mentors
        )
    ]
    if not taught:
        return f"nobody mentors {skill} in the team of {_listed(instance, names, staffed)}"
    per_mentor = settings.learners_per_mentor
    open_places = [need for need in taught if _places(solution, need, per_mentor, instance) > 0]
    if not open_places:
        return (
            f"the mentors of {skill} on {_listed(instance, names, taught)} have as many "
            f"learners as they may take ({per_mentor} each)"
        )
    person_id = instance.people[p].person_id
    outside = [
        n for n in open_places if (person_id, _mission_id(instance, n)) not in solution.members
    ]
    if not outside:
        return "the plan gets more value from their time on another need of the same team"
    joined = sum(1 for q, _ in solution.members if q == person_id)
    if joined >= instance.max_missions[p]:
        return f"they are on {plural(joined, 'mission')} already, the most they may join"
    runs = [_run(instance, solution, need) for need in outside]
    if all(
        any(use.free(p, t) < instance.min_share[n.mission] for t in run)
        for n, run in zip(outside, runs, strict=True)
    ):
        periods = {t for run in runs for t in run}
        on_missions = any(use.missions[person_id, t] for t in periods)
        busy = "operations and their other missions take" if on_missions else "operations need"
        return f"{busy} their time while {_listed(instance, names, outside)} runs"
    return (
        "the plan gets more value from their time elsewhere: learning here is worth less "
        "than what it would displace"
    )


def _out_of_reach(
    instance: Instance, p: int, skill_id: str, needs: Sequence[Need], names: Names
) -> str:
    """Why person ``p`` is a learner candidate on none of the needs of ``skill_id``: their
    level against the needs', or the mission's condition that keeps them off."""
    stretch = instance.settings.stretch_levels
    person = instance.people[p]
    skill = names.skill(skill_id)
    level = instance.eligibility.level.get((person.person_id, skill_id), 0)
    in_range = [n for n in needs if max(1, n.min_level - stretch) <= level < n.min_level]
    if in_range:
        mission = instance.missions[in_range[0].mission]
        narrowed = condition(mission, instance.settings)
        if (person.person_id, mission.mission_id) in instance.eligibility.forbidden:
            why = "they are forbidden on it (a lock)"
        elif narrowed.volunteers_only:
            why = "it takes volunteers and they have not opted in to the network"
        else:
            owner = names.unit(narrowed.branch_of or "")
            why = f"it is {owner}'s and their unit is outside its branch"
        return f"{names.mission(mission.mission_id)} needs {skill} within their reach, but {why}"
    if level == 0:
        return f"they do not hold {skill} yet: a learner holds the skill, a level or two short"
    if all(n.min_level <= level for n in needs):
        return (
            f"they hold {skill} at level {level} already, enough for every mission that needs "
            "it: they join as a member, not as a learner"
        )
    lowest = min(n.min_level for n in needs if n.min_level > level)
    more = "; Learners: levels short goes up to 2" if stretch < 2 else ""
    return (
        f"the missions that need {skill} ask level {lowest} or more, more than "
        f"{plural(stretch, 'level')} above their level {level}{more}"
    )


def _mission_id(instance: Instance, need: Need) -> str:
    return instance.missions[need.mission].mission_id


def _places(solution: Solution, need: Need, per_mentor: int, instance: Instance) -> int:
    """Learner places the need's mentors in ``solution`` could still take (§6.11: each
    mentor takes at most ``learners_per_mentor`` on one need)."""
    key = (_mission_id(instance, need), need.skill_id)
    mentors = sum(1 for _, m, k in solution.mentors if (m, k) == key)
    learning = sum(1 for _, m, k in solution.learners if (m, k) == key)
    return per_mentor * mentors - learning


def _run(instance: Instance, solution: Solution, need: Need) -> range:
    """The periods the need's mission runs in under ``solution``."""
    start = solution.start_of(_mission_id(instance, need), instance.earliest[need.mission])
    return instance.run(need.mission, start)


def _missions_in_order(instance: Instance, mission_ids: Iterable[str]) -> list[str]:
    return sorted(set(mission_ids), key=instance.mission_index.__getitem__)


def _listed(instance: Instance, names: Names, needs: Sequence[Need]) -> str:
    """The needs' missions by name, each once, in scenario order."""
    missions = _missions_in_order(instance, (_mission_id(instance, need) for need in needs))
    return ", ".join(names.mission(mission_id) for mission_id in missions)
