"""People & capacity: where each unit's and each person's time goes under the plan, per
period on a horizon (periods are never summed: a person in four quarters is one person)."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st
from streamlit.elements.lib.column_types import ColumnConfig

from app_pages._charts import period_grid
from app_pages._common import ALL_PERIODS, fte_column, header, period_choice, plan, table_height
from assembler.planning.development import roles_of
from assembler.planning.views import (
    ALL_ON_OPERATIONS,
    FULLY_BOOKED,
    OVER_CAPACITY,
    OVERLOADED,
    capacity_in,
    loads,
    network_caps,
    person_time,
)
from assembler.results.capacity import CAPACITY_USES, FREE, unit_capacity
from assembler.results.names import Names
from assembler.results.plan import Plan
from assembler.text import plural

# In the order of CAPACITY_USES: operations grey, hierarchy blue, network orange, free green.
_NETWORK_COLOUR = "#f58518"
_USE_COLOURS = alt.Scale(
    domain=list(CAPACITY_USES), range=["#8c8c8c", "#4c78a8", _NETWORK_COLOUR, "#b7d7a8"]
)
_USE_ORDER = {use: i for i, use in enumerate(CAPACITY_USES)}


def _unit_bars(units: pd.DataFrame, names: Names, period: str | None) -> None:
    """Each unit's capacity in one period, or the mean period, split by use."""
    shown = capacity_in(units, None if period in (None, ALL_PERIODS) else period)
    shown = shown.assign(unit=shown.unit_id.map(names.unit), order=shown.use.map(_USE_ORDER))
    chart = (
        alt.Chart(shown)
        .mark_bar()
        .encode(
            x=alt.X("fte:Q", title="FTE" if period != ALL_PERIODS else "FTE (mean per period)"),
            y=alt.Y(
                "unit:N",
                title=None,
                sort=list(shown.unit.unique()),
                axis=alt.Axis(labelOverlap=False, labelLimit=240),
            ),
            color=alt.Color(
                "use:N", title=None, scale=_USE_COLOURS, legend=alt.Legend(orient="top")
            ),
            order=alt.Order("order:Q"),
            tooltip=[
                alt.Tooltip("unit:N", title="unit"),
                alt.Tooltip("use:N", title="use"),
                alt.Tooltip("fte:Q", title="FTE", format=".2f"),
            ],
        )
    )
    st.altair_chart(chart, width="stretch", height=34 * shown.unit.nunique() + 90)


def _unit_heatmap(units: pd.DataFrame, names: Names) -> None:
    """Unit × period for each use, one heatmap under the other: the share of the unit's
    capacity (colour) and the FTE (text)."""
    cells = units.assign(
        unit=units.unit_id.map(names.unit),
        period=units.period_id.map(names.period),
        label=units.fte.map(lambda fte: f"{fte:.2f}"),
    )
    base = alt.Chart().encode(**period_grid(names, "unit", list(cells.unit.unique()), 240))
    rect = base.mark_rect(stroke="white", strokeWidth=1).encode(
        color=alt.Color(
            "share:Q",
            title="share of the unit's capacity",
            scale=alt.Scale(scheme="blues", domain=[0, 1]),
            legend=alt.Legend(
                format=".0%", orient="top", gradientLength=240, values=[0, 0.25, 0.5, 0.75, 1]
            ),
        ),
        tooltip=[
            alt.Tooltip("unit:N", title="unit"),
            alt.Tooltip("period:N", title="period"),
            alt.Tooltip("use:N", title="use"),
            alt.Tooltip("fte:Q", title="FTE", format=".2f"),
            alt.Tooltip("share:Q", title="share of capacity", format=".0%"),
        ],
    )
    text = base.mark_text(fontSize=12).encode(
        text="label:N",
        color=alt.condition("datum.share > 0.55", alt.value("white"), alt.value("#333")),
    )
    chart = (
        alt.layer(rect, text, data=cells)
        .properties(width=620, height=24 * cells.unit.nunique())
        .facet(
            row=alt.Row(
                "use:N",
                sort=list(CAPACITY_USES),
                title=None,
                header=alt.Header(labelAngle=0, labelAlign="left", labelFontWeight="bold"),
            ),
            spacing=14,
        )
    )
    st.altair_chart(chart)


