"""Trade-offs: value against operational safety or the network cap (the frontier), sweep
results, stress tests.

The page only draws: ``assembler.tradeoffs`` computes.  A frontier or a stress test runs in
the background like a solve (``PlanningSession.start_study``, one at a time per planner, on
threads of the app's process: ``tradeoffs.studies``); while it runs a fragment redraws its
progress every ``_POLL_SECONDS`` with a Stop button (the runs finished are kept), and when
it ends the page takes its result in.  A large sweep belongs on the command line
(``assembler sweep``), whose ``results.csv`` this page can show.  Loading a frontier point
makes its plan the current one, with the dials set to match, so every other page shows it.
The frontier sweeps the dial the planner chooses: the ops buffer or the network cap.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import partial
from typing import Any

import streamlit as st

from app_pages._common import fte_column, header, plan, session
from app_pages._sidebar import set_dials
from assembler.domain.solve_settings import SolveSettings
from assembler.planning.jobs import Counter
from assembler.planning.session import PlanningSession
from assembler.planning.views import ops_short
from assembler.results.names import Names
from assembler.text import markdown_text
from assembler.tradeoffs import Frontier, StressReport, StressSettings
from assembler.tradeoffs.charts import frontier_chart, stress_chart, sweep_chart
from assembler.tradeoffs.frontier import (
    BUFFER,
    DEFAULT_BUFFERS,
    DEFAULT_CAPS,
    NETWORK_CAP,
    Dial,
    bearable_buffer,
    default_buffers,
    spaced,
)
from assembler.tradeoffs.stress import StressStoppedError
from assembler.tradeoffs.studies import frontier_study, stress_study
from assembler.tradeoffs.sweep import read_results, varied_columns

_FRONTIER = "tradeoffs.frontier"
_POINT = "tradeoffs.point"
_OVER = "tradeoffs.over"
_SWEPT = {"Ops protection buffer": BUFFER, "Network cap": NETWORK_CAP}
_STRESS = "tradeoffs.stress"
_NOTE = "tradeoffs.note"
_KEPT = {"frontier": _FRONTIER, "stress": _STRESS}
_COUNTED = {"frontier": "Solving point", "stress": "Repairing draw"}
_POLL_SECONDS = 0.5
# Wait this long for a study before drawing progress: a small one is done by then (a
# comment, not a docstring: Streamlit's magic would draw a bare string on the page).
_QUICK_SECONDS = 1.0


def _take_in(planner: PlanningSession) -> None:
    """Keep the result of a study that has ended, or why it has none, for the page."""
    ended = planner.collect_study()
    if ended is None:
        return
    empty = isinstance(ended.result, Frontier) and not ended.result.results
    if ended.error is not None or empty:
        why = "stopped before the first point was solved"
        if isinstance(ended.error, StressStoppedError):
            why = str(ended.error)
        elif ended.error is not None:
            why = f"it failed: {ended.error!r}"
        st.session_state[_NOTE] = (ended.what, f"Nothing to show: {why}.")
    else:
        st.session_state[_KEPT[ended.what]] = ended.result
        st.session_state.pop(_NOTE, None)


def _start(what: str, work: Callable[[threading.Event, Counter], Any]) -> None:
    """Start study ``what`` and redraw: its result if it was quick, else its progress."""
    session().start_study(what, work).wait(_QUICK_SECONDS)
    st.rerun()


def _progress() -> None:
    """Drawn again every poll while the study runs; the whole app redraws once it ends."""
    job = session().study
    if job is None or not job.running:
        st.rerun()
    label = _COUNTED[job.what]
    text = f"{label}s… {job.elapsed:.0f} s"
    if job.total is not None:
        text = f"{label} {job.done} of {job.total} · {job.elapsed:.0f} s"
    if job.stopping:
        text = "Stopping… keeping the runs finished"
    st.progress(job.fraction, text=text)
    st.button("Stop", key="tradeoffs.stop", on_click=job.stop, disabled=job.stopping)


def _study_state(planner: PlanningSession, what: str) -> None:
    """The progress of study ``what`` while it runs, or why its last run shows nothing."""
    if planner.study is not None and planner.study.what == what:
        st.fragment(run_every=_POLL_SECONDS)(_progress)()
    note = st.session_state.get(_NOTE)
    if note is not None and note[0] == what:
        st.info(note[1])


# Readable headers, FTE and percentages for the tables of ``assembler.tradeoffs`` (a comment,
# not a docstring: Streamlit's magic would draw a bare string on the page).


def _percent(label: str) -> Any:
    return st.column_config.NumberColumn(label, format="percent")


_FRONTIER_COLUMNS = {
    "ops_buffer": _percent("Ops buffer"),
    "network_share_max": _percent("Network cap"),
    "status": "Status",
    "score": st.column_config.NumberColumn("Score", format="localized"),
    "gap": _percent("Gap"),
    "value_captured": st.column_config.NumberColumn("Value captured", format="%.0f"),
    "value_share": _percent("Share of value"),
    "missions_staffed": "Missions staffed",
    "network_fte": fte_column("Network"),
    "tightest_ops": "Tightest demand",
    "tightest_coverage": _percent("Its coverage"),
    "seconds": st.column_config.NumberColumn("Seconds", format="%.1f"),
    "conflicts": st.column_config.TextColumn("Why no plan", width="large"),
}
_STRESS_COLUMNS = {
    "mission_id": "Mission",
    "name": "Name",
    "unit_id": "Unit",
    "skill_id": "Skill",
    "period_id": "Period",
    "value": st.column_config.NumberColumn("Value", format="%g"),
    "p_loses_skill": _percent("Loses a skill"),
    "skills_lost": st.column_config.TextColumn("Skills lost (how often)", width="large"),
    "p_staffed_after_repair": _percent("Staffed after repair"),
    "demand_fte": fte_column("Demand"),
    "protected_fte": fte_column("Protected"),
    "covered_fte": fte_column("Kept"),
    "p_below_demand": _percent("Below demand"),
    "p_below_protected": _percent("Below protected"),
    "p_reshuffle_fails": _percent("Reshuffle fails"),
    "p_unprotectable": _percent("Unprotectable"),
}
_DRAW_COLUMNS: dict[str, Any] = {
    "draw": "Draw",
    "absent_count": "People away",
    "absent": st.column_config.TextColumn("Who (and when)", width="medium"),
    "ops_covered": "Ops covered",
    "ops_protected": "Ops protected",
    "ops_below_demand": "Below demand",
    "ops_reshuffle_ok": "Reshuffle in the unit works",
    "ops_protectable": "Ops protectable",
    "missions_losing_skill": "Missions losing a skill",
    "needs_lost": "Needs lost",
    "value_before_repair": st.column_config.NumberColumn("Value as is", format="%.0f"),
    "repair": "Repair",
    "value_after_repair": st.column_config.NumberColumn("Value after repair", format="%.0f"),
    "changes": "Changes",
    "missions_moved": "Missions moved",
    "repair_seconds": st.column_config.NumberColumn("Repair seconds", format="%.1f"),
    "repair_note": st.column_config.TextColumn("Note", width="medium"),
}


def _frontier_table(computed: Frontier) -> None:
    """The points (the tightest demand by name), then why each point without a plan has
    none, in full."""
    table, scenario = computed.table, computed.scenario
    names = Names.of(scenario)
    tightest = [
        None if result.kpis is None else result.kpis.tightest for result in computed.results
    ]
    table = table.assign(
        tightest_ops=[
            ""
            if row is None
            else names.demand(
                row.unit_id,
                row.skill_id,
                scenario.period_ids[row.period] if scenario.has_horizon else None,
            )
            for row in tightest
        ]
    )
    st.dataframe(
        table,
        hide_index=True,
        column_order=[column for column in table.columns if column != "conflicts"],  # below
        column_config=_FRONTIER_COLUMNS,
        placeholder="–",
    )
    failed = [i for i, result in enumerate(computed.results) if result.solution is None]
    if failed:
        lines = []
        for i in failed:
            short = ops_short(computed.point(i)[0])
            conflicts = table["conflicts"].iloc[i]
            reasons = short or [conflicts or "no plan was found within the seconds per point"]
            lines.append(f"- **{_point_name(computed, i)} — {table['status'].iloc[i]}:**")
            lines += [f"    - {markdown_text(reason)}" for reason in reasons]
        st.markdown("**Points without a plan**\n" + "\n".join(lines))


def _point_name(computed: Frontier, index: int) -> str:
    """``20% buffer``, ``10% network cap``: a point by its value of the dial."""
    return f"{computed.value(index):.0%} {computed.dial.noun}"


def _point_label(computed: Frontier, index: int) -> str:
    """``20% buffer · value 785 · optimal``: a point to load."""
    row = computed.table.iloc[index]
    return f"{_point_name(computed, index)} · value {row['value_captured']:,.0f} · {row['status']}"


def _buffer_points(planner: PlanningSession) -> tuple[tuple[float, ...], int]:
    """The buffers to solve (from 0 up to what operations bear and one step past, as the
    planner may change) and the seconds per point."""
    suggested = default_buffers(planner.scenario)
    bearable = bearable_buffer(planner.scenario)
    if bearable is None:
        st.warning("Operations cannot be protected even without a buffer: no point has a plan.")
    elif bearable < DEFAULT_BUFFERS[-1]:
        st.caption(
            f"Operations bear a buffer of at most {bearable:.1%}. The range below runs one "
            "step past it, to show where plans stop."
        )
    top, step, limit = st.columns(3)
    spaced_by = round((suggested[1] - suggested[0]) * 100, 1) if len(suggested) > 1 else 5.0
    highest = top.number_input(
        "Highest ops buffer (%)", 0.0, 200.0, round(suggested[-1] * 100, 1), 0.5, format="%.1f"
    )
    spacing = step.number_input("Step (%)", 0.5, 50.0, spaced_by, 0.5, format="%.1f")
    seconds = limit.number_input("Seconds per point", 1, 600, 10)
    return spaced(0.0, highest / 100, spacing / 100), seconds


def _cap_points(planner: PlanningSession) -> tuple[tuple[float, ...], int]:
    """The network caps to solve (5 % to 50 % unless the planner changes the range; units
    with their own cap keep it, which the page says by name) and the seconds per point."""
    names = Names.of(planner.scenario)
    own = [
        f"{names.unit(unit.unit_id)} {unit.network_share_max:.0%}"
        for unit in planner.scenario.units or ()
        if unit.network_share_max is not None
    ]
    kept = f" Units with their own cap keep it: {markdown_text(', '.join(own))}." if own else ""
    st.caption(
        "Each point caps the share of every unit's time given to network missions, in every "
        f"period.{kept}"
    )
    low, top, step, limit = st.columns(4)
    lowest = low.number_input(
        "Lowest network cap (%)", 0.0, 100.0, DEFAULT_CAPS[0] * 100, 1.0, format="%.1f"
    )
    highest = top.number_input(
        "Highest network cap (%)", 0.0, 100.0, DEFAULT_CAPS[-1] * 100, 1.0, format="%.1f"
    )
    spacing = step.number_input(
        "Step (%)", 0.5, 50.0, (DEFAULT_CAPS[1] - DEFAULT_CAPS[0]) * 100, 0.5, format="%.1f"
    )
    seconds = limit.number_input("Seconds per point", 1, 600, 10)
    return spaced(lowest / 100, max(lowest, highest) / 100, spacing / 100), seconds


def _load_point(index: int) -> None:
    """Button callback: the point's plan becomes the current one (the old one becomes the
    previous, for Edit & compare) and the dials move to the point's settings (its buffer or
    network cap), so the plan is not stale and the next Solve starts from it."""
    result: Frontier = st.session_state[_FRONTIER]
    scenario, solved = result.point(index)
    session().adopt(scenario, solved)
    set_dials(scenario.settings)


planner = header(
    "Trade-offs",
    "How much strategic value can the network unlock for a given operational safety, and "
    "how robust is a plan when people are away?",
)
_take_in(planner)
frontier_tab, sweep_tab, stress_tab = st.tabs(["Frontier", "Sweep results", "Stress test"])

with frontier_tab:
    over = st.radio("Value against", list(_SWEPT), horizontal=True, key=_OVER)
    dial: Dial = _SWEPT[over or "Ops protection buffer"]
    points, seconds = (_cap_points if dial is NETWORK_CAP else _buffer_points)(planner)
    if st.button("Compute the frontier", type="primary", disabled=planner.studying):
        limits = SolveSettings(time_limit=seconds)
        _start("frontier", frontier_study(planner.scenario, limits, points, dial))
    _study_state(planner, "frontier")
    computed: Frontier | None = st.session_state.get(_FRONTIER)
    if computed is None:
        st.caption(f"Each point solves the current scenario (edits and dials) at one {dial.noun}.")
    else:
        table = computed.table
        if not computed.is_of(planner.scenario):
            st.info("The scenario changed since this frontier was computed: compute it again.")
        st.altair_chart(frontier_chart(table, computed.dial))
        solved = [i for i, point in enumerate(computed.results) if point.solution is not None]
        if solved:
            choice, load = st.columns([3, 1], vertical_alignment="bottom")
            index = choice.selectbox(
                "Point", solved, format_func=partial(_point_label, computed), key=_POINT
            )
            load.button("Load this plan", on_click=_load_point, args=(index,), width="stretch")
        _frontier_table(computed)

with sweep_tab:
    st.caption(
        "Run a sweep with `assembler sweep SCENARIO --grid GRID.toml --out DIR`, then open "
        "its results.csv (or results.parquet) here."
    )
    uploaded = st.file_uploader("Sweep results", type=["csv", "parquet"])
    if uploaded is not None:
        try:
            results = read_results(uploaded.name, uploaded.getvalue())
        except ValueError as error:
            st.error(markdown_text(error))
        else:
            counts = results["status"].value_counts()
            st.markdown(
                f"**{len(results)} runs**: "
                + ", ".join(f"{n} {markdown_text(status)}" for status, n in counts.items())
            )
            st.altair_chart(sweep_chart(results, varied_columns(results)))
            st.dataframe(
                results,
                hide_index=True,
                column_config={"run": "Run", "variant": "Variant", **_FRONTIER_COLUMNS},
                placeholder="–",
            )

with stress_tab:
    outcome = plan(planner)
    if outcome is not None:
        absence, draws, seed, repair = st.columns(4)
        away = absence.number_input(
            "People away (%)",
            0,
            100,
            10,
            help="Each person's chance of being away; with periods, in each period on its own.",
        )
        count = draws.number_input("Draws", 1, 1_000, 50)
        seeded = seed.number_input("Seed", 0, 1_000_000, 0)
        own = outcome.scenario.settings.ops_buffer
        buffer = repair.number_input(
            "Buffer while away (%)",
            0.0,
            round(own * 100, 6),
            round(own * 100, 6),
            help="The protection accepted while people are away; at most the plan's own.",
        )
        if st.button("Run the stress test", type="primary", disabled=planner.studying):
            while_away = min(round(buffer / 100, 10), own)
            settings = StressSettings(away / 100, int(count), int(seeded), while_away)
            limits = SolveSettings(time_limit=10)
            _start(
                "stress", stress_study(outcome.scenario, settings, limits, outcome.result.solution)
            )
        _study_state(planner, "stress")
        report: StressReport | None = st.session_state.get(_STRESS)
        if report is not None:
            s = report.summary
            covered, protectable, intact, recovered = st.columns(4)
            covered.metric("Ops covered as planned", f"{s.p_ops_covered:.0%}", border=True)
            protectable.metric("Ops protectable at all", f"{s.p_ops_protectable:.0%}", border=True)
            intact.metric("No mission loses a skill", f"{s.p_missions_intact:.0%}", border=True)
            after = s.value_after_repair
            recovered.metric(
                "Value after repair",
                "–" if after is None else f"{after.mean:,.0f}",
                f"plan {s.plan_value:,.0f}, as is {s.value_before_repair.mean:,.0f}",
                delta_color="off",
                delta_arrow="off",
                border=True,
                help="Mean over the draws that still have a plan (repaired or untouched).",
            )
            names = Names.of(outcome.scenario)
            st.altair_chart(stress_chart(report, names))
            st.markdown("**Missions of the plan**")
            st.dataframe(
                report.missions, hide_index=True, column_config=_STRESS_COLUMNS, placeholder="–"
            )
            st.markdown("**Operations**")
            operations = report.operations.assign(
                unit_id=report.operations.unit_id.map(names.unit),
                skill_id=report.operations.skill_id.map(names.skill),
            )
            if "period_id" in operations:
                operations = operations.assign(period_id=operations.period_id.map(names.period))
            st.dataframe(
                operations, hide_index=True, column_config=_STRESS_COLUMNS, placeholder="–"
            )
            with st.expander(f"All {len(report.draws)} draws"):
                st.dataframe(
                    report.draws, hide_index=True, column_config=_DRAW_COLUMNS, placeholder="–"
                )
