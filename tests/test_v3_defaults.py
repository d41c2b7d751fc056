"""With the v3 defaults the model, the score and the files are exactly v2's (MODEL.md v3):
no new variable, constraint, column, file or summary key.

The sample (four quarters) as it was in v2 is built twice: as it is, and with v3 inputs
that change nothing — development goals while ``stretch_levels`` is 0, every unit's
``network_share_max`` at 1 — and the two CP-SAT models must be the same proto.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assembler import Scenario
from assembler.compile.instance import Instance
from assembler.domain.scenario import Development
from assembler.io import write_scenario
from assembler.solver.model import build_model
from assembler.validation import load_scenario
from builders import SAMPLE, tiny_scenario
from test_io_roundtrip import TARGETS


@pytest.fixture(scope="module")
def sample() -> Scenario:
    """The shipped sample without its v3 parts (goals, finance's cap, one level of stretch)."""
    shipped = load_scenario(SAMPLE)
    assert shipped.units is not None
    units = tuple(u.model_copy(update={"network_share_max": None}) for u in shipped.units)
    return shipped.replace(development=(), units=units).with_settings(stretch_levels=0)


def _proto(s: Scenario) -> str:
    model, _ = build_model(Instance(s))
    return str(model.proto)


def test_neutral_v3_inputs_build_the_v2_model(sample: Scenario) -> None:
    assert sample.units is not None
    goals = tuple(
        Development(person_id=row.person_id, skill_id=row.skill_id, weight=3)
        for row in sample.person_skills[:5]
    )
    neutral = sample.replace(
        development=goals,
        units=tuple(u.model_copy(update={"network_share_max": 1.0}) for u in sample.units),
    )
    plain = _proto(sample)
    assert _proto(neutral) == plain
    assert "g[" not in plain and "h[" not in plain
    instance = Instance(sample)
    assert instance.network_cap == {} and instance.capped_units == {}
    assert all(not need.learners and not need.mentors for need in instance.needs)


def test_v3_settings_at_their_defaults_are_not_written(sample: Scenario) -> None:
    dumped = sample.settings.model_dump()
    assert not {"stretch_levels", "mentor_min_level", "learners_per_mentor"} & set(dumped)
    assert "network_share_max" not in dumped and "development" not in dumped["weights"]
    changed = sample.with_settings(stretch_levels=1, **{"weights.development": 5})
    assert changed.settings.model_dump()["stretch_levels"] == 1
    assert changed.settings.model_dump()["weights"]["development"] == 5


@pytest.mark.parametrize("target", TARGETS)
def test_a_v2_scenario_is_written_without_v3_columns_or_tables(tmp_path: Path, target: str) -> None:
    write_scenario(tiny_scenario(), tmp_path / target)
    assert load_scenario(tmp_path / target) == tiny_scenario()
    if target == "scenario.json":
        document = json.loads((tmp_path / target).read_text(encoding="utf-8"))
        assert "development" not in document
        assert "network_share_max" not in document["units"][0]
    if target == "scenario":
        assert not (tmp_path / target / "development.csv").exists()
        assert "network_share_max" not in (tmp_path / target / "units.csv").read_text()
        assert "stretch" not in (tmp_path / target / "scenario.toml").read_text()


@pytest.mark.parametrize("target", TARGETS)
def test_development_goals_and_v3_settings_round_trip(tmp_path: Path, target: str) -> None:
    s = tiny_scenario().replace(
        development=(
            Development(person_id="p1", skill_id="py", weight=3),
            Development(person_id="p2", skill_id="design"),
        )
    )
    s = s.with_settings(
        stretch_levels=2,
        mentor_min_level=5,
        learners_per_mentor=3,
        network_share_max=0.1,
        **{"weights.development": 7},
    )
    write_scenario(s, tmp_path / target)
    assert load_scenario(tmp_path / target) == s
