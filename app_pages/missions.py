"""Missions & teams: every mission with its outcome and, when it runs, when; why the others
stay unstaffed; each team in detail; and the what-if questions about one mission — what
staffing it would take, and who could join it — answered in the background."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import pandas as pd
import streamlit as st
from streamlit.elements.lib.column_types import ColumnConfig

from app_pages._common import fte_column, header, plan, session, table_height
from app_pages._sidebar import time_limit
from assembler.analysis import Candidate, Price, Ranking
from assembler.planning.development import ROLE_WORDS
from assembler.planning.jobs import Job
from assembler.results.names import Names
from assembler.results.plan import Plan
from assembler.results.report import ROLE_COLUMN
from assembler.text import markdown_text, plural

_POLL_SECONDS = 1.0
_CANDIDATES = 10
_CANDIDATE_BUDGET = 60.0
_SECONDS_PER_SOLVE = 10.0

T = TypeVar("T")


def _missions(outcome: Plan, names: Names) -> pd.DataFrame:
    missions = outcome.reports.missions
    horizon = outcome.scenario.has_horizon
    table = missions.assign(
        fte=missions.fte.where(missions.staffed),
        when=[
            names.span(str(start), str(end))
            for start, end in zip(missions.start_period, missions.end_period, strict=True)
        ]
        if horizon
        else "",
    )
    # Few and narrow columns, so the run's periods fit beside the name on a 1280 px screen
    # (the change type is the Overview's matrix); a name too long shows whole on hover.
    columns = ["mission_id", "name", "value", "staffed", "team_size", "fte"]
    columns += ["when"] if horizon else []
    st.dataframe(
        table,
        hide_index=True,
        height=table_height(len(table)),
        column_order=columns,
        column_config={
            "mission_id": st.column_config.TextColumn("Mission", pinned=True),
            "name": st.column_config.TextColumn("Name", width=270),
            "value": st.column_config.NumberColumn("Value", format="%g"),
            "staffed": st.column_config.CheckboxColumn("Staffed"),
            "team_size": "Team",
            "fte": st.column_config.NumberColumn(
                "FTE", format="%.2f", help="Per period while it runs." if horizon else None
            ),
            "when": "When",
        },
        placeholder="",
    )
    unstaffed = missions[~missions.staffed]
    if not unstaffed.empty:
        st.markdown("**Why the others are not staffed**")
        st.markdown(
            "\n".join(
                f"- **{markdown_text(names.mission(str(row.mission_id)))}**: "
                f"{markdown_text(row.reason)}"
                for row in unstaffed.itertuples()
            )
        )
    return table


def _team(outcome: Plan, names: Names, mission_id: str) -> None:
    team = outcome.reports.roster[outcome.reports.roster.mission_id == mission_id]
    reason = outcome.reports.missions.set_index("mission_id").reason.get(mission_id, "")
    if team.empty:
        st.info(
            f"{markdown_text(names.mission(mission_id))} is not staffed: {markdown_text(reason)}."
        )
        return
    horizon = outcome.scenario.has_horizon
    learning = ROLE_COLUMN in team
    shown = team.assign(
        unit=team.unit_id.map(names.unit),
        skill=team.skill_id.map(names.skill),
        period=team.period_id.map(names.period) if horizon else "",
        role=team[ROLE_COLUMN].map(ROLE_WORDS) if learning else "",
    )
    columns = ["person_id", "person_name", "unit", "skill", "level", "role", "period", "fte"]
    st.dataframe(
        shown,
        hide_index=True,
        height=table_height(len(shown), 400),
        column_order=[
            c for c in columns if (horizon or c != "period") and (learning or c != "role")
        ],
        column_config={
            "person_id": "Person",
            "person_name": "Name",
            "unit": "Unit",
            "skill": "Skill",
            "level": "Level",
            "role": st.column_config.TextColumn(
                "Role", help="A learner is short of the need's level and works under a mentor."
            ),
            "period": "Period",
            "fte": fte_column("Time"),
        },
    )
    rows = "person, skill and period" if horizon else "person and skill"
    per = " in each period it runs" if horizon else ""
    fte = outcome.reports.missions.set_index("mission_id").fte[mission_id]
    st.caption(
        f"{team.person_id.nunique()} people (one row per {rows}); the mission takes "
        f"{fte:.2f} FTE{per}."
    )


def _answer(job: Job[T] | None, draw: Callable[[T], None], working: str) -> None:
    """A question's answer when ready; while it is worked out, a note redrawn every poll
    that asks for one full redraw once the answer is in."""
    if job is None:
        return
    if job.running:

        def poll() -> None:
            if not job.running:
                st.rerun()
            st.caption(f"{working} {job.elapsed:.0f} s…")

        st.fragment(run_every=_POLL_SECONDS)(poll)()
    elif job.result is None:
        st.error(f"The question could not be answered: {markdown_text(repr(job.error))}")
    else:
        draw(job.result)


def _price(price: Price, names: Names) -> None:
    """The answer in value, missions and people; the score only as a caption for those
    who tune the weights."""
    mission = markdown_text(names.mission(price.mission_id))
    if price.already_staffed:
        st.success(f"{mission} is staffed in this plan already: it costs nothing.")
        return
    if not price.possible:
        st.error(
            f"**{mission} cannot be staffed:**\n"
            + "\n".join(f"- {markdown_text(reason)}" for reason in price.reasons)
        )
        return
    comparison, effect = price.comparison, price.effect
    assert comparison is not None and effect is not None and price.score is not None
    value, missions, moves = st.columns(3)
    value.metric(
        "Change in value",
        f"{effect.value:+,g}",
        f"{effect.value_before:,g} → {effect.value_after:,g}",
        delta_color="off",
        delta_arrow="off",
        border=True,
    )
    staffed = len(price.base.solution.staffed) if price.base.solution else 0
    change = len(effect.gained) - len(effect.displaced)
    missions.metric(
        "Missions staffed",
        f"{change:+d}",
        f"{staffed} → {staffed + change}",
        delta_color="off",
        delta_arrow="off",
        border=True,
    )
    moves.metric("People moving", len(comparison.moves), border=True)
    st.markdown(f"**Staffing it:** {markdown_text(effect.words(names, staffing=price.mission_id))}")
    proven = "proven" if price.score.proven else "not proven optimal within the time limit"
    st.caption(f"In score points: {price.score} ({proven}).")
    for shift in comparison.shifts:
        st.markdown(
            f"**Moves in time:** {markdown_text(names.mission(shift.mission_id))} from "
            f"{markdown_text(names.period(shift.start_before))} to "
            f"{markdown_text(names.period(shift.start_after))}"
        )
    if comparison.moves:
        st.dataframe(
            [
                {
                    "person": names.person(move.person_id),
                    "unit": names.unit(move.unit_id),
                    "joins": ", ".join(names.mission(m) for m in move.joined),
                    "leaves": ", ".join(names.mission(m) for m in move.left),
                }
                for move in comparison.moves
            ],
            hide_index=True,
            column_config={
                "person": "Person",
                "unit": "Unit",
                "joins": "Joins",
                "leaves": "Leaves",
            },
        )


def _candidate_rows(candidates: list[Candidate], names: Names) -> list[dict[str, object]]:
    """What pinning each candidate does to the plan: value, missions lost, people moving."""
    rows: list[dict[str, object]] = []
    for c in candidates:
        effect = c.effect
        if c.on_team:
            note = "on the team"
        elif c.score is not None and c.score.high >= 0:
            note = "could join at no cost"
        else:
            note = ""
        note = "; ".join(part for part in (note, c.role) if part)
        rows.append(
            {
                "person": names.person(c.person_id),
                "unit": names.unit(c.unit_id),
                "value": "" if effect is None else f"{effect.value:+,g}",
                "lost": "" if effect is None else ", ".join(map(names.mission, effect.displaced)),
                "moved": None if effect is None else effect.moved,
                "note": note,
            }
        )
    return rows


def _candidate_columns() -> dict[str, str | ColumnConfig]:
    return {
        "person": "Person",
        "unit": "Unit",
        "value": st.column_config.TextColumn(
            "Change in value", help="Mission value captured, against the best plan."
        ),
        "lost": st.column_config.TextColumn("Missions no longer staffed", width=290),
        "moved": st.column_config.NumberColumn(
            "People moving", help="People whose teams change, the candidate included."
        ),
        "note": "Note",
    }


def _ranking(ranking: Ranking, names: Names) -> None:
    mission = markdown_text(names.mission(ranking.mission_id))
    if ranking.unstaffable:
        st.error(
            f"**Nobody can join: {mission} cannot be staffed.**\n"
            + "\n".join(f"- {markdown_text(reason)}" for reason in ranking.unstaffable)
        )
        return
    exact = [c for c in ranking.ranked if c.score is not None and c.score.proven]
    bounded = [c for c in ranking.ranked if c not in exact]
    if exact:
        st.dataframe(
            _candidate_rows(exact, names), hide_index=True, column_config=_candidate_columns()
        )
    if bounded:
        st.markdown("**Not proven:** the best plan found with each of them pinned.")
        st.dataframe(
            _candidate_rows(bounded, names), hide_index=True, column_config=_candidate_columns()
        )
    if not ranking.ranked:
        st.caption(
            "No plan with any of them pinned was found within the time allowed; the reasons "
            "below rule out those who cannot join."
        )
    if ranking.unevaluated and ranking.complete:
        st.caption(
            f"{ranking.unevaluated} more eligible people could do no better than these, so "
            "they were not evaluated."
        )
    elif ranking.unevaluated:
        st.caption(f"{ranking.unevaluated} more eligible people were not evaluated in time.")
    if ranking.excluded:
        who = plural(len(ranking.excluded), "person", "people")
        with st.expander(f"{who} with its skills cannot join"):
            st.markdown(
                "\n".join(
                    f"- **{markdown_text(names.person(e.person_id))}** "
                    f"({markdown_text(names.unit(e.unit_id))}): {markdown_text(e.reason)}"
                    for e in ranking.excluded
                )
            )


def _questions(outcome: Plan, names: Names, mission_id: str, staffed: bool) -> None:
    planner = session()
    asked = planner.questions
    price = None if asked is None else asked.prices.get(mission_id)
    ranking = None if asked is None else asked.rankings.get(mission_id)
    left, right = st.columns(2)
    take, join = (None, left) if staffed else (left, right)
    seconds = time_limit()

    def ask_price() -> None:
        planner.ask_price(mission_id, time_limit=seconds)

    def ask_candidates() -> None:
        planner.ask_candidates(mission_id, _CANDIDATES, _CANDIDATE_BUDGET, _SECONDS_PER_SOLVE)

    if take is not None:
        take.button(
            "What would it take?",
            key="missions.price",
            on_click=ask_price,
            disabled=price is not None,
            width="stretch",
            help="Solves again with this mission made mandatory, and compares the two plans.",
        )
    join.button(
        "Who could join?",
        key="missions.candidates",
        on_click=ask_candidates,
        disabled=ranking is not None,
        width="stretch",
        help=f"Ranks the people who could join by what pinning each would cost: each one "
        f"tried in the cheapest plan that staffs the mission, then the best {_CANDIDATES} "
        f"made exact (within {_CANDIDATE_BUDGET:.0f} s).",
    )
    if price is not None:
        st.markdown(f"##### What it would take to staff {markdown_text(names.mission(mission_id))}")
        _answer(price, lambda answer: _price(answer, names), "Re-solving with it staffed…")
    if ranking is not None:
        st.markdown(f"##### Who could join {markdown_text(names.mission(mission_id))}")
        _answer(ranking, lambda answer: _ranking(answer, names), "Ranking the candidates…")


planner = header(
    "Missions & teams",
    "Which missions the plan staffs, why the others stay unstaffed, who is on each team, "
    "and what it would take to staff one more.",
)
outcome = plan(planner)

if outcome is not None and outcome.result.solution is not None:
    names = Names.of(outcome.scenario)
    table = _missions(outcome, names)
    st.subheader("One mission")
    staffed = list(table.mission_id[table.staffed])
    others = list(table.mission_id[~table.staffed])
    chosen = st.selectbox(
        "Mission", staffed + others, format_func=names.mission, key="missions.team"
    )
    if chosen is None:
        st.caption("The scenario has no missions.")
    else:
        if planner.stale:
            st.caption("The answers below are about the plan shown, not the edited scenario.")
        is_staffed = chosen in staffed
        _team(outcome, names, chosen)
        _questions(outcome, names, chosen, is_staffed)
