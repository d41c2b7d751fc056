"""Operations: each unit's operational demand, the protected minimum, the time the plan
keeps on it and the headroom — the free time of the people able to cover it — per period.

A plan keeps operations at exactly the protected minimum whenever that frees time for
missions, so "covered = protected" alone reads as a unit on the edge; the headroom says
how much more its people could give, which is what a planner asks next.
"""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st
from streamlit.elements.lib.column_types import ColumnConfig

from app_pages._charts import period_grid
from app_pages._common import ALL_PERIODS, header, period_choice, plan, table_height
from assembler.planning.views import ops_headroom
from assembler.results.names import Names

_KEPT = "kept on operations"
_HEADROOM = "headroom: free time of qualified people"


def _bars(rows: pd.DataFrame) -> alt.LayerChart:
    """Per demand: the time kept, then the headroom stacked on it; black tick the protected
    minimum, grey tick the demand."""
    y = alt.Y(
        "demand:N",
        title=None,
        sort=list(rows.demand),
        axis=alt.Axis(labelLimit=320, labelOverlap=False),
    )
    tooltip = [
        alt.Tooltip("unit:N", title="unit"),
        alt.Tooltip("skill:N", title="skill"),
        alt.Tooltip("demand_fte:Q", title="demand (FTE)", format=".2f"),
        alt.Tooltip("protected_fte:Q", title="protected (FTE)", format=".2f"),
        alt.Tooltip("covered_fte:Q", title="kept (FTE)", format=".2f"),
        alt.Tooltip("headroom_fte:Q", title="headroom (FTE)", format=".2f"),
    ]
    parts = pd.concat(
        [
            rows.assign(part=_KEPT, start=0.0, end=rows.covered_fte),
            rows.assign(
                part=_HEADROOM, start=rows.covered_fte, end=rows.covered_fte + rows.headroom_fte
            ),
        ]
    )
    bars = (
        alt.Chart(parts)
        .mark_bar()
        .encode(
            y=y,
            x=alt.X("start:Q", title="FTE"),
            x2="end:Q",
            color=alt.Color(
                "part:N",
                title=None,
                scale=alt.Scale(domain=[_KEPT, _HEADROOM], range=["#4c78a8", "#9fd49a"]),
                legend=alt.Legend(orient="top", labelLimit=400),
            ),
            tooltip=tooltip,
        )
    )
    base = alt.Chart(rows).encode(y=y, tooltip=tooltip)
    protected = base.mark_tick(color="black", thickness=2).encode(x="protected_fte:Q")
    demand = base.mark_tick(color="#888", thickness=2, opacity=0.8).encode(x="demand_fte:Q")
    label = base.mark_text(align="left", dx=4, fontSize=11, color="#333").encode(
        x="top:Q", text="headroom_text:N"
    )
    return alt.LayerChart(layer=[bars, protected, demand, label], height=26 * len(rows))


def _heatmap(rows: pd.DataFrame, names: Names) -> alt.LayerChart:
    """Demand × period: the headroom in FTE, darker where it is larger, red where none."""
    dark = 0.6 * float(rows.headroom_fte.max())
    ink = rows.headroom_fte.map(
        lambda fte: "#c0392b" if fte <= 0 else "white" if fte > dark else "#222"
    )
    base = alt.Chart(rows.assign(ink=ink)).encode(
        **period_grid(names, "demand", list(dict.fromkeys(rows.demand)), 320)
    )
    rect = base.mark_rect(stroke="white", strokeWidth=1).encode(
        color=alt.Color(
            "headroom_fte:Q",
            title="headroom (FTE)",
            scale=alt.Scale(scheme="greens"),
            legend=alt.Legend(orient="top"),
        ),
        tooltip=[
            alt.Tooltip("demand:N", title="demand"),
            alt.Tooltip("period:N", title="period"),
            alt.Tooltip("protected_fte:Q", title="protected (FTE)", format=".2f"),
            alt.Tooltip("covered_fte:Q", title="kept (FTE)", format=".2f"),
            alt.Tooltip("headroom_fte:Q", title="headroom (FTE)", format=".2f"),
        ],
    )
    text = base.mark_text(fontSize=11).encode(
        text=alt.Text("headroom_fte:Q", format=".2f"),
        color=alt.Color("ink:N", scale=None),
    )
    # The text's colour is a column of colours (no scale), the cells' a scale of headroom.
    return alt.LayerChart(
        layer=[rect, text],
        height=24 * rows.demand.nunique(),
        resolve=alt.Resolve(scale=alt.ScaleResolveMap(color="independent")),
    )


