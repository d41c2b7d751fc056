"""The rules of MODEL.md §2 that are about whole tables and rows, written as data.

Which key must be unique in which table, which column names a row of which other table,
which tables must have rows and which rules tie two cells of one row: each is an entry
here, and ``validation.rows`` / ``validation.tables`` apply them generically.  A new table
or a new rule is then one line in this module, and the rules can be read in one place,
side by side with the spec.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

KEYS: Final[dict[str, tuple[str, ...]]] = {
    "people": ("person_id",),
    "missions": ("mission_id",),
    "units": ("unit_id",),
    "skills": ("skill_id",),
    "capabilities": ("capability_id",),
    "person_skills": ("person_id", "skill_id"),
    "mission_needs": ("mission_id", "skill_id"),
    "ops_demand": ("unit_id", "skill_id"),
}
"""What must be unique in each table (MODEL.md §2: ids, and "at most one row per …")."""

REFERENCES: Final[tuple[tuple[str, str, str], ...]] = (
    ("people", "unit_id", "unit"),
    ("person_skills", "person_id", "person"),
    ("person_skills", "skill_id", "skill"),
    ("missions", "owner_unit", "unit"),
    ("mission_needs", "mission_id", "mission"),
    ("mission_needs", "skill_id", "skill"),
    ("units", "parent_id", "unit"),
    ("ops_demand", "unit_id", "unit"),
    ("ops_demand", "skill_id", "skill"),
    ("mission_capabilities", "mission_id", "mission"),
    ("mission_capabilities", "capability_id", "capability"),
    ("preferences", "person_id", "person"),
    ("preferences", "mission_id", "mission"),
    ("locks", "person_id", "person"),
    ("locks", "mission_id", "mission"),
)
"""(table, column, kind of thing it names): every reference that must resolve."""

SUMMED: Final[dict[str, tuple[tuple[str, str], str]]] = {
    "preferences": (("person_id", "mission_id"), "a preference for {1!r} by {0!r}"),
    "mission_capabilities": (("mission_id", "capability_id"), "{0!r} using capability {1!r}"),
}
"""Tables whose rows may repeat a pair, which the model then adds up (MODEL.md sums over
rows): table → the pair, and how to name one such row ({0}, {1}: the pair's values)."""

NON_EMPTY: Final = {"people": "person", "missions": "mission"}
"""Required tables that must also have rows: a scenario without people or missions is moot."""


@dataclass(frozen=True, slots=True)
class Breach:
    """A row rule broken: the cell to point at, its value as shown, and why."""

    column: str
    value: str
    reason: str


RowRule = Callable[[Mapping[str, Any]], Breach | None]
"""A rule between cells of one row, given the row's typed values (a cell that failed to
parse is absent, so a rule only judges cells that are themselves valid)."""


def max_team_not_below_min_team(values: Mapping[str, Any]) -> Breach | None:
    """A team cannot have to be larger than it may be."""
    min_team, max_team = values.get("min_team"), values.get("max_team")
    if min_team is not None and max_team is not None and max_team < min_team:
        return Breach("max_team", str(max_team), f"max_team must be ≥ min_team ({min_team})")
    return None


def reserved_within_capacity(values: Mapping[str, Any]) -> Breach | None:
    """Operations cannot keep more of a capability than there is."""
    capacity, reserved = values.get("capacity"), values.get("ops_reserved")
    if capacity is not None and reserved is not None and reserved > capacity:
        return Breach(
            "ops_reserved", str(reserved), f"ops_reserved must be ≤ capacity ({capacity})"
        )
    return None


ROW_RULES: Final[dict[str, tuple[RowRule, ...]]] = {
    "missions": (max_team_not_below_min_team,),
    "capabilities": (reserved_within_capacity,),
}
"""Table → the rules each of its rows must keep, checked in this order."""
