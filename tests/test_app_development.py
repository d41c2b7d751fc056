"""The app's MODEL.md v3 parts, driven through ``streamlit.testing`` on the v3 clinic
(``tests/data/v3_clinic``, solved in a fraction of a second): the Development page, roles
in a team and in one person's time, Finance's network share against its cap, and the goal
editor of Edit & compare."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from assembler.domain.edits import Edit, EditKind
from assembler.planning.session import PlanningSession
from assembler.validation import load_scenario
from builders import CLINIC
from solving import solve_now
from test_app_hostile_text import LINK, PIXEL, shown_as_text
from test_app_pages import (
    charts,
    click,
    open_app,
    plain,
    planner,
    show,
    solve_in_app,
    texts,
    wait,
)
from test_v3_learners import ward


def clinic_app(solved: bool = True, **settings: object) -> AppTest:
    s = load_scenario(CLINIC)
    if settings:
        s = s.model_copy(update={"settings": s.settings.model_copy(update=settings)})
    session = PlanningSession(s, "Clinic (test)")
    if solved:
        solve_now(session)
    return open_app(session)


def test_the_development_page_shows_learners_mentors_and_unmet_goals() -> None:
    at = show(clinic_app(), "Development")
    assert {m.label: str(m.value) for m in at.metric} == {
        "Learner places": str(len(planner(at).current.result.solution.learners)),  # type: ignore[union-attr]
        "Development goals met": "1 of 2",
    }
    taught, wanted = (frame.value for frame in at.dataframe)
    ben = taught[taught.skill == "triage"].iloc[0]
    assert (ben.person, ben.mission, ben.mentors) == (
        "ben · Ben Okafor",
        "M01 · Fast-track triage",
        "ana · Ana Ruiz",
    )
    assert wanted.set_index("person").met.to_dict() == {
        "ben · Ben Okafor": True,
        "eve · Eve Lind": False,
    }
    assert "Left unmet, and why (1)" in texts(at)
    assert (
        "eve · Eve Lind, triage (weight 1): the missions that need triage ask level 4 or "
        "more, more than 1 level above their level 2; Learners: levels short goes up to 2."
    ) in texts(at)


def test_without_goals_or_stretch_the_page_says_how_to_start() -> None:
    s = load_scenario(CLINIC)
    s = s.model_copy(
        update={"development": (), "settings": s.settings.model_copy(update={"stretch_levels": 0})}
    )
    at = show(open_app(PlanningSession(s, "Clinic (test)")), "Development")
    (info,) = at.info
    assert plain(info.value).startswith("Nobody learns in this scenario")
    assert "Learners: levels short" in plain(info.value)
    assert not at.dataframe and not at.metric


def test_roles_in_a_team_and_in_one_persons_time_and_the_network_cap() -> None:
    at = show(clinic_app(), "Missions & teams")
    at.selectbox(key="missions.team").set_value("M01").run()
    team = at.dataframe[1].value.set_index("person_id")
    assert team.role.to_dict() == {"ana": "Mentor", "ben": "Learner"}
    show(at, "People & capacity")
    caps = next(frame.value for frame in at.dataframe if "cap" in frame.value)
    assert caps.unit.tolist() == ["Finance"] * 3 and (caps.share <= caps.cap).all()
    assert charts(at) >= 3
    at.selectbox(key="people.person").set_value("ana").run()
    assert not at.exception
    mine = at.dataframe[-1].value
    assert mine[mine.what == "M01 · Fast-track triage"].role.tolist() == ["Mentor"]


def test_the_network_cap_section_is_left_out_without_a_cap() -> None:
    s = load_scenario(CLINIC)
    s = s.replace(
        units=tuple(u.model_copy(update={"network_share_max": None}) for u in s.units or ())
    )
    session = PlanningSession(s, "Clinic (test)")
    solve_now(session)
    at = show(open_app(session), "People & capacity")
    assert "Network share against its cap" not in [h.value for h in at.subheader]


def test_a_goal_is_added_refused_as_a_duplicate_and_removed_on_the_edit_page() -> None:
    at = show(clinic_app(solved=False), "Edit & compare")
    at.selectbox(key="edit.goal.person").set_value("fay").run()
    at.selectbox(key="edit.goal.skill").set_value("data").run()
    at.number_input(key="edit.goal.weight").set_value(2).run()
    click(at, "Add goal")
    assert "Done: add a development goal for fay · Fay Ngata: data (weight 2)" in plain(
        at.success[0].value
    )
    assert ("fay", "data", 2) in {
        (g.person_id, g.skill_id, g.weight) for g in planner(at).scenario.development
    }
    click(at, "Add goal")
    assert "has a development goal in data already (weight 2)" in plain(at.error[0].value)
    click(at, "Remove goal")
    assert ("fay", "data") not in {
        (g.person_id, g.skill_id) for g in planner(at).scenario.development
    }
    assert len(planner(at).edits) == 2


def test_learners_lost_are_named_and_hostile_names_stay_text() -> None:
    """Forbidding Ben on fast-track triage (named as an image) after a solve: Edit &
    compare lists the learner place lost, and Development says why Eve (named with a link)
    and Ben meet no goal there, every name shown as written."""
    s = load_scenario(CLINIC)
    s = s.replace(
        missions=tuple(
            m.model_copy(update={"name": PIXEL}) if m.mission_id == "M01" else m for m in s.missions
        ),
        people=tuple(
            p.model_copy(update={"name": LINK}) if p.person_id == "eve" else p for p in s.people
        ),
    )
    session = PlanningSession(s, "Clinic (test)")
    solve_now(session)
    at = open_app(session)
    planner(at).edit(Edit(EditKind.FORBID, "M01", "ben"))
    solve_in_app(show(at, "Edit & compare"))
    learners_lost = next(m for m in at.markdown if m.value.startswith("**Learners lost**"))
    assert f"ben · Ben Okafor no longer learns triage on M01 · {PIXEL}" in plain(
        learners_lost.value
    )
    shown_as_text(at, f"M01 · {PIXEL}")
    show(at, "Development")
    shown_as_text(at, f"eve · {LINK}", f"M01 · {PIXEL} needs triage within their reach")


def test_who_could_join_says_a_candidate_would_join_as_a_learner_under_whom() -> None:
    """The ward of ``test_v3_learners``: a mentor, Ana Ruiz, too short of time alone, and
    two people a level short; the answer for a learner names the skill and the mentor."""
    s = ward(learners=2, stretch_levels=1)
    s = s.replace(
        people=tuple(
            p.model_copy(update={"name": "Ana Ruiz"}) if p.person_id == "m" else p for p in s.people
        )
    )
    session = PlanningSession(s, "Ward (test)")
    solve_now(session)
    at = show(open_app(session), "Missions & teams")
    at.selectbox(key="missions.team").set_value("M").run()
    click(at, "Who could join?")
    wait(at, "asking")
    notes = set(at.dataframe[-1].value.note)
    assert any("joins as a learner in k under Ana Ruiz" in note for note in notes)
