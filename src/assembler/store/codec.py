"""The store's JSON columns: scenarios, edits, dials, solutions, comparisons and whole
plans, there and back.

Every value the store keeps as JSON goes through here, so "what was saved reads back
equal" is one module's promise, tested on its own.  Scenarios, settings and solutions are
pydantic models, dumped in JSON mode and validated back (unknown columns, dates and ids
intact); edits, comparisons, solve records and results are dataclasses, rebuilt field by
field.  A ``Result`` is read back by ``result_from`` alone, whether from a plan's columns
or from a session's kept plan.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict
from datetime import datetime
from typing import Any

from assembler.compile.instance import Instance
from assembler.domain.edits import GOAL_EDITS, Edit, EditKind
from assembler.domain.scenario import Scenario
from assembler.domain.settings import ModelSettings
from assembler.domain.solution import Solution
from assembler.results.compare import Comparison, Learning, MissionChange, Move, Shift
from assembler.results.kpis import evaluate
from assembler.results.plan import Plan, SolveRecord
from assembler.results.result import Result, Status


def scenario_document(scenario: Scenario) -> dict[str, Any]:
    return scenario.model_dump(mode="json")


def scenario_from(document: Mapping[str, Any]) -> Scenario:
    return Scenario.model_validate(document)


_GOAL_FIELDS = ("skill_id", "weight")
"""``Edit``'s fields for development goals (MODEL.md v3), kept only by the edits that use
them: every other edit is stored as before they existed, so its version's digest holds."""


def edits_document(edits: Iterable[Edit]) -> list[dict[str, Any]]:
    """The edits as rows; the goal fields only on goal edits and ``reason`` only where an
    edit has one, so that an edit log saved before either existed keeps its digest (an
    unchanged save is still known)."""
    return [
        {
            key: value
            for key, value in asdict(edit).items()
            if (key not in _GOAL_FIELDS or edit.kind in GOAL_EDITS) and (key != "reason" or value)
        }
        for edit in edits
    ]


def edits_from(document: Iterable[Mapping[str, Any]]) -> tuple[Edit, ...]:
    return tuple(Edit(**{**row, "kind": EditKind(row["kind"])}) for row in document)


def dials_document(dials: ModelSettings | None) -> dict[str, Any]:
    """The dials as the ``overrides`` columns keep them: every model setting, or ``{}`` when
    no dial was turned (a file saved from the command line)."""
    return {} if dials is None else dials.model_dump(mode="json")


def dials_from(document: Mapping[str, Any]) -> ModelSettings | None:
    return ModelSettings.model_validate(document) if document else None


def solve_document(record: SolveRecord | None) -> dict[str, Any]:
    """How a plan was solved, every key always there (``{}`` only for a plan made
    elsewhere, a test's or a trade-off study's, with no record of its settings)."""
    return {} if record is None else asdict(record)


def solve_from(document: Mapping[str, Any]) -> SolveRecord | None:
    return SolveRecord(**document) if document else None


def digest(
    document: Mapping[str, Any], edits: list[dict[str, Any]], overrides: Mapping[str, Any]
) -> str:
    """A fingerprint of a version's content, to tell an unchanged save from a new version.

    Keys are sorted so that equal content always hashes alike, whatever the dict order.
    """
    content = {"scenario": document, "edits": edits, "overrides": dict(overrides)}
    text = json.dumps(content, sort_keys=True, ensure_ascii=False, allow_nan=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def solution_document(solution: Solution) -> dict[str, Any]:
    """The solution with its sets sorted (their order is Python's hash order), so one plan is
    always stored as the same text; the tuples keep the solver's order, which equality sees."""
    document = solution.model_dump(mode="json")
    for key in ("staffed", "members", "learners", "mentors"):
        if key in document:
            document[key] = sorted(document[key])
    return document


def solution_from(document: Mapping[str, Any]) -> Solution:
    return Solution.model_validate(document)


def comparison_document(comparison: Comparison) -> dict[str, Any]:
    return asdict(comparison)


def comparison_from(document: Mapping[str, Any]) -> Comparison:
    """The comparison ``comparison_document`` wrote; one stored before learners (MODEL.md
    v3) has none gained or lost."""
    return Comparison(
        gained=tuple(MissionChange(**row) for row in document["gained"]),
        lost=tuple(MissionChange(**row) for row in document["lost"]),
        moves=tuple(
            Move(**{**row, "joined": tuple(row["joined"]), "left": tuple(row["left"])})
            for row in document["moves"]
        ),
        value_before=document["value_before"],
        value_after=document["value_after"],
        score_before=document["score_before"],
        score_after=document["score_after"],
        shifts=tuple(Shift(**row) for row in document["shifts"]),
        learners_gained=tuple(Learning(**row) for row in document.get("learners_gained", ())),
        learners_lost=tuple(Learning(**row) for row in document.get("learners_lost", ())),
    )


def result_document(result: Result) -> dict[str, Any]:
    """A solve as JSON, without its KPIs: they follow from the solution and its scenario,
    and are recomputed on reading as after any solve (``result_from``)."""
    return {
        "status": result.status.value,
        "score": result.score,
        "best_bound": result.best_bound,
        "gap": result.gap,
        "build_seconds": result.build_seconds,
        "solve_seconds": result.solve_seconds,
        "solution": None if result.solution is None else solution_document(result.solution),
        "conflicts": list(result.conflicts),
    }


def result_from(document: Mapping[str, Any], scenario: Scenario) -> Result:
    """The solve of ``scenario`` that ``result_document`` wrote (or a plan's columns of the
    same names hold), its KPIs recomputed."""
    solution = None if document["solution"] is None else solution_from(document["solution"])
    return Result(
        status=Status(document["status"]),
        score=document["score"],
        best_bound=document["best_bound"],
        gap=document["gap"],
        build_seconds=document["build_seconds"],
        solve_seconds=document["solve_seconds"],
        solution=solution,
        kpis=None if solution is None else evaluate(Instance(scenario), solution),
        conflicts=tuple(document["conflicts"]),
    )


def plan_document(plan: Plan) -> dict[str, Any]:
    """A plan not in the store as one (a session's current plan, kept for a reload)."""
    return {
        "scenario": scenario_document(plan.scenario),
        "result": result_document(plan.result),
        "solved_at": plan.solved_at.isoformat(),
        "edits": edits_document(plan.edits),
        "dials": dials_document(plan.dials),
        "solve": solve_document(plan.solve),
        "reference_id": plan.reference_id,
        "changes": None if plan.changes is None else comparison_document(plan.changes),
    }


def plan_from(document: Mapping[str, Any]) -> Plan:
    scenario = scenario_from(document["scenario"])
    changes = document["changes"]
    return Plan(
        scenario,
        result_from(document["result"], scenario),
        solved_at=datetime.fromisoformat(document["solved_at"]),
        edits=edits_from(document["edits"]),
        dials=dials_from(document["dials"]),
        solve=solve_from(document["solve"]),
        reference_id=document["reference_id"],
        changes=None if changes is None else comparison_from(changes),
    )