def _fte(label: str, help: str) -> ColumnConfig:
    return st.column_config.NumberColumn(label, format="%.2f", help=f"{help} In FTE.")


planner = header(
    "Operations",
    "Per unit and skill: the demand, the protected minimum (demand plus the buffer), the "
    "time the plan keeps on it, and the headroom: the free time of the unit's people able "
    "to cover it, which they could still give operations or a mission.",
)
outcome = plan(planner)

if outcome is not None and outcome.result.solution is not None:
    scenario = outcome.scenario
    table = ops_headroom(scenario, outcome.result.solution)
    if table.empty:
        st.info("This scenario has no operational demand (no ops_demand table).")
    else:
        names = Names.of(scenario)
        rows = table.assign(
            unit=table.unit_id.map(names.unit),
            skill=table.skill_id.map(names.skill),
            period=table.period_id.map(names.period),
            demand=table.unit_id.map(names.unit) + " · " + table.skill_id.map(names.skill),
            top=table.covered_fte + table.headroom_fte,
            headroom_text=table.headroom_fte.map(
                lambda fte: "no headroom" if fte <= 0 else f"+{fte:.2f} free"
            ),
        )
        if scenario.has_horizon:
            st.subheader("Headroom per period")
            st.caption(
                "FTE the qualified people of the unit have free in each period; red 0.00: "
                "nobody able to cover it has time left."
            )
            st.altair_chart(_heatmap(rows, names), width="stretch")
        st.subheader("Coverage and headroom")
        period = period_choice(scenario, "operations.period", every="Every period", first=1)
        if period == ALL_PERIODS:
            st.caption("Choose a period to see its bars; the table lists every period.")
        else:
            chosen = rows if period is None else rows[rows.period_id == period]
            st.altair_chart(_bars(chosen), width="stretch")
            st.caption(
                "Blue: time kept on operations · green: headroom · black tick: protected "
                "minimum · grey tick: demand. A person able to cover several skills counts "
                "in each, so the headroom of one unit's skills do not add up."
            )
        listed = rows if period in (None, ALL_PERIODS) else rows[rows.period_id == period]
        # Short headers (FTE said once, in the caption) and the period only when the table
        # lists every period: all eight figures fit a 1280 px screen.
        every = scenario.has_horizon and period in (None, ALL_PERIODS)
        columns = ["unit", "skill", "period", "demand_fte", "protected_fte", "covered_fte"]
        columns += ["headroom_fte", "qualified"]
        st.caption("Figures in FTE.")
        st.dataframe(
            listed,
            hide_index=True,
            height=table_height(len(listed)),
            column_order=[c for c in columns if every or c != "period"],
            column_config={
                "unit": st.column_config.TextColumn("Unit", pinned=True),
                "skill": "Skill",
                "period": "Period",
                "demand_fte": _fte("Demand", "What operations need."),
                "protected_fte": _fte("Protected", "The demand plus the ops buffer."),
                "covered_fte": _fte("Kept", "Time the plan keeps on it."),
                "headroom_fte": _fte(
                    "Headroom", "Free time of the unit's people able to cover it."
                ),
                "qualified": st.column_config.NumberColumn(
                    "Qualified", help="People of the unit able to cover it."
                ),
            },
        )