def _network_caps(outcome: Plan, names: Names) -> None:
    """Each capped unit's share of its time given to network missions, per period, beside
    its cap (bars and a black tick); drawn only when some unit is capped."""
    solution = outcome.result.solution
    assert solution is not None
    caps = network_caps(outcome.scenario, solution)
    if caps.empty:
        return
    st.subheader("Network share against its cap")
    st.caption(
        "The share of each capped unit's time its people give network missions, per "
        "period; the black tick is the cap (the unit's own, else the Network share cap "
        "dial), which the plan never passes."
    )
    horizon = outcome.scenario.has_horizon
    shown = caps.assign(
        unit=caps.unit_id.map(names.unit),
        period=caps.period_id.map(names.period) if horizon else "the plan",
        left=(caps.cap - caps.share).clip(lower=0),
    )
    periods = list(dict.fromkeys(shown.period))
    units = list(dict.fromkeys(shown.unit))
    base = alt.Chart(shown).encode(
        x=alt.X("period:N", sort=periods, title=None, axis=alt.Axis(labelAngle=0)),
        xOffset=alt.XOffset("unit:N", sort=units),
    )
    bars = base.mark_bar(color=_NETWORK_COLOUR).encode(
        y=alt.Y("share:Q", title="share of the unit's time", axis=alt.Axis(format=".0%")),
        tooltip=[
            alt.Tooltip("unit:N", title="unit"),
            alt.Tooltip("period:N", title="period"),
            alt.Tooltip("share:Q", title="to the network", format=".1%"),
            alt.Tooltip("cap:Q", title="cap", format=".0%"),
        ],
    )
    ticks = base.mark_tick(color="black", thickness=2).encode(y="cap:Q")
    labels = base.mark_text(dy=-8, fontSize=11).encode(y="cap:Q", text="unit:N")
    st.altair_chart(bars + ticks + labels, width="stretch", height=300)
    st.dataframe(
        shown,
        hide_index=True,
        height=table_height(len(shown), 400),
        column_order=["unit", "period", "share", "cap", "left"]
        if horizon
        else ["unit", "share", "cap", "left"],
        column_config={
            "unit": "Unit",
            "period": "Period",
            "share": st.column_config.NumberColumn("To the network", format="percent"),
            "cap": st.column_config.NumberColumn("Cap", format="percent"),
            "left": st.column_config.NumberColumn(
                "Left under the cap", format="percent", help="Of the unit's time in the period."
            ),
        },
    )


# Only the overloaded are coloured; people whose whole time goes to operations are not.
_LOAD_COLOURS = {
    OVER_CAPACITY: "background-color: rgba(220, 53, 69, 0.25)",
    FULLY_BOOKED: "background-color: rgba(255, 193, 7, 0.3)",
}


def _fte(label: str, help: str) -> ColumnConfig:
    """An FTE column with the unit in its help, not its header: the table fits 1280 px."""
    return st.column_config.NumberColumn(label, format="%.2f", help=help)


def _people_table(outcome: Plan, names: Names, period: str | None) -> None:
    people = outcome.reports.people
    horizon = outcome.scenario.has_horizon
    if horizon and period != ALL_PERIODS:
        people = people[people.period_id == period]
    load = loads(people)
    people = people.assign(load=load)
    left, right = st.columns([3, 1])
    counted = {
        state: people[load == state].person_id.nunique()
        for state in (OVER_CAPACITY, FULLY_BOOKED, ALL_ON_OPERATIONS)
    }
    when = (
        " in at least one period"
        if horizon and period == ALL_PERIODS
        else (f" in {names.period(period)}" if period else "")
    )
    over = (
        f"**{counted[OVER_CAPACITY]} over capacity**{when}; "
        if counted[OVER_CAPACITY]
        else "Nobody is over capacity; "
    )
    left.markdown(
        f"{over}**{plural(counted[FULLY_BOOKED], 'person', 'people')} fully booked**{when}: "
        "missions fill the time operations leave them (highlighted). "
        f"{plural(counted[ALL_ON_OPERATIONS], 'person', 'people')} give all their time to "
        "operations, which need it: not an overload, but they cannot join a mission "
        "unless operations change."
    )
    only_busy = right.toggle("Only the fully booked", key="people.only_full")
    shown = people[people.load.isin(OVERLOADED)] if only_busy else people
    shown = shown.assign(
        unit=shown.unit_id.map(names.unit),
        period=shown.period_id.map(names.period) if horizon else "",
        on_missions=shown.mission_ids.str.replace(";", ", "),
    )

    def _highlight(row: pd.Series) -> list[str]:
        return [_LOAD_COLOURS.get(row.load, "")] * len(row)

    # Few columns, so the table fits a 1280 px screen: the split of time is the figures a
    # planner reads, the state says what it means.
    columns = ["person_id", "name", "unit", "period", "load", "ops_fte", "mission_fte"]
    columns += ["free_fte", "on_missions"]
    st.dataframe(
        shown.style.apply(_highlight, axis=1),
        hide_index=True,
        height=table_height(len(shown)),
        column_order=[c for c in columns if horizon or c != "period"],
        column_config={
            "person_id": st.column_config.TextColumn("Person", pinned=True),
            "name": "Name",
            "unit": "Unit",
            "period": "Period",
            "load": "Load",
            "ops_fte": _fte("Ops", "Time on operations (FTE)."),
            "mission_fte": _fte("Missions", "Time on missions (FTE)."),
            "free_fte": _fte("Free", "Time left (FTE)."),
            "on_missions": "On missions",
        },
    )


