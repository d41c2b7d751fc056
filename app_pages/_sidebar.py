"""The sidebar every page shares: who is working, load a scenario, set the dials, Solve /
Stop.

Solving runs in the background (``PlanningSession.solve``); while it runs, a fragment
redraws only the progress every ``_POLL_SECONDS`` and the page stays usable.  When the solve
ends the fragment asks for one full redraw, so every page shows the new plan.  Loading
another scenario (an upload, the sample, a stored plan) over edits that are not saved asks
first, in a dialog.  Each redraw ends by keeping the session in the store if it changed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import streamlit as st

from app_pages._access import identity
from app_pages._common import (
    SAMPLE_NAME,
    keep,
    load_sample,
    parse_upload,
    session,
    store,
    user,
)
from assembler.domain.settings import ModelSettings
from assembler.planning.session import PlanningSession
from assembler.planning.stored import refresh_approved
from assembler.text import markdown_text
from assembler.validation import ScenarioReport

_POLL_SECONDS = 0.5
_QUICK_SOLVE_SECONDS = 1.0
"""Wait this long for a solve before drawing progress: a small scenario solves in well under
a second, so a click shows its plan at once instead of a progress bar that flashes by."""
_DEFAULT_TIME_LIMIT = 30
_SOLVE_KEY = "solve"
_SOLVE_TAKEN_KEY = "solve.taken"


@dataclass(frozen=True)
class _Dial:
    """A model setting the planner can turn; ``scale`` converts widget units to the setting's."""

    name: str
    label: str
    help: str
    kind: type[float] | type[int] | type[bool]
    maximum: float = 0
    step: float = 1
    scale: float = 1

    @property
    def key(self) -> str:
        return f"dial.{self.name}"

    def setting(self, settings: ModelSettings) -> Any:
        """The dial's setting in ``settings`` (read by attribute: a flat dump leaves out the
        v3 settings at their defaults)."""
        value: Any = settings
        for part in self.name.split("."):
            value = getattr(value, part)
        return value

    def shown(self, setting: Any) -> Any:
        """The widget value for a setting value (rounded: ``0.15 * 100`` is not ``15``)."""
        return self.kind(round(setting * self.scale, 6)) if self.scale != 1 else setting

    def value(self, shown: Any) -> Any:
        """The setting value for a widget value."""
        return round(shown / self.scale, 10) if self.scale != 1 else shown


_MODEL_DIALS = (
    _Dial(
        "ops_buffer",
        "Ops protection buffer (%)",
        "Every operational demand stays covered with this margin: 10 % keeps 110 % covered.",
        float,
        maximum=200,
        step=5,
        scale=100,
    ),
    _Dial(
        "max_missions_default",
        "Max missions per person",
        "For people without their own max_missions in the scenario.",
        int,
        maximum=10,
    ),
    _Dial(
        "min_allocation_fte",
        "Minimum allocation (FTE)",
        "The smallest share of time a team member gives a mission.",
        float,
        maximum=2,
        step=0.05,
    ),
    _Dial(
        "network_opt_in_required",
        "Network missions take volunteers only",
        "Transition and innovation missions are staffed by people who opted in.",
        bool,
    ),
    _Dial(
        "network_min_units",
        "Network min units",
        "A staffed network mission draws its team from at least this many units.",
        int,
        maximum=20,
    ),
    _Dial(
        "network_share_max",
        "Network share cap (%)",
        "In every period a unit gives at most this share of its people's time to network "
        "missions (a unit's own cap in the scenario comes first); 100 % is no cap.",
        float,
        maximum=100,
        step=5,
        scale=100,
    ),
    _Dial(
        "stretch_levels",
        "Learners: levels short",
        "People this many levels short of a need (at most 2) may fill it as learners, with "
        "a mentor on the team; 0 is no learners.",
        int,
        maximum=2,
    ),
)
_WEIGHT_DIALS = (
    _Dial("weights.value", "Weight: mission value", "Points per unit of value.", int, 10_000),
    _Dial("weights.preference", "Weight: wishes met", "Points per wish weight met.", int, 10_000),
    _Dial("weights.assignment", "Weight: memberships", "Cost of each membership.", int, 10_000),
    _Dial(
        "weights.development",
        "Weight: development goals",
        "Points per learner growing in one of their development goals, times its weight.",
        int,
        10_000,
    ),
)
_DIALS = _MODEL_DIALS + _WEIGHT_DIALS
_TIME_LIMIT_KEY = "dial.time_limit"
_UPLOAD_KEY = "upload"
_PENDING_KEY = "pending_load"


