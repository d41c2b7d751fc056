"""``Plan``: one solve with everything that made it, the one shape the app, the command
line and the store all hold.

A plan is the scenario it solved (edits and dials baked in) and the ``Result``, with its
provenance — the edit log that made that scenario, the dials' ``ModelSettings``, how it was
solved (``SolveRecord``), the stored plan it re-planned against and its changes against
that plan — and, once stored, its plan and version ids.  Its reports are built once, the
first time they are asked for, however many pages, files and stores read them.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any

from assembler.domain.edits import Edit
from assembler.domain.scenario import Scenario
from assembler.domain.settings import ModelSettings
from assembler.domain.solve_settings import SolveSettings
from assembler.results.compare import Comparison, compare
from assembler.results.report import Reports, build_reports
from assembler.results.result import Result


@dataclass(frozen=True)
class SolveRecord:
    """How a plan was solved, as it is stored and shown: the controls that change what a
    solve finds (not its progress callbacks or stop event), and the plan it re-planned."""

    time_limit: float
    workers: int
    seed: int = 0
    replanned_from: int | None = None

    @classmethod
    def of(cls, settings: SolveSettings, replanned_from: int | None = None) -> SolveRecord:
        return cls(settings.time_limit, settings.workers, settings.seed, replanned_from)

    def shown(self) -> str:
        """``time_limit 10.0, workers 2, seed 0, replanned_from 3``: the stored settings in
        the words ``plans show`` prints."""
        return ", ".join(
            f"{key} {value}" for key, value in dataclasses.asdict(self).items() if value is not None
        )


@dataclass(frozen=True, eq=False)
class Plan:
    """A solve and its provenance (see the module docstring).

    ``edits`` is the edit log on top of the session's loaded scenario when it was solved
    (what saving it records); ``dials`` the model settings the planner dialled, ``None``
    when the scenario's own settings were used; ``changes`` its difference from plan
    ``reference_id``, the stored plan it re-planned (``None`` for a fresh plan);
    ``plan_id`` and ``version_id`` its ids once it is stored.  ``eq=False``: two plans are
    the same plan by identity, and comparing scenarios field by field is no cheap test.
    """

    scenario: Scenario
    result: Result
    solved_at: datetime = field(default_factory=datetime.now)
    edits: tuple[Edit, ...] = ()
    dials: ModelSettings | None = None
    solve: SolveRecord | None = None
    reference_id: int | None = None
    changes: Comparison | None = None
    plan_id: int | None = None
    version_id: int | None = None

    @cached_property
    def reports(self) -> Reports:
        """The §8 tables and summary, built on first use and kept."""
        return build_reports(self.scenario, self.result)

    @property
    def summary(self) -> dict[str, Any]:
        """``summary.json`` as a mapping: what the store keeps beside the solution."""
        return self.reports.summary.to_json()

    @property
    def has_solution(self) -> bool:
        return self.result.solution is not None

    def against(self, reference: Plan) -> Plan:
        """This plan re-planned against the stored plan ``reference``: its changes against it
        worked out now, so that storing it is only writing."""
        if reference.plan_id is None:
            raise ValueError("a plan is re-planned against a stored plan")
        changes = compare(reference.scenario, reference.result, self.scenario, self.result)
        return dataclasses.replace(self, reference_id=reference.plan_id, changes=changes)

    def stored_as(self, plan_id: int, version_id: int) -> Plan:
        """The same plan, now stored as plan ``plan_id`` of version ``version_id`` (its
        reports, if built, carried over rather than built again)."""
        stored = dataclasses.replace(self, plan_id=plan_id, version_id=version_id)
        if "reports" in self.__dict__:
            stored.__dict__["reports"] = self.__dict__["reports"]
        return stored
