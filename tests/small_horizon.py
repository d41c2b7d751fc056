"""A small plan over three quarters that solves in well under a second, for the planner
app's tests: names on every unit, skill and period, a winter peak in operations, a leave,
mission windows, an ``after`` chain, and a mission nobody can staff.

At the default 10 % buffer the optimum is known: every mission but ``m_lab`` is staffed,
``m_fast`` waits for spring (care has no time for it in the winter peak) and ``m_data``
runs after ``m_erp``.  Care's winter triage (2.4 FTE, 3 FTE of triage people) can be
protected up to a 25 % buffer, not beyond.
"""

from __future__ import annotations

from assembler.domain.scenario import Availability, Period, Scenario, Skill, Unit
from assembler.planning.session import PlanningSession
from builders import mission, person, scenario

WINTER_PEAK_LIMIT = 0.25
"""The highest buffer at which care's winter triage can be protected."""


def quarters(**settings: object) -> Scenario:
    """The three-quarter plan (``settings`` override model settings, as in ``scenario``)."""
    base = scenario(
        [
            person("c1", "care", {"triage": 4, "data": 2}, name="Ada Berg", network_opt_in=True),
            person("c2", "care", {"triage": 3}, name="Ben Cole"),
            person("c3", "care", {"triage": 3, "data": 3}, name="Cy Dahl", network_opt_in=True),
            person("o1", "office", {"admin": 4, "data": 4}, name="Dee Eng", network_opt_in=True),
            person("o2", "office", {"admin": 3}, name="Eli Falk"),
            person("o3", "office", {"admin": 2, "data": 3}, name="Fay Gray", network_opt_in=True),
        ],
        [
            mission(
                "m_fast",
                {"triage": (0.4, 3)},
                value=50,
                name="Fast-track triage",
                owner_unit="care",
                duration=1,
            ),
            mission(
                "m_erp",
                {"admin": (0.5, 3)},
                "renew",
                value=40,
                name="ERP roll-out",
                owner_unit="office",
                duration=1,
                latest_end="q2",
            ),
            mission(
                "m_data",
                {"data": (0.4, 3)},
                "transition",
                value=60,
                name="Shared-data culture",
                min_team=2,
                duration=1,
                after="m_erp",
            ),
            mission("m_lab", {"data": (0.3, 5)}, "innovation", value=30, name="Data lab"),
            mission("m_rota", {"admin": 0.2}, value=10, name="Rota clean-up", owner_unit="office"),
        ],
        units=[
            Unit(unit_id="org", name="Riverside Test"),
            Unit(unit_id="care", name="Care Unit", parent_id="org"),
            Unit(unit_id="office", name="Back Office", parent_id="org"),
        ],
        skills=[
            Skill(skill_id="triage", name="Triage"),
            Skill(skill_id="admin", name="Administration"),
            Skill(skill_id="data", name="Data skills"),
        ],
        ops=[("care", "triage", 2.0), ("office", "admin", 1.2)],
        **settings,
    )
    periods = (
        Period(period_id="q1", name="Q1 (winter)"),
        Period(period_id="q2", name="Q2 (spring)"),
        Period(period_id="q3", name="Q3 (summer)"),
    )
    winter = base.ops_demand[0].model_copy(update={"fte": 2.4, "period_id": "q1"})
    return base.replace(
        periods=periods,
        availability=(Availability(person_id="o3", period_id="q2", fte=0),),
        ops_demand=(*base.ops_demand, winter),
    )


def quarters_session() -> PlanningSession:
    """A planner's session on the three-quarter plan, nothing solved yet."""
    return PlanningSession(quarters(), "Quarters (test)")
