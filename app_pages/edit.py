"""Edit & compare: change the scenario (pin, forbid, mandatory, drop, value), re-solve, and
see what the change did against the previous plan."""

from __future__ import annotations

from typing import Any

import streamlit as st

from app_pages._common import header, session
from assembler.domain.scenario import LockKind, Mission
from assembler.domain.solution import Solution
from assembler.planning.edits import Edit, EditError, EditKind, candidates, lock_of
from assembler.planning.session import PlanningSession
from assembler.results.compare import Comparison

_MISSION = "edit.mission"
_MESSAGE = "edit.message"


def _person_key(mission_id: str) -> str:
    return f"edit.person.{mission_id}"


def _value_key(mission_id: str) -> str:
    return f"edit.value.{mission_id}"


def _apply(kind: EditKind) -> None:
    """Button callback: build the edit from the widgets as they are at the click (a value
    typed just before the click is in the state already, not yet in the drawn page)."""
    mission_id = st.session_state[_MISSION]
    person_id = st.session_state.get(_person_key(mission_id))
    value = st.session_state.get(_value_key(mission_id)) if kind is EditKind.VALUE else None
    edit = Edit(kind, mission_id, person_id, value)
    try:
        session().edit(edit)
    except EditError as error:
        st.session_state[_MESSAGE] = ("error", str(error))
    else:
        st.session_state[_MESSAGE] = ("success", f"Done: {edit}. Press **Solve** to re-plan.")


def _editors(planner: PlanningSession, solution: Solution | None) -> None:
    scenario = planner.scenario
    missions = {mission.mission_id: mission for mission in scenario.missions}
    if not missions:
        st.info("The scenario has no missions left: undo an edit below.")
        return

    def mission_label(mission_id: str) -> str:
        label = f"{mission_id} · {missions[mission_id].name}"
        if solution is None:
            return label
        return label + (" (staffed)" if mission_id in solution.staffed else " (not staffed)")

    if st.session_state.get(_MISSION, next(iter(missions))) not in missions:
        del st.session_state[_MISSION]  # the mission was dropped
    mission_id = st.selectbox("Mission", list(missions), format_func=mission_label, key=_MISSION)
    people, itself = st.columns(2, border=True)
    with people:
        _person_editor(planner, missions[mission_id], solution)
    with itself:
        _mission_editor(missions[mission_id])


def _person_editor(planner: PlanningSession, mission: Mission, solution: Solution | None) -> None:
    st.markdown("**A person on this mission**")
    scenario, mission_id = planner.scenario, mission.mission_id
    pool = {person.person_id: person for person in candidates(scenario, mission_id)}
    if not pool:
        st.caption("Nobody is eligible for any need of this mission.")
        return

    def person_label(person_id: str) -> str:
        person = pool[person_id]
        label = f"{person_id} · {person.name} ({person.unit_id})"
        lock = lock_of(scenario, person_id, mission_id)
        if lock is not None:
            return label + (" · pinned" if lock is LockKind.PIN else " · forbidden")
        if solution is not None and (person_id, mission_id) in solution.members:
            return label + " · on the team"
        return label

    st.selectbox(
        f"Person ({len(pool)} eligible)",
        list(pool),
        format_func=person_label,
        key=_person_key(mission_id),
    )
    pin, forbid, unlock = st.columns(3)
    pin.button("Pin", on_click=_apply, args=(EditKind.PIN,), width="stretch")
    forbid.button("Forbid", on_click=_apply, args=(EditKind.FORBID,), width="stretch")
    unlock.button("Unlock", on_click=_apply, args=(EditKind.UNLOCK,), width="stretch")


def _mission_editor(mission: Mission) -> None:
    st.markdown("**The mission itself**")
    st.number_input(
        "Value",
        min_value=0.0,
        value=float(mission.value),
        step=5.0,
        key=_value_key(mission.mission_id),
    )
    value, mandatory, drop = st.columns(3)
    value.button("Set value", on_click=_apply, args=(EditKind.VALUE,), width="stretch")
    if mission.mandatory:
        mandatory.button(
            "Make optional", on_click=_apply, args=(EditKind.OPTIONAL,), width="stretch"
        )
    else:
        mandatory.button(
            "Make mandatory", on_click=_apply, args=(EditKind.MANDATORY,), width="stretch"
        )
    drop.button("Drop mission", on_click=_apply, args=(EditKind.DROP,), width="stretch")


def _message() -> None:
    """The outcome of the last edit, shown once."""
    if _MESSAGE in st.session_state:
        level, text = st.session_state.pop(_MESSAGE)
        if level == "error":
            st.error(text)
        else:
            st.success(text)


def _log(planner: PlanningSession) -> None:
    st.subheader("Edits")
    if not planner.edits:
        st.caption(f"No edits yet: the scenario is {planner.source} as loaded.")
        return
    st.markdown("\n".join(f"{i}. {edit}" for i, edit in enumerate(planner.edits, 1)))
    undo, reset, _ = st.columns([1, 1, 3])
    undo.button("Undo last edit", on_click=planner.undo, width="stretch")
    reset.button("Reset all edits", on_click=planner.reset_edits, width="stretch")


def _delta(delta: float | None, text: str) -> dict[str, Any]:
    """Metric delta arguments: no arrow and no colour when nothing changed."""
    if delta is None:
        return {}
    if delta == 0:
        return {"delta": "no change", "delta_color": "off", "delta_arrow": "off"}
    return {"delta": text}


def _comparison(comparison: Comparison | None) -> None:
    st.subheader("Compared with the previous plan")
    if comparison is None:
        st.caption("Solve twice (for instance before and after an edit) to compare two plans.")
        return
    value, score, gained, lost = st.columns(4)
    value_delta, score_delta = comparison.value_delta, comparison.score_delta
    value.metric(
        "Value captured",
        "–" if comparison.value_after is None else f"{comparison.value_after:,.0f}",
        border=True,
        **_delta(value_delta, f"{value_delta or 0:+,.0f}"),
    )
    score.metric(
        "Score",
        "–" if comparison.score_after is None else f"{comparison.score_after:,}",
        border=True,
        **_delta(score_delta, f"{score_delta or 0:+,}"),
    )
    gained.metric("Missions gained", len(comparison.gained), border=True)
    lost.metric("Missions lost", len(comparison.lost), border=True)
    for title, changes in (("Gained", comparison.gained), ("Lost", comparison.lost)):
        if changes:
            listed = ", ".join(f"{c.mission_id} · {c.name} ({c.value:g})" for c in changes)
            st.markdown(f"**{title}:** {listed}")
    if comparison.unchanged:
        st.caption("Same missions, same teams: only the time split may differ.")
        return
    st.markdown(f"**People moved** ({len(comparison.moves)})")
    st.dataframe(
        [
            {
                "person": move.person_id,
                "name": move.name,
                "unit": move.unit_id,
                "joined": ", ".join(move.joined),
                "left": ", ".join(move.left),
            }
            for move in comparison.moves
        ],
        hide_index=True,
    )


planner = header(
    "Edit & compare",
    "Edits change the scenario, never the plan directly: press **Solve** to re-plan. "
    "The re-solve starts from the current plan, and the previous plan stays for comparison.",
)
_editors(planner, planner.current.result.solution if planner.current is not None else None)
_message()
_log(planner)
_comparison(planner.comparison())
