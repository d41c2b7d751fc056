"""The Development page's figures (``planning.development``) and each capped unit's network
share (``planning.views.network_caps``), on the v3 clinic (``tests/data/v3_clinic``): Ana
Ruiz (triage 5) can mentor Ben Okafor (triage 3) on fast-track triage (level 4) with one
level of stretch; Eve Lind wants triage but holds it at 2; Finance is capped at 10 %.

Plans are either the proven optimum or written by hand, to reach each reason a goal can
be left unmet for without searching for a scenario whose optimum happens to show it."""

from __future__ import annotations

import pytest

from assembler.domain.scenario import Development, Lock, LockKind, Scenario
from assembler.domain.solution import Assignment, OpsAssignment, Solution
from assembler.planning.development import goals, is_idle, learners, roles_of
from assembler.planning.views import network_caps
from assembler.results.names import Names
from assembler.results.report import build_reports
from assembler.validation import load_scenario
from builders import CLINIC
from solving import solved


@pytest.fixture(scope="module")
def clinic() -> Scenario:
    return load_scenario(CLINIC)


def settings(s: Scenario, **changed: object) -> Scenario:
    return s.model_copy(update={"settings": s.settings.model_copy(update=changed)})


def wanting(s: Scenario, *goals: tuple[str, str]) -> Scenario:
    """``s`` whose development table is just ``goals`` (person, skill), weight 1."""
    rows = tuple(Development(person_id=p, skill_id=k) for p, k in goals)
    return s.model_copy(update={"development": rows})


def why(s: Scenario, solution: Solution) -> dict[str, str]:
    table = goals(s, solution)
    return dict(zip(table.person + " / " + table.skill, table.why, strict=True))


def triage_run(*, mentor: bool = True, ben_ops: int = 0) -> Solution:
    """Fast-track triage (M01) in Q1 with Ana on it, as mentor or plain member; Ben kept on
    operations for ``ben_ops`` steps of his 20 in Q1."""
    return Solution(
        staffed=frozenset({"M01"}),
        members=frozenset({("ana", "M01")}),
        assignments=(Assignment("ana", "M01", "triage", 8, 0),),
        ops=(OpsAssignment("ben", "triage", ben_ops, 0),) if ben_ops else (),
        starts={"M01": 0},
        mentors=frozenset({("ana", "M01", "triage")}) if mentor else frozenset(),
    )


def test_the_optimum_shows_who_learns_under_whom_against_their_goals(clinic: Scenario) -> None:
    result = solved(clinic)
    solution = result.solution
    assert solution is not None
    taught = learners(build_reports(clinic, result)).set_index(["person", "skill"])
    ben = taught.loc[("ben · Ben Okafor", "triage")]
    assert ben.mission == "M01 · Fast-track triage" and ben.mentors == "ana · Ana Ruiz"
    assert (ben.level, ben.need_level, ben.goal, ben.when) == (3, 4, "yes (weight 3)", "Q1")
    table = goals(clinic, solution).set_index("person")
    assert table.met.to_dict() == {"ben · Ben Okafor": True, "eve · Eve Lind": False}
    assert table.learns_on["ben · Ben Okafor"] == "M01 · Fast-track triage"
    assert table.why["ben · Ben Okafor"] == ""
    assert table.why["eve · Eve Lind"] == (
        "the missions that need triage ask level 4 or more, more than 1 level above their "
        "level 2; Learners: levels short goes up to 2"
    )
    names = Names.of(clinic)
    assert (names.span("q1", "q3"), names.span("q2", "q2"), names.span("", "")) == (
        "Q1 – Q3",
        "Q2",
        "",
    )
    assert roles_of(solution, "ana", "M01") == "Mentor"
    assert roles_of(solution, "ben", "M01") == "Learner"
    assert roles_of(solution, "cat", "M02") == "Member"


