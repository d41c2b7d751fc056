"""Overview: the plan's key figures and the change matrix with every mission in its cell."""

from __future__ import annotations

import math

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from app_pages._common import header, prompt_to_solve
from assembler.domain.scenario import ChangeType
from assembler.planning.views import MatrixCell, MatrixMission, change_matrix
from assembler.results.result import Status

planner = header(
    "Overview",
    "What the plan captures, and where the missions sit in the change matrix "
    "(improve/renew run in the hierarchy, transition/innovation in the network).",
)
outcome = planner.current

if outcome is None:
    prompt_to_solve()
else:
    result, kpis = outcome.result, outcome.result.kpis
    status, figures = st.columns([1, 4])
    gap = "–" if result.gap is None else f"{result.gap:.2%}"
    score = "–" if result.score is None else f"{result.score:,}"
    status.metric(
        "Status",
        str(result.status),
        f"gap {gap}",
        delta_color="off",
        delta_arrow="off",
        border=True,
        help=f"Score {score}. Optimal: no better plan exists under these settings; "
        "feasible: the gap bounds how much better one could be.",
    )
    if kpis is None and result.status is Status.INFEASIBLE:
        clash = "; ".join(result.conflicts)
        figures.error(
            "No plan: no plan meets every requirement under these settings. "
            + (f"These cannot all hold together: {clash}." if clash else "")
        )
    elif kpis is None:
        figures.error("No plan: none was found within the time limit; allow more time.")
    else:
        value, staffed, network, tightest = figures.columns(4)
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
        network.metric(
            "Network FTE freed",
            f"{kpis.network_fte:g} FTE",
            f"{kpis.mission_fte:g} FTE on all missions",
            delta_color="off",
            delta_arrow="off",
            border=True,
        )
        row = kpis.tightest
        tightest.metric(
            "Tightest ops coverage",
            "–" if row is None or not math.isfinite(row.ratio) else f"{row.ratio:.0%}",
            None if row is None else f"{row.unit_id} · {row.skill_id}",
            delta_color="off",
            delta_arrow="off",
            border=True,
            help="Time kept on operations ÷ protected requirement (demand plus buffer); "
            "100 % is the least the plan may keep.",
        )

st.subheader("Change matrix")
solution = outcome.result.solution if outcome is not None else None
cells = change_matrix(planner.scenario if outcome is None else outcome.scenario, solution)


def _badge(mission: MatrixMission) -> str:
    label = f"{mission.mission_id} · {mission.name}".replace("[", "(").replace("]", ")")
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
