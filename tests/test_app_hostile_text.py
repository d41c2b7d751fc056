"""Text from data reaches the page as text: a mission, a scenario or a person named with
Markdown (an image that would make every reader's browser fetch a URL, a link, emphasis,
Streamlit's colour directives) is shown as written, never rendered.

Each element's Markdown is rendered with a CommonMark parser (markdown-it, as the
browser's renderer would read it): no image, no link and no emphasis may come from a name.
"""

from __future__ import annotations

from pathlib import Path

import markdown_it
import pytest
from streamlit.testing.v1 import AppTest

from assembler.planning.session import PlanningSession
from small_horizon import quarters
from test_app_pages import click, open_app, show, solve_in_app

PIXEL = "![p](http://host/pixel.png)"
LINK = "[click](http://host/x) **bold** :red[red]"
_parser = markdown_it.MarkdownIt("commonmark")


@pytest.fixture(autouse=True)
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'plans.db'}"
    monkeypatch.setenv("ASSEMBLER_DB", url)
    return url


def hostile_app() -> AppTest:
    """The three-quarter plan with its unstaffed mission (m_lab) and a person renamed."""
    case = quarters()
    missions = tuple(
        m.model_copy(update={"name": PIXEL}) if m.mission_id == "m_lab" else m
        for m in case.missions
    )
    people = tuple(
        p.model_copy(update={"name": LINK}) if p.person_id == "c1" else p for p in case.people
    )
    hostile = case.model_copy(update={"missions": missions, "people": people})
    return open_app(PlanningSession(hostile, PIXEL))


def rendered(at: AppTest) -> list[str]:
    """The HTML each text element of the page (and its sidebar) would become."""
    kinds = ("markdown", "caption", "info", "warning", "error", "success", "toast")
    sources = [e.value for kind in kinds for e in getattr(at, kind)]
    sources += [e.value for kind in kinds for e in getattr(at.sidebar, kind)]
    sources += [e.label for e in at.expander]
    return [_parser.render(str(source)) for source in sources]


def shown_as_text(at: AppTest, *names: str) -> None:
    html = "\n".join(rendered(at))
    assert "<img" not in html and "<a " not in html and "<strong>bold" not in html, html
    assert ":red[" not in html.replace(":red[red]", "")
    for name in names:
        assert name.replace("&", "&amp;").replace('"', "&quot;") in html, html


def test_a_mission_named_as_an_image_is_shown_as_text_where_it_is_not_staffed() -> None:
    at = hostile_app()
    shown_as_text(at, PIXEL)  # the sidebar's scenario name
    solve_in_app(at)
    show(at, "Missions & teams")
    shown_as_text(at, f"m_lab · {PIXEL}")
    assert any("Why the others are not staffed" in m.value for m in at.markdown)
    at.selectbox(key="missions.team").set_value("m_lab").run()
    shown_as_text(at, f"m_lab · {PIXEL} is not staffed")
    click(at, "Who could join?")
    for page in ("Overview", "Edit & compare", "Plans"):
        shown_as_text(show(at, page))


def test_a_saved_scenario_name_is_shown_as_text_in_the_sidebar() -> None:
    at = hostile_app()
    show(at, "Plans")
    at.text_input(key="plans.name").set_value(PIXEL)
    at.text_input(key="plans.note").set_value(LINK)
    click(at, "Save as")
    shown_as_text(at, f"Stored as {PIXEL} v1", f"Saved {PIXEL} v1.")
