"""``assembler generate --growth``: MODEL.md v3's parts on a generated organisation, from a
random stream of their own — the organisation itself is the one drawn without them."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from assembler import SolveSettings, check, cli, solve
from assembler.generate import generate_scenario
from assembler.validation import read_scenario


@pytest.mark.slow
def test_growth_adds_goals_learners_and_caps_to_the_same_organisation(tmp_path: Path) -> None:
    plain = generate_scenario(people=150, missions=20, seed=1, periods=4)
    grown = generate_scenario(people=150, missions=20, seed=1, periods=4, growth=True)
    assert grown.people == plain.people and grown.missions == plain.missions
    assert grown.locks == plain.locks and grown.ops_demand == plain.ops_demand
    assert grown.development and grown.settings.stretch_levels == 1
    assert any(unit.network_share_max is not None for unit in grown.units or ())
    result = solve(grown, SolveSettings(time_limit=10, workers=1))
    assert result.solution is not None and check(grown, result.solution) == []
    assert {m.mission_id for m in grown.missions if m.mandatory} <= result.solution.staffed


def test_the_cli_writes_a_grown_scenario_that_reads_back_without_errors(tmp_path: Path) -> None:
    out = tmp_path / "grown"
    result = CliRunner().invoke(
        cli.app, ["generate", str(out), "--people", "60", "--missions", "8", "--growth"]
    )
    assert result.exit_code == 0, result.output
    assert (out / "development.csv").exists()
    report = read_scenario(out)
    assert report.errors == () and report.scenario is not None
    assert report.scenario.settings.stretch_levels == 1
