"""Every page of the planner app, driven through ``streamlit.testing`` (no browser).

Each test starts the app as ``streamlit run app.py`` would (the sample loaded by default),
clicks like a planner and reads what the page shows.  The work itself is tested in the
library's own tests; here the question is whether the pages draw it, without an exception.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from assembler.io import scenario_bytes
from assembler.planning.session import PlanningSession
from assembler.validation import load_scenario

ROOT = Path(__file__).resolve().parents[1]
PAGES = {
    "Overview": "app_pages/overview.py",
    "Missions & teams": "app_pages/missions.py",
    "People & capacity": "app_pages/people.py",
    "Operations": "app_pages/operations.py",
    "Edit & compare": "app_pages/edit.py",
    "Export": "app_pages/export.py",
}
DIALS = {
    "Ops protection buffer (%)",
    "Max missions per person",
    "Minimum allocation (FTE)",
    "Network min units",
    "Weight: mission value",
    "Weight: wishes met",
    "Weight: memberships",
    "Time limit (s)",
}


def open_app() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    at.run()
    assert not at.exception
    return at


def planner(at: AppTest) -> PlanningSession:
    session = at.session_state["planner"]
    assert isinstance(session, PlanningSession)
    return session


def solve(at: AppTest) -> None:
    """Click Solve and redraw until the background solve has been taken in."""
    at.button(key="solve").click().run()
    deadline = time.monotonic() + 30
    while planner(at).job is not None and time.monotonic() < deadline:
        time.sleep(0.1)
        at.run()
    assert not at.exception
    assert planner(at).current is not None


def metric(at: AppTest, label: str) -> str:
    return str(next(m.value for m in at.metric if m.label == label))


def show(at: AppTest, page: str) -> AppTest:
    at.switch_page(PAGES[page]).run()
    assert not at.exception, page
    assert at.title[0].value == page
    return at


@pytest.mark.parametrize("page", PAGES)
def test_every_page_opens_on_the_sample_with_the_dials_and_solve(page: str) -> None:
    at = show(open_app(), page)
    assert planner(at).source == "Riverside Care Group (sample)"
    assert at.button(key="solve").label == "Solve"
    assert {widget.label for widget in at.number_input} >= DIALS
    assert [toggle.label for toggle in at.sidebar.toggle] == [
        "Network missions take volunteers only"
    ]
    assert [u.label for u in at.file_uploader]  # the uploader is there
    assert not at.error


def test_solve_shows_optimal_kpis_and_every_page_draws_the_plan() -> None:
    at = open_app()
    assert any("press **Solve**" in info.value for info in at.info)
    solve(at)
    assert metric(at, "Status") == "optimal"
    assert metric(at, "Missions staffed").endswith("of 21")
    assert float(metric(at, "Network FTE freed").removesuffix(" FTE")) > 0
    assert any("Configuration changed" in md.value for md in at.markdown)
    assert any(":green-badge[M01" in md.value for md in at.markdown)

    show(at, "Missions & teams")
    missions, team = at.dataframe
    assert len(missions.value) == 21 and "reason" in missions.value.columns
    assert len(team.value) > 0 and {"person_id", "fte"} <= set(team.value.columns)
    at.selectbox(key="missions.team").set_value("M03").run()
    assert any("M03 is not staffed" in info.value for info in at.info)

    show(at, "People & capacity")
    assert len(at.dataframe[0].value) == 150
    at.toggle(key="people.only_full").set_value(True).run()
    assert (at.dataframe[0].value.free_fte <= 0).all()

    show(at, "Operations")
    assert len(at.dataframe[0].value) == len(planner(at).scenario.ops_demand)

    show(at, "Export")
    labels = {button.label for button in at.download_button}
    assert labels == {
        "Download roster (CSV)",
        "Download all reports (Excel)",
        "Download summary (JSON)",
        "Download edited scenario (zip)",
    }


def test_pin_resolve_and_compare() -> None:
    at = open_app()
    solve(at)
    show(at, "Edit & compare")
    at.selectbox(key="edit.mission").set_value("M10").run()
    at.selectbox(key="edit.person.M10").set_value("P002").run()
    next(b for b in at.button if b.label == "Pin").click().run()
    assert not at.exception
    assert any("Done: pin P002 to M10" in s.value for s in at.success)
    assert any("changed since this plan was made" in info.value for info in at.info)
    solve(at)
    session = planner(at)
    assert session.current is not None and session.current.result.solution is not None
    assert ("P002", "M10") in session.current.result.solution.members
    assert metric(at, "Missions gained") == "0"
    assert "P002" in set(at.dataframe[0].value.person)  # the people moved
    # A refused edit is explained, not raised.
    at.selectbox(key="edit.mission").set_value("M19").run()
    at.selectbox(key="edit.person.M19").set_value("P001").run()
    next(b for b in at.button if b.label == "Unlock").click().run()
    assert not at.exception
    assert any("neither pinned to nor forbidden" in e.value for e in at.error)


def test_an_upload_with_problems_shows_the_problems_table_and_keeps_the_scenario() -> None:
    at = open_app()
    broken = b'{"people": [{"person_id": "p1", "unit_id": "u1", "fte": 3}], "missions": []}'
    at.file_uploader[0].upload("broken.json", broken, "application/json").run()
    assert not at.exception
    assert any("broken.json" in e.value and "was not loaded" in e.value for e in at.error)
    problems = at.dataframe[0].value
    assert {"table", "row", "column", "reason"} <= set(problems.columns)
    assert "fte" in set(problems.column)
    assert planner(at).source == "Riverside Care Group (sample)"
    solve(at)  # the sample is still there to work on
    assert metric(at, "Status") == "optimal"


def test_a_valid_upload_replaces_the_scenario_and_sets_the_dials() -> None:
    at = open_app()
    sample = load_scenario(ROOT / "data" / "sample", {"ops_buffer": 0.2})
    at.file_uploader[0].upload("riverside.zip", scenario_bytes(sample), "application/zip").run()
    assert not at.exception and not at.error
    assert planner(at).source == "riverside.zip"
    assert at.number_input(key="dial.ops_buffer").value == 20
    assert planner(at).scenario.settings.ops_buffer == 0.2
    next(b for b in at.button if b.label == "Back to the sample").click().run()
    assert planner(at).source == "Riverside Care Group (sample)"
    assert at.number_input(key="dial.ops_buffer").value == 10


def test_dials_reach_the_scenario_that_is_solved() -> None:
    at = open_app()
    at.number_input(key="dial.ops_buffer").set_value(5.0).run()
    at.number_input(key="dial.max_missions_default").set_value(1).run()
    at.number_input(key="dial.weights.preference").set_value(0).run()
    at.toggle(key="dial.network_opt_in_required").set_value(False).run()
    at.toggle(key="dial.network_opt_in_required").set_value(True).run()
    settings = planner(at).scenario.settings
    assert (settings.ops_buffer, settings.max_missions_default) == (0.05, 1)
    assert settings.weights.preference == 0 and settings.network_opt_in_required
    solve(at)
    outcome = planner(at).current
    assert outcome is not None and outcome.scenario.settings == settings
    assert metric(at, "Status") == "optimal"


def test_a_solve_without_a_plan_says_so_on_every_page() -> None:
    at = open_app()
    at.number_input(key="dial.ops_buffer").set_value(20.0).run()  # the sample cannot keep 120 %
    at.number_input(key="dial.time_limit").set_value(2).run()
    solve(at)
    assert metric(at, "Status") == "infeasible"
    assert any(e.value.startswith("No plan:") for e in at.error)
    for page in ("Missions & teams", "People & capacity", "Operations", "Export"):
        show(at, page)
        assert any("found no plan" in w.value for w in at.warning), page
    assert [b.label for b in at.download_button] == ["Download edited scenario (zip)"]


def test_dropping_every_mission_leaves_pages_that_still_draw() -> None:
    at = show(open_app(), "Edit & compare")
    for _ in range(21):
        next(b for b in at.button if b.label == "Drop mission").click().run()
        assert not at.exception
    assert planner(at).scenario.missions == ()
    assert any("no missions left" in info.value for info in at.info)
    solve(at)
    for page in PAGES:
        show(at, page)
    show(at, "Edit & compare")
    next(b for b in at.button if b.label == "Undo last edit").click().run()
    assert [m.mission_id for m in planner(at).scenario.missions] == ["M21"]
