"""Timeline: the missions over the planning periods — when each staffed mission runs, where
the unstaffed ones could have run, and which the last re-solve moved in time."""

from __future__ import annotations

import json

import altair as alt
import pandas as pd
import streamlit as st

from app_pages._common import fte_column, header, plan, table_height
from assembler.domain.scenario import ChangeType, Scenario
from assembler.planning.timeline import mission_timeline
from assembler.results.names import Names

# Hierarchy in blues, network in oranges (as on People & capacity), unstaffed grey.
_CHANGE_COLOURS = {
    ChangeType.IMPROVE.value: "#9ecae9",
    ChangeType.RENEW.value: "#4c78a8",
    ChangeType.TRANSITION.value: "#ffbf79",
    ChangeType.INNOVATION.value: "#f58518",
}
_UNSTAFFED = "not staffed (its window)"
_ROW_PIXELS = 28


def _chart(scenario: Scenario, table: pd.DataFrame) -> alt.LayerChart:
    """Bars from a run's first period to its last, over a grid of the periods: an x axis of
    period positions labelled with the periods' names at the middle of each."""
    names = [scenario.period_name(t) for t in range(len(scenario.period_ids))]
    horizon = len(names)
    x_axis = alt.Axis(
        values=[t + 0.5 for t in range(horizon)],
        labelExpr=f"{json.dumps(names)}[floor(datum.value)]",
        title=None,
        grid=False,
        orient="top",
        labelAngle=0,
    )
    x = alt.X("run_start:Q", scale=alt.Scale(domain=[0, horizon], nice=False), axis=x_axis)
    rows = table.assign(shown=table.change_type.where(table.staffed, _UNSTAFFED))
    y = alt.Y(
        "label:N",
        sort=list(rows.label),
        title=None,
        axis=alt.Axis(labelLimit=360, labelOverlap=False),
    )
    tooltip = [
        alt.Tooltip("label:N", title="mission"),
        alt.Tooltip("change_type:N", title="change type"),
        alt.Tooltip("when:N", title="when"),
        alt.Tooltip("moved_from:N", title="started before in"),
    ]
    base = alt.Chart(rows).encode(y=y, tooltip=tooltip)
    window = base.mark_bar(color="#eeeeee", height={"band": 0.8}).encode(
        x=alt.X("window_start:Q", scale=alt.Scale(domain=[0, horizon], nice=False), axis=x_axis),
        x2="window_end:Q",
    )
    colours = alt.Scale(
        domain=[*_CHANGE_COLOURS, _UNSTAFFED], range=[*_CHANGE_COLOURS.values(), "#c7c7c7"]
    )
    runs = base.mark_bar(height={"band": 0.6}, cornerRadius=3).encode(
        x=x,
        x2="run_end:Q",
        color=alt.Color("shown:N", scale=colours, title=None, legend=alt.Legend(orient="bottom")),
        opacity=alt.condition("datum.staffed", alt.value(1.0), alt.value(0.6)),
    )
    moved = (
        base.transform_filter("datum.moved_from != ''")
        .mark_text(align="left", dx=6, fontSize=11, color="#b8451a")
        .encode(x="run_end:Q", text=alt.Text("moved_text:N"))
        .transform_calculate(moved_text="'⟲ moved from ' + datum.moved_from")
    )
    borders = (
        alt.Chart(pd.DataFrame({"at": range(horizon + 1)}))
        .mark_rule(color="#cccccc", strokeDash=[2, 3])
        .encode(x="at:Q")
    )
    return alt.LayerChart(layer=[window, borders, runs, moved], height=_ROW_PIXELS * len(rows) + 20)


planner = header(
    "Timeline",
    "When each staffed mission runs; a grey bar is the window a mission may run in, and an "
    "unstaffed mission shows only its window. Missions the last re-solve moved in time are "
    "marked ⟲.",
)
outcome = plan(planner)

if outcome is not None and outcome.result.solution is not None:
    scenario = outcome.scenario
    if not scenario.has_horizon:
        st.info(
            "This scenario has no planning periods (no periods table): every staffed mission "
            "runs for the whole plan. Missions & teams lists them."
        )
    elif not scenario.missions:
        st.info("The scenario has no missions.")
    else:
        comparison = planner.comparison()
        shifts = () if comparison is None else comparison.shifts
        table = mission_timeline(scenario, outcome.result.solution, shifts)
        names = Names.of(scenario)
        st.altair_chart(_chart(scenario, table), width="stretch")
        missions = outcome.reports.missions.set_index("mission_id")
        listed = table.assign(
            fte=table.mission_id.map(missions.fte).where(table.staffed),
            first=table.mission_id.map(missions.start_period).map(names.period),
            last=table.mission_id.map(missions.end_period).map(names.period),
            moved=table.moved_from,
        )
        st.dataframe(
            listed,
            hide_index=True,
            height=table_height(len(listed)),
            # "Started before in" only after a re-solve moved something: an empty column
            # would push the figures off a 1280 px screen for nothing.
            column_order=["label", "change_type", "first", "last", "fte"]
            + (["moved"] if listed.moved.astype(bool).any() else []),
            column_config={
                "label": st.column_config.TextColumn("Mission", pinned=True),
                "change_type": "Type",
                "first": "First period",
                "last": "Last period",
                "fte": fte_column("Time", "Per period while it runs; blank: not staffed."),
                "moved": st.column_config.TextColumn(
                    "Started before in", help="Where the plan before the last re-solve started it."
                ),
            },
            placeholder="",
        )
