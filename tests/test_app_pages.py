"""Every page of the planner app, driven through ``streamlit.testing`` (no browser).

Each test starts the app as ``streamlit run app.py`` would (the sample loaded by default, or
a session handed in), clicks like a planner and reads what the page shows.  Flows that
solve run on the three-quarter plan of ``small_horizon`` (a fraction of a second per
solve); the sample is solved once, in the library, for the test that every page draws its
four quarters with names, units and no placeholder text.  The work itself is tested in the
library's own tests; here the question is whether the pages draw it, without an exception.
"""

from __future__ import annotations

import ast
import html
import json
import re
import time

import pytest
import vl_convert
from markdown_it import MarkdownIt
from streamlit.testing.v1 import AppTest

from assembler import Result, Scenario
from assembler.domain.edits import Edit, EditKind
from assembler.io import scenario_bytes
from assembler.io.planner import planner_tables, summary_rows
from assembler.planning.session import PlanningSession
from assembler.validation import load_scenario
from builders import ROOT, SAMPLE, mission, tiny_scenario
from small_horizon import quarters

PAGES = {
    "Overview": "app_pages/overview.py",
    "Timeline": "app_pages/timeline.py",
    "Missions & teams": "app_pages/missions.py",
    "People & capacity": "app_pages/people.py",
    "Development": "app_pages/development.py",
    "Operations": "app_pages/operations.py",
    "Edit & compare": "app_pages/edit.py",
    "Plans": "app_pages/plans.py",
    "Releases": "app_pages/releases.py",
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
    "Weight: development goals",
    "Network share cap (%)",
    "Learners: levels short",
    "Time limit (s)",
}
PLACEHOLDERS = re.compile(r"\b(None|nan|NaN|inf)\b|inf%")
"""Text a planner should never read: a missing value or an infinity printed as such."""


def plain(markdown: str) -> str:
    """What a reader sees of an element's Markdown: its text as a CommonMark parser renders
    it (the pages escape names, so the source is not what a planner reads)."""
    rendered = MarkdownIt("commonmark").render(markdown)
    return html.unescape(re.sub(r"<[^>]+>", "", rendered)).strip()


def open_app(session: PlanningSession | None = None) -> AppTest:
    """The app, on the sample or on ``session`` (handed in before the first run)."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    if session is not None:
        at.session_state["planner"] = session
    at.run()
    assert not at.exception
    return at


def small_app(**settings: object) -> AppTest:
    return open_app(PlanningSession(quarters(**settings), "Quarters (test)"))


def planner(at: AppTest) -> PlanningSession:
    session = at.session_state["planner"]
    assert isinstance(session, PlanningSession)
    return session


def wait(at: AppTest, busy: str, seconds: float = 60) -> None:
    """Redraw until ``busy`` (``solving`` or ``asking``) is over, within ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        session = planner(at)
        running = session.solving if busy == "solving" else _asking(session)
        if not running:
            break
        time.sleep(0.1)
        at.run()
    else:
        pytest.fail(f"still {busy} after {seconds} s")
    at.run()
    assert not at.exception


def _asking(session: PlanningSession) -> bool:
    return session.questions is not None and session.questions.running


def solve_in_app(at: AppTest) -> None:
    """Click Solve and redraw until the background solve has been taken in."""
    at.button(key="solve").click().run()
    wait(at, "solving")


def metric(at: AppTest, label: str) -> str:
    return str(next(m.value for m in at.metric if m.label == label))


def show(at: AppTest, page: str) -> AppTest:
    at.switch_page(PAGES[page]).run()
    assert not at.exception, page
    assert at.title[0].value == page
    return at


def texts(at: AppTest) -> list[str]:
    """Every text a planner reads on the page (tables and charts aside)."""
    found = [
        plain(e.value)
        for kind in ("markdown", "caption", "info", "warning", "error", "success")
        for e in getattr(at, kind)
    ]
    found += [str(m.value) for m in at.metric]
    return found


