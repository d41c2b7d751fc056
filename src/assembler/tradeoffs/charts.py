"""Altair charts of frontiers, sweeps and stress reports, built from their result tables.

The same chart objects serve the command line (written as PNG by ``files.write_png``) and
the app (drawn interactively), so both show the same picture of a run.
"""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import pandas as pd

from assembler.results.names import Names
from assembler.tradeoffs.frontier import BUFFER, Dial
from assembler.tradeoffs.stress import StressReport

STATUS_COLOURS = alt.Scale(
    domain=["optimal", "feasible", "infeasible", "unknown"],
    range=["#2a7f62", "#e0a100", "#c0392b", "#7f8c8d"],
)
WIDTH, HEIGHT = 360, 260
DEMAND_ROW = 24
"""Pixels per operational demand in the stress chart (its rungs share them)."""


def frontier_chart(table: pd.DataFrame, dial: Dial = BUFFER) -> alt.HConcatChart:
    """Value captured against the dial swept (the ops buffer, the network cap), and against
    the network FTE freed, each point labelled with its value of the dial in percent —
    once per place: points that land on the same plan figures share one label
    (``10–50%``), not a pile of labels drawn over each other.

    Points without a plan (infeasible, or nothing found in time) are not values: a plan
    that does not exist captures nothing, but drawing it at zero would show a cliff that
    isn't there.  They are marked instead, as a red rule at their value of the dial labelled
    with their status, so where plans stop stays visible.
    """
    setting = f"{dial.setting}:Q"
    data = table[[dial.setting, "status", "gap", "value_captured", "network_fte", "conflicts"]]
    base = alt.Chart(data.assign(label=_place_labels(data, dial.setting)))
    tooltip = [
        alt.Tooltip(setting, format=".1%", title=dial.axis),
        alt.Tooltip("status:N"),
        alt.Tooltip("gap:Q", format=".2%"),
        alt.Tooltip("value_captured:Q", title="value captured"),
        alt.Tooltip("network_fte:Q", title="network FTE"),
        alt.Tooltip("conflicts:N"),
    ]
    colour = alt.Color("status:N", scale=STATUS_COLOURS, title="status")
    solved = base.transform_filter("isValid(datum.value_captured)")
    unsolved = base.transform_filter("!isValid(datum.value_captured)")
    # Whole percents and one decimal of FTE: a single point's axis is drawn otherwise with
    # Vega's full precision ("0.000000%").
    dial_axis = alt.X(setting, axis=alt.Axis(format=".0%"), title=dial.axis)
    by_dial = (
        solved.mark_line(color="#999").encode(
            x=dial_axis, y=alt.Y("value_captured:Q", title="value captured")
        )
        + solved.mark_point(filled=True, size=80).encode(
            x=setting, y="value_captured:Q", color=colour, tooltip=tooltip
        )
        + unsolved.mark_rule(color="#d62728", strokeDash=[4, 3]).encode(x=setting, tooltip=tooltip)
        + unsolved.mark_text(color="#d62728", angle=270, dx=-40, dy=-6, fontSize=10).encode(
            x=setting, text=alt.Text("status:N")
        )
    )
    by_network = (
        solved.mark_line(color="#999").encode(
            x=alt.X("network_fte:Q", axis=alt.Axis(format=".1f"), title="network FTE freed"),
            y=alt.Y("value_captured:Q", title="value captured"),
            order=setting,
        )
        + solved.mark_point(filled=True, size=80).encode(
            x="network_fte:Q", y="value_captured:Q", color=colour, tooltip=tooltip
        )
        + solved.mark_text(dx=14, dy=-8, fontSize=10).encode(
            x="network_fte:Q", y="value_captured:Q", text=alt.Text("label:N")
        )
    )
    return alt.hconcat(
        by_dial.properties(title=dial.title, width=WIDTH, height=HEIGHT),
        by_network.properties(title="Value vs network time freed", width=WIDTH, height=HEIGHT),
    )


def _place_labels(data: pd.DataFrame, setting: str) -> pd.Series:
    """Each point's label on the chart against network FTE: its value of ``setting`` in
    percent on the first point of its place, the range of those there (``10–50%``) when
    several share it, blank on the others."""
    labels = pd.Series("", index=data.index)
    places = data.groupby(["network_fte", "value_captured"], sort=False)[setting]
    for _, values in places:
        low, high = f"{values.min():.0%}", f"{values.max():.0%}"
        labels[values.index[0]] = low if low == high else f"{low[:-1]}–{high}"
    return labels


