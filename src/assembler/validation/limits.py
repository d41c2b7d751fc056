"""Stage 3 of validation, first question: can the solver and the reports hold the score?

Each number has a bound of its own (the pydantic fields: values ≤ 10⁹, weights ≤ 10⁶,
counts ≤ 10⁶, FTE ≤ 10⁴), but the score multiplies and adds them: a weight of 10⁶ on a
hundred missions worth 10⁹ each is a score of 10¹⁹, past CP-SAT's 64-bit integers, and
anything past 2⁵³ is no longer exact as the float of ``summary.json``.  So the whole
scenario is checked once: the sum of the magnitudes of every term the objective
(MODEL.md §7) can hold must stay below 2⁵³.  It bounds the score from above and below and
is the quantity CP-SAT itself checks against overflow, so a scenario that passes builds a
valid model, and every score and bound in a report is an exact integer.
"""

from __future__ import annotations

from typing import Final

from assembler.compile.instance import value_points
from assembler.domain.problems import error
from assembler.domain.scenario import Scenario
from assembler.validation.rows import TypedTables

MAX_SCORE: Final = 2**53
"""The largest magnitude a score may reach: every integer up to it is an exact float."""


def score_terms(scenario: Scenario) -> dict[str, int]:
    """An upper bound on each term's magnitude in the score, by the weight that scales it.

    Preferences and memberships are bounded over every person-mission pair and delays
    over every possible start, as if every one were chosen: cheap to compute and, for any
    real organisation, orders of magnitude below the limit.
    """
    weights = scenario.settings.weights
    periods = len(scenario.period_ids)
    missions = len(scenario.missions)
    return {
        "weights.value": weights.value * sum(value_points(m.value) for m in scenario.missions),
        "weights.preference": weights.preference * sum(p.weight for p in scenario.preferences),
        "weights.assignment": weights.assignment * len(scenario.people) * missions,
        "weights.delay": weights.delay * missions * (periods * (periods - 1) // 2),
    }


def check_score_range(tables: TypedTables, scenario: Scenario) -> None:
    """An error when the score could pass ``MAX_SCORE``, naming the weight that weighs most."""
    terms = score_terms(scenario)
    total = sum(terms.values())
    if total < MAX_SCORE:
        return
    largest = max(terms, key=terms.__getitem__)
    tables.add(
        error(
            "scenario",
            f"the score could reach {total:,} points, past 2⁵³ = {MAX_SCORE:,}, the most "
            "the solver and the report files hold exactly; most of it comes from "
            f"{largest} = {getattr(scenario.settings.weights, largest.split('.')[1]):,}: "
            "lower it (or the missions' values)",
            column=largest,
        )
    )
