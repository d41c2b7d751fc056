"""What every page shares: the planner's session, cached loading, the page header.

Per-user state is one ``assembler.planning.PlanningSession`` in ``st.session_state``; the
library does the work and the pages draw it.  Reading the sample and parsing uploads are
cached across users (``st.cache_data``): the same bytes always give the same report.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import cast

import pandas as pd
import streamlit as st

from assembler.domain.problems import Problem, error
from assembler.planning.session import Outcome, PlanningSession
from assembler.validation import ScenarioReport, read_scenario, read_upload

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"
SAMPLE_NAME = "Riverside Care Group (sample)"
_SESSION_KEY = "planner"


@st.cache_data(show_spinner=False)
def load_sample() -> ScenarioReport:
    return read_scenario(SAMPLE)


@st.cache_data(show_spinner="Reading the scenario…", max_entries=16)
def parse_upload(filename: str, data: bytes) -> ScenarioReport:
    """The upload read within ``ReadLimits``; even a failure nobody foresaw becomes one
    problem on the page, its traceback (with server paths) only in the server's log."""
    try:
        return read_upload(filename, data)
    except Exception as exc:
        logging.getLogger(__name__).exception("reading the upload %r failed", filename)
        reason = f"could not be read ({type(exc).__name__}); the current scenario is kept"
        return ScenarioReport(None, (error(Path(filename.replace("\\", "/")).name, reason),))


def session() -> PlanningSession:
    """This user's session, started on the sample at their first visit."""
    if _SESSION_KEY not in st.session_state:
        report = load_sample()
        if report.scenario is None:  # the shipped sample is tested; say so if it broke
            st.error(f"The sample scenario in {SAMPLE} cannot be read.")
            problems_table(report.problems)
            st.stop()
        st.session_state[_SESSION_KEY] = PlanningSession(report.scenario, SAMPLE_NAME)
    return cast(PlanningSession, st.session_state[_SESSION_KEY])


def header(title: str, intro: str) -> PlanningSession:
    """Title, one line on what the page is for, and the notices that concern every page:
    a rejected upload (with its problems), a failed solve, a plan older than the scenario."""
    planner = session()
    st.title(title)
    st.caption(intro)
    if planner.rejected is not None:
        errors = sum(1 for problem in planner.problems if problem.is_error)
        st.error(
            f"**{planner.rejected}** was not loaded: it has {errors} error(s), listed below. "
            f"You are still working on **{planner.source}**."
        )
        problems_table(planner.problems)
    elif planner.problems:
        with st.expander(f"{len(planner.problems)} warning(s) about {planner.source}"):
            problems_table(planner.problems)
    if planner.error is not None:
        st.error(planner.error)
    if planner.stale:
        st.info(
            "The scenario changed since this plan was made (edits or dials): "
            "press **Solve** to update it."
        )
    return planner


def prompt_to_solve() -> None:
    st.info("No plan yet: press **Solve** in the sidebar.")


def plan(planner: PlanningSession) -> Outcome | None:
    """The current outcome if it has a plan; otherwise say why there is none."""
    outcome = planner.current
    if outcome is None:
        prompt_to_solve()
        return None
    if outcome.result.solution is None:
        st.warning(
            f"The last solve found no plan (status **{outcome.result.status}**): "
            "the Overview says why."
        )
        return None
    return outcome


def problems_table(problems: Sequence[Problem]) -> None:
    """Problems as the table planners fix their files from: where, what, why."""
    table = pd.DataFrame(
        [
            (p.severity.value, p.table, p.row, p.column or "", p.value or "", p.reason)
            for p in problems
        ],
        columns=["severity", "table", "row", "column", "value", "reason"],
    )
    st.dataframe(table.astype({"row": "Int64"}), hide_index=True)