def sweep_chart(table: pd.DataFrame, varied: Sequence[str]) -> alt.Chart:
    """Every run's value against its network FTE, coloured by variant; the tooltip names the
    settings of the run (``varied``)."""
    columns = ["run", "variant", *varied, "status", "score", "value_captured", "network_fte"]
    data = table[columns].astype({"score": "float64"})
    chart: alt.Chart = (
        alt.Chart(data)
        .mark_point(filled=True, size=60, opacity=0.8)
        .encode(
            x=alt.X("network_fte:Q", axis=alt.Axis(format=".1f"), title="network FTE freed"),
            y=alt.Y("value_captured:Q", title="value captured"),
            color=alt.Color("variant:N"),
            tooltip=[alt.Tooltip(f"{column}:N") for column in columns],
        )
        .properties(title="Sweep: value vs network time freed", width=2 * WIDTH, height=HEIGHT)
    )
    return chart


LABEL_LIMIT = 320
"""Pixels of a mission's or a demand's name an axis shows before it cuts it short."""


def stress_chart(report: StressReport, names: Names) -> alt.VConcatChart:
    """Value before and after repair, the missions most exposed, and the operational demands
    that break most often at each rung of the ladder; missions and demands by name, draws
    counted in whole draws."""
    draws = report.draws
    values = pd.concat(
        [
            pd.DataFrame({"value": draws["value_before_repair"], "stage": "plan as is"}),
            pd.DataFrame({"value": draws["value_after_repair"].dropna(), "stage": "after repair"}),
        ]
    )
    distribution = (
        alt.Chart(values)
        .mark_bar(opacity=0.6)
        .encode(
            x=alt.X("value:Q", bin=alt.Bin(maxbins=30), title="value captured"),
            y=alt.Y("count():Q", title="draws", axis=alt.Axis(tickMinStep=1, format="d")).stack(
                None
            ),
            color=alt.Color("stage:N", title=None),
        )
        .properties(title="Value per draw", width=WIDTH, height=HEIGHT)
    )
    exposed = report.missions.assign(
        mission=[names.mission(str(mission_id)) for mission_id in report.missions["mission_id"]]
    )
    missions = (
        alt.Chart(exposed)
        .mark_bar()
        .encode(
            x=alt.X("p_loses_skill:Q", axis=alt.Axis(format="%"), title="draws losing a skill"),
            y=alt.Y("mission:N", sort="-x", title=None, axis=alt.Axis(labelLimit=LABEL_LIMIT)),
            tooltip=[
                alt.Tooltip("mission:N", title="mission"),
                alt.Tooltip("value:Q", title="value"),
                alt.Tooltip("skills_lost:N", title="skills lost"),
            ],
        )
        .properties(title="Missions losing a needed skill", width=WIDTH, height=HEIGHT)
    )
    rungs = {
        "p_below_demand": "plan as is: below demand",
        "p_reshuffle_fails": "reshuffle in unit fails",
        "p_unprotectable": "cannot be protected",
    }
    operations = (
        report.operations.assign(demand=_demand_labels(report.operations, names))
        .melt(id_vars=["demand"], value_vars=list(rungs), var_name="rung", value_name="share")
        .assign(rung=lambda f: f["rung"].map(rungs))
    )
    ops = (
        alt.Chart(operations)
        .mark_bar()
        .encode(
            x=alt.X("share:Q", axis=alt.Axis(format="%"), title="draws"),
            y=alt.Y("demand:N", title=None, axis=alt.Axis(labelLimit=LABEL_LIMIT)),
            yOffset=alt.YOffset("rung:N", sort=list(rungs.values())),
            color=alt.Color("rung:N", sort=list(rungs.values()), title=None),
        )
        .properties(
            title="Operational demands at risk",
            width=2 * WIDTH + 40,
            height=alt.Step(DEMAND_ROW / len(rungs)),
        )
    )
    top = alt.hconcat(distribution, missions).resolve_scale(color="independent")
    chart: alt.VConcatChart = alt.vconcat(top, ops).resolve_scale(color="independent")
    return chart


def _demand_labels(operations: pd.DataFrame, names: Names) -> pd.Series:
    """``Emergency Care · Triage``, with periods ``… · Q1 2027 (winter)``: one bar group per
    row of the operations table, never two periods' rates drawn over each other."""
    periods = operations["period_id"] if "period_id" in operations else [None] * len(operations)
    return pd.Series(
        [
            names.demand(str(unit_id), str(skill_id), None if period is None else str(period))
            for unit_id, skill_id, period in zip(
                operations["unit_id"], operations["skill_id"], periods, strict=True
            )
        ],
        index=operations.index,
    )
