"""Plans: save the session's plan, list and filter the stored plans, open one, propose and
approve, and compare 2–4 side by side.  The work is ``assembler.planning.stored`` and
``assembler.planning.plansview``; every write goes through the store's role policy."""

from __future__ import annotations

from typing import Any

import streamlit as st

from app_pages._common import flash, header, session, show_flash, store, table_height, user
from app_pages._rolling import discard_draft, roll_forward, version_chains
from app_pages._sidebar import load_or_ask, set_dials, start_solve
from assembler.io.planner import human_headers
from assembler.io.reports import table_csv_bytes
from assembler.planning import cases, stored
from assembler.planning.plansview import (
    changes_shown,
    figures_shown,
    load_columns,
    load_shown,
    plan_choice,
    plans_table,
)
from assembler.planning.session import PlanningSession
from assembler.store import Action, PlanRecord, PlanStatus, StaleVersionError, StoreError
from assembler.store.sidebyside import MAX_PLANS, SideBySide
from assembler.text import markdown_text, plural

_CHOSEN = "plans.chosen"
_MESSAGE = "plans.message"
_EVERY = "Every"


def _say(level: str, text: str) -> None:
    flash(_MESSAGE, level, text)


def _message() -> None:
    show_flash(_MESSAGE)


# --------------------------------------------------------------------------- saving


def _save(planner: PlanningSession) -> None:
    st.subheader("Save this session")
    me = user()
    outcome = planner.current
    if planner.solving:
        st.caption(
            "A solve is running: **Save as** waits for it to end and stores the plan it finds."
        )
    elif outcome is None:
        st.caption("No plan yet: **Save as** stores the scenario with your edits and dials.")
    else:
        when = f"{outcome.result.status}, solved at {outcome.solved_at:%H:%M}"
        st.caption(
            f"**Save as** stores the current plan ({when}) with the scenario it solved, as a "
            "draft that can then be proposed and approved."
        )
    default = planner.link.scenario if planner.link is not None else ""
    with st.form("plans.save", border=True):
        name, note = st.columns([1, 2])
        name.text_input("Scenario name", value=default, key="plans.name", max_chars=200)
        note.text_input("Note", key="plans.note", placeholder="Why this plan")
        st.form_submit_button(
            "Save as",
            type="primary",
            on_click=_save_as,
            disabled=not me.may(Action.SAVE),
            help=None if me.may(Action.SAVE) else me.needs_text(Action.SAVE),
        )


def _save_as() -> None:
    start_solve()  # Solve pressed in the same instant: its callback may not have run yet
    state = st.session_state
    try:
        saved = stored.save_as(store(), session(), user(), state["plans.name"], state["plans.note"])
    except StaleVersionError as stale:
        _say("error", f"Not saved: {stale}. Open its newest plan below and make your edits there.")
    except StoreError as refused:
        _say("error", f"Not saved: {refused}.")
    else:
        _say("warning" if saved.left_out else "success", saved.message)


def _against_approved(planner: PlanningSession) -> None:
    approved = planner.approved
    if approved is None:
        return
    changes = planner.against_approved()
    if changes is None:
        st.info(f"The current plan is the approved plan: {markdown_text(planner.approved_label)}.")
    else:
        st.info(
            f"**Against the approved plan** ({markdown_text(planner.approved_label)}): "
            f"{markdown_text(cases.change_summary(changes))}. "
            "The details are on **Edit & compare**."
        )


# --------------------------------------------------------------------------- the list


def _filters() -> tuple[str | None, PlanStatus | None]:
    names = [version.scenario for version in store().scenarios()]
    scenario, status, _ = st.columns([1, 1, 2])
    picked = scenario.selectbox("Scenario", [_EVERY, *names], key="plans.scenario")
    shown = status.selectbox("Status", [_EVERY, *PlanStatus], key="plans.status")
    return (
        None if picked == _EVERY else picked,
        None if shown == _EVERY else PlanStatus(shown),
    )


