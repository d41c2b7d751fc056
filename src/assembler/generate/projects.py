"""Project-scheduling instances as scenarios: tasks with a skill at a level, one person
each, chains of predecessors, a long horizon — the shape of multi-skill project scheduling
benchmarks (MS-RCPSP), which the organisation generator never makes.

Every task is a mandatory mission of one need (a whole FTE of one skill at a minimum level)
done by a team of one, for a few periods, after the task before it in its chain; people
hold a few skills at levels 1–5 and work on one task at a time.  The generator is a test
of the engine on ground it was not tuned on: commitments only, no value to trade, time as
the scarce resource.  It is feasible by construction — a list schedule (tasks in chain
order, each on the eligible person free first) is drawn first, and the horizon is its
makespan times ``slack`` — so a solve that finds no plan is the engine's failure.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from assembler.domain.scenario import (
    ChangeType,
    Mission,
    MissionNeed,
    Period,
    Person,
    PersonSkill,
    Scenario,
    Skill,
    Unit,
)

_UNIT = "projects"


@dataclass(frozen=True)
class _Task:
    skill: str
    level: int
    duration: int
    after: int | None


def generate_projects(
    tasks: int,
    people: int,
    seed: int = 0,
    skills: int = 6,
    chain_share: float = 0.8,
    slack: float = 1.1,
) -> Scenario:
    """``tasks`` mandatory tasks for ``people`` people over a horizon that a list schedule
    fits into with ``slack`` to spare; ``chain_share`` of the tasks follow an earlier one."""
    if tasks < 1 or people < 1 or skills < 1:
        raise ValueError("a project needs at least one task, one person and one skill")
    rng = random.Random(seed)
    skill_ids = [f"s{k + 1}" for k in range(skills)]
    levels = [_levels(rng, skill_ids) for _ in range(people)]
    drawn = [_task(rng, t, levels, skill_ids, chain_share) for t in range(tasks)]
    makespan = _list_schedule(drawn, levels)
    drawn, number = _shuffled(rng, drawn)
    horizon = max(1, round(makespan * slack))
    periods = tuple(Period(period_id=f"W{t + 1:03d}", name=f"Week {t + 1}") for t in range(horizon))
    return Scenario(
        people=tuple(
            Person(
                person_id=f"R{p + 1:03d}", name=f"Resource {p + 1}", unit_id=_UNIT, max_missions=1
            )
            for p in range(people)
        ),
        person_skills=tuple(
            PersonSkill(person_id=f"R{p + 1:03d}", skill_id=skill, level=level)
            for p, held in enumerate(levels)
            for skill, level in held.items()
        ),
        missions=tuple(
            Mission(
                mission_id=f"T{t + 1:03d}",
                name=f"Task {t + 1}",
                change_type=ChangeType.IMPROVE,
                value=1,
                mandatory=True,
                min_team=1,
                max_team=1,
                owner_unit=_UNIT,
                duration=task.duration,
                after=None if task.after is None else f"T{number[task.after] + 1:03d}",
            )
            for t, task in enumerate(drawn)
        ),
        mission_needs=tuple(
            MissionNeed(
                mission_id=f"T{t + 1:03d}", skill_id=task.skill, fte=1.0, min_level=task.level
            )
            for t, task in enumerate(drawn)
        ),
        units=(Unit(unit_id=_UNIT, name="Projects"),),
        skills=tuple(Skill(skill_id=skill, name=f"Skill {skill[1:]}") for skill in skill_ids),
        periods=periods,
    )


def _shuffled(rng: random.Random, tasks: list[_Task]) -> tuple[list[_Task], list[int]]:
    """The tasks in a random order, as a scenario file lists them in no useful one, and
    each task's new number (``after`` keeps naming the drawn predecessor)."""
    order = list(range(len(tasks)))
    rng.shuffle(order)
    number = [0] * len(tasks)
    for position, t in enumerate(order):
        number[t] = position
    return [tasks[t] for t in order], number


def _levels(rng: random.Random, skill_ids: list[str]) -> dict[str, int]:
    """One to three skills, each at a level from 1 to 5."""
    held = rng.sample(skill_ids, rng.randint(1, min(3, len(skill_ids))))
    return {skill: rng.randint(1, 5) for skill in sorted(held)}


def _task(
    rng: random.Random,
    t: int,
    levels: list[dict[str, int]],
    skill_ids: list[str],
    chain_share: float,
) -> _Task:
    """A task somebody can do: a skill someone holds, at a level at most theirs."""
    holders = [held for held in levels if held]
    held = rng.choice(holders)
    skill = rng.choice(sorted(held))
    level = rng.randint(1, held[skill])
    after = rng.randrange(t) if t > 0 and rng.random() < chain_share else None
    return _Task(skill, level, rng.randint(1, 6), after)


def _list_schedule(tasks: list[_Task], levels: list[dict[str, int]]) -> int:
    """The makespan of a critical-path list schedule: among the tasks whose predecessor is
    done, the one heading the longest chain of work goes next, on the eligible person free
    soonest, once its predecessor has ended."""
    tail = [task.duration for task in tasks]
    for t in reversed(range(len(tasks))):  # a predecessor always comes earlier in the list
        after = tasks[t].after
        if after is not None:
            tail[after] = max(tail[after], tasks[after].duration + tail[t])
    free = [0] * len(levels)
    end: dict[int, int] = {}
    waiting = set(range(len(tasks)))
    while waiting:
        ready = [t for t in waiting if tasks[t].after is None or tasks[t].after in end]
        t = max(ready, key=lambda r: (tail[r], -r))
        task = tasks[t]
        earliest = 0 if task.after is None else end[task.after]
        able = [p for p, held in enumerate(levels) if held.get(task.skill, 0) >= task.level]
        person = min(able, key=lambda p: (max(free[p], earliest), p))
        start = max(free[person], earliest)
        free[person] = end[t] = start + task.duration
        waiting.remove(t)
    return max(end.values())