def window(at: AppTest, mission_id: str) -> tuple[str, str]:
    """The window the timing widgets of Edit & compare show for ``mission_id``."""
    return (
        at.selectbox(key=f"edit.from.{mission_id}").value,
        at.selectbox(key=f"edit.until.{mission_id}").value,
    )


def charts(at: AppTest) -> int:
    """How many charts the page draws, each compiled by Vega-Lite (through vl-convert, as
    a browser would): a spec Vega-Lite rejects is drawn as nothing, with no exception in
    Streamlit, so only compiling it catches it."""
    drawn = at.get("vega_lite_chart")
    for chart in drawn:
        vl_convert.vegalite_to_vega(json.loads(chart.proto.spec))  # raises on a bad spec
    return len(drawn)


def click(at: AppTest, label: str) -> AppTest:
    next(b for b in at.button if b.label == label).click().run()
    assert not at.exception
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
    at = small_app()
    assert any("press Solve" in plain(info.value) for info in at.info)
    solve_in_app(at)
    assert metric(at, "Status") == "optimal"
    assert metric(at, "Missions staffed") == "4 of 5"
    assert metric(at, "Network FTE freed").endswith(" FTE")
    assert any("Care Unit · Triage in Q1 (winter)" in plain(c.value) for c in at.caption)
    assert any(":green-badge[m_fast" in plain(md.value) for md in at.markdown)

    show(at, "Timeline")
    assert charts(at) == 1
    listed = at.dataframe[0].value
    assert list(listed.mission_id) == ["m_fast", "m_erp", "m_data", "m_lab", "m_rota"]
    fast = listed.set_index("mission_id").loc["m_fast"]
    assert (fast["first"], fast["last"], fast["fte"]) == ("Q2 (spring)", "Q2 (spring)", 0.4)

    show(at, "Missions & teams")
    missions = at.dataframe[0].value
    assert len(missions) == 5 and "when" in missions.columns
    runs = dict(zip(missions.mission_id, missions.when, strict=True))
    assert runs["m_rota"] == "Q1 (winter) – Q3 (summer)" and runs["m_fast"] == "Q2 (spring)"
    why = "m_lab · Data lab: nobody has skill Data skills ≥ 5"
    assert any(why in plain(m.value) for m in at.markdown)
    at.selectbox(key="missions.team").set_value("m_lab").run()
    assert any("m_lab · Data lab is not staffed" in plain(info.value) for info in at.info)
    at.selectbox(key="missions.team").set_value("m_fast").run()
    team = at.dataframe[1].value
    assert set(team.period) == {"Q2 (spring)"} and set(team.unit) == {"Care Unit"}

    show(at, "People & capacity")
    assert charts(at) == 3  # the heatmap, the units, one person
    people = at.dataframe[0].value
    assert len(people) == 18 and set(people.period) == {"Q1 (winter)", "Q2 (spring)", "Q3 (summer)"}
    at.selectbox(key="people.period").set_value("q2").run()
    assert len(at.dataframe[0].value) == 6
    assert "all on operations" in set(at.dataframe[0].value.load)
    at.toggle(key="people.only_full").set_value(True).run()
    booked = at.dataframe[0].value
    assert set(booked.load) == {"fully booked"} and (booked.mission_fte > 0).all()
    at.selectbox(key="people.person").set_value("o3").run()
    fay = at.dataframe[1].value
    assert fay.set_index("period").loc["Q2 (spring)", "fte"] == 0  # on leave

    show(at, "Operations")
    assert charts(at) == 2  # the headroom heatmap, the bars of the first period
    table = at.dataframe[0].value
    assert list(table.period) == ["Q1 (winter)", "Q1 (winter)"]  # the first period at first
    assert set(table.unit) == {"Care Unit", "Back Office"} and "headroom_fte" in table
    at.selectbox(key="operations.period").set_value("__all__").run()
    assert len(at.dataframe[0].value) == 6

    show(at, "Export")
    labels = {button.label for button in at.download_button}
    assert labels == {
        "Download roster (CSV)",
        "Download all reports (Excel)",
        "Download summary (JSON)",
        "Download edited scenario (zip)",
    }