def _listing() -> list[PlanRecord]:
    st.subheader("Stored plans")
    scenario, status = _filters()
    records = store().plans(scenario, status)
    if not records:
        st.info("No stored plans match." if scenario or status else "No plans are stored yet.")
        return []
    table = plans_table(records)
    st.dataframe(
        table,
        hide_index=True,
        height=table_height(len(table), 420),
        column_config={
            "plan": st.column_config.NumberColumn("Plan", format="%d", width="small"),
            "scenario": "Scenario",
            "status": "Status",
            "solve": "Solve",
            "value": "Value",
            "missions": "Missions",
            "score": "Score",
            "saved by": "Saved by",
            "saved at": "Saved at",
            "approved by": "Approved by",
            "note": st.column_config.TextColumn("Note", width="large"),
        },
    )
    version_chains(records)
    return records


# --------------------------------------------------------------------------- one plan


def _open(plan_id: int, label: str) -> None:
    def load() -> None:
        planner = session()
        try:
            record = stored.open_plan(store(), planner, plan_id)
        except StoreError as refused:
            _say("error", f"Not opened: {refused}.")
            return
        set_dials(planner.scenario.settings)
        _say("success", f"Opened {record.label}: its scenario, dials and plan are the session.")

    load_or_ask(label, load)


def _step(action: Action, plan_id: int) -> None:
    reason = st.session_state.get(f"plans.reason.{plan_id}", "")
    over_newer = bool(st.session_state.get(f"plans.over_newer.{plan_id}", False))
    override = st.session_state.get(f"plans.override.{plan_id}", "")
    try:
        if action is Action.APPROVE:
            record = stored.approve(
                store(), session(), user(), plan_id, reason, over_newer, override
            )
        else:
            record = cases.propose(store(), user(), plan_id, reason)
    except StoreError as refused:
        _say("error", f"Not done: {refused}.")
    else:
        version = f"{record.scenario} v{record.version}"
        _say("success", f"Plan {record.id} ({version}) is {record.status}.")


def _one(record: PlanRecord) -> None:
    me = user()
    with st.container(border=True):
        st.markdown(f"**{markdown_text(plan_choice(record))}**")
        st.button(
            "Open this plan",
            on_click=_open,
            args=(record.id, record.label),
            help="Its scenario version, edits and dials become your session, and it the plan.",
        )
        step = {PlanStatus.DRAFT: Action.PROPOSE, PlanStatus.PROPOSED: Action.APPROVE}
        action = step.get(record.status)
        if action is not None:
            allowed = me.may(action)
            st.text_input(
                "Reason" if action is Action.PROPOSE else "Reason for the approval",
                key=f"plans.reason.{record.id}",
                disabled=not allowed,
                placeholder="Recorded with the step",
            )
            waiting = ""
            if action is Action.APPROVE:
                _over_newer(record, allowed)
                waiting = _undecided_releases(record, allowed)
            st.button(
                "Propose" if action is Action.PROPOSE else "Approve",
                type="primary",
                on_click=_step,
                args=(action, record.id),
                disabled=not allowed or bool(waiting),
                help=me.needs_text(action) if not allowed else waiting or None,
            )
            if not allowed:
                st.caption(me.needs_text(action))
            elif waiting:
                st.caption(markdown_text(waiting))
        if record.status is PlanStatus.DRAFT:
            discard_draft(record, _say)
        if record.status is PlanStatus.APPROVED:
            roll_forward(record, _open, _say)
        events = store().events(record.id)
        st.markdown("**History**")
        st.dataframe(
            [
                {
                    "when": f"{event.at.astimezone():%Y-%m-%d %H:%M}",
                    "step": "saved"
                    if event.status_from is None
                    else f"{event.status_from} → {event.status_to}",
                    "who": event.who,
                    "why": event.reason if event.status_from is not None else record.note,
                }
                for event in events
            ],
            hide_index=True,
            column_config={
                "when": "When",
                "step": "Step",
                "who": "Who",
                "why": st.column_config.TextColumn("Why", width="large"),
            },
        )


