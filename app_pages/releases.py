"""Releases: a unit lead decides whether their people join a proposed plan's network
missions, seeing what the unit gives the network against its cap and what each release
costs its operations.  The work is ``assembler.planning.releases``; the store lets only a
lead of the person's unit decide, whatever this page shows."""

from __future__ import annotations

import streamlit as st

from app_pages._common import flash, header, session, show_flash, store, table_height, user
from assembler.planning.edits import EditError
from assembler.planning.plansview import plan_choice
from assembler.planning.releases import (
    adopt_decisions,
    decide,
    network_share,
    release_costs,
    releases_table,
    time_text,
)
from assembler.results.names import Names
from assembler.results.plan import Plan
from assembler.store import PlanStatus, Release, StoreError
from assembler.text import plural

_MESSAGE = "releases.message"
_PLAN = "releases.plan"


def _say(level: str, text: str) -> None:
    flash(_MESSAGE, level, text)


def _message() -> None:
    show_flash(_MESSAGE)


def _loaded(plan_id: int) -> Plan:
    """The stored plan, read once per session and plan (a plan never changes)."""
    cache: dict[int, Plan] = st.session_state.setdefault("releases.loaded", {})
    if plan_id not in cache:
        cache.clear()
        cache[plan_id] = store().load_plan(plan_id)
    return cache[plan_id]


def _decide(plan_id: int, waiting: dict[int, Release], approve: bool) -> None:
    state = st.session_state
    chosen = waiting.get(state.get("releases.request", -1))
    if chosen is None:
        return
    try:
        done = decide(
            store(),
            user(),
            plan_id,
            chosen.person_id,
            chosen.mission_id,
            approve=approve,
            reason=state.get("releases.reason", ""),
        )
    except StoreError as refused:
        _say("error", f"Not decided: {refused}.")
    else:
        state["releases.reason"] = ""
        _say("success", f"{done.person_name} to {done.mission_name}: {done.status}.")


def _adopt(plan_id: int) -> None:
    try:
        added = adopt_decisions(store(), session(), plan_id)
    except EditError as problem:
        _say("error", f"Not all taken over: {problem}.")
    else:
        if added:
            _say(
                "success",
                f"{plural(len(added), 'decision')} added to your edits: press Solve to "
                "re-plan around them.",
            )
        else:
            _say("success", "Your edits already hold every decision of this plan.")


def _shares(plan: Plan, unit_ids: list[str], names: Names) -> None:
    """Each unit's network share per period against its cap: one row per unit."""
    st.subheader("Network share against the cap")
    shares = network_share(plan, unit_ids)
    periods = list(dict.fromkeys(shares.period_id))
    table = shares.pivot(index="unit_id", columns="period_id", values="share")
    table = table.reindex(index=unit_ids, columns=periods)
    keys = [f"period.{i}" for i in range(len(periods))]  # a period's name is the label only
    table.columns = keys
    caps = shares.groupby("unit_id", sort=False).cap.first()
    table.insert(0, "cap", caps.reindex(unit_ids).to_numpy())
    table.insert(0, "unit", [names.unit(unit_id) for unit_id in unit_ids])
    st.caption(
        "The share of each unit's time its people give network missions in this plan, "
        "period by period, and the most it may give (MODEL.md §6.12; 100% is no cap)."
    )
    st.dataframe(
        table,
        hide_index=True,
        height=table_height(len(table), 420),
        column_config={
            "unit": st.column_config.TextColumn("Unit", width="medium"),
            "cap": st.column_config.NumberColumn("Cap", format="percent"),
            **{
                key: st.column_config.NumberColumn(
                    names.period(period) if period else "Share", format="percent"
                )
                for key, period in zip(keys, periods, strict=True)
            },
        },
    )


