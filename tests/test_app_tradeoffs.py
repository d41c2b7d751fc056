"""The Trade-offs page, driven through ``streamlit.testing`` (no browser): the frontier is
computed and a point loads its plan, a sweep's results.csv is shown, a stress test runs."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from assembler.generate import generate_scenario
from assembler.planning.session import PlanningSession
from assembler.tradeoffs import NETWORK_CAP
from builders import ROOT, mission, person, scenario
from small_horizon import quarters
from test_app_pages import click, plain
from test_frontier import CAPPED_VALUES, capped_network

PAGE = ROOT / "app_pages" / "tradeoffs.py"

RESULTS = """run,variant,ops_buffer,status,score,gap,value_captured,value_share,missions_staffed,\
network_fte,tightest_ops,tightest_coverage,seconds,conflicts
1,baseline,0.0,optimal,8300242,0.0,830.0,0.81,17,6.3,emergency/triage,1.0,0.9,
2,baseline,0.5,infeasible,,,,,,,,,0.01,operations of unit 'lab' …
"""


@pytest.fixture
def page(monkeypatch: pytest.MonkeyPatch) -> AppTest:
    """The page on its own (``app.py`` adds the sidebar); the project root is importable,
    as it is under ``streamlit run app.py``."""
    monkeypatch.syspath_prepend(str(ROOT))
    at = AppTest.from_file(str(PAGE), default_timeout=120)
    at.run()
    assert not at.exception
    assert at.title[0].value == "Trade-offs"
    return at


def finish_study(at: AppTest) -> None:
    """Wait for the session's trade-off study to end, then redraw: the page takes it in."""
    study = at.session_state["planner"].study
    if study is not None:
        assert study.wait(120)
    at.run()
    assert not at.exception


def number(at: AppTest, label: str, value: float) -> None:
    next(n for n in at.number_input if n.label == label).set_value(value)


def test_the_frontier_range_stops_one_step_past_what_operations_bear(page: AppTest) -> None:
    """The quarters scenario bears a buffer below 30 % (the test below: 30 % is
    infeasible): the page says how much, and its default range ends one step past it."""
    from assembler.tradeoffs.frontier import bearable_buffer, default_buffers

    s = quarters()
    bearable, suggested = bearable_buffer(s), default_buffers(s)
    assert bearable is not None and 0 < bearable < 0.3
    page.session_state["planner"] = PlanningSession(s, "quarters")
    page.run()
    said = " ".join(plain(c.value) for c in page.caption)
    assert f"Operations bear a buffer of at most {bearable:.1%}." in said
    highest = next(n for n in page.number_input if n.label == "Highest ops buffer (%)")
    assert highest.value == round(suggested[-1] * 100, 1) and suggested[-2] == bearable


def test_the_frontier_is_plotted_and_a_point_loads_its_plan(page: AppTest) -> None:
    page.session_state["planner"] = PlanningSession(quarters(), "quarters")  # solves at once
    page.run()
    number(page, "Highest ops buffer (%)", 30)
    number(page, "Step (%)", 10)
    click(page, "Compute the frontier")
    finish_study(page)
    table = page.session_state["tradeoffs.frontier"].table
    assert list(table["ops_buffer"]) == [0.0, 0.1, 0.2, 0.3]
    assert list(table["status"]) == ["optimal", "optimal", "optimal", "infeasible"]
    assert page.get("vega_lite_chart")
    (why,) = [
        plain(m.value) for m in page.markdown if plain(m.value).startswith("Points without a plan")
    ]
    assert "30% buffer — infeasible:\n\nCare Unit: Triage in Q1 (winter) need" in why
    page.selectbox(key="tradeoffs.point").set_value(2).run()
    click(page, "Load this plan")
    planner = page.session_state["planner"]
    assert isinstance(planner, PlanningSession) and planner.current is not None
    assert planner.current.scenario.settings.ops_buffer == 0.2
    assert planner.current.result.kpis is not None
    assert planner.current.result.kpis.value_captured == table["value_captured"].iloc[2]
    assert page.session_state["dial.ops_buffer"] == 20.0


