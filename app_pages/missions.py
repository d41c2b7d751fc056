"""Missions & teams: every mission with its outcome and reason, and each team in detail."""

from __future__ import annotations

import streamlit as st

from app_pages._common import header, plan

planner = header(
    "Missions & teams",
    "Which missions the plan staffs, why the others stay unstaffed, and who is on each team.",
)
outcome = plan(planner)

if outcome is not None:
    reports = outcome.reports
    missions = reports.missions.assign(
        status=reports.missions.staffed.map({True: "staffed", False: "not staffed"})
    )
    st.dataframe(
        missions,
        hide_index=True,
        height=min(35 * (len(missions) + 1) + 3, 600),
        column_order=[
            "mission_id",
            "name",
            "change_type",
            "mode",
            "value",
            "status",
            "team_size",
            "fte",
            "reason",
        ],
        column_config={
            "mission_id": "mission",
            "change_type": "change type",
            "value": st.column_config.NumberColumn("value", format="%g"),
            "team_size": "team",
            "fte": st.column_config.NumberColumn("FTE", format="%g"),
            "reason": st.column_config.TextColumn("reason (if not staffed)", width="large"),
        },
    )

    st.subheader("Team")
    names = dict(zip(missions.mission_id, missions.name, strict=True))
    staffed = list(missions.mission_id[missions.staffed])
    others = list(missions.mission_id[~missions.staffed])
    chosen = st.selectbox(
        "Mission",
        staffed + others,
        format_func=lambda m: f"{m} · {names[m]}",
        key="missions.team",
    )
    team = reports.roster[reports.roster.mission_id == chosen]
    if chosen is None:
        st.caption("The scenario has no missions.")
    elif team.empty:
        reason = missions.loc[missions.mission_id == chosen, "reason"].iloc[0]
        st.info(f"{chosen} is not staffed: {reason}.")
    else:
        st.dataframe(
            team,
            hide_index=True,
            column_order=["person_id", "person_name", "unit_id", "skill_id", "level", "fte"],
            column_config={
                "person_id": "person",
                "person_name": "name",
                "unit_id": "unit",
                "skill_id": "skill",
                "fte": st.column_config.NumberColumn("FTE", format="%g"),
            },
        )
        st.caption(
            f"{team.person_id.nunique()} people, {team.fte.sum():g} FTE in total "
            "(one row per person and skill)."
        )
