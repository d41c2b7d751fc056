"""Edit & compare: change the scenario (pin, forbid, mandatory, drop, value, with periods a
mission's window or start, and people's development goals), re-solve, and see what the
change did against the previous plan — including the missions it moved in time and the
learners it gained or lost — and, when the stored scenario has an approved plan, against
that one.  An edit that certainly leaves no plan (a pin on someone
operations need all of) is warned about when it is made.  Viewers see the comparisons
only: editing is a planner's work."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from app_pages._common import header, session, user
from assembler.domain.edits import GOAL_EDITS, Edit, EditKind
from assembler.domain.scenario import LockKind, Mission, Scenario
from assembler.domain.solution import Solution
from assembler.planning.edits import GOAL_WEIGHTS, EditError, candidates, goal_skills, lock_of
from assembler.planning.session import PlanningSession
from assembler.results.compare import Comparison
from assembler.results.names import Names
from assembler.text import markdown_text, plural

_MISSION = "edit.mission"
_MESSAGE = "edit.message"
_PERSON_EDITS = (EditKind.PIN, EditKind.FORBID, EditKind.UNLOCK)
_GOAL_PERSON = "edit.goal.person"
_GOAL_SKILL = "edit.goal.skill"
_GOAL_WEIGHT = "edit.goal.weight"


def _person_key(mission_id: str) -> str:
    return f"edit.person.{mission_id}"


def _value_key(mission_id: str) -> str:
    return f"edit.value.{mission_id}"


def _period_key(mission_id: str, which: str) -> str:
    return f"edit.{which}.{mission_id}"


def _apply(kind: EditKind) -> None:
    """Button callback: build the edit from the widgets as they are at the click (a value
    typed just before the click is in the state already, not yet in the drawn page)."""
    state = st.session_state
    if kind in GOAL_EDITS:
        weight = state.get(_GOAL_WEIGHT) if kind is EditKind.ADD_GOAL else None
        goal = Edit(
            kind,
            person_id=state.get(_GOAL_PERSON),
            skill_id=state.get(_GOAL_SKILL),
            weight=None if weight is None else int(weight),
        )
        _record(goal)
        return
    mission_id = state[_MISSION]
    person_id = state.get(_person_key(mission_id)) if kind in _PERSON_EDITS else None
    value = state.get(_value_key(mission_id)) if kind is EditKind.VALUE else None
    period_id = until = None
    if kind is EditKind.WINDOW:
        period_id = state.get(_period_key(mission_id, "from"))
        until = state.get(_period_key(mission_id, "until"))
    elif kind is EditKind.START:
        period_id = state.get(_period_key(mission_id, "start"))
    edit = Edit(kind, mission_id, person_id, value, period_id, until)
    if _record(edit):
        planner = session()
        if kind is EditKind.DROP:  # the browser would keep showing the dropped mission
            mission_id = next((m.mission_id for m in planner.scenario.missions), "")
            if mission_id:
                state[_MISSION] = mission_id
            else:
                state.pop(_MISSION, None)
        _show_timing(planner.scenario, mission_id, None)


def _record(edit: Edit) -> bool:
    """Make ``edit`` in the session and leave its outcome for ``_message``: done (with any
    clash it brings in) or refused, and why; whether it was made."""
    state = st.session_state
    planner = session()
    before = planner.scenario  # names the edit: a dropped mission is gone after it
    try:
        warnings = planner.edit(edit)
    except EditError as error:
        state[_MESSAGE] = ("error", markdown_text(error))
        return False
    else:
        done = markdown_text(Names.of(before).edit(edit))
        if warnings:
            listed = "\n".join(f"- {markdown_text(warning)}" for warning in warnings)
            state[_MESSAGE] = (
                "warning",
                f"Done: {done}. **But no plan can exist now:**\n{listed}\n\n"
                "A solve would find none; undo the edit, or change what it clashes with.",
            )
        else:
            state[_MESSAGE] = ("success", f"Done: {done}. Press **Solve** to re-plan.")
        return True


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
    if scenario.has_horizon:
        with st.container(border=True):
            _timing_editor(scenario, missions[mission_id], solution)


def _person_editor(planner: PlanningSession, mission: Mission, solution: Solution | None) -> None:
    st.markdown("**A person on this mission**")
    scenario, mission_id = planner.scenario, mission.mission_id
    pool = {person.person_id: person for person in candidates(scenario, mission_id)}
    if not pool:
        st.caption("Nobody is eligible for any need of this mission.")
        return

    names = Names.of(scenario)

    def person_label(person_id: str) -> str:
        person = pool[person_id]
        label = f"{names.person(person_id)} ({names.unit(person.unit_id)})"
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


def _timing_editor(scenario: Scenario, mission: Mission, solution: Solution | None) -> None:
    """The mission's window (it may start anywhere inside, keeping its duration) and a
    fixed start (its window becomes exactly its run)."""
    st.markdown("**When it runs**")
    periods = list(scenario.period_ids)
    timing = scenario.timing(mission)
    mission_id = mission.mission_id
    start = solution.starts.get(mission_id) if solution is not None else None
    opens, closes = scenario.period_name(timing.earliest), scenario.period_name(timing.latest)
    now = f"runs {plural(timing.duration, 'period')} " + (
        f"in {opens}" if opens == closes else f"between {opens} and {closes}"
    )
    if solution is not None and mission_id in solution.staffed and start is not None:
        now += f"; the plan starts it in {scenario.period_name(start)}"
    st.caption(f"{markdown_text(mission_id)} {markdown_text(now)}.")
    label = dict(zip(periods, (scenario.period_name(t) for t in range(len(periods))), strict=True))
    if _period_key(mission_id, "from") not in st.session_state:
        _show_timing(scenario, mission_id, start)
    first, last, set_window, fixed, fix = st.columns(
        [2, 2, 1.4, 2, 1.4], vertical_alignment="bottom"
    )
    first.selectbox(
        "Window from", periods, format_func=label.__getitem__, key=_period_key(mission_id, "from")
    )
    last.selectbox(
        "Window until",
        periods,
        format_func=label.__getitem__,
        key=_period_key(mission_id, "until"),
    )
    set_window.button("Set window", on_click=_apply, args=(EditKind.WINDOW,), width="stretch")
    fixed.selectbox(
        "Start in", periods, format_func=label.__getitem__, key=_period_key(mission_id, "start")
    )
    fix.button("Fix start", on_click=_apply, args=(EditKind.START,), width="stretch")


def _goal_editor(scenario: Scenario) -> None:
    """A person's development goal (MODEL.md v3): add one in a skill with its weight, or
    remove one; the plan rewards a learner place in a goal's skill once learners are on."""
    st.markdown("**A development goal**")
    names = Names.of(scenario)
    people = {person.person_id: person for person in scenario.people}
    goals = {(goal.person_id, goal.skill_id): goal.weight for goal in scenario.development}
    stretch = (
        ""
        if scenario.settings.has_learners
        else (" Nobody learns while Learners: levels short is 0 (in the sidebar).")
    )
    st.caption(
        f"{plural(len(goals), 'goal')} in this scenario: the plan rewards each learner "
        f"place in a goal's skill, times its weight.{stretch}"
    )
    person, skill, weight, add, remove = st.columns(
        [3, 2, 1.2, 1.4, 1.4], vertical_alignment="bottom"
    )
    person.selectbox(
        "Who",
        list(people),
        format_func=lambda p: f"{names.person(p)} ({names.unit(people[p].unit_id)})",
        key=_GOAL_PERSON,
    )
    skill.selectbox("Skill", goal_skills(scenario), format_func=names.skill, key=_GOAL_SKILL)
    weight.number_input(
        "Weight",
        min_value=GOAL_WEIGHTS[0],
        max_value=GOAL_WEIGHTS[-1],
        value=1,
        step=1,
        key=_GOAL_WEIGHT,
        help="How much the person wants it: 1 to 3, as in their appraisal.",
    )
    add.button("Add goal", on_click=_apply, args=(EditKind.ADD_GOAL,), width="stretch")
    remove.button("Remove goal", on_click=_apply, args=(EditKind.REMOVE_GOAL,), width="stretch")


