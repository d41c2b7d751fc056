"""One planner's working session: a loaded scenario, their edits, and the last two solves.

The planner app keeps one ``PlanningSession`` per user and only draws it; everything a
click changes happens here, in plain Python, so it is tested without a browser:

* the scenario as loaded, the log of edits on top of it and the model-setting dials,
  which together give the scenario to solve (``scenario``) — also what is exported, so
  edits are never lost;
* a background solve (``assembler.planning.jobs``), warm-started from the latest plan, so a
  re-solve after a small edit starts from a feasible neighbour and finishes at once;
* the current and the previous outcome, each with the scenario it solved and its reports,
  so the app can compare them (``comparison``) even after further edits.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from assembler.domain.problems import Problem
from assembler.domain.scenario import Scenario
from assembler.domain.solution import Solution
from assembler.domain.solve_settings import SolveSettings, Stability
from assembler.planning.edits import Edit, apply_edit, apply_edits
from assembler.planning.jobs import SolveJob, start
from assembler.results.compare import Comparison, compare
from assembler.results.report import Reports, build_reports
from assembler.results.result import Result
from assembler.validation import ScenarioReport


@dataclass(frozen=True, eq=False)
class Outcome:
    """A solve with the scenario it solved (edits and settings included) and its reports."""

    scenario: Scenario
    result: Result
    reports: Reports


class PlanningSession:
    """State of one planner; see the module docstring.  Start from a valid scenario."""

    def __init__(self, scenario: Scenario, source: str) -> None:
        self._start(scenario, source)

    def _start(self, scenario: Scenario, source: str) -> None:
        """Everything as on a fresh load of ``scenario``."""
        self.source = source
        self.base = scenario
        self.problems: tuple[Problem, ...] = ()
        self.rejected: str | None = None
        self._edits: list[Edit] = []
        self._edited = scenario
        self._overrides: dict[str, Any] = {}
        self._scenario = scenario
        self.current: Outcome | None = None
        self.previous: Outcome | None = None
        self.job: SolveJob | None = None
        self.error: str | None = None
        self._hint: Solution | None = None

    # ------------------------------------------------------------------ loading

    def load(self, report: ScenarioReport, source: str) -> bool:
        """Switch to the scenario of ``report`` and start afresh; true if it was loaded.

        A report with errors changes nothing but ``problems`` and ``rejected``, so a bad
        upload never costs the planner the scenario and edits they have.  A solve still
        running belongs to the old scenario: it is stopped and forgotten.
        """
        self.problems = report.problems
        if report.scenario is None:
            self.rejected = source
            return False
        if self.job is not None:
            self.job.stop()
        self._start(report.scenario, source)
        self.problems = report.problems
        return True

    # ------------------------------------------------------------------ the scenario

    @property
    def scenario(self) -> Scenario:
        """The loaded scenario with the edits applied, under the dialled settings."""
        return self._scenario

    @property
    def edits(self) -> tuple[Edit, ...]:
        return tuple(self._edits)

    @property
    def overrides(self) -> dict[str, Any]:
        return dict(self._overrides)

    def set_overrides(self, overrides: Mapping[str, Any]) -> None:
        """Model settings from the dials (names as in ``ModelSettings.with_overrides``).

        The app calls this on every redraw, so an unchanged mapping keeps the very same
        scenario object: nothing is rebuilt and comparisons with it stay cheap.
        """
        if dict(overrides) != self._overrides:
            self._overrides = dict(overrides)
            self._refresh()

    def edit(self, edit: Edit) -> None:
        """Apply ``edit`` and log it; raises ``EditError`` (and changes nothing) if it fails."""
        self._edited = apply_edit(self._edited, edit)
        self._edits.append(edit)
        self._refresh()

    def undo(self) -> None:
        """Take back the last edit (replaying the others on the loaded scenario)."""
        if self._edits:
            self._edits.pop()
            self._edited = apply_edits(self.base, self._edits)
            self._refresh()

    def reset_edits(self) -> None:
        self._edits.clear()
        self._edited = self.base
        self._refresh()

    def _refresh(self) -> None:
        self._scenario = self._edited.with_settings(**self._overrides)

    @property
    def stale(self) -> bool:
        """The scenario changed (edits, dials) since the current outcome was solved."""
        return self.current is not None and self.current.scenario != self._scenario

    # ------------------------------------------------------------------ solving

    @property
    def solving(self) -> bool:
        """A solve was started and its outcome is not taken in yet (it may have just ended:
        the app must keep polling until ``collect`` takes it, or the plan would never show)."""
        return self.job is not None

    def solve(self, time_limit: float, workers: int = 2) -> SolveJob:
        """Start solving ``scenario`` in the background, warm-started from the latest plan.

        While a solve runs this returns that solve instead of starting another; one that
        has ended is taken in first, so its plan is the warm start and the comparison base.
        """
        self.collect()
        settings = SolveSettings(
            time_limit=time_limit,
            workers=workers,
            hint=self._hint,
            stability=None if self._hint is None else Stability(self._hint, weight=None),
        )
        self.job = start(self._scenario, settings, current=self.job)
        return self.job

    def collect(self) -> bool:
        """Take in a finished solve: it becomes ``current`` and ``current`` ``previous``.

        True if a solve finished since the last call (the app then redraws everything).
        A solve that raised leaves its message in ``error`` and the outcomes as they were.
        """
        job = self.job
        if job is None or job.running:
            return False
        self.job = None
        if job.result is None:
            self.error = f"the solve failed: {job.error!r}"
            return True
        self.error = None
        self.adopt(job.scenario, job.result)
        return True

    def adopt(self, scenario: Scenario, result: Result) -> Outcome:
        """Make ``result``, a solve of ``scenario``, the current outcome: the current one
        becomes ``previous`` and its plan, if any, the warm start of the next solve.

        ``collect`` adopts each background solve; a plan solved elsewhere (a point of a
        trade-off study) is adopted the same way, so comparison and warm start still hold.
        """
        self.previous = self.current
        self.current = Outcome(scenario, result, build_reports(scenario, result))
        self._hint = result.solution or self._hint
        return self.current

    def comparison(self) -> Comparison | None:
        """The current outcome against the previous one, once there are two."""
        if self.current is None or self.previous is None:
            return None
        before, after = self.previous, self.current
        return compare(before.scenario, before.result, after.scenario, after.result)
