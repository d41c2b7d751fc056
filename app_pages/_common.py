"""What every page shares: the plan store, who is signed in, the planner's session (kept
in the store, so a reload brings it back), cached loading, the page header, the notice of
a solve that found no plan, and the table formats.

Per-user state is one ``assembler.planning.PlanningSession`` in ``st.session_state``; the
library does the work and the pages draw it.  The session is kept in the plan store under
a random key that the page's address carries (``?session=…``), so a reload, which keeps
the address, finds it again (``assembler.planning.keeping``).  Reading the sample and
parsing uploads are cached across users (``st.cache_data``), the store is opened once per
server (``st.cache_resource``).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any, cast

import pandas as pd
import streamlit as st

from app_pages._access import current_user
from assembler.domain.problems import Problem, error
from assembler.domain.scenario import Scenario
from assembler.planning.access import User
from assembler.planning.keeping import Keeper, LiveSessions, restore
from assembler.planning.session import Failure, PlanningSession
from assembler.results.names import Names
from assembler.results.plan import Plan
from assembler.store import PlanStore, resolve_url, shown_url
from assembler.store.failures import describe
from assembler.text import markdown_text
from assembler.validation import ScenarioReport, read_scenario, read_upload

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"
SAMPLE_NAME = "Riverside Care Group (sample)"
_SESSION_KEY = "planner"
_KEEPER_KEY = "keeper"
_ADDRESS_KEY = "session"
"""The query parameter that carries the session's key through a reload."""
ALL_PERIODS = "__all__"
"""The period selectors' choice of every period at once (drawn as the mean, or all rows)."""


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


@st.cache_resource(show_spinner=False)
def _open_store(url: str) -> PlanStore:
    return PlanStore(url)


def store() -> PlanStore:
    """The plan store (``ASSEMBLER_DB``, else ``assembler.db`` in the working folder),
    opened and migrated once per server; one that cannot be opened stops the page."""
    url = resolve_url()
    try:
        return _open_store(url)
    except Exception as exc:
        logging.getLogger(__name__).exception("opening the plan store failed")
        failure = describe(exc, url, opening=True)
        reason = f"{shown_url(url)} cannot be opened ({type(exc).__name__})"
        st.error(f"The plan store: {markdown_text(failure or reason)}.")
        st.stop()


def user() -> User:
    """Who is at the app (signed in, or the OS user on a planner's own machine)."""
    return current_user()


def session() -> PlanningSession:
    """This user's session: the one kept under the key in the address (after a reload),
    else a new one on the sample, under a new key."""
    if _SESSION_KEY not in st.session_state:
        found = _address_key()
        kept = None if found is None else _live().get(found, user().identity)
        if kept is None and found is not None:
            kept = restore(store(), found, user().identity)
        key = found if kept is not None and found is not None else uuid.uuid4().hex
        if kept is None:
            report = load_sample()
            if report.scenario is None:  # the shipped sample is tested; say so if it broke
                st.error(f"The sample scenario in {SAMPLE} cannot be read.")
                problems_table(report.problems)
                st.stop()
            kept = PlanningSession(report.scenario, SAMPLE_NAME)
        st.session_state[_SESSION_KEY] = kept
        st.session_state[_KEEPER_KEY] = Keeper(store(), key, user().identity)
        st.session_state[_KEEPER_KEY].kept(kept)
    planner = cast(PlanningSession, st.session_state[_SESSION_KEY])
    if _KEEPER_KEY not in st.session_state:  # a session handed in (tests)
        st.session_state[_KEEPER_KEY] = Keeper(store(), uuid.uuid4().hex, user().identity)
    keeper = cast(Keeper, st.session_state[_KEEPER_KEY])
    _live().put(keeper.key, keeper.who, planner)
    if st.query_params.get(_ADDRESS_KEY) != keeper.key:
        st.query_params[_ADDRESS_KEY] = keeper.key  # page links drop it; put it back
    return planner


@st.cache_resource(show_spinner=False)
def _live() -> LiveSessions:
    return LiveSessions()


def _address_key() -> str | None:
    key = st.query_params.get(_ADDRESS_KEY)
    return key if key and len(key) == 32 and key.isalnum() else None


def keep() -> None:
    """Keep the session in the store if it changed (after every interaction)."""
    if _KEEPER_KEY in st.session_state and _SESSION_KEY in st.session_state:
        keeper = cast(Keeper, st.session_state[_KEEPER_KEY])
        keeper.keep(cast(PlanningSession, st.session_state[_SESSION_KEY]))
        if keeper.problem is not None:
            st.toast(markdown_text(keeper.problem), icon=":material/warning:")