def _take_back(undo: Callable[[], None]) -> None:
    """Button callback: undo one edit or all, and put the timing widgets back on the
    chosen mission's window as it is again."""
    undo()
    mission_id = st.session_state.get(_MISSION)
    if mission_id is not None:
        _show_timing(session().scenario, mission_id, None)


def _show_timing(scenario: Scenario, mission_id: str, start: int | None) -> None:
    """Put the timing widgets on the mission's window (and ``start``, else its first
    period): at their first draw, and after an edit, which may have changed the window.
    Set through the session state, as a browser keeps a widget's value otherwise."""
    mission = next((m for m in scenario.missions if m.mission_id == mission_id), None)
    if mission is None or not scenario.has_horizon:  # dropped, or no periods to show
        return
    timing, ids = scenario.timing(mission), scenario.period_ids
    st.session_state[_period_key(mission_id, "from")] = ids[timing.earliest]
    st.session_state[_period_key(mission_id, "until")] = ids[timing.latest]
    st.session_state[_period_key(mission_id, "start")] = ids[
        timing.earliest if start is None else start
    ]


def _message() -> None:
    """The outcome of the last edit, shown once: Markdown whose names and reasons were
    escaped when it was put together (``_apply``), so its list and emphasis show."""
    if _MESSAGE in st.session_state:
        level, text = st.session_state.pop(_MESSAGE)
        {"error": st.error, "warning": st.warning}.get(level, st.success)(text)


