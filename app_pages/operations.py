"""Operations: each unit's operational demand against what the plan keeps on it."""

from __future__ import annotations

import altair as alt
import streamlit as st

from app_pages._common import header, plan

planner = header(
    "Operations",
    "Per unit and skill: the demand, the protected requirement (demand plus the buffer) "
    "and the time the plan keeps on it. A bar that reaches its black tick has no slack.",
)
outcome = plan(planner)

if outcome is not None:
    coverage = outcome.reports.ops_coverage
    if coverage.empty:
        st.info("This scenario has no operational demand (no ops_demand table).")
    else:
        rows = coverage.assign(
            demand=coverage.unit_id + " · " + coverage.skill_id,
            tight=coverage.slack_fte.map(
                lambda slack: "at the protected minimum" if slack <= 0 else "above it"
            ),
        )
        y = alt.Y(
            "demand:N",
            title=None,
            sort=list(rows.demand),
            axis=alt.Axis(labelLimit=320, labelOverlap=False),
        )
        tooltip = [
            alt.Tooltip("unit_id:N", title="unit"),
            alt.Tooltip("skill_id:N", title="skill"),
            alt.Tooltip("demand_fte:Q", title="demand", format="g"),
            alt.Tooltip("protected_fte:Q", title="protected", format="g"),
            alt.Tooltip("covered_fte:Q", title="covered", format="g"),
            alt.Tooltip("slack_fte:Q", title="slack", format="g"),
        ]
        base = alt.Chart(rows).encode(y=y, tooltip=tooltip)
        covered = base.mark_bar().encode(
            x=alt.X("covered_fte:Q", title="FTE"),
            color=alt.Color(
                "tight:N",
                title=None,
                scale=alt.Scale(
                    domain=["at the protected minimum", "above it"],
                    range=["#f58518", "#4c78a8"],
                ),
                legend=alt.Legend(orient="top"),
            ),
        )
        protected = base.mark_tick(color="black", thickness=2).encode(x="protected_fte:Q")
        demand = base.mark_tick(color="#888", thickness=2, opacity=0.8).encode(x="demand_fte:Q")
        st.altair_chart(covered + protected + demand, width="stretch", height=26 * len(rows) + 90)
        st.caption("Bars: time kept on operations · black tick: protected · grey tick: demand.")
        st.dataframe(
            coverage,
            hide_index=True,
            column_config={
                "unit_id": "unit",
                "skill_id": "skill",
                "demand_fte": st.column_config.NumberColumn("demand", format="%g"),
                "protected_fte": st.column_config.NumberColumn("protected", format="%g"),
                "covered_fte": st.column_config.NumberColumn("covered", format="%g"),
                "slack_fte": st.column_config.NumberColumn("slack", format="%g"),
            },
        )