def test_the_sample_plan_draws_on_every_page(sample_optimum: tuple[Scenario, Result]) -> None:
    sample, result = sample_optimum
    session = PlanningSession(sample, "Riverside Care Group (sample)")
    session.adopt(sample, result)
    at = open_app(session)
    assert metric(at, "Missions staffed").endswith("of 21")
    drawn = {}
    for page in PAGES:
        show(at, page)
        assert not PLACEHOLDERS.search(" ".join(texts(at))), page
        drawn[page] = charts(at)
    assert drawn == {
        "Overview": 0,
        "Timeline": 1,
        "Missions & teams": 0,
        "People & capacity": 4,
        "Development": 0,
        "Operations": 2,
        "Edit & compare": 0,
        "Plans": 0,
        "Releases": 0,
        "Export": 0,
    }
    show(at, "People & capacity")
    people = next(frame.value for frame in at.dataframe if "person_id" in frame.value)
    assert len(people) == 151 * 4
    assert "Emergency Care" in set(people.unit)
    show(at, "Operations")
    assert "Triage" in set(at.dataframe[0].value.skill)
    show(at, "Timeline")
    assert len(at.dataframe[0].value) == 21


def test_pin_resolve_and_compare_and_a_mission_moved_in_time() -> None:
    at = small_app()
    solve_in_app(at)
    show(at, "Edit & compare")
    at.selectbox(key="edit.mission").set_value("m_fast").run()
    at.selectbox(key="edit.person.m_fast").set_value("c1").run()
    click(at, "Pin")
    assert any(
        "Done: pin c1 · Ada Berg to m_fast · Fast-track triage." in plain(s.value)
        for s in at.success
    )
    at.selectbox(key="edit.start.m_fast").set_value("q3").run()
    click(at, "Fix start")
    assert any(
        "Done: start m_fast · Fast-track triage in Q3 (summer)." in plain(s.value)
        for s in at.success
    )
    assert window(at, "m_fast") == ("q3", "q3")  # the widgets follow the edited window
    click(at, "Undo last edit")
    assert window(at, "m_fast") == ("q1", "q3")  # and the window as it is again
    at.selectbox(key="edit.start.m_fast").set_value("q3").run()
    click(at, "Fix start")
    assert any("changed since this plan was made" in plain(info.value) for info in at.info)
    solve_in_app(at)
    session = planner(at)
    assert session.current is not None and session.current.result.solution is not None
    assert ("c1", "m_fast") in session.current.result.solution.members
    assert metric(at, "Missions gained") == "0"
    assert any(
        "m_fast · Fast-track triage: starts in Q3 (summer) instead of Q2 (spring)" in plain(m.value)
        for m in at.markdown
    )
    show(at, "Timeline")
    assert at.dataframe[0].value.set_index("mission_id").moved["m_fast"] == "Q2 (spring)"
    # A refused edit is explained, not raised.
    show(at, "Edit & compare")
    at.selectbox(key="edit.mission").set_value("m_rota").run()
    at.selectbox(key="edit.person.m_rota").set_value("o1").run()
    click(at, "Unlock")
    assert any("neither pinned to nor forbidden" in plain(e.value) for e in at.error)


def test_a_window_edit_and_a_pin_without_time_are_warned_about_when_made() -> None:
    at = show(small_app(), "Edit & compare")
    at.selectbox(key="edit.mission").set_value("m_fast").run()
    at.selectbox(key="edit.from.m_fast").set_value("q1").run()
    at.selectbox(key="edit.until.m_fast").set_value("q1").run()
    click(at, "Set window")
    assert any(
        "Done: run m_fast · Fast-track triage within Q1 (winter) to Q1 (winter)." in plain(s.value)
        for s in at.success
    )
    at.selectbox(key="edit.person.m_fast").set_value("c2").run()
    click(at, "Pin")
    (warning,) = [plain(w.value) for w in at.warning]
    assert (
        "Done: pin c2 · Ben Cole to m_fast · Fast-track triage. But no plan can exist now:"
        in warning
    )
    assert "**" not in warning and "To resolve it: unpin c2 · Ben Cole" in warning  # rendered
    assert (
        "mission m_fast · Fast-track triage has c2 · Ben Cole pinned to it and needs 0.4 FTE"
        in warning
    )
    at.selectbox(key="edit.until.m_fast").set_value("q3").run()
    at.selectbox(key="edit.from.m_fast").set_value("q3").run()
    click(at, "Set window")  # refused: the window runs backwards
    at.selectbox(key="edit.from.m_fast").set_value("q2").run()
    assert not at.exception