def _one_person(outcome: Plan, names: Names) -> None:
    """A person's capacity per period and what fills it: operations per skill, each
    mission, and what is free."""
    scenario = outcome.scenario
    solution = outcome.result.solution
    assert solution is not None
    people = {p.person_id: p for p in scenario.people}
    if not people:
        return
    person_id = st.selectbox(
        "Person",
        list(people),
        format_func=lambda p: f"{names.person(p)} ({names.unit(people[p].unit_id)})",
        key="people.person",
    )
    if person_id is None:
        return
    time = person_time(scenario, solution, person_id)
    missions = {m.mission_id for m in scenario.missions}
    labelled = time.assign(
        period=time.period_id.map(names.period) if scenario.has_horizon else "the plan",
        what=[
            names.mission(part)
            if part in missions
            else "free"
            if use == FREE
            else f"operations · {names.skill(part)}"
            for use, part in zip(time.use, time.part, strict=True)
        ],
        order=time.use.map(_USE_ORDER),
    )
    periods = list(dict.fromkeys(labelled.period))
    bars = (
        alt.Chart(labelled)
        .mark_bar(stroke="white", strokeWidth=1)
        .encode(
            x=alt.X("period:N", sort=periods, title=None, axis=alt.Axis(labelAngle=0)),
            y=alt.Y("fte:Q", title="FTE"),
            color=alt.Color(
                "use:N", title=None, scale=_USE_COLOURS, legend=alt.Legend(orient="top")
            ),
            order=alt.Order("order:Q"),
            tooltip=[
                alt.Tooltip("period:N", title="period"),
                alt.Tooltip("what:N", title="time on"),
                alt.Tooltip("fte:Q", title="FTE", format=".2f"),
                alt.Tooltip("capacity_fte:Q", title="capacity (FTE)", format=".2f"),
            ],
        )
    )
    capacity = (
        alt.Chart(labelled.drop_duplicates("period"))
        .mark_tick(color="black", thickness=2, size=60)
        .encode(x=alt.X("period:N", sort=periods), y="capacity_fte:Q")
    )
    st.altair_chart(bars + capacity, width="stretch", height=320)
    st.caption("Black tick: the person's capacity in the period (0 when away or not yet there).")
    learning = scenario.settings.has_learners
    if learning:
        labelled = labelled.assign(
            role=[
                roles_of(solution, person_id, part) if part in missions else ""
                for part in labelled.part
            ]
        )
    columns = ["period", "what", "role", "fte"]
    st.dataframe(
        labelled,
        hide_index=True,
        column_order=[
            c
            for c in columns
            if (scenario.has_horizon or c != "period") and (learning or c != "role")
        ],
        column_config={
            "period": "Period",
            "what": "Time on",
            "role": st.column_config.TextColumn(
                "Role", help="On a mission: a learner works under a mentor on the same need."
            ),
            "fte": fte_column("Time"),
        },
    )


planner = header(
    "People & capacity",
    "Each unit's capacity split into operations, change in the hierarchy and in the "
    "network, and what is left; people whose missions fill their time are highlighted "
    "(figures in FTE).",
)
outcome = plan(planner)

if outcome is not None and outcome.result.solution is not None:
    names = Names.of(outcome.scenario)
    units = unit_capacity(outcome.scenario, outcome.result.solution)
    if outcome.scenario.has_horizon:
        st.subheader("Capacity per unit and period")
        st.caption("Each cell: FTE of the unit's capacity in the period going to that use.")
        _unit_heatmap(units, names)
    st.subheader("Capacity per unit")
    period = period_choice(outcome.scenario, "people.period")
    _unit_bars(units, names, period)
    _network_caps(outcome, names)
    st.subheader("People")
    _people_table(outcome, names, period)
    st.subheader("One person's time")
    _one_person(outcome, names)
