"""A solution as plain data: which missions run, who is on which team, and where time goes.

Time is kept in whole steps of ``step_fte`` (MODEL.md §3) so nothing is lost to rounding;
``fte`` helpers convert for reports.  No solver object ever appears here.
"""

from __future__ import annotations

from typing import NamedTuple

from pydantic import BaseModel, ConfigDict


class Assignment(NamedTuple):
    """``a_pmk``: steps of a person's time on one need (mission, skill)."""

    person_id: str
    mission_id: str
    skill_id: str
    steps: int


class OpsAssignment(NamedTuple):
    """``o_pk``: steps of a person's time kept on an operational skill of their unit."""

    person_id: str
    skill_id: str
    steps: int


class Solution(BaseModel):
    """The decision of MODEL.md §5 without auxiliaries: ``y``, ``x``, ``a`` (> 0) and ``o`` (> 0).

    Members are explicit because with ``min_allocation_fte = 0`` a member may give no time.
    """

    model_config = ConfigDict(frozen=True)

    staffed: frozenset[str]
    members: frozenset[tuple[str, str]]
    assignments: tuple[Assignment, ...]
    ops: tuple[OpsAssignment, ...]

    @classmethod
    def empty(cls) -> Solution:
        """Nothing staffed, nobody on operations: feasible only without demand or commitments."""
        return cls(staffed=frozenset(), members=frozenset(), assignments=(), ops=())
