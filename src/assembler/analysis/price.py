"""What it takes to staff a mission: the best plan with it forced in, against the best plan.

A planner looking at an unstaffed mission asks what staffing it would cost.  The exact
answer is a difference of two optima — the scenario as it is, and the same scenario with
the mission mandatory — so this module solves the second (warm-started from the first) and
reports the score and value lost, the missions displaced and the people who move.  When
both solves are proven optimal the price is exact; otherwise it is given as the interval
the two bounds allow.  When no plan can staff the mission, the certified reason
(``compile.certificates``) or the solver's clash says why.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from assembler.compile.certificates import clashes
from assembler.compile.instance import Instance
from assembler.domain.scenario import Scenario
from assembler.domain.solution import Solution
from assembler.domain.solve_settings import SolveSettings, Stability
from assembler.results.compare import Comparison, compare
from assembler.results.names import Names
from assembler.results.result import Result, Status
from assembler.solver import solve
from assembler.text import plural


@dataclass(frozen=True)
class Difference:
    """How much a forced plan differs from the free one in score: exactly, or bounded."""

    low: float
    high: float

    @property
    def proven(self) -> bool:
        return self.low == self.high

    @classmethod
    def between(cls, base: Result, forced: Result) -> Difference | None:
        """``forced − base`` from the two results' scores and bounds (``None`` if either
        has no plan): exact when both are optimal, else the widest the bounds allow."""
        if base.score is None or forced.score is None:
            return None
        base_best = base.score if base.status is Status.OPTIMAL else base.best_bound
        forced_best = forced.score if forced.status is Status.OPTIMAL else forced.best_bound
        if base_best is None or forced_best is None:
            return None
        return cls(forced.score - base_best, forced_best - base.score)

    def __str__(self) -> str:
        if self.proven:
            return f"{self.low:+,.0f}"
        return f"between {self.low:+,.0f} and {self.high:+,.0f}"


@dataclass(frozen=True)
class Effect:
    """What a change does to the best plan in a planner's terms — the mission value it
    captures, the missions it stops or starts staffing, the people whose teams change —
    rather than in score points, which only the objective's weights give a meaning."""

    value_before: float
    value_after: float
    displaced: tuple[str, ...]
    gained: tuple[str, ...]
    moved: int
    mission_fte: float = 0.0
    """The change in time on missions, FTE in a mean period (what operations give up)."""

    @property
    def value(self) -> float:
        return self.value_after - self.value_before

    @classmethod
    def between(cls, scenario: Scenario, before: Solution, after: Solution) -> Effect:
        """From plan ``before`` to plan ``after``, both of ``scenario`` (or of it with a
        pin or a mission made mandatory: the same missions and values)."""
        order = [mission.mission_id for mission in scenario.missions]
        values = {mission.mission_id: mission.value for mission in scenario.missions}
        changed = {person_id for person_id, _ in before.members ^ after.members}
        steps = sum(a.steps for a in after.assignments) - sum(a.steps for a in before.assignments)
        per_period = steps * scenario.settings.step_fte / len(scenario.period_ids)
        return cls(
            sum(values[m] for m in before.staffed),
            sum(values[m] for m in after.staffed),
            tuple(m for m in order if m in before.staffed - after.staffed),
            tuple(m for m in order if m in after.staffed - before.staffed),
            len(changed),
            round(per_period, 6),
        )

    def words(self, names: Names, staffing: str | None = None) -> str:
        """``value −15 (800 → 785); M10 · Lab no longer staffed; 4 people move``:
        ``staffing`` is the mission being asked about, left out of the missions gained."""
        parts = [f"value {self.value:+,g} ({self.value_before:,g} → {self.value_after:,g})"]
        if self.displaced:
            lost = ", ".join(names.mission(m) for m in self.displaced)
            parts.append(f"{lost} no longer staffed")
        gained = [names.mission(m) for m in self.gained if m != staffing]
        if gained:
            parts.append(f"{', '.join(gained)} staffed as well")
        if self.moved:
            verb = "moves" if self.moved == 1 else "move"
            parts.append(f"{plural(self.moved, 'person', 'people')} {verb}")
        else:
            parts.append("nobody moves")
        if self.mission_fte:
            more = "more" if self.mission_fte > 0 else "less"
            parts.append(f"{abs(self.mission_fte):.2f} FTE {more} on missions per period")
        return "; ".join(parts)