def test_the_last_good_plan_is_kept_through_an_infeasible_solve() -> None:
    at = small_app()
    solve_in_app(at)
    good = planner(at).current
    at.number_input(key="dial.ops_buffer").set_value(40.0).run()  # winter triage cannot
    solve_in_app(at)
    assert planner(at).current is good and planner(at).failure is not None
    notice = next(
        plain(e.value) for e in at.error if "The last solve found no plan" in plain(e.value)
    )
    assert "status infeasible" in notice
    assert "Care Unit: Triage in Q1 (winter) need 3.4 FTE (demand + buffer)" in notice
    assert "the highest buffer at which they can be protected is 25%" in notice
    assert "still show the last good plan" in notice
    assert metric(at, "Status") == "optimal"  # the good plan's figures
    assert any(
        "infeasible, no plan · the last good plan is kept" in plain(c.value) for c in at.caption
    )
    for page in ("Timeline", "Missions & teams", "People & capacity", "Operations", "Export"):
        show(at, page)
        assert any("The last solve found no plan" in plain(e.value) for e in at.error), page
    assert len(at.download_button) == 4  # the good plan is still exported
    assert any("From the last good plan" in plain(c.value) for c in at.caption)
    at.number_input(key="dial.ops_buffer").set_value(25.0).run()
    solve_in_app(at)
    assert planner(at).failure is None and planner(at).previous is good
    assert not any("found no plan" in plain(e.value) for e in at.error)


def test_a_first_solve_without_a_plan_says_so_on_every_page() -> None:
    at = small_app(ops_buffer=0.4)
    solve_in_app(at)
    assert any("There is no earlier plan to show" in plain(e.value) for e in at.error)
    for page in ("Timeline", "Missions & teams", "People & capacity", "Operations", "Export"):
        show(at, page)
        assert any("No plan to show" in plain(w.value) for w in at.warning), page
    assert [b.label for b in at.download_button] == ["Download edited scenario (zip)"]


def with_audit() -> PlanningSession:
    """The quarters plus a triage audit in spring and summer that care has no time for
    beside fast-track triage: worth 5 against its 50, so the best plan leaves it out."""
    base = quarters()
    audit, needs = mission(
        "m_audit",
        {"triage": (0.5, 3)},
        value=5,
        name="Triage audit",
        owner_unit="care",
        earliest_start="q2",
    )
    s = base.replace(missions=(*base.missions, audit), mission_needs=(*base.mission_needs, *needs))
    return PlanningSession(s, "Quarters with an audit (test)")


