"""The Plans page's **Roll forward** action on an approved plan: choose the period the plan
rolls forward to (and, if wanted, upload the new periods), see what became of each mission,
and open the draft it stored, or undo the roll; and **Discard this draft** on a draft plan
(a roll's draft takes its rolled version with it). The work is
``assembler.planning.rollforward``, which the command line calls too; this only draws it."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from app_pages._common import store, table_height, user
from assembler.planning import rollforward
from assembler.planning.rolling import RollError, periods_from
from assembler.store import Action, PlanRecord, StoreError
from assembler.text import markdown_text

_ROLLED = "plans.rolled"
ROLL_SECONDS = 30.0
"""The re-plan's time limit: a roll keeps most of the plan, so it is quick."""


Say = Callable[[str, str], None]
"""The page's way of telling the outcome of a step after its rerun: ``say(level, text)``."""


def roll_forward(record: PlanRecord, open_draft: Callable[[int, str], None], say: Say) -> None:
    """The action on approved plan ``record``; ``open_draft(plan_id, label)`` is the page's
    own way of opening a plan, offered for the draft a roll stored, and ``say`` how it
    tells what an undone roll left."""
    me = user()
    allowed = me.may(Action.SAVE)
    periods = record.summary.get("periods") or []
    st.markdown("**Roll forward**")
    if len(periods) < 2:
        st.caption("This plan has a single period: there is nothing to roll forward.")
        return
    st.caption(
        "When periods have passed: they leave the horizon, missions that ended are done, "
        "running ones keep their start and team, the others are re-planned with as few "
        "changes as the score allows (or missed, when they no longer fit), and new periods "
        "join. The outcome is stored as a draft of the scenario's next version; the approved "
        "plan stays approved until another is."
    )
    names = _period_names(record)
    at, upload = st.columns([1, 2])
    chosen = at.selectbox(
        "Roll forward to",
        periods[1:],
        format_func=lambda period_id: names.get(period_id, period_id),
        key=f"plans.roll_at.{record.id}",
        disabled=not allowed,
    )
    new = upload.file_uploader(
        "New periods (optional: a CSV like periods.csv; by default the cadence continues)",
        type=["csv"],
        key=f"plans.roll_periods.{record.id}",
        disabled=not allowed,
    )
    pressed = st.button(
        "Roll forward",
        type="primary",
        key=f"plans.roll.{record.id}",
        disabled=not allowed,
        help=None if allowed else me.needs_text(Action.SAVE),
    )
    if pressed:
        _roll(record, str(chosen), None if new is None else (new.name, new.getvalue()))
    _shown(record, open_draft, say)


def discard_draft(record: PlanRecord, say: Say) -> None:
    """**Discard this draft** on draft ``record``, with the reason it goes; greyed out, with
    why, for whoever may not discard."""
    me = user()
    allowed = me.may(Action.DISCARD)
    st.text_input(
        "Why discard it",
        key=f"plans.discard_reason.{record.id}",
        disabled=not allowed,
        placeholder="A roll's draft takes its rolled version with it",
    )
    st.button(
        "Discard this draft",
        key=f"plans.discard.{record.id}",
        on_click=_discard,
        args=(record.id, say),
        disabled=not allowed,
        help=None if allowed else me.needs_text(Action.DISCARD),
    )
    if not allowed:
        st.caption(me.needs_text(Action.DISCARD))


def _discard(plan_id: int, say: Say) -> None:
    reason = st.session_state.get(f"plans.discard_reason.{plan_id}", "")
    try:
        done = rollforward.discard(store(), user(), plan_id, reason)
    except StoreError as refused:
        say("error", f"Not discarded: {refused}.")
        return
    kept = st.session_state.get(_ROLLED)
    if kept is not None and kept[3][0] == plan_id:
        del st.session_state[_ROLLED]  # the roll's outcome is gone with its draft
    say("warning" if done.kept else "success", f"Done: {done.message}.")


def _period_names(record: PlanRecord) -> dict[str, str]:
    """The plan's periods by name, read once per plan (a stored scenario can be large)."""
    cache: dict[int, dict[str, str]] = st.session_state.setdefault("plans.period_names", {})
    if record.id not in cache:
        _, scenario = store().load_scenario(record.scenario, record.version)
        cache[record.id] = {
            period_id: scenario.period_name(t) for t, period_id in enumerate(scenario.period_ids)
        }
    return cache[record.id]


def _roll(record: PlanRecord, at: str, upload: tuple[str, bytes] | None) -> None:
    try:
        new_periods = None if upload is None else periods_from(*upload)
        source = "periods" if upload is None else upload[0]
        with st.spinner("Rolling forward and re-planning…"):
            stored = rollforward.roll_forward(
                store(), user(), record.id, at, new_periods, source=source, time_limit=ROLL_SECONDS
            )
    except RollError as refused:
        st.error(markdown_text(f"Not rolled forward: {refused}."))
        for problem in refused.problems:
            st.text(str(problem))
        return
    except StoreError as refused:
        st.error(markdown_text(f"Not rolled forward: {refused}."))
        return
    rows = [
        {"mission": row.mission, "fate": str(row.fate.fate), "when": row.when, "what": row.what}
        for row in rollforward.outcomes(stored)
    ]
    summary = f"{record.label} rolled forward {stored.roll.rolled.summary}"
    draft = (stored.record.id, stored.record.label)
    st.session_state[_ROLLED] = (record.id, summary, rows, draft, stored.warning)
    st.rerun()  # the list above shows the new draft


def _shown(record: PlanRecord, open_draft: Callable[[int, str], None], say: Say) -> None:
    """The last roll of this plan: what became of each mission, its draft to open, and the
    roll to undo (by discarding its draft)."""
    kept = st.session_state.get(_ROLLED)
    if kept is None or kept[0] != record.id:
        return
    _, summary, rows, (draft_id, label), warning = kept
    st.success(markdown_text(f"{summary}. Stored as a draft: {label}."))
    if warning:
        st.warning(markdown_text(warning))
    st.dataframe(
        rows,
        hide_index=True,
        height=table_height(len(rows), 800),
        column_order=["mission", "fate", "when"],
        column_config={
            "mission": st.column_config.TextColumn("Mission", width=440),
            "fate": st.column_config.TextColumn("Fate", width=90),
            "when": st.column_config.TextColumn("When", width=290),
        },
    )
    # The teams kept and the value lost are sentences: in a table cell they were cut off
    # at 1280 px, so they are listed in full below it.
    said = [row for row in rows if row["what"]]
    if said:
        st.markdown("**Teams kept, and value lost**")
        st.markdown(
            "\n".join(
                f"- {markdown_text(row['mission'])}: {markdown_text(row['what'])}" for row in said
            )
        )
    opening, undoing, _ = st.columns([1, 1, 3])
    opening.button(
        "Open the draft",
        key=f"plans.roll_open.{record.id}",
        on_click=open_draft,
        args=(draft_id, label),
        help="The rolled scenario and its re-plan become your session, to check and propose.",
    )
    undoing.button(
        "Undo this roll",
        key=f"plans.roll_undo.{record.id}",
        on_click=_discard,
        args=(draft_id, say),
        help="Discards the draft and its rolled version: the scenario is back where it was.",
    )


def version_chains(records: list[PlanRecord]) -> None:
    """Under the list: each rolled scenario's versions by horizon (``v1 2027-Q1–2027-Q4 →
    v2 2027-Q2–2028-Q1``)."""
    for chain in rollforward.chains(store(), [record.scenario for record in records]):
        st.caption(markdown_text(f"Versions: {chain}"))
