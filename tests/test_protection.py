"""The highest ops buffer at which operations can still be protected: what a planner who
raised the buffer past what the organisation can bear is told to go back to."""

from __future__ import annotations

from assembler.compile.instance import Instance
from assembler.compile.protection import highest_protectable_buffer, ops_shortfalls
from assembler.domain.scenario import Scenario
from assembler.validation import load_scenario
from builders import SAMPLE, person, scenario
from small_horizon import WINTER_PEAK_LIMIT, quarters


def highest(s: Scenario, resolution: float = 0.01) -> float | None:
    """The answer a planner gets after a solve at ``s``'s buffer: at most that buffer."""
    return highest_protectable_buffer(
        Instance(s), ceiling=s.settings.ops_buffer, resolution=resolution
    )


def protectable(s: Scenario, buffer: float) -> bool:
    return not ops_shortfalls(Instance(s.with_settings(ops_buffer=buffer)))


def one_desk(demand: float, buffer: float) -> Scenario:
    """One person of 1 FTE and one demand: protectable while demand · (1 + buffer) ≤ 1."""
    return scenario([person("a", "u", {"k": 3})], [], ops=[("u", "k", demand)], ops_buffer=buffer)


def test_the_highest_buffer_is_where_the_requirement_meets_the_time() -> None:
    assert highest(one_desk(0.8, 0.5)) == 0.25  # 0.8 · 1.25 = 1 FTE
    assert highest(one_desk(0.8, 0.26)) == 0.25
    assert highest(one_desk(0.7, 1.0)) == 0.42  # 0.7 · 1.43 > 1
    assert highest(one_desk(0.7, 1.0), resolution=0.05) == 0.4


def test_a_buffer_that_fits_is_its_own_answer_and_one_that_never_fits_has_none() -> None:
    assert highest(one_desk(0.8, 0.1)) == 0.1
    assert highest(one_desk(0.8, 0.0)) == 0.0
    assert highest(one_desk(1.2, 0.3)) is None  # short even at 0 %
    assert highest(one_desk(1.2, 0.0)) is None


def test_on_a_horizon_the_tightest_period_decides() -> None:
    s = quarters(ops_buffer=0.6)
    assert highest(s) == WINTER_PEAK_LIMIT
    assert protectable(s, WINTER_PEAK_LIMIT) and not protectable(s, WINTER_PEAK_LIMIT + 0.01)


def test_on_the_sample_the_answer_is_the_edge() -> None:
    sample = load_scenario(SAMPLE, {"ops_buffer": 0.3})
    edge = highest(sample)
    assert edge is not None and 0.1 <= edge < 0.3
    assert protectable(sample, edge) and not protectable(sample, edge + 0.01)