def test_what_it_would_take_and_who_could_join() -> None:
    at = open_app(with_audit())
    solve_in_app(at)
    show(at, "Missions & teams")
    at.selectbox(key="missions.team").set_value("m_audit").run()
    click(at, "What would it take?")
    wait(at, "asking")
    assert metric(at, "Change in value") == "-45"  # in value, missions and people…
    assert metric(at, "Missions staffed") == "+0"
    assert metric(at, "People moving") == "1"
    assert any(
        "Staffing it: value -45 (160 → 115); m_fast · Fast-track triage no longer staffed; "
        "1 person moves" in plain(m.value)
        for m in at.markdown
    )
    assert any("score points: -449,999" in plain(c.value) for c in at.caption)  # …score aside
    moving = at.dataframe[-1].value
    assert moving.to_dict("records") == [
        {
            "person": "c3 · Cy Dahl",
            "unit": "Care Unit",
            "joins": "m_audit · Triage audit",
            "leaves": "m_fast · Fast-track triage",
        }
    ]
    at.selectbox(key="missions.team").set_value("m_lab").run()
    click(at, "What would it take?")
    wait(at, "asking")
    assert any(
        "m_lab · Data lab cannot be staffed:" in plain(e.value)
        and "nobody eligible" in plain(e.value)
        for e in at.error
    )
    at.selectbox(key="missions.team").set_value("m_fast").run()
    assert not [b for b in at.button if b.label == "What would it take?"]  # staffed already
    click(at, "Who could join?")
    wait(at, "asking")
    ranked = at.dataframe[-1].value
    assert {"person", "unit", "value", "lost", "moved"} <= set(ranked.columns)
    assert set(ranked.unit) == {"Care Unit"} and len(ranked) == 3
    assert "score" not in ranked.columns
    at.selectbox(key="missions.team").set_value("m_lab").run()
    click(at, "Who could join?")
    wait(at, "asking")
    assert any(
        "Nobody can join: m_lab · Data lab cannot be staffed." in plain(e.value) for e in at.error
    )
    assert not any("Nobody could be evaluated" in plain(c.value) for c in at.caption)


def test_an_upload_with_problems_shows_the_problems_table_and_keeps_the_scenario() -> None:
    at = open_app()
    broken = b'{"people": [{"person_id": "p1", "unit_id": "u1", "fte": 3}], "missions": []}'
    at.file_uploader[0].upload("broken.json", broken, "application/json").run()
    assert not at.exception
    assert any(
        "broken.json" in plain(e.value) and "was not loaded" in plain(e.value) for e in at.error
    )
    problems = at.dataframe[0].value
    assert {"table", "row", "column", "reason"} <= set(problems.columns)
    assert "fte" in set(problems.column)
    assert planner(at).source == "Riverside Care Group (sample)"
    assert len(planner(at).scenario.missions) == 21  # the sample is still there to work on


def test_a_valid_upload_replaces_the_scenario_and_sets_the_dials() -> None:
    at = open_app()
    sample = load_scenario(SAMPLE, {"ops_buffer": 0.2})
    at.file_uploader[0].upload("riverside.zip", scenario_bytes(sample), "application/zip").run()
    assert not at.exception and not at.error
    assert planner(at).source == "riverside.zip"
    assert at.number_input(key="dial.ops_buffer").value == 20
    assert planner(at).scenario.settings.ops_buffer == 0.2
    click(at, "Back to the sample")
    assert planner(at).source == "Riverside Care Group (sample)"
    assert at.number_input(key="dial.ops_buffer").value == 10


def test_dials_reach_the_scenario_that_is_solved() -> None:
    at = small_app()
    at.number_input(key="dial.ops_buffer").set_value(5.0).run()
    at.number_input(key="dial.max_missions_default").set_value(1).run()
    at.number_input(key="dial.weights.preference").set_value(0).run()
    at.toggle(key="dial.network_opt_in_required").set_value(False).run()
    at.toggle(key="dial.network_opt_in_required").set_value(True).run()
    settings = planner(at).scenario.settings
    assert (settings.ops_buffer, settings.max_missions_default) == (0.05, 1)
    assert settings.weights.preference == 0 and settings.network_opt_in_required
    solve_in_app(at)
    outcome = planner(at).current
    assert outcome is not None and outcome.scenario.settings == settings
    assert metric(at, "Status") == "optimal"


def test_dropping_every_mission_leaves_pages_that_still_draw() -> None:
    at = show(small_app(), "Edit & compare")
    order = ["m_rota", "m_lab", "m_data", "m_erp", "m_fast"]  # m_data before m_erp it follows
    for mission_id in order:
        at.selectbox(key="edit.mission").set_value(mission_id).run()
        click(at, "Drop mission")
        assert any(f"Done: drop {mission_id}" in plain(s.value) for s in at.success)
    assert planner(at).scenario.missions == ()
    assert any("no missions left" in plain(info.value) for info in at.info)
    solve_in_app(at)
    for page in PAGES:
        show(at, page)
    show(at, "Edit & compare")
    click(at, "Undo last edit")
    assert [m.mission_id for m in planner(at).scenario.missions] == ["m_fast"]


