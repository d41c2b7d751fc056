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

from assembler.domain.scenario import MAX_FTE

KEYS: Final[dict[str, tuple[str, ...]]] = {
    "people": ("person_id",),
    "missions": ("mission_id",),
    "units": ("unit_id",),
    "skills": ("skill_id",),
    "capabilities": ("capability_id",),
    "person_skills": ("person_id", "skill_id"),
    "mission_needs": ("mission_id", "skill_id"),
    "ops_demand": ("unit_id", "skill_id", "period_id"),
    "periods": ("period_id",),
    "availability": ("person_id", "period_id"),
    "development": ("person_id", "skill_id"),
}
"""What must be unique in each table (MODEL.md §2: ids, and "at most one row per …")."""

BLANK_KEY_PARTS: Final[dict[str, str]] = {"ops_demand": "period_id"}
"""Key columns where a blank cell counts as one value of its own (the blank-period row of an
ops demand holds in every period, so two of them clash as in v1, but not with a period row)."""

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
    ("missions", "earliest_start", "period"),
    ("missions", "latest_end", "period"),
    ("ops_demand", "period_id", "period"),
    ("availability", "person_id", "person"),
    ("availability", "period_id", "period"),
    ("development", "person_id", "person"),
    ("development", "skill_id", "skill"),
)
"""(table, column, kind of thing it names): every reference that must resolve.  A mission's
``after`` cell may name several missions (MODEL.md v3) and is checked item by item by
``tables.check_after_cells`` instead."""

SUMMED: Final[dict[str, tuple[tuple[str, str], str]]] = {
    "preferences": (("person_id", "mission_id"), "a preference for {1!r} by {0!r}"),
    "mission_capabilities": (("mission_id", "capability_id"), "{0!r} using capability {1!r}"),
}
"""Tables whose rows may repeat a pair, which the model then adds up (MODEL.md sums over
rows): table → the pair, and how to name one such row ({0}, {1}: the pair's values)."""

NON_EMPTY: Final = {"people": "person", "missions": "mission", "periods": "period"}
"""Tables that must have rows when present: a scenario without people or missions is moot,
and a ``periods`` table without rows would leave no time to plan in."""

HORIZON_TABLES: Final = ("availability",)
"""Tables that only mean something with a ``periods`` table (MODEL.md v2), like the columns of
``domain.scenario.HORIZON_COLUMNS``: rows there without one are an error."""


@dataclass(frozen=True, slots=True)
class Breach:
    """A row rule broken: the cell to point at, its value as shown, and why.

    ``value`` ``None`` shows the cell as the planner typed it (the rule only sees it typed).
    """

    column: str
    value: str | None
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


def ops_fte_by_period(values: Mapping[str, Any]) -> Breach | None:
    """A blank-period row is the demand itself and must ask for time; a period row replaces
    it in one period, where 0 says "no requirement then" (MODEL.md §2 ``ops_demand``)."""
    fte = values.get("fte")
    if fte is None:
        return None
    if fte > MAX_FTE:
        return Breach("fte", None, f"must be from 0 to {MAX_FTE:,.0f}")
    if values.get("period_id") is None:
        return None if fte > 0 else Breach("fte", None, "must be > 0")
    if fte < 0:
        return Breach("fte", None, "must be ≥ 0 on a row with a period_id (0: no requirement)")
    return None


ROW_RULES: Final[dict[str, tuple[RowRule, ...]]] = {
    "missions": (max_team_not_below_min_team,),
    "capabilities": (reserved_within_capacity,),
    "ops_demand": (ops_fte_by_period,),
}
"""Table → the rules each of its rows must keep, checked in this order."""

RANGE_IN_ROW_RULES: Final[dict[str, frozenset[str]]] = {"ops_demand": frozenset({"fte"})}
"""Table → columns whose range depends on another cell of the row: their cells are only
parsed as numbers, and a row rule (``ops_fte_by_period``) says which bound applies."""
