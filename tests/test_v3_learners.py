"""MODEL.md v3 §4, §6.11, §7: learners one to ``stretch_levels`` levels short fill a need
under a mentor on the same need, and earn ``weights.development`` × their goal's weight.

1 FTE = 20 steps; the minimum share is 2 steps; a staffed mission of value 1 scores
10,000, each member costs 1 and a learner on a goal of weight w earns 10 · w.  The need is
``k`` at level 3; mentors hold level 4 (``mentor_min_level``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
from typer.testing import CliRunner

from assembler import Scenario, SolveSettings, cli
from assembler.analysis.candidates import rank_candidates
from assembler.compile.certificates import commitment_clashes
from assembler.compile.instance import Instance
from assembler.domain.scenario import Development, Lock
from assembler.io import write_scenario
from assembler.io.reports import write_reports
from assembler.io.roster import read_report_table, solution_from_reports
from assembler.results.check import check
from assembler.results.names import Names
from assembler.results.report import build_reports
from assembler.solver.greedy import greedy_solution
from assembler.store.codec import solution_document, solution_from
from builders import mission, person, scenario
from solving import solved

STAFFED = 10_000


def ward(
    mentor_level: int = 4,
    learners: int = 1,
    need: float = 0.5,
    goals: dict[str, int] | None = None,
    **settings: Any,
) -> Scenario:
    """A mentor ``m`` (0.3 FTE, too little alone) and ``learners`` people at level 2
    (0.4 FTE each) for a need of ``need`` FTE of ``k`` ≥ 3."""
    people = [person("m", skills={"k": mentor_level}, fte=0.3)]
    people += [person(f"l{i}", skills={"k": 2}, fte=0.4) for i in range(1, learners + 1)]
    base = scenario(people, [mission("M", {"k": (need, 3)})], **settings)
    rows = tuple(Development(person_id=p, skill_id="k", weight=w) for p, w in (goals or {}).items())
    return base.replace(development=rows)


def test_without_stretch_nobody_short_of_the_level_joins() -> None:
    assert solved(ward()).score == 0
    assert Instance(ward()).needs[0].learners == ()


def test_a_learner_fills_the_need_under_a_mentor() -> None:
    result = solved(ward(stretch_levels=1))
    assert result.score == STAFFED - 2
    assert result.solution is not None
    assert result.solution.learners == {("l1", "M", "k")}
    assert result.solution.mentors == {("m", "M", "k")}


def test_a_development_goal_earns_its_weight() -> None:
    result = solved(ward(goals={"l1": 2}, stretch_levels=1))
    assert result.score == STAFFED - 2 + 10 * 2


def test_no_learner_without_a_mentor() -> None:
    # m at level 3 is eligible but below mentor_min_level 4: l1 cannot learn, m alone is short.
    assert solved(ward(mentor_level=3, stretch_levels=1)).score == 0
    # With mentors from level 3, m mentors.
    assert solved(ward(mentor_level=3, stretch_levels=1, mentor_min_level=3)).score == STAFFED - 2


def test_one_mentor_takes_learners_per_mentor_learners() -> None:
    # 0.9 FTE = 18 steps: m gives 6, each learner 8, so two learners are needed.
    assert solved(ward(learners=2, need=0.9, stretch_levels=1, learners_per_mentor=1)).score == 0
    two = solved(ward(learners=2, need=0.9, goals={"l2": 3}, stretch_levels=1))
    assert two.score == STAFFED - 3 + 10 * 3


def test_stretch_counts_levels_short() -> None:
    # Level 2 is one short of 3; with a need at level 4 it is two short.
    assert Instance(ward(stretch_levels=1)).needs[0].learners == (1,)
    deep = ward(stretch_levels=1).replace(
        mission_needs=mission("M", {"k": (0.5, 4)})[1],
    )
    assert Instance(deep).needs[0].learners == ()
    assert Instance(deep.with_settings(stretch_levels=2)).needs[0].learners == (1,)


def test_a_learner_outside_their_goals_still_staffs_the_mission() -> None:
    result = solved(ward(goals={"m": 3}, stretch_levels=1))
    assert result.score == STAFFED - 2


def test_the_greedy_stays_valid_with_learners_on() -> None:
    s = ward(learners=2, need=0.9, stretch_levels=1)
    plan = greedy_solution(Instance(s))
    assert plan is None or check(s, plan) == []


def test_check_refuses_a_learner_without_a_mentor() -> None:
    s = ward(stretch_levels=1)
    plan = solved(s).solution
    assert plan is not None
    alone = plan.model_copy(update={"mentors": frozenset()})
    assert any("1 learners and 0 mentors" in problem for problem in check(s, alone))
    unlabelled = plan.model_copy(update={"learners": frozenset()})
    assert any("without being a learner" in problem for problem in check(s, unlabelled))


def test_reports_show_who_learns_with_whom(tmp_path: Path) -> None:
    s = ward(goals={"l1": 2}, stretch_levels=1)
    reports = build_reports(s, solved(s))
    roles = dict(zip(reports.roster["person_id"], reports.roster["role"], strict=True))
    assert roles == {"m": "mentor", "l1": "learner"}
    assert reports.development is not None
    assert reports.development.to_dict("records") == [
        {
            "mission_id": "M",
            "mission_name": "",
            "person_id": "l1",
            "person_name": "",
            "skill_id": "k",
            "level": 2,
            "min_level": 3,
            "goal_weight": 2,
            "mentors": "m",
        }
    ]
    summary = reports.summary.to_json()
    assert (summary["learners"], summary["development_goals_met"]) == (1, 1)
    written = {path.name for path in write_reports(reports, tmp_path / "out")}
    assert "development.csv" in written
    roster = read_report_table(tmp_path / "out" / "roster.csv")
    ops = read_report_table(tmp_path / "out" / "ops_allocation.csv")
    plan = solution_from_reports(s, roster, ops)
    assert plan.learners == {("l1", "M", "k")} and check(s, plan) == []


def test_without_stretch_no_v3_file_column_or_key(tmp_path: Path) -> None:
    s = ward(mentor_level=5)
    reports = build_reports(s, solved(s))
    assert "role" not in reports.roster.columns and reports.development is None
    summary = reports.summary.to_json()
    assert not {"learners", "development_goals_met", "network_share_by_unit"} & set(summary)
    written = {path.name for path in write_reports(reports, tmp_path / "out")}
    assert "development.csv" not in written


def test_a_learner_candidate_may_be_pinned() -> None:
    s = ward(stretch_levels=1).replace(locks=(Lock(person_id="l1", mission_id="M", lock="pin"),))
    instance = Instance(s)
    person, target = s.people[1], s.missions[0]
    assert instance.eligibility.eligible_for_mission(person, target, s.mission_needs)
    assert not Instance(s.with_settings(stretch_levels=0)).eligibility.eligible_for_mission(
        person, target, s.mission_needs
    )
    assert solved(s).score == STAFFED - 2


def test_the_cli_says_how_many_learn_and_writes_development(tmp_path: Path) -> None:
    write_scenario(ward(goals={"l1": 2}, stretch_levels=1), tmp_path / "ward")
    out = tmp_path / "out"
    result = CliRunner().invoke(
        cli.app, ["solve", str(tmp_path / "ward"), "--out", str(out), "--format", "xlsx"]
    )
    assert result.exit_code == 0, result.output
    assert "1 learner under mentors, 1 on a development goal" in result.output
    assert (out / "development.csv").exists()
    assert "Development" in openpyxl.load_workbook(out / "reports.xlsx").sheetnames


def test_a_plan_with_learners_is_stored_and_read_back_whole() -> None:
    plan = solved(ward(goals={"l1": 2}, stretch_levels=1)).solution
    assert plan is not None
    document = solution_document(plan)
    assert document["learners"] == [["l1", "M", "k"]]
    assert solution_from(document) == plan
    assert "learners" not in solution_document(plan.model_copy(update={"learners": frozenset()}))


def test_who_could_join_says_who_would_learn_under_whom() -> None:
    s = ward(learners=2, need=0.5, stretch_levels=1).replace(
        people=tuple(
            p.model_copy(update={"name": {"m": "Ana Ruiz"}.get(p.person_id, p.name)})
            for p in ward(learners=2, stretch_levels=1).people
        )
    )
    ranking = rank_candidates(s, "M", top=5, settings=SolveSettings(time_limit=10, workers=1))
    roles = {candidate.person_id: candidate.role for candidate in ranking.ranked}
    assert "joins as a learner in k under Ana Ruiz" in {roles["l1"], roles["l2"]}
    assert any(row.get("role") for row in ranking.to_json()["candidates"])


def test_a_mandatory_need_without_a_mentor_is_certified_by_name() -> None:
    s = ward(mentor_level=3, stretch_levels=1)
    s = s.replace(
        missions=(s.missions[0].model_copy(update={"mandatory": True}),),
        people=tuple(
            p.model_copy(update={"name": "Ben Okafor"}) if p.person_id == "l1" else p
            for p in s.people
        ),
    )
    found = commitment_clashes(Instance(s), names=Names.of(s))
    (clash,) = found
    assert clash.startswith(
        "mission M is mandatory and needs 0.5 FTE of k ≥ 3, but the eligible people have "
        "0.3 FTE in all ("
    )
    assert clash.endswith("Ben Okafor could learn it, but nobody eligible can mentor)")
    with_mentor = s.with_settings(mentor_min_level=3)
    assert commitment_clashes(Instance(with_mentor)) == []
