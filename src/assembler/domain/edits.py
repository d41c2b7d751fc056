"""A planner's edit as plain data: what was changed, readable as a log line.

Edits travel: the session keeps a log of them, the plan store saves it with a scenario
version, a reload replays it.  So the record itself lives with the other plain data, and
applying an edit to a scenario (which checks it against the rules) is
``assembler.planning.edits``'s job.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class EditKind(StrEnum):
    PIN = "pin"
    FORBID = "forbid"
    UNLOCK = "unlock"
    MANDATORY = "mandatory"
    OPTIONAL = "optional"
    DROP = "drop"
    VALUE = "value"
    WINDOW = "window"
    START = "start"
    ADD_GOAL = "add goal"
    REMOVE_GOAL = "remove goal"


GOAL_EDITS = frozenset({EditKind.ADD_GOAL, EditKind.REMOVE_GOAL})
"""Edits of a person's development goals (MODEL.md v3): about a skill, not a mission."""


@dataclass(frozen=True, slots=True)
class Edit:
    """One edit as data: ``person_id`` for pin/forbid/unlock, ``value`` for a new value,
    ``period_id`` for a fixed start or a window's first period (``until`` its last);
    ``reason`` why it was made, when it came from someone's decision rather than the
    planner's hand (a unit lead's declined release), so it is read wherever the edit is.

    A development goal's edits (``GOAL_EDITS``) name no mission (``mission_id`` is
    ``None``) but a ``person_id`` and a ``skill_id``, and when added its ``weight``; every
    other edit names its mission.  The goal fields and the reason came last, so logs
    stored before them read back as they were (``store.codec``)."""

    kind: EditKind
    mission_id: str | None = None
    person_id: str | None = None
    value: float | None = None
    period_id: str | None = None
    until: str | None = None
    skill_id: str | None = None
    weight: int | None = None
    reason: str | None = None

    def __str__(self) -> str:
        """The log line a planner reads, e.g. ``pin P119 to M08``, with its reason if it
        has one: ``forbid P7 on M3 (release declined: audit season)``."""
        return self._action() + (f" ({self.reason})" if self.reason else "")

    def _action(self) -> str:
        match self.kind:
            case EditKind.PIN:
                return f"pin {self.person_id} to {self.mission_id}"
            case EditKind.FORBID:
                return f"forbid {self.person_id} on {self.mission_id}"
            case EditKind.UNLOCK:
                return f"unlock {self.person_id} on {self.mission_id}"
            case EditKind.MANDATORY:
                return f"make {self.mission_id} mandatory"
            case EditKind.OPTIONAL:
                return f"make {self.mission_id} optional"
            case EditKind.DROP:
                return f"drop {self.mission_id}"
            case EditKind.VALUE:
                return f"set the value of {self.mission_id} to {self.value:g}"
            case EditKind.WINDOW:
                return f"run {self.mission_id} within {self.period_id} to {self.until}"
            case EditKind.START:
                return f"start {self.mission_id} in {self.period_id}"
            case EditKind.ADD_GOAL:
                return (
                    f"add a development goal for {self.person_id}: {self.skill_id} "
                    f"(weight {self.weight})"
                )
            case EditKind.REMOVE_GOAL:
                return f"remove the development goal of {self.person_id} in {self.skill_id}"
