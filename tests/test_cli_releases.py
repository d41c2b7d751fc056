"""``assembler plans releases`` and ``plans release`` on a SQLite store: the tiny scenario's
proposed plan asks its network members' units, a lead declines one, the approval waits
for the rest or an override, and the re-plan forbids the declined membership."""

from __future__ import annotations

from pathlib import Path

import pytest

from assembler.store import PlanStore, Release
from test_store_cli import folder, plans  # noqa: F401  (the fixture and the runner)

DB = "sqlite:///assembler.db"


def asked(plan_id: int) -> list[Release]:
    with PlanStore(DB) as store:
        return store.releases(plan_id)


@pytest.fixture
def proposed(folder: Path) -> list[Release]:  # noqa: F811
    plans("save", "tiny", "--name", "tiny", "--solve", "--quiet")
    plans("propose", "1")
    return asked(1)


def test_releases_lists_each_request_by_name_with_its_time(proposed: list[Release]) -> None:
    out = plans("releases", "1").splitlines()
    assert out[0].split() == [
        "person",
        "unit",
        "mission",
        "fte",
        "when",
        "status",
        "decided",
        "by",
        "reason",
    ]
    ada = next(line for line in out if line.startswith("Ada"))
    assert "Headquarters" in ada and "requested" in ada and " FTE" in ada
    assert "p1" not in ada  # names, not ids
    assert out[-1] == f"{len(proposed)} of {len(proposed)} still to decide"


def test_a_lead_declines_the_approval_waits_and_the_replan_forbids_it(
    proposed: list[Release],
) -> None:
    lab = next(r for r in proposed if r.unit_id == "lab")
    out = plans(
        "release",
        "1",
        lab.person_id,
        lab.mission_id,
        "--decline",
        "--reason",
        "audit season",
        "--who",
        "lena",
    )
    assert out.strip() == (
        f"release of {lab.person_name} (Lab) to {lab.mission_name} declined by lena: audit season"
    )
    shown = plans("releases", "1")
    assert "declined" in shown and "lena" in shown and "audit season" in shown
    refused = plans("approve", "1", "--reason", "go", code=2)
    assert "not yet decided by the units" in refused and "--override-releases" in refused
    out = plans("save", "tiny", "--name", "tiny", "--solve", "--quiet", "--replan-from", "1")
    assert (
        f"release     forbid {lab.person_id} on {lab.mission_id} "
        "(release declined by lena: audit season)" in out
    )
    plans("propose", "2")
    assert (lab.person_id, lab.mission_id) not in {(r.person_id, r.mission_id) for r in asked(2)}
    approved = plans("approve", "1", "--reason", "go", "--override-releases", "board today")
    assert "undecided: board today]" in approved


def test_a_decision_that_cannot_be_made_is_exit_2_with_the_reason(
    proposed: list[Release],
) -> None:
    first = proposed[0]
    cases = [
        (["9", "p1", "m_transition", "--approve"], "there is no plan 9"),
        (["1", "zz", "m_transition", "--approve"], "plan 1 has no person 'zz'"),
        (["1", "p1", "m_transitio", "--approve"], "did you mean 'm_transition'?"),
        (["1", "p2", "m_improve", "--approve"], "is a mission of the hierarchy (improve)"),
        (["1", "p2", "m_transition", "--approve"], "is not on the team of m_transition"),
        (["1", first.person_id, first.mission_id], "say --approve or --decline"),
        (["1", first.person_id, first.mission_id, "--decline"], "needs a reason"),
    ]
    for args, message in cases:
        assert message in plans("release", *args, code=2), args
    plans("release", "1", first.person_id, first.mission_id, "--approve", "--who", "ann")
    again = plans("release", "1", first.person_id, first.mission_id, "--approve", code=2)
    assert "was already approved by ann" in again


def test_a_reason_is_printed_as_what_it_is(proposed: list[Release]) -> None:
    first = proposed[0]
    hostile = "busy\x1b]0;owned\x07\nnext line"
    out = plans("release", "1", first.person_id, first.mission_id, "--decline", "--reason", hostile)
    assert "\x1b" not in out and "busy\\x1b]0;owned\\x07\\nnext line" in out
    assert "\x1b" not in plans("releases", "1")