def test_the_page_offers_the_network_cap_and_a_cap_point_loads_its_plan(page: AppTest) -> None:
    hostile = "**Wards** ![x](http://host/p.png)"  # a unit's name is shown as it is
    built = capped_network()
    assert built.units is not None
    units = (built.units[0], built.units[1].model_copy(update={"name": hostile}))
    page.session_state["planner"] = PlanningSession(built.replace(units=units), "capped")
    page.run()
    page.radio(key="tradeoffs.over").set_value("Network cap").run()
    said = " ".join(plain(c.value) for c in page.caption)
    assert f"Units with their own cap keep it: {hostile} 0%." in said
    assert not any(n.label == "Highest ops buffer (%)" for n in page.number_input)
    number(page, "Highest network cap (%)", 20)
    click(page, "Compute the frontier")
    finish_study(page)
    computed = page.session_state["tradeoffs.frontier"]
    assert computed.dial is NETWORK_CAP
    assert list(computed.table["network_share_max"]) == [0.05, 0.1, 0.15, 0.2]
    assert list(computed.table["value_captured"]) == [
        CAPPED_VALUES[c] for c in (0.05, 0.1, 0.15, 0.2)
    ]
    (chart,) = page.get("vega_lite_chart")
    assert "Value vs the network cap" in chart.proto.spec
    point = page.selectbox(key="tradeoffs.point")
    assert point.options[3] == "20% network cap · value 5 · optimal"
    point.set_value(3).run()
    click(page, "Load this plan")
    planner = page.session_state["planner"]
    assert planner.current.scenario.settings.network_share_max == 0.2
    assert page.session_state["dial.network_share_max"] == 20.0
    assert planner.current.result.solution.staffed == {"h", "n2"}


def test_a_sweeps_results_are_shown_and_a_wrong_file_is_explained(page: AppTest) -> None:
    uploader = page.file_uploader[0]
    uploader.upload("results.csv", RESULTS.encode(), "text/csv").run()
    assert not page.exception
    assert any("2 runs: 1 optimal, 1 infeasible" in plain(m.value) for m in page.markdown)
    page.file_uploader[0].upload("roster.csv", b"mission_id,person_id\nM1,P1\n", "text/csv").run()
    assert "lacks the column(s) run, variant" in plain(page.error[0].value)


def test_the_stress_test_runs_on_the_current_plan(page: AppTest) -> None:
    weak = scenario(
        [person("solo", "front", {"desk": 3}), person("x", "front", {"code": 3})],
        [mission("app", {"code": 0.4}, value=2)],
        ops=[("front", "desk", 0.5)],
    )
    planner = PlanningSession(weak, "weak spots")
    planner.solve(time_limit=10).wait()
    planner.collect()
    page.session_state["planner"] = planner
    page.run()
    number(page, "People away (%)", 30)
    number(page, "Draws", 20)
    click(page, "Run the stress test")
    finish_study(page)
    report = page.session_state["tradeoffs.stress"]
    assert len(report.draws) == 20
    labels = {m.label for m in page.metric}
    assert {"Ops covered as planned", "Ops protectable at all", "Value after repair"} <= labels
    desk = report.operations.set_index("skill_id").loc["desk"]
    assert desk["p_below_demand"] == desk["p_unprotectable"] > 0


def test_a_frontier_runs_in_the_background_with_progress_and_a_stop(page: AppTest) -> None:
    big = generate_scenario(people=600, missions=60, seed=3)  # no point is solved in 60 s
    page.session_state["planner"] = PlanningSession(big, "big")
    page.run()
    number(page, "Seconds per point", 60)
    click(page, "Compute the frontier")
    (progress,) = page.get("progress")
    assert progress.proto.text.startswith("Solving point")
    assert next(b for b in page.button if b.label == "Compute the frontier").disabled
    click(page, "Stop")
    finish_study(page)
    stopped = "Nothing to show: stopped before the first point was solved."
    assert stopped in [i.value for i in page.info]
    assert "tradeoffs.frontier" not in page.session_state
    assert not page.session_state["planner"].studying
