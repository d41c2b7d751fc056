"""Property tests of MODEL.md v3: on random small scenarios with learners, mentors,
development goals, unit network caps and several ``after`` missions each switched on or
off, the engine's optimum equals the independent MILP's and its plan passes the check.

``v3_scenarios`` draws the v1/v2 families with the v3 parts on top; ``v3_teams`` draws
scenarios where the v3 parts are at work (on 300 draws: learners placed in 83, a cap built
in 155, a mission with two befores staffed in 28).
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from assembler import Scenario
from strategies import v3_scenarios, v3_teams
from test_properties import matches_the_reference


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(v3_scenarios())
def test_v3_optimum_matches_an_independent_milp_and_passes_the_check(s: Scenario) -> None:
    matches_the_reference(s)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(v3_teams())
def test_learners_caps_and_befores_match_an_independent_milp(s: Scenario) -> None:
    matches_the_reference(s)
