"""Development: who learns what on which mission, under which mentor, against the goals
people set in their appraisals; and each goal the plan leaves unmet, with why (MODEL.md
v3).  The tables and the reasons come from ``assembler.planning.development``."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app_pages._common import header, plan, table_height
from assembler.domain.solution import Solution
from assembler.planning.development import goals, is_idle, learners
from assembler.results.plan import Plan
from assembler.text import markdown_text, plural

_START = (
    "Nobody learns in this scenario: it has no development goals and stretch assignments "
    "are off. To start, set **Learners: levels short** in the sidebar to 1 or 2 (a person "
    "a level or two short may then fill a need under a mentor on the same team), and add "
    "development goals on **Edit & compare** or in the scenario's development table "
    "(person_id, skill_id, weight 1–3)."
)


def _figures(taught: pd.DataFrame, wanted: pd.DataFrame) -> None:
    places, met = st.columns(2)
    places.metric(
        "Learner places",
        len(taught),
        f"{plural(taught.person.nunique(), 'person', 'people')} learning",
        delta_color="off",
        delta_arrow="off",
        border=True,
        help="Needs filled by someone a level or two short of the need, under a mentor.",
    )
    met.metric(
        "Development goals met",
        f"{int(wanted.met.sum())} of {len(wanted)}",
        f"weight {int(wanted.weight[wanted.met].sum())} of {int(wanted.weight.sum())}",
        delta_color="off",
        delta_arrow="off",
        border=True,
        help="A goal is met when the person learns that skill on at least one mission.",
    )


def _learners(outcome: Plan, taught: pd.DataFrame) -> None:
    st.subheader("Who learns what")
    if taught.empty:
        if outcome.scenario.settings.has_learners:
            st.caption(
                "Nobody learns in this plan: no learner place was worth more than what it "
                "would displace, or none had a mentor (the goals below say why)."
            )
        else:
            st.caption(
                "This plan was solved with stretch assignments off (Learners: levels short "
                "0): set it to 1 or 2 in the sidebar and solve again."
            )
        return
    horizon = outcome.scenario.has_horizon
    st.dataframe(
        taught,
        hide_index=True,
        height=table_height(len(taught), 420),
        column_order=[column for column in taught.columns if horizon or column != "when"],
        column_config={
            "person": st.column_config.TextColumn("Learner", pinned=True),
            "skill": "Skill",
            "mission": st.column_config.TextColumn("Mission", width="medium"),
            "level": st.column_config.NumberColumn("Level", help="The learner's level."),
            "need_level": st.column_config.NumberColumn(
                "Needed", help="The level the need asks of a member."
            ),
            "mentors": st.column_config.TextColumn("Mentor", width="medium"),
            "goal": st.column_config.TextColumn(
                "Goal met", help="Whether this meets one of the learner's development goals."
            ),
            "when": "When",
        },
    )


def _goals(wanted: pd.DataFrame) -> None:
    st.subheader("Development goals")
    if wanted.empty:
        st.caption(
            "Nobody has a development goal: add one on Edit & compare (or in the scenario's "
            "development table), and the plan rewards learning that skill."
        )
        return
    st.dataframe(
        wanted,
        hide_index=True,
        height=table_height(len(wanted), 400),
        column_order=["person", "unit", "skill", "weight", "met", "learns_on"],
        column_config={
            "person": st.column_config.TextColumn("Person", pinned=True),
            "unit": "Unit",
            "skill": "Skill",
            "weight": st.column_config.NumberColumn(
                "Weight", help="How much the person wants it (1–3, from their appraisal)."
            ),
            "met": st.column_config.CheckboxColumn("Met"),
            "learns_on": st.column_config.TextColumn("Learns it on", width="large"),
        },
    )
    unmet = wanted[~wanted.met]
    if unmet.empty:
        st.caption("Every goal is met.")
        return
    st.markdown(f"**Left unmet, and why** ({len(unmet)})")
    st.markdown(
        "\n".join(
            f"- **{markdown_text(row.person)}**, {markdown_text(row.skill)} (weight "
            f"{row.weight}): {markdown_text(row.why)}."
            for row in unmet.itertuples()
        )
    )
    st.caption("Each gives the first reason that holds, in the order you would fix them.")


def _growth(outcome: Plan, solution: Solution) -> None:
    taught = learners(outcome.reports)
    wanted = goals(outcome.scenario, solution)
    _figures(taught, wanted)
    _learners(outcome, taught)
    _goals(wanted)


planner = header(
    "Development",
    "Who learns what on which mission, under which mentor, against the development goals "
    "people set; and, for each goal left unmet, why.",
)
if is_idle(planner.scenario):
    st.info(_START)
else:
    outcome = plan(planner)
    if outcome is not None and outcome.result.solution is not None:
        _growth(outcome, outcome.result.solution)
