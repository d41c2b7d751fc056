"""The v3 example (``tests/data/v3_clinic``): a small clinic over three quarters where a
nurse grows into fast-track triage under an emergency physician, finance may give at most
10 % of its time to the network, and shared-data decisions wait for both the ERP roll-out
and a data-quality sprint.  Its optimum is the independent MILP's, and the plan tells the
story."""

from __future__ import annotations

from assembler.results.report import build_reports
from assembler.validation import read_scenario
from builders import CLINIC
from reference_milp import reference_optimum
from solving import solved


def test_the_v3_example_reads_cleanly_and_tells_its_story() -> None:
    report = read_scenario(CLINIC)
    assert report.problems == () and report.scenario is not None
    s = report.scenario
    result = solved(s)
    assert result.score == reference_optimum(s)
    plan = result.solution
    assert plan is not None
    assert ("ben", "M01", "triage") in plan.learners and ("ana", "M01", "triage") in plan.mentors
    assert plan.starts["M04"] > max(plan.starts["M02"], plan.starts["M03"])
    summary = build_reports(s, result).summary.to_json()
    assert all(share <= 0.1 for share in summary["network_share_by_unit"]["fin"])
    assert summary["development_goals_met"] >= 1
