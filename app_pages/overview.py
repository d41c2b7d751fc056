"""Overview: the plan's key figures and the change matrix with every mission in its cell."""

from __future__ import annotations

import math

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from app_pages._common import header, plan
from assembler.domain.scenario import ChangeType
from assembler.planning.views import MatrixCell, MatrixMission, change_matrix
from assembler.results.names import Names
from assembler.results.plan import Plan
from assembler.text import format_gap, markdown_text

planner = header(
    "Overview",
    "What the plan captures, and where the missions sit in the change matrix "
    "(improve/renew run in the hierarchy, transition/innovation in the network).",
)
outcome = plan(planner)


def _figures(outcome: Plan) -> None:
    """The plan's headline figures (``Kpis``), FTE as means per period on a horizon."""
    result, kpis = outcome.result, outcome.result.kpis
    assert kpis is not None  # a plan always has its figures
    scenario, names = outcome.scenario, Names.of(outcome.scenario)
    # Two rows: five figures in one row leave each too narrow at 1280 px ("16 o…").
    status, value, staffed = st.columns(3)
    network, tightest = st.columns(2)
    gap = "–" if result.gap is None else format_gap(result.gap)
    status.metric(
        "Status",
        str(result.status),
        f"gap {gap}",
        delta_color="off",
        delta_arrow="off",
        border=True,
        help=f"Score {result.score:,}. Optimal: no better plan exists under these settings; "
        "feasible: the gap bounds how much better one could be.",
    )
    value.metric(
        "Value captured",
        f"{kpis.value_captured:,.0f}",
        f"{kpis.value_share:.0%} of {kpis.value_total:,.0f}",
        delta_color="off",
        delta_arrow="off",
        border=True,
    )
    staffed.metric(
        "Missions staffed",
        f"{kpis.missions_staffed} of {kpis.missions_total}",
        f"{kpis.memberships} memberships",
        delta_color="off",
        delta_arrow="off",
        border=True,
    )
    by_period = kpis.network_fte_by_period
    spread = f" (from {min(by_period):.2f} to {max(by_period):.2f})" if len(by_period) > 1 else ""
    network.metric(
        "Network FTE freed",
        f"{kpis.network_fte:.2f} FTE",
        f"of {kpis.mission_fte:.2f} on missions",
        delta_color="off",
        delta_arrow="off",
        border=True,
        help="Time on transition and innovation missions"
        + (f", the mean per period{spread}." if scenario.has_horizon else "."),
    )
    row = kpis.tightest
    where = when = None
    if row is not None:
        where = f"{names.unit(row.unit_id)} · {names.skill(row.skill_id)}"
        when = f" in {scenario.period_name(row.period)}" if scenario.has_horizon else ""
    tightest.metric(
        "Tightest ops coverage",
        "–" if row is None or not math.isfinite(row.ratio) else f"{row.ratio:.0%}",
        names.unit(row.unit_id) if row is not None else None,
        delta_color="off",
        delta_arrow="off",
        border=True,
        help="Time kept on operations ÷ protected requirement (demand plus buffer); "
        "100 % is the least the plan may keep. The Operations page shows the headroom: "
        "the free time of the people who could cover more.",
    )
    if row is not None:
        st.caption(
            f"Tightest operational demand: **{markdown_text(where)}**{markdown_text(when)}, "
            "kept at "
            f"{row.covered_fte:.2f} FTE for a protected minimum of {row.protected_fte:.2f} FTE."
            + (f" Network FTE per period: {spread.strip(' ()')}." if spread else "")
        )


if outcome is not None:
    if planner.failure is not None:
        st.markdown(f"**The last good plan**, solved at {outcome.solved_at:%H:%M}:")
    _figures(outcome)

st.subheader("Change matrix")
solution = outcome.result.solution if outcome is not None else None
cells = change_matrix(planner.scenario if outcome is None else outcome.scenario, solution)


def _badge(mission: MatrixMission) -> str:
    label = markdown_text(f"{mission.mission_id} · {mission.name}")
    if mission.mandatory:
        label += " ★"
    colour = "gray" if not mission.staffed else "green"
    return f":{colour}-badge[{label}]"


def _cell(column: DeltaGenerator, cell: MatrixCell) -> None:
    kind = cell.change_type
    box = column.container(border=True, height="stretch")
    counted = "" if solution is None else f" · {cell.staffed} of {len(cell.missions)} staffed"
    box.markdown(f"**{kind.value.title()}** · {kind.mode}{counted}")
    box.markdown(" ".join(_badge(m) for m in cell.missions) or "*no missions*")


by_axes = {(t.changes_configuration, t.changes_paradigm): t for t in ChangeType}
_, unchanged, changed = st.columns([1, 4, 4])
unchanged.markdown("**Configuration unchanged**")
changed.markdown("**Configuration changed**")
for paradigm, label in ((True, "Paradigm changed"), (False, "Paradigm unchanged")):
    side, left, right = st.columns([1, 4, 4], vertical_alignment="center")
    side.markdown(f"**{label}**")
    _cell(left, cells[by_axes[False, paradigm]])
    _cell(right, cells[by_axes[True, paradigm]])
legend = ":green-badge[staffed] :gray-badge[not staffed] ★ mandatory"
st.caption(legend if solution is not None else "Solve to colour the missions. ★ mandatory")