@dataclass(frozen=True)
class _Pending:
    """A load waiting for the planner to say their unsaved edits may go."""

    what: str
    load: Callable[[], None]


def render() -> None:
    planner = session()
    planner.collect()
    with st.sidebar:
        identity(user())
        _scenario(planner)
        solving = st.container()  # drawn after the dials, shown above them
        _dials(planner)
        with solving:
            _solve(planner)
    if _PENDING_KEY in st.session_state:
        _confirm(planner)
    keep()


def load_or_ask(what: str, load: Callable[[], None]) -> None:
    """Load now, or, over edits not saved, ask first (callbacks call this: the dialog
    opens in the redraw that follows)."""
    if session().unsaved:
        st.session_state[_PENDING_KEY] = _Pending(what, load)
    else:
        load()


def _forget_pending() -> None:
    st.session_state.pop(_PENDING_KEY, None)


def _load_pending() -> None:
    pending = st.session_state.pop(_PENDING_KEY, None)
    if isinstance(pending, _Pending):
        pending.load()


@st.dialog("Your edits are not saved", on_dismiss=_forget_pending)
def _confirm(planner: PlanningSession) -> None:
    pending = st.session_state[_PENDING_KEY]
    # Not a count: the edit log also holds the edits already saved.
    st.markdown(
        f"**{markdown_text(planner.source)}** has edits or dial changes that are not saved. "
        f"Opening **{markdown_text(pending.what)}** drops them; save them first on the "
        "**Plans** page to keep them."
    )
    drop, stay = st.columns(2)
    drop.button("Open it, drop my edits", on_click=_load_pending, type="primary", width="stretch")
    stay.button("Keep my edits", on_click=_forget_pending, width="stretch")


# --------------------------------------------------------------------------- loading


def _scenario(planner: PlanningSession) -> None:
    st.markdown(f"**Scenario:** {markdown_text(planner.source)}")
    if planner.link is not None:
        state = "changes not saved" if planner.unsaved else "saved"
        st.caption(f"Stored as {markdown_text(planner.link.label)} · {state}")
    with st.expander("Open a scenario", expanded=planner.rejected is not None):
        editor = user()
        st.file_uploader(
            "A .zip of CSV files, an .xlsx workbook or a .json document",
            type=["zip", "xlsx", "json"],
            key=_UPLOAD_KEY,
            on_change=_open_upload,
            disabled=not editor.can_edit,
            help="The tables of MODEL.md §2; problems are listed on the page.",
        )
        if planner.source != SAMPLE_NAME:
            st.button("Back to the sample", on_click=_open_sample, width="stretch")
        st.caption("Stored plans open from the **Plans** page.")


def _open_upload() -> None:
    uploaded = st.session_state[_UPLOAD_KEY]
    if uploaded is not None:
        report = parse_upload(uploaded.name, uploaded.getvalue())
        if report.scenario is None:  # refused: nothing is lost, say why at once
            session().load(report, uploaded.name)
            return
        load_or_ask(uploaded.name, lambda: _open(report, uploaded.name))


def _open_sample() -> None:
    load_or_ask("the sample", lambda: _open(load_sample(), SAMPLE_NAME))


def _open(report: ScenarioReport, source: str) -> None:
    planner = session()
    if planner.load(report, source):
        set_dials(planner.scenario.settings)


# --------------------------------------------------------------------------- dials


def set_dials(settings: ModelSettings) -> None:
    """Put the widgets on the scenario's settings: at first draw (after a reload, the
    kept dials), after a load, after opening a stored plan."""
    for dial in _DIALS:
        st.session_state[dial.key] = dial.shown(dial.setting(settings))


