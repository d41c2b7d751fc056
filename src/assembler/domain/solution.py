"""A solution as plain data: which missions run and when, who is on which team, and where
time goes in each period.

Time is kept in whole steps of ``step_fte`` (MODEL.md §3) so nothing is lost to rounding;
``fte`` helpers convert for reports.  Periods are positions in the scenario's horizon
(0 = the first period; without a ``periods`` table everything is in period 0).  No solver
object ever appears here.
"""

from __future__ import annotations

from typing import NamedTuple

from pydantic import BaseModel, ConfigDict, Field


class Assignment(NamedTuple):
    """``a_pmkt``: steps of a person's time on one need (mission, skill) in one period."""

    person_id: str
    mission_id: str
    skill_id: str
    steps: int
    period: int = 0


class OpsAssignment(NamedTuple):
    """``o_pkt``: steps of a person's time kept on an operational skill of their unit."""

    person_id: str
    skill_id: str
    steps: int
    period: int = 0


class Solution(BaseModel):
    """The decision of MODEL.md §5 without auxiliaries: ``y``, the starts ``b``, ``x``,
    ``a`` (> 0) and ``o`` (> 0).

    Members are explicit because with ``min_allocation_fte = 0`` a member may give no time.
    ``starts`` maps a staffed mission to the period it starts in; a staffed mission it does
    not name starts at the beginning of its window, as every mission does without periods.
    """

    model_config = ConfigDict(frozen=True)

    staffed: frozenset[str]
    members: frozenset[tuple[str, str]]
    assignments: tuple[Assignment, ...]
    ops: tuple[OpsAssignment, ...]
    starts: dict[str, int] = Field(default_factory=dict)
    learners: frozenset[tuple[str, str, str]] = Field(
        default_factory=frozenset, exclude_if=lambda roles: not roles
    )
    """(person, mission, skill) with ``g = 1``: the person learns that skill on that need
    (MODEL.md v3); empty while ``stretch_levels`` is 0, and then left out of a dump so a v2
    plan is stored as before."""
    mentors: frozenset[tuple[str, str, str]] = Field(
        default_factory=frozenset, exclude_if=lambda roles: not roles
    )
    """(person, mission, skill) with ``h = 1``: the person mentors on that need."""

    @classmethod
    def empty(cls) -> Solution:
        """Nothing staffed, nobody on operations: feasible only without demand or commitments."""
        return cls(staffed=frozenset(), members=frozenset(), assignments=(), ops=())

    def start_of(self, mission_id: str, earliest: int) -> int:
        """The period ``mission_id`` starts in; ``earliest`` (its window's start) unless named."""
        return self.starts.get(mission_id, earliest)