def _log(planner: PlanningSession, editable: bool) -> None:
    st.subheader("Edits")
    if not planner.edits:
        st.caption(f"No edits yet: the scenario is {markdown_text(planner.source)} as loaded.")
        return
    names = Names.of(planner.scenario)
    st.markdown(
        "\n".join(f"{i}. {markdown_text(names.edit(e))}" for i, e in enumerate(planner.edits, 1))
    )
    if not editable:
        return
    undo, reset, _ = st.columns([1, 1, 3])
    undo.button("Undo last edit", on_click=_take_back, args=(planner.undo,), width="stretch")
    reset.button(
        "Reset all edits", on_click=_take_back, args=(planner.reset_edits,), width="stretch"
    )


def _delta(delta: float | None, text: str) -> dict[str, Any]:
    """Metric delta arguments: no arrow and no colour when nothing changed."""
    if delta is None:
        return {}
    if delta == 0:
        return {"delta": "no change", "delta_color": "off", "delta_arrow": "off"}
    return {"delta": text}


def _against_approved(planner: PlanningSession, names: Names) -> None:
    """The current plan against the stored scenario's approved plan, labelled as such."""
    approved = planner.approved
    assert approved is not None
    st.subheader("Against the approved plan")
    if planner.current is not None and planner.current.plan_id == approved.plan_id:
        st.caption(
            f"The current plan is the approved plan: {markdown_text(planner.approved_label)}."
        )
        return
    st.caption(
        f"The approved plan is {markdown_text(planner.approved_label)}. A re-solve stays as "
        "close to it as the score allows; these are the changes it makes."
    )
    _changes(planner.against_approved(), names)


def _comparison(comparison: Comparison | None, names: Names) -> None:
    st.subheader("Compared with the previous plan")
    if comparison is None:
        st.caption("Solve twice (for instance before and after an edit) to compare two plans.")
        return
    _changes(comparison, names)


def _changes(comparison: Comparison | None, names: Names) -> None:
    if comparison is None:
        st.caption("Solve to compare.")
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
            listed = ", ".join(
                f"{markdown_text(f'{c.mission_id} · {c.name}')} (value {c.value:g})"
                for c in changes
            )
            st.markdown(f"**{title}:** {listed}")
    if comparison.shifts:
        st.markdown(
            f"**Moved in time** ({len(comparison.shifts)}):\n"
            + "\n".join(
                f"- {markdown_text(names.mission(shift.mission_id))}: starts in "
                f"{markdown_text(names.period(shift.start_after))} instead of "
                f"{markdown_text(names.period(shift.start_before))}"
                for shift in comparison.shifts
            )
        )
    for title, places, verb in (
        ("Learners gained", comparison.learners_gained, "learns"),
        ("Learners lost", comparison.learners_lost, "no longer learns"),
    ):
        if places:
            listed = "\n".join(
                f"- {markdown_text(names.person(p.person_id))} {verb} "
                f"{markdown_text(names.skill(p.skill_id))} on "
                f"{markdown_text(names.mission(p.mission_id))}"
                for p in places
            )
            st.markdown(f"**{title}** ({len(places)}):\n{listed}")
    if comparison.unchanged:
        st.caption("Same missions, teams, starts and learners: only the time split may differ.")
        return
    if not comparison.moves:
        st.caption("Nobody changed team.")
        return
    st.markdown(f"**People moved** ({len(comparison.moves)})")
    st.dataframe(
        [
            {
                "person": move.person_id,
                "name": move.name,
                "unit": names.unit(move.unit_id),
                "joined": ", ".join(names.mission(m) for m in move.joined),
                "left": ", ".join(names.mission(m) for m in move.left),
            }
            for move in comparison.moves
        ],
        hide_index=True,
        column_config={
            "person": "Person",
            "name": "Name",
            "unit": "Unit",
            "joined": st.column_config.TextColumn("Joined", width="large"),
            "left": st.column_config.TextColumn("Left", width="large"),
        },
    )


planner = header(
    "Edit & compare",
    "Edits change the scenario, never the plan directly: press **Solve** to re-plan. "
    "The re-solve starts from the current plan, and the previous plan stays for comparison.",
)
editable = user().can_edit
if editable:
    _editors(planner, planner.current.result.solution if planner.current is not None else None)
    with st.container(border=True):
        _goal_editor(planner.scenario)
else:
    st.info(f"You can read the edits and comparisons: {user().needs_text('save')}")
_message()
_log(planner, editable)
# Each comparison names missions from the earlier plan's scenario: a mission dropped since
# is in it, and would be a bare id in the current one.
if planner.approved is not None:
    _against_approved(planner, Names.of(planner.approved.scenario))
before = planner.previous.scenario if planner.previous is not None else planner.scenario
_comparison(planner.comparison(), Names.of(before))
