"""The shared wording helpers: what a planner reads for a gap, a count, a near-miss id."""

from __future__ import annotations

import pytest

from assembler.text import did_you_mean, format_gap, plural


@pytest.mark.parametrize(
    ("gap", "shown"),
    [(0.0, "0.00%"), (0.0228, "2.28%"), (1e-4, "0.01%"), (9.8e-7, "< 0.01%"), (1.0, "100.00%")],
)
def test_a_gap_reads_as_a_percentage_and_a_tiny_one_is_never_zero(gap: float, shown: str) -> None:
    assert format_gap(gap) == shown


def test_counts_agree_with_their_nouns() -> None:
    assert plural(1, "unit") == "1 unit"
    assert plural(3, "person", "people") == "3 people"


def test_a_near_miss_id_gets_a_hint_and_a_far_one_none() -> None:
    assert did_you_mean("Unit_ID", ["unit_id", "skill"]) == " (did you mean 'unit_id'?)"
    assert did_you_mean("zzz", ["unit_id"]) == ""