def test_with_stretch_off_every_goal_says_how_to_turn_it_on(clinic: Scenario) -> None:
    off = settings(clinic, stretch_levels=0)
    assert not is_idle(off)  # goals remain: the page lists them
    assert is_idle(wanting(off))
    assert set(why(off, Solution.empty()).values()) == {
        "nobody learns while stretch assignments are off: set Learners: levels short to 1 "
        "or 2 in the sidebar"
    }
    assert learners(build_reports(off, solved(off))).empty


def test_a_goal_out_of_reach_says_whether_the_skill_is_needed_held_or_too_far(
    clinic: Scenario,
) -> None:
    s = wanting(clinic, ("fay", "wound care"), ("fay", "erp"), ("cat", "erp"))
    assert why(s, Solution.empty()) == {
        "fay · Fay Ngata / wound care": "no mission needs wound care",
        "fay · Fay Ngata / erp": (
            "they do not hold erp yet: a learner holds the skill, a level or two short"
        ),
        "cat · Cat Meyer / erp": (
            "they hold erp at level 4 already, enough for every mission that needs it: they "
            "join as a member, not as a learner"
        ),
    }


def test_a_lock_or_a_missing_mentor_keeps_a_learner_out(clinic: Scenario) -> None:
    forbidden = wanting(clinic, ("ben", "triage")).model_copy(
        update={"locks": (Lock(person_id="ben", mission_id="M01", lock=LockKind.FORBID),)}
    )
    assert why(forbidden, Solution.empty()) == {
        "ben · Ben Okafor / triage": (
            "M01 · Fast-track triage needs triage within their reach, but they are forbidden "
            "on it (a lock)"
        )
    }
    no_mentor = settings(wanting(clinic, ("ben", "data")), mentor_min_level=5)
    assert why(no_mentor, Solution.empty()) == {
        "ben · Ben Okafor / data": (
            "nobody who may join M03 · Data quality sprint, M04 · Shared-data decisions "
            "holds data at level 5 or more to mentor them"
        )
    }


def test_the_plan_itself_unstaffed_unmentored_or_busy(clinic: Scenario) -> None:
    s = wanting(clinic, ("ben", "triage"))
    goal = "ben · Ben Okafor / triage"
    assert why(s, Solution.empty())[goal] == (
        "M01 · Fast-track triage, where they could learn it, is not staffed in this plan"
    )
    assert why(s, triage_run(mentor=False))[goal] == (
        "nobody mentors triage in the team of M01 · Fast-track triage"
    )
    assert why(s, triage_run(ben_ops=20))[goal] == (
        "operations need their time while M01 · Fast-track triage runs"
    )
    full = settings(s, stretch_levels=2, learners_per_mentor=1)
    taken = triage_run().model_copy(
        update={
            "members": frozenset({("ana", "M01"), ("eve", "M01")}),
            "learners": frozenset({("eve", "M01", "triage")}),
        }
    )
    assert why(full, taken)[goal] == (
        "the mentors of triage on M01 · Fast-track triage have as many learners as they may "
        "take (1 each)"
    )
    elsewhere = triage_run().model_copy(
        update={"members": frozenset({("ana", "M01"), ("ben", "M02"), ("ben", "M03")})}
    )
    assert why(s, elsewhere)[goal] == "they are on 2 missions already, the most they may join"
    assert why(s, triage_run(ben_ops=10))[goal] == (
        "the plan gets more value from their time elsewhere: learning here is worth less "
        "than what it would displace"
    )


def test_network_share_against_the_cap_only_for_capped_units(clinic: Scenario) -> None:
    solution = solved(clinic).solution
    assert solution is not None
    caps = network_caps(clinic, solution)
    assert caps.unit_id.tolist() == ["fin"] * 3
    assert caps.period_id.tolist() == ["q1", "q2", "q3"]
    assert caps.cap.tolist() == [0.1] * 3 and (caps.share <= 0.1).all()
    uncapped = clinic.replace(
        units=tuple(u.model_copy(update={"network_share_max": None}) for u in clinic.units or ())
    )
    assert network_caps(uncapped, solution).empty
    capped = settings(uncapped, network_share_max=0.5)
    assert network_caps(capped, solution).unit_id.unique().tolist() == ["ed", "fin", "wards"]
