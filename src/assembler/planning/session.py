"""One planner's working session: a loaded scenario, their edits, and the last good plans.

The planner app keeps one ``PlanningSession`` per user and only draws it; everything a
click changes happens here, in plain Python, so it is tested without a browser:

* the scenario as loaded, the log of edits on top of it and the model-setting dials,
  which together give the scenario to solve (``scenario``) — also what is exported, so
  edits are never lost;
* a background solve (``assembler.planning.jobs``), warm-started from the latest plan, so a
  re-solve after a small edit starts from a feasible neighbour and finishes at once;
* the current and the previous plan, each with the scenario it solved and its reports, so
  the app can compare them (``comparison``) even after further edits.  A solve that ends
  without a plan (infeasible, stopped, out of time) never replaces them: the last good plan
  stays for export and as the baseline of the next comparison, and the failure is kept
  apart (``failure``) with its reasons and, when operations could not be protected, the
  highest buffer at which they can;
* the what-if questions of ``assembler.analysis`` about the current plan (what staffing a
  mission would take, who could join it), answered in the background like solves;
* a trade-off study (a frontier, a stress test), one at a time, also in the background, its
  progress counted and its stop reaching the runs (``assembler.tradeoffs.studies``);
* where it stands with the plan store (``assembler.planning.stored`` does the talking):
  the stored version it is linked to, whether it has changes not saved there, and the
  scenario's approved plan, which a re-solve stays close to and changes are read against.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from assembler.analysis import Price, Ranking, price_of, rank_candidates
from assembler.compile.certificates import certified
from assembler.compile.instance import Instance
from assembler.compile.protection import Shortfall, highest_protectable_buffer, ops_shortfalls
from assembler.compile.sizing import ModelTooLargeError
from assembler.domain.edits import Edit
from assembler.domain.problems import Problem
from assembler.domain.scenario import Scenario
from assembler.domain.settings import ModelSettings
from assembler.domain.solution import Solution
from assembler.domain.solve_settings import SolveSettings
from assembler.planning.cases import plan_of, replanned_from, solve_settings
from assembler.planning.edits import apply_edit, apply_edits
from assembler.planning.jobs import Counter, Job, SolveJob, StudyJob, run, start, study
from assembler.results.compare import Comparison, compare
from assembler.results.names import Names
from assembler.results.plan import Plan
from assembler.results.result import Result, Status
from assembler.validation import ScenarioReport

T = TypeVar("T")


@dataclass(frozen=True)
class Link:
    """The stored scenario version a session was opened from or last saved as: the next
    save of that name starts from it (``based_on``), so a version saved by someone else
    in between is refused rather than overwritten."""

    scenario: str
    version: int
    version_id: int

    @property
    def label(self) -> str:
        return f"{self.scenario} v{self.version}"


_WRAP_UP_SECONDS = 10.0
"""What a solve may take past its time limit to hand back its plan (it then writes the
reports and, on a large model, stops the search threads)."""


def _time_left(job: SolveJob) -> float:
    return max(job.settings.time_limit - job.elapsed, 0.0)


BUFFER_GRID = 0.01
"""The highest bearable buffer is told in whole percent, as the app's dial sets it."""


@dataclass(frozen=True, eq=False)
class Failure:
    """A solve that ended without a plan, and what a planner can do about it.

    ``reasons`` are the certified clashes of ``Result.conflicts`` told again with the names
    planners know (the solver reports rows by id) and what to change for each, or what
    stopped the solve.
    ``shortfalls`` are the operations that alone cannot be protected at the solve's buffer
    (as data, so a page can name units, skills and periods); then ``highest_buffer`` is the
    highest buffer (whole percent) at which they can, ``None`` if they cannot even without
    a buffer.
    """

    outcome: Plan
    reasons: tuple[str, ...]
    shortfalls: tuple[Shortfall, ...]
    highest_buffer: float | None

    @classmethod
    def of(cls, outcome: Plan) -> Failure:
        result, scenario = outcome.result, outcome.scenario
        instance = Instance(scenario)
        shortfalls = tuple(ops_shortfalls(instance))
        highest = None
        if shortfalls:
            own = scenario.settings.ops_buffer
            highest = highest_protectable_buffer(instance, ceiling=own, resolution=BUFFER_GRID)
        named = certified(instance, Names.of(scenario)) if result.conflicts else []
        reasons = tuple(clash.advice for clash in named) or result.conflicts or (_no_plan(result),)
        return cls(outcome, reasons, shortfalls, highest)

    @property
    def ops_short(self) -> bool:
        """Operations alone cannot be protected at the solve's buffer."""
        return bool(self.shortfalls)


