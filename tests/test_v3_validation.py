"""Validation of the MODEL.md v3 inputs: one edit of ``tiny_tables()`` (on four quarters,
``horizon_cases.with_periods``) gives one problem, located by file, row and column."""

from __future__ import annotations

from pathlib import Path

import pytest

from assembler.compile.certificates import commitment_clashes
from assembler.compile.instance import Instance
from builders import tiny_scenario
from horizon_cases import horizon
from test_validation import find, only_warnings, read_edited
from validation_cases import WARNING, Case, Tables, set_cell

AFTER_CASES: dict[str, Case] = {
    "after-with-an-empty-item": Case(
        "missions.csv",
        "an empty item: list the missions this one waits for separated by ';'",
        row=4,
        column="after",
        edit=horizon(set_cell("missions", 4, "after", "m_improve;")),
        value="m_improve;",
    ),
    "after-naming-a-mission-twice": Case(
        "missions.csv",
        "'m_improve' is listed twice: name each mission once",
        row=4,
        column="after",
        edit=horizon(set_cell("missions", 4, "after", "m_improve; m_improve")),
    ),
    "after-naming-itself-among-others": Case(
        "missions.csv",
        "a mission cannot run after itself",
        row=4,
        column="after",
        edit=horizon(set_cell("missions", 4, "after", "m_improve;m_innovation")),
    ),
    "after-naming-an-unknown-mission-among-others": Case(
        "missions.csv",
        "unknown mission: not a mission_id in missions.csv",
        row=4,
        column="after",
        edit=horizon(set_cell("missions", 4, "after", "m_improve;m_inovation")),
        also=("did you mean 'm_innovation'",),
        value="m_improve;m_inovation",
    ),
    "after-cycle-through-a-second-before": Case(
        "missions.csv",
        "the after chains have a cycle: m_improve → m_innovation → m_improve",
        row=1,
        column="after",
        edit=horizon(
            set_cell("missions", 1, "after", "m_innovation"),
            set_cell("missions", 4, "after", "m_transition;m_improve"),
        ),
    ),
    "mission-whose-befores-cannot-all-end-in-its-window": Case(
        "missions.csv",
        "mission 'm_innovation' can never run: it runs after 'm_renew'; 'm_renew' ends in q3 "
        "at the earliest",
        row=4,
        column="after",
        edit=horizon(set_cell("missions", 4, "after", "m_improve;m_renew")),
        severity=WARNING,
        value="m_improve;m_renew",
    ),
}


@pytest.mark.parametrize("case", list(AFTER_CASES.values()), ids=list(AFTER_CASES))
def test_one_v3_edit_gives_one_located_problem(tmp_path: Path, case: Case) -> None:
    report = read_edited(tmp_path, case.edit, case.settings_toml, case.files)
    problem = find(
        report, case.table, case.phrase, row=case.row, column=case.column, severity=case.severity
    )
    for fragment in case.also:
        assert fragment in problem.reason, problem
    if case.value is not None:
        assert problem.value == case.value
    if case.severity is WARNING:
        only_warnings(report)


def test_several_befores_that_can_run_are_clean(tmp_path: Path) -> None:
    edit = horizon(
        set_cell("missions", 4, "after", " m_improve ;m_renew"),
        set_cell("missions", 4, "duration", "1"),
    )
    report = read_edited(tmp_path, edit)
    assert report.problems == (), report.problems
    assert report.scenario is not None
    assert report.scenario.missions[3].predecessors == ("m_improve", "m_renew")


SHARE_CASES: dict[str, Case] = {
    "unit-share-above-one": Case(
        "units.csv",
        "must be from 0 to 1",
        row=2,
        column="network_share_max",
        edit=set_cell("units", 2, "network_share_max", "1.5"),
        value="1.5",
    ),
    "unit-share-below-zero": Case(
        "units.csv",
        "must be from 0 to 1",
        row=1,
        column="network_share_max",
        edit=set_cell("units", 1, "network_share_max", "-0.1"),
    ),
    "share-setting-above-one": Case(
        "scenario.toml",
        "must be from 0 to 1",
        column="network_share_max",
        settings_toml="[settings]\nnetwork_share_max = 2\n",
    ),
}


@pytest.mark.parametrize("case", list(SHARE_CASES.values()), ids=list(SHARE_CASES))
def test_a_share_outside_zero_to_one_is_located(tmp_path: Path, case: Case) -> None:
    test_one_v3_edit_gives_one_located_problem(tmp_path, case)