def _dials(planner: PlanningSession) -> None:
    if any(dial.key not in st.session_state for dial in _DIALS):
        set_dials(planner.scenario.settings)
    locked = not user().can_edit
    with st.expander("Dials", expanded=True):
        for dial in _MODEL_DIALS:
            _widget(dial, locked)
        st.caption("Objective weights")
        for dial in _WEIGHT_DIALS:
            _widget(dial, locked)
    turned = {dial.name: dial.value(st.session_state[dial.key]) for dial in _DIALS}
    planner.set_dials(planner.base.settings.with_overrides(turned))


def _widget(dial: _Dial, locked: bool) -> None:
    if dial.kind is bool:
        st.toggle(dial.label, key=dial.key, help=dial.help, disabled=locked)
    else:
        st.number_input(
            dial.label,
            min_value=dial.kind(0),
            max_value=dial.kind(dial.maximum),
            step=dial.kind(dial.step),
            key=dial.key,
            help=dial.help,
            disabled=locked,
        )


# --------------------------------------------------------------------------- solving


def time_limit() -> float:
    """The time limit the planner set for a solve, in seconds: what-if questions on other
    pages solve under it too."""
    return float(st.session_state.get(_TIME_LIMIT_KEY, _DEFAULT_TIME_LIMIT))


def _solve(planner: PlanningSession) -> None:
    st.number_input(
        "Time limit (s)",
        min_value=1,
        max_value=3600,
        value=_DEFAULT_TIME_LIMIT,
        key=_TIME_LIMIT_KEY,
        help="The solve stops here and keeps the best plan found; Stop ends it sooner.",
    )
    st.button(
        "Solve",
        key=_SOLVE_KEY,
        on_click=start_solve,
        type="primary",
        disabled=planner.solving,
        width="stretch",
    )
    if planner.solving:
        st.fragment(run_every=_POLL_SECONDS)(_progress)()
    elif planner.failure is not None:
        failed = planner.failure.outcome
        kept = "" if planner.current is None else " · the last good plan is kept"
        st.caption(
            f"Last solve at {failed.solved_at:%H:%M:%S}: **{failed.result.status}**, no plan{kept}"
        )
    elif planner.current is not None:
        current = planner.current
        st.caption(
            f"Last solve at {current.solved_at:%H:%M:%S}: **{current.result.status}** in "
            f"{current.result.solve_seconds:.2f} s"
        )
    if planner.approved is not None and not planner.solving:
        st.caption(f"Solve re-plans from the approved plan {planner.approved.plan_id}.")


def start_solve() -> None:
    """Start the solve a click on Solve asks for, once per click.

    A callback, so the click is acted on before the redraw it causes: a click handled in the
    script body is lost when another click (Save as, a page link) interrupts that redraw
    first.  Save as calls this too: pressed the moment Solve was, both callbacks can run in
    the same redraw in either order, and Save as must store the plan this solve finds.
    """
    state = st.session_state
    if not state.get(_SOLVE_KEY) or state.get(_SOLVE_TAKEN_KEY):
        return
    state[_SOLVE_TAKEN_KEY] = True
    planner = session()
    refresh_approved(store(), planner)  # someone may have approved a plan meanwhile
    planner.solve(time_limit=time_limit()).wait(_QUICK_SOLVE_SECONDS)


def callbacks_done() -> None:
    """Forget which clicks the callbacks took in (``start_solve``); ``app.py`` calls this
    first of all, before any element can be drawn and the redraw interrupted."""
    st.session_state.pop(_SOLVE_TAKEN_KEY, None)


def _progress() -> None:
    """Drawn again every poll while the solve runs; the whole app redraws once it ends."""
    planner = session()
    job = planner.job
    if job is None or not job.running:
        st.rerun()
    limit = job.settings.time_limit
    text = f"Solving… {job.elapsed:.1f} s of {limit:g} s"
    if job.stopping:
        text = "Stopping… keeping the best plan found"
    st.progress(min(job.elapsed / limit, 1.0), text=text)
    st.caption(job.readout)
    st.button("Stop", key="stop", on_click=job.stop, disabled=job.stopping, width="stretch")