def _no_plan(result: Result) -> str:
    if result.status is Status.STOPPED:
        return "the solve was stopped before it found a plan"
    if result.status is Status.INFEASIBLE:
        return "no plan meets every requirement under these settings"
    return "no plan was found within the time limit: allow more time"


@dataclass(frozen=True, eq=False)
class Questions:
    """The what-if answers being worked out about one plan, by mission."""

    about: Plan
    prices: dict[str, Job[Price]] = field(default_factory=dict)
    rankings: dict[str, Job[Ranking]] = field(default_factory=dict)

    @property
    def running(self) -> bool:
        jobs: list[Job[Any]] = [*self.prices.values(), *self.rankings.values()]
        return any(job.running for job in jobs)

    def stop(self) -> None:
        jobs: list[Job[Any]] = [*self.prices.values(), *self.rankings.values()]
        for job in jobs:
            job.stop()


class PlanningSession:
    """State of one planner; see the module docstring.  Start from a valid scenario."""

    def __init__(self, scenario: Scenario, source: str, *, base_id: int | None = None) -> None:
        """A fresh session on ``scenario``; ``base_id`` if it is a stored version (a session
        restored after a reload is started on its kept base this way)."""
        self._start(scenario, source, base_id=base_id)

    def _start(
        self, scenario: Scenario, source: str, link: Link | None = None, base_id: int | None = None
    ) -> None:
        """Everything as on a fresh load of ``scenario`` (a stored version: ``base_id``,
        linked to it with ``link``)."""
        self.source = source
        self.base = scenario
        self.base_id = base_id
        """The stored version ``base`` is, if it is one (``None`` for a file or upload)."""
        self.link = link
        self._saved: Scenario | None = None if link is None else scenario
        self.approved: Plan | None = None
        """The approved plan of the session's stored scenario: the reference a re-solve
        stays close to (warm start and fewest changes), changes are reported against it."""
        self.approved_label = ""
        """``plan 4 (sample v2), approved by bob on 2026-12-01``."""
        self.problems: tuple[Problem, ...] = ()
        self.rejected: str | None = None
        self._edits: list[Edit] = []
        self._edited = scenario
        self._dials: ModelSettings | None = None
        self._scenario = scenario
        self.current: Plan | None = None
        """The latest solve *with a plan*: what every page shows and exports."""
        self.previous: Plan | None = None
        """The plan before ``current``: the baseline of ``comparison``."""
        self.failure: Failure | None = None
        """The latest solve, when it ended without a plan (cleared by the next plan)."""
        self.job: SolveJob | None = None
        self._solving: tuple[tuple[Edit, ...], Plan | None] = ((), None)
        """The edit log and reference plan of the running solve, for its ``Plan``."""
        self.error: str | None = None
        self._hint: Solution | None = None
        self._questions: Questions | None = None
        self.study: StudyJob[Any] | None = None
        """The trade-off study running, or ended and not taken in yet (``collect_study``)."""

    # ------------------------------------------------------------------ loading

    def load(self, report: ScenarioReport, source: str) -> bool:
        """Switch to the scenario of ``report`` and start afresh; true if it was loaded.

        A report with errors changes nothing but ``problems`` and ``rejected``, so a bad
        upload never costs the planner the scenario and edits they have.  A solve or a
        question still running belongs to the old scenario: it is stopped and forgotten.
        """
        self.problems = report.problems
        if report.scenario is None:
            self.rejected = source
            return False
        self._stop_work()
        self._start(report.scenario, source)
        self.problems = report.problems
        return True

    def open_stored(self, scenario: Scenario, link: Link, plan: Plan | None = None) -> None:
        """Switch to stored version ``link`` (its scenario, edits and dials baked in) and
        its plan ``plan``, if one was opened; like ``load``, work still running is dropped.
        The version's own edit log stays in the store: new edits go on top of it."""
        self._stop_work()
        self._start(scenario, link.label, link, link.version_id)
        if plan is not None:
            self._take(plan)

    def resume(
        self,
        edits: tuple[Edit, ...],
        dials: ModelSettings | None,
        link: Link | None,
        saved: Scenario | None,
        plan: Plan | None,
    ) -> None:
        """Put back a kept session's edits, dials, link and plan on its freshly loaded base
        (``planning.keeping`` reads them from the store after a reload)."""
        self._edits = list(edits)
        self._edited = apply_edits(self.base, self._edits)
        self._dials = dials
        self._refresh()
        self.link, self._saved = link, saved
        if plan is not None:
            self._take(plan)

    def _stop_work(self) -> None:
        if self.job is not None:
            self.job.stop()
        if self._questions is not None:
            self._questions.stop()
        if self.study is not None:
            self.study.stop()

    # ------------------------------------------------------------------ the scenario

    @property
    def scenario(self) -> Scenario:
        """The loaded scenario with the edits applied, under the dialled settings."""
        return self._scenario

    @property
    def edits(self) -> tuple[Edit, ...]:
        return tuple(self._edits)

    @property
    def dials(self) -> ModelSettings | None:
        """The model settings the planner dialled, ``None`` before any dial was drawn."""
        return self._dials

    def set_dials(self, dials: ModelSettings) -> None:
        """Solve under ``dials`` (the loaded scenario's settings with the dials turned).

        The app calls this on every redraw, so unchanged dials keep the very same scenario
        object: nothing is rebuilt and comparisons with it stay cheap.
        """
        if dials != self._dials:
            self._dials = dials
            self._refresh()

    def edit(self, edit: Edit) -> tuple[str, ...]:
        """Apply ``edit`` and log it; raises ``EditError`` (and changes nothing) if it fails.

        Returns every certified clash (``certificates.certified``) this edit brings in — a
        pin on someone whose time operations need, a mandatory mission nobody can staff —
        each with what to change, so the planner hears it when making the edit rather
        than after a solve.  The edit is kept all the same: the planner may mean to fix
        the clash with another edit.
        """
        before = {c.text for c in certified(Instance(self._scenario), Names.of(self._scenario))}
        self._edited = apply_edit(self._edited, edit)
        self._edits.append(edit)
        self._refresh()
        after = certified(Instance(self._scenario), Names.of(self._scenario))
        return tuple(c.advice for c in after if c.text not in before)

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
        dials, edited = self._dials, self._edited
        unchanged = dials is None or dials == edited.settings
        self._scenario = edited if unchanged else edited.model_copy(update={"settings": dials})

    @property
    def unsaved(self) -> bool:
        """Edits or dials not in the store: the scenario differs from the one loaded, opened
        or last saved.  Loading another scenario asks first while this holds."""
        return self._scenario != (self.base if self._saved is None else self._saved)

    def saved_as(self, link: Link, scenario: Scenario, plan_id: int | None) -> None:
        """Record that ``scenario`` was saved as version ``link`` (and the current plan as
        plan ``plan_id``): the next save of that name starts from it."""
        self.link, self._saved = link, scenario
        if plan_id is not None and self.current is not None:
            self.current = self.current.stored_as(plan_id, link.version_id)

    def set_approved(self, approved: Plan | None, label: str = "") -> None:
        """Make ``approved`` (described by ``label``) the approved plan of the session's
        stored scenario, or forget it with ``None``: ``planning.stored`` reads it from the
        store, the session only keeps it as the reference of the next solve."""
        self.approved = approved
        self.approved_label = "" if approved is None else label

    @property
    def stale(self) -> bool:
        """The scenario changed (edits, dials) since the current plan was solved."""
        return self.current is not None and self.current.scenario != self._scenario

    # ------------------------------------------------------------------ solving

    @property
    def solving(self) -> bool:
        """A solve was started and its outcome is not taken in yet (it may have just ended:
        the app must keep polling until ``collect`` takes it, or the plan would never show)."""
        return self.job is not None

    def solve(self, time_limit: float, workers: int = 2) -> SolveJob:
        """Start solving ``scenario`` in the background, warm-started from the latest plan
        — or, when the stored scenario has an approved plan, re-planned from that one: no
        point of score given up, then as few changes to it as possible.

        While a solve runs this returns that solve instead of starting another; one that
        has ended is taken in first, so its plan is the warm start and the comparison base.
        """
        self.collect()
        if self.job is not None:
            return self.job
        reference = replanned_from(self.approved)
        settings = solve_settings(time_limit, workers, hint=self._hint, reference=reference)
        self._solving = (tuple(self._edits), reference)
        self.job = start(self._scenario, settings, current=self.job)
        return self.job

    def finish_solve(self) -> None:
        """Wait for a running solve to end and take it in (``collect``).

        The solver keeps its time limit, so this waits at most the time it has left and
        its wrapping up; one that overruns even that is stopped and keeps its best plan.
        """
        job = self.job
        if job is not None and not job.wait(_time_left(job) + _WRAP_UP_SECONDS):
            job.stop()
            job.wait(_WRAP_UP_SECONDS)
        self.collect()

    def collect(self) -> bool:
        """Take in a finished solve (see ``adopt``).

        True if a solve finished since the last call (the app then redraws everything).
        A solve that raised leaves its message in ``error`` and the outcomes as they were.
        """
        job = self.job
        if job is None or job.running:
            return False
        self.job = None
        if job.result is None:
            self.error = (
                f"This scenario cannot be solved here: {job.error}"
                if isinstance(job.error, ModelTooLargeError)
                else f"the solve failed: {job.error!r}"
            )
            return True
        self.error = None
        edits, reference = self._solving
        plan = plan_of(
            job.scenario,
            job.result,
            job.settings,
            reference=reference,
            edits=edits,
            dials=self._dials,
        )
        self._receive(plan)
        return True

    def adopt(self, scenario: Scenario, result: Result) -> Plan:
        """Take in ``result``, a solve of ``scenario`` made elsewhere (a point of a
        trade-off study), as ``collect`` takes in the session's own solves."""
        return self._receive(Plan(scenario, result, edits=self.edits, dials=self._dials))

    def _receive(self, plan: Plan) -> Plan:
        """With a solution ``plan`` becomes ``current`` (the current one ``previous``, its
        solution the warm start of the next solve) and any failure is forgotten.  Without
        one it is only ``failure``: the last good plan stays current, to export and to
        compare the next plan with."""
        if plan.result.solution is None:
            self.failure = Failure.of(plan)
            return plan
        self._take(plan)
        return plan

    def _take(self, outcome: Plan) -> None:
        """Make ``outcome``, which has a plan, the current one."""
        self.failure = None
        self.previous = self.current
        self.current = outcome
        self._hint = outcome.result.solution

    def comparison(self) -> Comparison | None:
        """The current plan against the previous one, once there are two."""
        if self.current is None or self.previous is None:
            return None
        before, after = self.previous, self.current
        return compare(before.scenario, before.result, after.scenario, after.result)

    def against_approved(self) -> Comparison | None:
        """The current plan against the approved plan of its stored scenario, unless it is
        that plan (or either is missing)."""
        approved, current = self.approved, self.current
        if approved is None or current is None or current.plan_id == approved.plan_id:
            return None
        return compare(approved.scenario, approved.result, current.scenario, current.result)

    # ------------------------------------------------------------------ what-if questions

    def _asked(self) -> Questions:
        """The questions about the current plan (a new plan starts with none)."""
        if self.current is None:
            raise ValueError("solve first: the questions are about the current plan")
        if self._questions is None or self._questions.about is not self.current:
            if self._questions is not None:
                self._questions.stop()
            self._questions = Questions(self.current)
        return self._questions

    @property
    def questions(self) -> Questions | None:
        """The what-if questions asked about the current plan, if any."""
        if self._questions is None or self._questions.about is not self.current:
            return None
        return self._questions

    def ask_price(self, mission_id: str, time_limit: float = 30.0) -> Job[Price]:
        """What staffing ``mission_id`` would take against the current plan, worked out in
        the background (``analysis.price_of``); asking again returns the same answer."""
        asked = self._asked()
        if mission_id not in asked.prices:
            outcome = asked.about

            def work(stop: threading.Event) -> Price:
                settings = SolveSettings(time_limit=time_limit, stop=stop)
                return price_of(outcome.scenario, mission_id, settings, outcome.result)

            asked.prices[mission_id] = run(work, "assembler-price")
        return asked.prices[mission_id]

    def ask_candidates(
        self, mission_id: str, top: int = 10, budget: float = 60.0, time_limit: float = 10.0
    ) -> Job[Ranking]:
        """Who could join ``mission_id``, ranked by what pinning each would cost against the
        current plan (``analysis.rank_candidates``, re-solves within ``budget`` seconds)."""
        asked = self._asked()
        if mission_id not in asked.rankings:
            outcome = asked.about

            def work(stop: threading.Event) -> Ranking:
                settings = SolveSettings(time_limit=time_limit, stop=stop)
                return rank_candidates(
                    outcome.scenario, mission_id, top, settings, outcome.result, budget
                )

            asked.rankings[mission_id] = run(work, "assembler-candidates")
        return asked.rankings[mission_id]

    # ------------------------------------------------------------------ trade-off studies

    @property
    def studying(self) -> bool:
        """A study was started and has not been taken in (``collect_study``) yet."""
        return self.study is not None

    def start_study(
        self, what: str, work: Callable[[threading.Event, Counter], T]
    ) -> StudyJob[Any]:
        """Run trade-off study ``what`` (``work(stop, count)``, built by
        ``assembler.tradeoffs.studies``) in the background, like a solve: while one runs,
        it is returned instead of starting another; its ``stop()`` ends its runs and keeps
        those finished."""
        self.study = study(what, work, current=self.study)
        return self.study

    def collect_study(self) -> StudyJob[Any] | None:
        """The study that has ended, handed over once (the page keeps its result); ``None``
        while it runs or when there is none."""
        ended = self.study
        if ended is None or ended.running:
            return None
        self.study = None
        return ended

    # ------------------------------------------------------------------ exports

    def file_name(self, what: str, moment: datetime | None = None) -> str:
        """A download's name: the scenario, the time and what it holds, e.g.
        ``riverside-care-group_2026-12-01_1530_roster.csv`` — so files from several
        scenarios and solves sort and never overwrite each other in a downloads folder.
        ``moment`` is the plan's ``solved_at`` (now for the scenario itself).  Once the
        session is saved (or opened from the store) its stored name is the one used: the
        name the planner chose, not the file or sample it started from."""
        when = (moment or datetime.now()).strftime("%Y-%m-%d_%H%M")
        name = self.source if self.link is None else self.link.scenario
        return f"{scenario_slug(name)}_{when}_{what}"


def scenario_slug(source: str) -> str:
    """``Riverside Care Group (sample)`` → ``riverside-care-group``: a file-name-safe name
    (ASCII letters, digits, dashes) without the upload's extension or a note in brackets."""
    stem = re.sub(r"\.(zip|xlsx|json)$", "", source.strip(), flags=re.IGNORECASE)
    stem = re.sub(r"\([^)]*\)", " ", stem)
    ascii_only = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_only.lower()).strip("-") or "scenario"
