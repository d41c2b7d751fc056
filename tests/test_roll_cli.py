"""``assembler plans roll``: the approved plan rolled forward from the command line, stored
as a draft of the next version, with every refusal an exit 2 and its reason."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from assembler.cli import app
from assembler.io import write_scenario
from assembler.planning.session import PlanningSession
from assembler.planning.stored import open_plan
from assembler.store import PlanStore
from solving import solve_now
from test_rolling import small_rolling_plan

runner = CliRunner()


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working folder holding the small four-period plan, approved as plan 1."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ASSEMBLER_DB", raising=False)
    write_scenario(small_rolling_plan(), tmp_path / "small")
    plans("save", "small", "--name", "small", "--solve", "--quiet")
    plans("propose", "1")
    return tmp_path


def plans(*args: str, code: int = 0) -> str:
    result = runner.invoke(app, ["plans", *args])
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    return result.output


def test_a_roll_prints_each_missions_fate_and_stores_a_draft(folder: Path) -> None:
    plans("approve", "1", "--reason", "the year's plan")
    out = plans("roll", "1", "--at", "q2", "--quiet", "--time-limit", "10", "--who", "ann")
    lines = out.splitlines()
    assert "roll        plan 1 (small v1) at q2: 1 done, 1 running, 2 re-planned, 2 missed" in out
    assert "periods     q1 left; q5 joined" in out
    assert "done        early · Early: q1 to q1" in lines
    running = next(line for line in lines if line.startswith("running"))
    assert running.startswith("running     long · Long: q1 to q4, its team kept: p")
    assert running.endswith(" 0.2 FTE")
    assert "re-planned  next · Next: starts in q2" in lines
    assert "re-planned  late · Late: starts in q3" in lines
    gone = "missed      gone · Gone: value 0 lost: it takes 2 periods and only 1 of its window"
    assert any(line.startswith(gone) for line in lines)
    missed = "missed      chained · Chained: value 0 lost: it waits for Gone, which is missed"
    assert missed in lines
    assert "0 people moved, 0 missions moved in time" in out  # the running team is kept
    assert "scenario    small v2 saved by ann" in out
    assert "plan        2 saved as a draft of small v2" in out
    assert "versions    small: v1 q1–q4 → v2 q2–q5" in out

    listed = plans("list")
    assert "versions  small: v1 q1–q4 → v2 q2–q5" in listed
    shown = plans("show", "2")
    assert "done: early Early; missed: gone Gone, chained Chained" in shown
    assert "approved" in plans("list", "--status", "approved")  # the approved plan stays


def test_new_periods_come_from_a_file(folder: Path) -> None:
    plans("approve", "1", "--reason", "ok")
    (folder / "next.csv").write_text("period_id,name\nnext-year,Next year\n", encoding="utf-8")
    out = plans("roll", "1", "--at", "q3", "--periods", "next.csv", "--quiet")
    assert "periods     q1, q2 left; next-year joined" in out
    assert "versions    small: v1 q1–q4 → v2 q3–next-year" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--at", "q1"), "q1 is the plan's first period"),
        (("--at", "q9"), "'q9' is not a period of this plan: its periods are q1, q2, q3, q4"),
        (("--at", "q2", "--periods", "bad.csv"), "bad.csv row 1, column period_id"),
        (("--at", "q2", "--periods", "missing.csv"), "missing.csv: cannot read the new periods"),
    ],
)
def test_a_roll_that_cannot_be_made_is_refused_with_its_reason(
    folder: Path, args: tuple[str, ...], message: str
) -> None:
    plans("approve", "1", "--reason", "ok")
    (folder / "bad.csv").write_text("period_id,name\nq3,again\n", encoding="utf-8")
    assert message in plans("roll", "1", *args, "--quiet", code=2)
    assert "small v2" not in plans("list")  # nothing was stored


def test_only_the_approved_plan_rolls(folder: Path) -> None:
    out = plans("roll", "1", "--at", "q2", code=2)
    assert "plan 1 (small v1) is proposed: only the approved plan is rolled forward" in out
    assert "there is no plan 7" in plans("roll", "7", "--at", "q2", code=2)


def test_a_rolled_draft_resolved_stays_close_to_the_approved_plan_carried_forward(
    folder: Path,
) -> None:
    """Opened in a session (or saved again with --solve), a rolled draft re-plans from the
    approved plan as the roll carried it: its changes leave out the missions that are over."""
    plans("approve", "1", "--reason", "ok")
    plans("roll", "1", "--at", "q3", "--quiet")
    with PlanStore(f"sqlite:///{folder / 'assembler.db'}") as store:
        session = PlanningSession(small_rolling_plan(), "small")
        open_plan(store, session, 2)
    assert session.approved is not None
    assert session.approved.scenario.period_ids == ("q3", "q4", "q5", "q6")
    solve_now(session)
    changes = session.against_approved()
    assert changes is not None and changes.unchanged  # early and next are over, not lost

    write_scenario(session.scenario, folder / "rolled")
    out = plans("save", "rolled", "--name", "small", "--solve", "--quiet", "--note", "again")
    assert "changes     against plan 1: 0 missions gained, 0 lost, 0 people moved" in out


def test_a_version_newer_than_the_approved_plans_is_named_as_left_out(folder: Path) -> None:
    plans("approve", "1", "--reason", "ok")
    write_scenario(small_rolling_plan().with_settings(ops_buffer=0.2), folder / "edited")
    plans("save", "edited", "--name", "small", "--who", "eve")
    result = runner.invoke(app, ["plans", "roll", "1", "--at", "q2", "--quiet"])
    assert result.exit_code == 0, result.output
    assert "scenario    small v3 saved by" in result.stdout
    assert (
        "warning: small v2, saved by eve after the approved plan's version, is not in small v3"
        in (result.stderr)
    )


def test_discarding_the_rolled_draft_undoes_the_roll(folder: Path) -> None:
    plans("approve", "1", "--reason", "ok")
    plans("roll", "1", "--at", "q2", "--quiet", "--time-limit", "10")
    out = plans("discard", "2", "--reason", "rolled too early", "--who", "ann")
    assert out.strip() == (
        "plan 2 (draft) discarded; the roll of plan 1 at q2 is undone: small is back at version 1"
    )
    listed = plans("list")
    assert "small v2" not in listed and "versions" not in listed  # no roll left to chain
    assert "there is no plan 2" in plans("discard", "2", code=2)
    refused = plans("discard", "1", code=2)
    assert "plan 1 (small v1) is approved: only a draft can be discarded" in refused
    # the version counter is back: the next roll is v2 again
    assert "scenario    small v2 saved by" in plans("roll", "1", "--at", "q2", "--quiet")