def _undecided_releases(record: PlanRecord, allowed: bool) -> str:
    """Releases of ``record`` its units have not decided: the approver may override them
    with a reason (recorded with the approval).  Why Approve is disabled, or nothing."""
    waiting = sum(not release.decided for release in store().releases(record.id))
    if not waiting:
        return ""
    st.warning(
        f"{plural(waiting, 'release')} of this plan {'is' if waiting == 1 else 'are'} not "
        "decided by the units yet (see **Releases**): approving waits for them, unless you "
        "override with a reason."
    )
    override = st.text_input(
        "Override: why approve before the units decide",
        key=f"plans.override.{record.id}",
        disabled=not allowed,
        placeholder="Recorded with the approval",
    )
    if override.strip():
        return ""
    return "Approve waits for every release to be decided, or for a reason to override them."


def _over_newer(record: PlanRecord, allowed: bool) -> None:
    """A plan older than its scenario's approved plan is approved only when the approver
    ticks that they mean it (the store refuses it otherwise, and records it when done)."""
    approved = store().approved_plan(record.scenario)
    if approved is None or approved.version <= record.version:
        return
    st.checkbox(
        f"Approve it over the approved {markdown_text(approved.label)}, of the newer "
        f"version {approved.version}",
        key=f"plans.over_newer.{record.id}",
        disabled=not allowed,
        help="The next re-plan then starts from this older version's plan.",
    )


# --------------------------------------------------------------------------- side by side


def _compared(records: list[PlanRecord]) -> SideBySide:
    """The comparison of ``records``, worked out once per choice (and their statuses)."""
    key = tuple((record.id, record.status) for record in records)
    cache: dict[Any, SideBySide] = st.session_state.setdefault("plans.compared", {})
    if key not in cache:
        cache.clear()
        cache[key] = cases.compare_plans(store(), [record.id for record in records])
    return cache[key]


def _side_by_side(planner: PlanningSession, records: list[PlanRecord]) -> None:
    view = _compared(records)
    first = records[0]
    st.subheader("Side by side")
    st.caption(f"Changes are read against the first plan chosen, plan {first.id}.")
    figures = figures_shown(view)
    st.dataframe(
        figures,
        hide_index=True,
        height=table_height(len(figures), 800),
        column_config={"figure": st.column_config.TextColumn("Figure", width="medium")},
    )
    changes = changes_shown(view)
    st.markdown(f"**Changes against plan {first.id}** ({len(changes)})")
    if changes.empty:
        st.caption("The plans staff the same missions with the same teams at the same times.")
    else:
        st.dataframe(
            changes,
            hide_index=True,
            height=table_height(len(changes), 420),
            column_config={
                "plan": "Plan",
                "against": "Against",
                "kind": "Kind",
                "change": st.column_config.TextColumn("Change", width="large"),
            },
        )
    ids = "-".join(str(record.id) for record in records)
    st.download_button(
        "Download the change list (CSV)",
        table_csv_bytes(human_headers(view.changes)),
        file_name=planner.file_name(f"plans-{ids}-changes.csv"),
        mime="text/csv",
        on_click="ignore",
    )
    st.markdown("**Load per unit and period** (FTE)")
    only = st.toggle("Only where mission time differs", value=True, key="plans.only_different")
    load = load_shown(view, only)
    if load.empty:
        st.caption("Every unit gives missions the same time in every period in these plans.")
        return
    st.dataframe(
        load,
        hide_index=True,
        height=table_height(len(load), 500),
        column_config={
            "unit": "Unit",
            "period": "Period",
            **{name: st.column_config.NumberColumn(format="%.2f") for name in load_columns(view)},
        },
    )


# --------------------------------------------------------------------------- the page

planner = header(
    "Plans",
    "Plans saved by everyone working on this store: save yours, open one to work on, "
    "propose and approve, or choose two to four to compare side by side.",
)
_message()
_save(planner)
_against_approved(planner)
records = _listing()
if records:
    by_id = {record.id: record for record in records}
    st.session_state[_CHOSEN] = [i for i in st.session_state.get(_CHOSEN, []) if i in by_id]
    chosen = st.multiselect(
        f"Choose a plan to open, propose or approve, or 2 to {MAX_PLANS} to compare",
        list(by_id),
        format_func=lambda plan_id: plan_choice(by_id[plan_id]),
        max_selections=MAX_PLANS,
        key=_CHOSEN,
    )
    if len(chosen) == 1:
        _one(by_id[chosen[0]])
    elif len(chosen) > 1:
        _side_by_side(planner, [by_id[plan_id] for plan_id in chosen])
