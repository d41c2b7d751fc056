"""People & capacity: where each person's and each unit's time goes under the plan."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from app_pages._common import header, plan
from assembler.planning.views import CAPACITY_USES, unit_capacity

# In the order of CAPACITY_USES: operations grey, hierarchy blue, network orange, free green.
_COLOURS = ["#8c8c8c", "#4c78a8", "#f58518", "#b7d7a8"]

planner = header(
    "People & capacity",
    "Each unit's capacity split into operations, change in the hierarchy and in the "
    "network, and what is left; people with no time left are highlighted.",
)
outcome = plan(planner)
solution = None if outcome is None else outcome.result.solution

if outcome is not None and solution is not None:
    units = unit_capacity(outcome.scenario, solution)
    order = {use: i for i, use in enumerate(CAPACITY_USES)}
    chart = (
        alt.Chart(units.assign(order=units.use.map(order)))
        .mark_bar()
        .encode(
            x=alt.X("sum(fte):Q", title="FTE"),
            y=alt.Y(
                "unit_id:N",
                title=None,
                sort=list(units.unit_id.unique()),
                axis=alt.Axis(labelOverlap=False),
            ),
            color=alt.Color(
                "use:N",
                title=None,
                scale=alt.Scale(domain=list(CAPACITY_USES), range=_COLOURS),
                legend=alt.Legend(orient="top"),
            ),
            order=alt.Order("order:Q"),
            tooltip=["unit_id", "use", alt.Tooltip("fte:Q", format="g")],
        )
    )
    st.subheader("Capacity per unit")
    unit_count = len(units.unit_id.unique())
    st.altair_chart(chart, width="stretch", height=34 * unit_count + 90)

    people = outcome.reports.people
    full = people.free_fte <= 0
    st.subheader("People")
    left, right = st.columns([3, 1])
    left.caption(
        f"{int(full.sum())} of {len(people)} people have no time left (highlighted): "
        "they cannot take on more without a change to operations or missions."
    )
    only_full = right.toggle("Only people at capacity", key="people.only_full")
    shown = people[full] if only_full else people

    def _highlight(row: pd.Series) -> list[str]:
        style = "background-color: rgba(255, 193, 7, 0.25)" if row.free_fte <= 0 else ""
        return [style] * len(row)

    st.dataframe(
        shown.style.apply(_highlight, axis=1),
        hide_index=True,
        height=min(35 * (len(shown) + 1) + 3, 600),
        column_order=[
            "person_id",
            "name",
            "unit_id",
            "capacity_fte",
            "ops_fte",
            "mission_fte",
            "free_fte",
            "mission_ids",
        ],
        column_config={
            "person_id": "person",
            "unit_id": "unit",
            "capacity_fte": st.column_config.NumberColumn("capacity", format="%g"),
            "ops_fte": st.column_config.NumberColumn("operations", format="%g"),
            "mission_fte": st.column_config.NumberColumn("missions", format="%g"),
            "free_fte": st.column_config.NumberColumn("free", format="%g"),
            "mission_ids": "on missions",
        },
    )