def header(title: str, intro: str) -> PlanningSession:
    """Title, one line on what the page is for, and the notices that concern every page:
    a rejected upload (with its problems), a solve without a plan (why, and that the last
    good plan is still the one shown), a plan older than the scenario."""
    planner = session()
    st.title(title)
    st.caption(intro)
    if planner.rejected is not None:
        errors = sum(1 for problem in planner.problems if problem.is_error)
        st.error(
            f"**{markdown_text(planner.rejected)}** was not loaded: it has {errors} error(s), "
            f"listed below. You are still working on **{markdown_text(planner.source)}**."
        )
        problems_table(planner.problems)
    elif planner.problems:
        with st.expander(
            f"{len(planner.problems)} warning(s) about {markdown_text(planner.source)}"
        ):
            problems_table(planner.problems)
    if planner.error is not None:
        st.error(markdown_text(planner.error))
    if planner.failure is not None:
        failure_notice(planner.failure, planner.current)
    elif planner.stale:
        st.info(
            "The scenario changed since this plan was made (edits or dials): "
            "press **Solve** to update it."
        )
    return planner


def failure_notice(failure: Failure, kept: Plan | None) -> None:
    """Why the last solve found no plan, what the planner can do, and which plan is shown."""
    result = failure.outcome.result
    lines = [f"**The last solve found no plan** (status **{result.status}**):"]
    if failure.shortfalls:
        names = Names.of(failure.outcome.scenario)
        lines += [f"- {markdown_text(names.shortfall(s))}" for s in failure.shortfalls]
    else:
        lines += [f"- {markdown_text(reason)}" for reason in failure.reasons]
    if failure.ops_short:
        buffer = failure.outcome.scenario.settings.ops_buffer
        if failure.highest_buffer is None:
            lines.append(
                "\nOperations cannot be protected even without a buffer: the demand is more "
                "than the people able to cover it have."
            )
        else:
            highest = failure.highest_buffer
            lines.append(
                f"\nThe ops buffer of {buffer:.0%} is more than operations can bear: the "
                f"highest buffer at which they can be protected is **{highest:.0%}**."
            )
    if kept is None:
        lines.append("\nThere is no earlier plan to show.")
    else:
        lines.append(
            f"\nThe pages still show the last good plan ({kept.result.status}, solved at "
            f"{kept.solved_at:%H:%M}): it is the one exported and the baseline of the next "
            "comparison."
        )
    st.error("\n".join(lines))


def prompt_to_solve() -> None:
    st.info("No plan yet: press **Solve** in the sidebar.")


def plan(planner: PlanningSession) -> Plan | None:
    """The last good plan; without one, say why there is none."""
    outcome = planner.current
    if outcome is None and planner.failure is None:
        prompt_to_solve()
    elif outcome is None:
        st.warning("No plan to show: the last solve found no plan (why is said above).")
    return outcome


def period_choice(
    scenario: Scenario, key: str, every: str = "All periods (mean)", first: int = 0
) -> str | None:
    """A period selector, drawn only when the scenario has periods: the chosen period id,
    ``ALL_PERIODS`` for ``every``, or ``None`` without periods (then there is one).
    ``first`` is the option shown at first: 0 for ``every``, 1 for the first period."""
    if not scenario.has_horizon:
        return None
    names = {t: scenario.period_name(i) for i, t in enumerate(scenario.period_ids)}
    options = [ALL_PERIODS, *names]
    return st.selectbox(
        "Period",
        options,
        index=first,
        format_func=lambda option: every if option == ALL_PERIODS else names[option],
        key=key,
    )


def fte_column(label: str, help: str | None = None) -> Any:
    """A number column of FTE: the unit in the header, two decimals (the step grid's)."""
    return st.column_config.NumberColumn(f"{label} (FTE)", format="%.2f", help=help)


def table_height(rows: int, most: int = 600) -> int:
    """A table's height in pixels: every row up to ``most``, then it scrolls."""
    return min(35 * (rows + 1) + 3, most)


def problems_table(problems: Sequence[Problem]) -> None:
    """Problems as the table planners fix their files from: where, what, why."""
    table = pd.DataFrame(
        [
            (p.severity.value, p.table, p.row, p.column or "", p.value or "", p.reason)
            for p in problems
        ],
        columns=["severity", "table", "row", "column", "value", "reason"],
    )
    st.dataframe(
        table.astype({"row": "Int64"}),
        hide_index=True,
        column_config={
            "severity": "Severity",
            "table": "Table",
            "row": "Row",
            "column": "Column",
            "value": "Value",
            "reason": st.column_config.TextColumn("Reason", width="large"),
        },
        placeholder="",
    )


def flash(key: str, level: str, text: str) -> None:
    """Keep a message for the next redraw: a button's callback runs before the page is
    drawn, so what it says is shown by the page (``show_flash``), then forgotten."""
    st.session_state[key] = (level, text)


def show_flash(key: str) -> None:
    """The message ``flash`` kept under ``key``, once: an error, a warning or a success,
    its text shown literally."""
    if key in st.session_state:
        level, text = st.session_state.pop(key)
        {"error": st.error, "warning": st.warning}.get(level, st.success)(markdown_text(text))