def test_a_scenario_without_periods_keeps_its_pages_as_they_were() -> None:
    at = open_app(PlanningSession(tiny_scenario(), "tiny"))
    solve_in_app(at)
    assert metric(at, "Status") == "optimal"
    show(at, "Timeline")
    assert any("no planning periods" in plain(info.value) for info in at.info)
    show(at, "People & capacity")
    assert not [s for s in at.selectbox if s.label == "Period"]
    assert charts(at) == 2  # units and one person: no heatmap
    assert "period" not in at.dataframe[0].value.columns or set(at.dataframe[0].value.period) == {
        ""
    }
    show(at, "Operations")
    assert charts(at) == 1 and len(at.dataframe[0].value) == 1
    show(at, "Edit & compare")
    assert not [b for b in at.button if b.label == "Fix start"]


@pytest.mark.parametrize("page", sorted(p.name for p in (ROOT / "app_pages").glob("[!_]*.py")))
def test_a_page_has_no_bare_strings_that_streamlit_would_draw(page: str) -> None:
    """Streamlit's magic draws every bare string statement of a page script: a docstring
    on a constant would appear on the page."""
    body = ast.parse((ROOT / "app_pages" / page).read_text(encoding="utf-8")).body[1:]
    strays = [
        node.lineno
        for node in body
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
    ]
    assert strays == [], f"{page}: bare strings on lines {strays}"


NAMED_IDS = re.compile(r"\b(care|office|triage|admin|data|q1|q2|q3)\b")
"""Ids of the quarters' units, skills and periods, each of which has a name: a planner
should read "Care Unit", "Triage", "Q1 (winter)", never these."""


def test_no_page_shows_an_id_where_a_name_exists() -> None:
    """Every page after a solve, a failed solve with two clashes and an edit's warning, and
    the downloads: units, skills and periods only by name."""
    session = PlanningSession(quarters(), "Quarters (test)")
    at = open_app(session)
    solve_in_app(at)
    seen: dict[str, list[str]] = {}
    for page in PAGES:
        seen[page] = texts(show(at, page))
    show(at, "Edit & compare")
    at.selectbox(key="edit.mission").set_value("m_lab").run()
    click(at, "Make mandatory")
    seen["the edit"] = texts(at)
    planner(at).edit(Edit(EditKind.START, "m_fast", period_id="q1"))
    planner(at).edit(Edit(EditKind.PIN, "m_fast", "c2"))
    solve_in_app(at)
    seen["the failure"] = texts(show(at, "Overview"))
    assert any("To resolve it" in text for text in seen["the failure"])
    names = [m.name for m in session.scenario.missions]  # "Fast-track triage" is a name

    def bare(text: str) -> bool:
        for name in names:
            text = text.replace(name, "")
        return NAMED_IDS.search(text) is not None

    shown = {where: [t for t in found if bare(t)] for where, found in seen.items()}
    assert not any(shown.values()), shown
    reports = planner(at).current.reports  # type: ignore[union-attr]
    for title, table in planner_tables(reports).items():
        for column in ("Unit", "Skill", "Period"):
            if column in table:
                assert not table[column].map(NAMED_IDS.fullmatch).any(), (title, column)
    assert not NAMED_IDS.search(" ".join(str(row) for row in summary_rows(reports)))


def test_the_v3_dials_set_learners_and_the_network_cap() -> None:
    """At their defaults the scenario is v2's; turned, they are the MODEL.md v3 settings."""
    at = small_app()
    assert planner(at).scenario.settings == planner(at).base.settings
    at.number_input(key="dial.stretch_levels").set_value(1)
    at.number_input(key="dial.network_share_max").set_value(10.0)
    at.number_input(key="dial.weights.development").set_value(20).run()
    assert not at.exception
    settings = planner(at).scenario.settings
    assert (settings.stretch_levels, settings.network_share_max) == (1, 0.1)
    assert settings.weights.development == 20