def _requests(plan: Plan, asked: list[Release], names: Names) -> None:
    table = releases_table(asked, names, release_costs(plan, asked))
    st.dataframe(
        table,
        hide_index=True,
        height=table_height(len(table), 640),
        column_order=[
            "person",
            "status",
            "mission",
            "fte",
            "when",
            "operations headroom",
            "unit",
            "decided by",
            "reason",
        ],
        column_config={
            "person": st.column_config.TextColumn("Person", width=120, pinned=True),
            "unit": "Unit",
            "mission": st.column_config.TextColumn("Mission", width=305),
            "fte": st.column_config.TextColumn("Time asked", width=85),
            "when": st.column_config.TextColumn("When", width=225),
            "status": st.column_config.TextColumn("Status", width=80),
            "decided by": "Decided by",
            "reason": st.column_config.TextColumn("Reason", width="medium"),
            "operations headroom": st.column_config.TextColumn(
                "Ops headroom",
                width="medium",
                help="The free time of the people able to cover the unit's tightest "
                "operational demand this person could cover, in its tightest period, and "
                "that headroom were the release declined.",
            ),
        },
    )


def _decision(plan_id: int, waiting: list[Release], names: Names) -> None:
    st.subheader("Decide a release")
    if not waiting:
        st.caption("Every release of your units in this plan is decided.")
        return
    by_id = {release.id: release for release in waiting}
    st.selectbox(
        "Request",
        list(by_id),
        format_func=lambda i: (
            f"{by_id[i].person_name} · {by_id[i].unit_name} → "
            f"{by_id[i].mission_name} · {time_text(by_id[i], names)}"
        ),
        key="releases.request",
    )
    st.text_input(
        "Reason",
        key="releases.reason",
        max_chars=500,
        placeholder="Why: recorded with the decision (a decline needs one)",
    )
    approve, decline, _ = st.columns([1, 1, 4])
    approve.button("Approve release", type="primary", on_click=_decide, args=(plan_id, by_id, True))
    decline.button("Decline release", on_click=_decide, args=(plan_id, by_id, False))


def _plans(plan_ids: list[int]) -> int:
    records = {plan_id: store().plan(plan_id) for plan_id in plan_ids}
    proposed = [i for i in plan_ids if records[i].status is PlanStatus.PROPOSED]
    chosen: int = st.selectbox(
        "Plan",
        plan_ids,
        index=plan_ids.index(proposed[0]) if proposed else 0,
        format_func=lambda plan_id: plan_choice(records[plan_id]),
        key=_PLAN,
    )
    return chosen


def _page() -> None:
    me = user()
    if not me.leads:
        st.info(
            "You lead no unit, so no release is yours to decide. Unit leads are named in the "
            "app's [assembler.unit_leads] settings or by the sign-in's units claim."
        )
        return
    mine = store().releases(leads=me.leads)
    plan_ids = sorted({release.plan_id for release in mine}, reverse=True)
    if not plan_ids:
        st.info("No proposed plan asks your units to release anyone yet.")
        return
    plan_id = _plans(plan_ids)
    plan = _loaded(plan_id)
    names = Names.of(plan.scenario)
    asked = [release for release in mine if release.plan_id == plan_id]
    waiting = [release for release in asked if not release.decided]
    st.caption(
        f"{plural(len(asked), 'release')} asked of "
        f"{'every unit' if me.leads.every else 'your units'} by plan {plan_id}, "
        f"{len(waiting)} still to decide."
    )
    units = list(dict.fromkeys(release.unit_id for release in asked))
    _shares(plan, units, names)
    st.subheader("Requests")
    _requests(plan, sorted(asked, key=lambda release: units.index(release.unit_id)), names)
    _decision(plan_id, waiting, names)
    if me.can_edit:
        st.subheader("Re-plan around the decisions")
        st.caption(
            "Declined releases become forbids (with their reasons) and approved ones pins in "
            "your session's edits; **Solve** then re-plans with the fewest changes."
        )
        st.button("Use these decisions in my session", on_click=_adopt, args=(plan_id,))


header(
    "Releases",
    "A proposed plan asks each unit to release the people it puts on network missions: "
    "as a unit lead, see what your unit gives against its cap and what each release costs "
    "its operations, and approve or decline each with a reason.",
)
_message()
_page()
