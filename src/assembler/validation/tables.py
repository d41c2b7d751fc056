"""Stage 2 of validation: rules across rows and tables, all reported, none stopping the rest.

Duplicate keys, references that do not resolve, cycles in the unit tree, missions without
needs, contradictory locks and rows that will be summed.  Each check reads the typed rows
of ``TypedTables`` and only trusts columns that exist (``usable``), so a missing column is
reported once, by stage 1, rather than again as a consequence here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any, Final

from assembler.domain.problems import error, warning
from assembler.domain.scenario import LockKind
from assembler.validation.rows import TypedTables
from assembler.validation.rules import KEYS, REFERENCES, SUMMED


@dataclass(frozen=True)
class _Target:
    """The ids a reference may name, and how to say where they come from."""

    ids: Collection[str]
    where: str


def check_keys(tables: TypedTables) -> None:
    for name, key in KEYS.items():
        if name not in tables.rows or not set(key) <= tables.usable[name]:
            continue
        first: dict[tuple[Any, ...], int] = {}
        for row in tables.rows[name]:
            get = row.values.get
            values = (get(key[0]),) if len(key) == 1 else (get(key[0]), get(key[1]))
            if None in values:
                continue
            seen = first.setdefault(values, row.number)
            if seen == row.number:
                continue
            if len(key) == 1:
                reason = f"duplicate {key[0]}: already used on row {seen}"
            else:
                pair = ", ".join(key)
                reason = (
                    f"duplicate ({pair}) = {values!r}: already on row {seen}; "
                    f"at most one row per ({pair})"
                )
            tables.add(
                error(tables.source(name), reason, row=row.number, column=key[-1], value=values[-1])
            )


def _targets(tables: TypedTables) -> dict[str, _Target | None]:
    """What each kind of reference may name; ``None`` when that is unknowable."""
    layout = tables.layout
    source = tables.source
    units: _Target | None
    if "units" in tables.rows:
        units = _id_target(tables, "units", "unit_id", f"not a unit_id in {source('units')}")
    else:
        units = _id_target(
            tables,
            "people",
            "unit_id",
            f"not the unit of anyone in {source('people')} (there is no units {layout.kind})",
        )
    skills = None
    if "skills" in tables.rows:
        skills = _id_target(tables, "skills", "skill_id", f"not listed in {source('skills')}")
    capabilities: _Target | None = _Target(
        frozenset(), f"there is no {layout.source('capabilities')} {layout.kind}"
    )
    if "capabilities" in tables.rows:
        capabilities = _id_target(
            tables,
            "capabilities",
            "capability_id",
            f"not a capability_id in {source('capabilities')}",
        )
    return {
        "unit": units,
        "skill": skills,
        "capability": capabilities,
        "person": _id_target(
            tables, "people", "person_id", f"not a person_id in {source('people')}"
        ),
        "mission": _id_target(
            tables, "missions", "mission_id", f"not a mission_id in {source('missions')}"
        ),
    }


def _id_target(tables: TypedTables, table: str, column: str, where: str) -> _Target | None:
    if table not in tables.rows or column not in tables.usable[table]:
        return None
    return _Target(
        {row.values[column] for row in tables.rows[table] if column in row.values}, where
    )


def check_references(tables: TypedTables) -> None:
    targets = _targets(tables)
    for table, column, kind in REFERENCES:
        target = targets[kind]
        if target is None or table not in tables.rows or column not in tables.usable[table]:
            continue
        for row in tables.rows[table]:
            value = row.values.get(column)
            if value is None or value in target.ids:
                continue
            reason = f"unknown {kind}: {target.where}{tables.suggest(value, target.ids)}"
            tables.add(
                error(tables.source(table), reason, row=row.number, column=column, value=value)
            )


def check_unit_tree(tables: TypedTables) -> None:
    """Follow parent links once from every unit; a walk that meets itself is a cycle."""
    if "units" not in tables.rows or not {"unit_id", "parent_id"} <= tables.usable["units"]:
        return
    parent: dict[str, str] = {}
    number: dict[str, int] = {}
    for row in tables.rows["units"]:
        child, up = row.values.get("unit_id"), row.values.get("parent_id")
        if child is not None and child not in number:
            number[child] = row.number
            if up is not None:
                parent[child] = up
    done: set[str] = set()
    for start in number:
        path: dict[str, None] = {}
        unit: str | None = start
        while unit is not None and unit not in done and unit not in path:
            path[unit] = None
            unit = parent.get(unit)
        done.update(path)
        if unit is None or unit not in path:
            continue
        ring = list(path)[list(path).index(unit) :]
        first = min(range(len(ring)), key=lambda i: number[ring[i]])
        ring = ring[first:] + ring[:first]
        shown = " → ".join([*ring, ring[0]])
        tables.add(
            error(
                tables.source("units"),
                f"the unit tree has a cycle: {shown}",
                row=number[ring[0]],
                column="parent_id",
                value=parent[ring[0]],
            )
        )


def check_missions_have_needs(tables: TypedTables) -> None:
    if "missions" not in tables.rows or "mission_needs" not in tables.rows:
        return
    if "mission_id" not in tables.usable["mission_needs"]:
        return
    needed = {row.values.get("mission_id") for row in tables.rows["mission_needs"]}
    for row in tables.rows["missions"]:
        mission = row.values.get("mission_id")
        if mission is not None and mission not in needed:
            tables.add(
                error(
                    tables.source("missions"),
                    "mission has no needs: give it at least one row in "
                    + tables.source("mission_needs"),
                    row=row.number,
                    column="mission_id",
                    value=mission,
                )
            )


def check_locks(tables: TypedTables) -> None:
    if "locks" not in tables.rows:
        return
    kinds: dict[tuple[str, str], dict[LockKind, int]] = defaultdict(dict)
    for row in tables.rows["locks"]:
        person, mission, lock = (row.values.get(key) for key in ("person_id", "mission_id", "lock"))
        if person is None or mission is None or lock is None:
            continue
        seen = kinds[person, mission]
        seen.setdefault(lock, row.number)
        other = LockKind.FORBID if lock is LockKind.PIN else LockKind.PIN
        if other in seen and seen[lock] == row.number:
            tables.add(
                error(
                    tables.source("locks"),
                    f"person {person!r} is both pinned to and forbidden from mission "
                    f"{mission!r} (see row {seen[other]})",
                    row=row.number,
                    column="lock",
                    value=lock.value,
                )
            )


def check_summed_duplicates(tables: TypedTables) -> None:
    """Repeated preference or capability rows are legal but easy to enter by mistake:
    the model adds them up (MODEL.md sums over rows), so say so."""
    for table, ((first_key, second), what) in SUMMED.items():
        first: dict[tuple[str, str], int] = {}
        for row in tables.rows.get(table, ()):
            key = (row.values.get(first_key), row.values.get(second))
            if key[0] is None or key[1] is None:
                continue
            seen = first.setdefault((key[0], key[1]), row.number)
            if seen != row.number:
                tables.add(
                    warning(
                        tables.source(table),
                        f"{what.format(*key)} is already stated on row {seen}; "
                        "both rows are added up",
                        row=row.number,
                        column=second,
                        value=key[1],
                    )
                )


TABLE_CHECKS: Final[tuple[Callable[[TypedTables], None], ...]] = (
    check_keys,
    check_references,
    check_unit_tree,
    check_missions_have_needs,
    check_locks,
    check_summed_duplicates,
)
"""Every check of this stage, in the order their problems are listed."""