def v3_on(tables: Tables) -> None:
    """``tiny_tables()`` with learners on: p2 (design 2) is one level short of m_renew's
    design ≥ 3, and nobody else holds design ≥ 4 to mentor there."""
    tables["development"] = [{"person_id": "p2", "skill_id": "design", "weight": "2"}]


DEVELOPMENT_CASES: dict[str, Case] = {
    "development-weight-out-of-range": Case(
        "development.csv",
        "must be from 1 to 3",
        row=1,
        column="weight",
        edit=lambda t: (v3_on(t), set_cell("development", 1, "weight", "4")(t)),
    ),
    "development-unknown-person": Case(
        "development.csv",
        "unknown person: not a person_id in people.csv",
        row=1,
        column="person_id",
        edit=lambda t: (v3_on(t), set_cell("development", 1, "person_id", "p9")(t)),
    ),
    "development-unknown-skill": Case(
        "development.csv",
        "unknown skill: not listed in skills.csv",
        row=1,
        column="skill_id",
        edit=lambda t: (v3_on(t), set_cell("development", 1, "skill_id", "desing")(t)),
        also=("did you mean 'design'",),
    ),
    "development-duplicate-row": Case(
        "development.csv",
        "duplicate (person_id, skill_id)",
        row=2,
        column="skill_id",
        edit=lambda t: (v3_on(t), t["development"].append(dict(t["development"][0]))),
    ),
    "stretch-levels-out-of-range": Case(
        "scenario.toml",
        "must be from 0 to 2",
        column="stretch_levels",
        settings_toml="[settings]\nstretch_levels = 3\n",
    ),
    "mentor-level-below-one": Case(
        "scenario.toml",
        "must be from 1 to 5",
        column="mentor_min_level",
        settings_toml="[settings]\nmentor_min_level = 0\n",
    ),
    "learners-per-mentor-zero": Case(
        "scenario.toml",
        "must be",
        column="learners_per_mentor",
        settings_toml="[settings]\nlearners_per_mentor = 0\n",
    ),
}


@pytest.mark.parametrize("case", list(DEVELOPMENT_CASES.values()), ids=list(DEVELOPMENT_CASES))
def test_a_development_mistake_is_located(tmp_path: Path, case: Case) -> None:
    test_one_v3_edit_gives_one_located_problem(tmp_path, case)


def test_a_learner_need_without_a_mentor_is_a_warning(tmp_path: Path) -> None:
    # m_improve asks ops ≥ 4: Ben (ops 4) is eligible, Ada (ops 3) one level short, and
    # nobody holds ops 5 to mentor.
    report = read_edited(
        tmp_path,
        set_cell("mission_needs", 1, "min_level", "4"),
        "[settings]\nstretch_levels = 1\nmentor_min_level = 5\n",
    )
    problem = find(
        report,
        "mission_needs.csv",
        "Ada could learn ops on mission 'm_improve'",
        row=1,
        column="skill_id",
        severity=WARNING,
    )
    assert "at level ≥ 5 to mentor them" in problem.reason
    only_warnings(report)


def test_a_cap_below_a_pinned_members_share_is_a_warning(tmp_path: Path) -> None:
    report = read_edited(tmp_path, None, "[settings]\nnetwork_share_max = 0.01\n")
    find(
        report,
        "scenario",
        "mission m_transition is mandatory and needs 0.7 FTE, but its people's units may "
        "give network missions 0 FTE in all (network_share_max: hq at 0.01, lab at 0.01)",
        severity=WARNING,
    )
    only_warnings(report)


def test_a_cap_below_a_pins_share_is_certified() -> None:
    s = tiny_scenario().with_settings(network_share_max=0.05)
    found = commitment_clashes(Instance(s))
    assert any(
        "p1 is pinned to network mission m_transition and must give it at least 0.1 FTE, "
        "but unit hq may give network missions only 0.05 FTE" in clash
        for clash in found
    ), found


@pytest.mark.parametrize("cell", [";", " ; ", "m_improve;;m_renew", ";m_improve"])
def test_stray_separators_are_one_located_problem(tmp_path: Path, cell: str) -> None:
    report = read_edited(tmp_path, horizon(set_cell("missions", 4, "after", cell)))
    find(report, "missions.csv", "an empty item", row=4, column="after")