@dataclass(frozen=True)
class Price:
    """The price of staffing ``mission_id``; ``reasons`` instead when it cannot be staffed.

    ``comparison`` holds what changes from the free plan to the forced one: missions gained
    (the mission itself) and lost (displaced), people moved, missions shifted in time.
    """

    mission_id: str
    already_staffed: bool
    reasons: tuple[str, ...]
    base: Result
    forced: Result | None
    score: Difference | None
    comparison: Comparison | None
    effect: Effect | None = None
    """What staffing it does to the best plan, in value, missions, people and FTE."""

    @property
    def possible(self) -> bool:
        return not self.reasons

    def to_json(self) -> dict[str, Any]:
        """The answer as plain data (``assembler explain --json``)."""
        comparison = self.comparison
        return {
            "mission_id": self.mission_id,
            "already_staffed": self.already_staffed,
            "possible": self.possible,
            "reasons": list(self.reasons),
            "proven": self.score.proven if self.score is not None else False,
            "score_delta": self.score.low if self.score and self.score.proven else None,
            "score_delta_range": None if self.score is None else [self.score.low, self.score.high],
            "value_delta": None if comparison is None else comparison.value_delta,
            "mission_fte_delta": None if self.effect is None else self.effect.mission_fte,
            "displaced": [] if comparison is None else [m.mission_id for m in comparison.lost],
            "also_gained": []
            if comparison is None
            else [m.mission_id for m in comparison.gained if m.mission_id != self.mission_id],
            "people_moved": []
            if comparison is None
            else [
                {"person_id": move.person_id, "joined": list(move.joined), "left": list(move.left)}
                for move in comparison.moves
            ],
            "shifted": []
            if comparison is None
            else [
                {"mission_id": s.mission_id, "from": s.start_before, "to": s.start_after}
                for s in comparison.shifts
            ],
        }


def forced(scenario: Scenario, mission_id: str) -> Scenario:
    """``scenario`` with ``mission_id`` mandatory: every plan must staff it."""
    return scenario.replace(
        missions=[
            mission.model_copy(update={"mandatory": True})
            if mission.mission_id == mission_id
            else mission
            for mission in scenario.missions
        ]
    )


def price_of(
    scenario: Scenario,
    mission_id: str,
    settings: SolveSettings | None = None,
    base: Result | None = None,
) -> Price:
    """What staffing ``mission_id`` costs against the best plan (``base``, solved if not
    given, under ``settings``).  Raises ``KeyError`` for an unknown mission."""
    if mission_id not in {mission.mission_id for mission in scenario.missions}:
        raise KeyError(mission_id)
    settings = settings or SolveSettings()
    base = base or solve(scenario, settings)
    if base.solution is not None and mission_id in base.solution.staffed:
        return Price(mission_id, True, (), base, base, Difference(0, 0), None)
    with_it = forced(scenario, mission_id)
    certain = clashes(Instance(with_it), Names.of(with_it))
    if certain:
        return Price(mission_id, False, tuple(certain), base, None, None, None)
    result = solve(with_it, closest(settings, base))
    if result.solution is None:
        reasons = result.conflicts or (_no_plan(result),)
        return Price(mission_id, False, tuple(reasons), base, result, None, None)
    before = base.solution
    effect = None if before is None else Effect.between(scenario, before, result.solution)
    return Price(
        mission_id,
        False,
        (),
        base,
        result,
        Difference.between(base, result),
        compare(scenario, base, with_it, result),
        effect,
    )


def closest(settings: SolveSettings, base: Result) -> SolveSettings:
    """Warm-started from ``base`` and lexicographically close to it: among the best plans
    with the change, the one that moves fewest people — so the moves listed are the ones
    the change causes, not an equally good reshuffle."""
    reference = base.solution
    stability = None if reference is None else Stability(reference, weight=None)
    return dataclasses.replace(settings, hint=reference, stability=stability)


def _no_plan(result: Result) -> str:
    if result.status is Status.INFEASIBLE:
        return "no plan can staff it together with every commitment and operations"
    return "no plan staffing it was found within the time limit"
