"""Stage 2 of validation: rules across rows and tables, all reported, none stopping the rest.

Duplicate keys, references that do not resolve, cycles in the unit tree and the ``after``
chains, missions without needs, contradictory locks, rows that will be summed, and the
planning horizon: period columns used without periods, start dates, mission windows.  Each
check reads the typed rows of ``TypedTables`` and only trusts columns that exist
(``usable``), so a missing column is reported once, by stage 1, rather than again as a
consequence here.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from assembler.domain.problems import error, warning
from assembler.domain.scenario import AFTER_SEPARATOR, HORIZON_COLUMNS, LockKind
from assembler.io.raw import cell_text
from assembler.text import plural
from assembler.validation.rows import Row, TypedTables
from assembler.validation.rules import BLANK_KEY_PARTS, HORIZON_TABLES, KEYS, REFERENCES, SUMMED


@dataclass(frozen=True)
class _Target:
    """The ids a reference may name, and how to say where they come from."""

    ids: Collection[str]
    where: str


def check_keys(tables: TypedTables) -> None:
    """At most one row per key; a blank part of a key that may be blank is a value too."""
    for name, key in KEYS.items():
        if name not in tables.rows or not set(key) <= tables.usable[name]:
            continue
        may_be_blank = BLANK_KEY_PARTS.get(name)
        first: dict[tuple[Any, ...], int] = {}
        for row in tables.rows[name]:
            values = tuple(row.values.get(column) for column in key)
            if any(v is None for c, v in zip(key, values, strict=True) if c != may_be_blank):
                continue
            seen = first.setdefault(values, row.number)
            if seen == row.number:
                continue
            given = [(c, v) for c, v in zip(key, values, strict=True) if v is not None]
            columns = [column for column, _ in given]
            if len(given) == 1:
                reason = f"duplicate {columns[0]}: already used on row {seen}"
            else:
                shown = tuple(value for _, value in given)
                pair = ", ".join(columns)
                reason = (
                    f"duplicate ({pair}) = {shown!r}: already on row {seen}; "
                    f"at most one row per ({pair})"
                )
            tables.add(
                error(
                    tables.source(name),
                    reason,
                    row=row.number,
                    column=columns[-1],
                    value=given[-1][1],
                )
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
        "period": _id_target(
            tables, "periods", "period_id", f"not a period_id in {source('periods')}"
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
    if "units" not in tables.rows or not {"unit_id", "parent_id"} <= tables.usable["units"]:
        return
    parent, number = _links(tables.rows["units"], "unit_id", "parent_id")
    for ring in _cycles(parent, number):
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


def check_after_cells(tables: TypedTables) -> None:
    """Each item of an ``after`` cell (MODEL.md v3: ``M08;M11``) names another mission, once:
    an empty item is most likely a stray separator, a repeated id a typing slip, and a
    mission cannot wait for itself to finish."""
    if "missions" not in tables.rows or "after" not in tables.usable["missions"]:
        return
    known = _targets(tables)["mission"]
    source = tables.source("missions")
    for row in tables.rows["missions"]:
        cell, own = row.values.get("after"), row.values.get("mission_id")
        if cell is None:
            continue
        seen: set[str] = set()
        reported: set[str] = set()  # ";;;" is one mistake, not three
        for item in (part.strip() for part in str(cell).split(AFTER_SEPARATOR)):
            if not item:
                reason = (
                    f"an empty item: list the missions this one waits for separated by "
                    f"'{AFTER_SEPARATOR}' (e.g. M08{AFTER_SEPARATOR}M11), without a "
                    "separator at either end or two in a row"
                )
            elif item in seen:
                reason = f"{item!r} is listed twice: name each mission once"
            elif item == own:
                reason = "a mission cannot run after itself"
            elif known is not None and item not in known.ids:
                reason = f"unknown mission: {known.where}{tables.suggest(item, known.ids)}"
            else:
                seen.add(item)
                continue
            if reason not in reported:
                reported.add(reason)
                tables.add(error(source, reason, row=row.number, column="after", value=str(cell)))


def check_after_chains(tables: TypedTables) -> None:
    """A mission waits for its ``after`` missions to finish: a cycle would wait forever.
    A mission naming itself is ``check_after_cells``'s to report."""
    if "missions" not in tables.rows or not {"mission_id", "after"} <= tables.usable["missions"]:
        return
    waits_for: dict[str, tuple[str, ...]] = {}
    number: dict[str, int] = {}
    cell: dict[str, str] = {}
    for row in tables.rows["missions"]:
        here, there = row.values.get("mission_id"), row.values.get("after")
        if here is None or here in number:
            continue
        number[here] = row.number
        if there is not None:
            cell[here] = str(there)
            items = (part.strip() for part in str(there).split(AFTER_SEPARATOR))
            waits_for[here] = tuple(dict.fromkeys(i for i in items if i and i != here))
    for ring in _graph_cycles(waits_for, number):
        shown = " → ".join([*ring, ring[0]])
        tables.add(
            error(
                tables.source("missions"),
                f"the after chains have a cycle: {shown}; each of these missions would have "
                "to wait for itself to finish",
                row=number[ring[0]],
                column="after",
                value=cell[ring[0]],
            )
        )


def _graph_cycles(links: Mapping[str, Sequence[str]], number: Mapping[str, int]) -> list[list[str]]:
    """Cycles of a graph where an id may link to several others: a depth-first walk from
    every id in row order reports the ring each back edge closes, starting at its id on the
    first row.  Every cycle shows up in at least one ring, so an input without a reported
    ring has none; ids already walked are not walked again, which keeps this linear."""
    done: set[str] = set()
    found: list[list[str]] = []
    for start in number:
        if start in done:
            continue
        path: list[str] = [start]
        on_path = {start}
        pending: list[list[str]] = [[n for n in links.get(start, ()) if n in number]]
        while path:
            if not pending[-1]:
                finished = path.pop()
                on_path.discard(finished)
                done.add(finished)
                pending.pop()
                continue
            node = pending[-1].pop(0)
            if node in on_path:
                ring = path[path.index(node) :]
                first = min(range(len(ring)), key=lambda i: number[ring[i]])
                found.append(ring[first:] + ring[:first])
            elif node not in done:
                path.append(node)
                on_path.add(node)
                pending.append([n for n in links.get(node, ()) if n in number])
    return found


def _links(rows: Sequence[Row], node: str, link: str) -> tuple[dict[str, str], dict[str, int]]:
    """Each id's link (its parent unit, the mission it runs after) and the row it is on;
    a repeated id keeps its first row, whose repetition ``check_keys`` reports."""
    target: dict[str, str] = {}
    number: dict[str, int] = {}
    for row in rows:
        here, there = row.values.get(node), row.values.get(link)
        if here is not None and here not in number:
            number[here] = row.number
            if there is not None:
                target[here] = there
    return target, number


def _cycles(link: Mapping[str, str], number: Mapping[str, int]) -> list[list[str]]:
    """Every cycle of ``link``, once each, starting at its id on the first row.

    Links are followed once from every id; a walk that meets itself is a cycle, and ids
    already walked are not walked again, which keeps this linear.
    """
    done: set[str] = set()
    found: list[list[str]] = []
    for start in number:
        path: dict[str, None] = {}
        node: str | None = start
        while node is not None and node not in done and node not in path:
            path[node] = None
            node = link.get(node)
        done.update(path)
        if node is None or node not in path:
            continue
        ring = list(path)[list(path).index(node) :]
        first = min(range(len(ring)), key=lambda i: number[ring[i]])
        found.append(ring[first:] + ring[:first])
    return found


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


def check_horizon_needs_periods(tables: TypedTables) -> None:
    """Without a ``periods`` table the v2 columns and ``availability`` must be blank: a value
    there means the planner planned with periods, and most likely the periods table is lost."""
    if "periods" in tables.rows or "periods" in tables.raw.unreadable:
        return
    periods = f"{tables.source('periods')} {tables.layout.kind}"
    for table, columns in HORIZON_COLUMNS.items():
        for row in tables.rows.get(table, ()):
            for column in columns:
                value = row.values.get(column)
                if value is not None:
                    tables.add(
                        error(
                            tables.source(table),
                            f"{column} only has a meaning with planning periods, but there is no "
                            f"{periods}: most likely it is missing",
                            row=row.number,
                            column=column,
                            value=cell_text(value),
                        )
                    )
    for table in HORIZON_TABLES:
        rows = tables.rows.get(table, ())
        if rows:
            tables.add(
                error(
                    tables.source(table),
                    f"{table} is given per period ({plural(len(rows), 'row')}), but there is "
                    f"no {periods}: most likely it is missing",
                    row=rows[0].number,
                    column="period_id",
                    value=rows[0].values.get("period_id"),
                )
            )


def check_period_starts(tables: TypedTables) -> None:
    """Start dates date the whole plan or none of it, and must follow the rows' time order."""
    if "periods" not in tables.rows or "start" not in tables.usable["periods"]:
        return
    rows = tables.rows["periods"]
    dated = [row for row in rows if row.values.get("start") is not None]
    source = tables.source("periods")
    if dated:
        for row in rows:
            if "start" in row.values and row.values["start"] is None:
                tables.add(
                    error(
                        source,
                        f"start is blank, but other periods have one (row {dated[0].number}): "
                        "give every period a start date, or none",
                        row=row.number,
                        column="start",
                    )
                )
    for before, row in itertools.pairwise(dated):
        start, previous = row.values["start"], before.values["start"]
        if start <= previous:
            tables.add(
                error(
                    source,
                    f"start {start.isoformat()} is not after {previous.isoformat()}, the start "
                    f"of the period on row {before.number}: periods are listed in time order, "
                    "so their starts must increase strictly",
                    row=row.number,
                    column="start",
                    value=start.isoformat(),
                )
            )


def check_windows(tables: TypedTables) -> None:
    """A mission's window must hold its duration (MODEL.md §2), counted in periods."""
    if "periods" not in tables.rows or "missions" not in tables.rows:
        return
    periods = [row.values.get("period_id") for row in tables.rows["periods"]]
    if not periods:
        return  # reported by stage 1: a periods table needs rows
    position: dict[str, int] = {}
    for number, period in enumerate(periods, start=1):
        if period is not None:
            position.setdefault(period, number)
    source = tables.source("missions")
    for row in tables.rows["missions"]:
        get = row.values.get
        first, last = get("earliest_start"), get("latest_end")
        if (first is not None and first not in position) or (
            last is not None and last not in position
        ):
            continue  # an unknown period, reported by check_references
        start = 1 if first is None else position[first]
        end = len(periods) if last is None else position[last]
        first, last = periods[start - 1] or f"period {start}", periods[end - 1] or f"period {end}"
        duration = get("duration")
        if start > end:
            tables.add(
                error(
                    source,
                    f"earliest_start {first!r} (period {start}) is after latest_end {last!r} "
                    f"(period {end}): the window holds no period",
                    row=row.number,
                    column="earliest_start",
                    value=first,
                )
            )
        elif duration is not None and duration > end - start + 1:
            tables.add(
                error(
                    source,
                    f"duration {duration} is more than the window holds: "
                    f"{plural(end - start + 1, 'period')}, from {first!r} to {last!r}",
                    row=row.number,
                    column="duration",
                    value=str(duration),
                )
            )


TABLE_CHECKS: Final[tuple[Callable[[TypedTables], None], ...]] = (
    check_keys,
    check_references,
    check_unit_tree,
    check_after_cells,
    check_after_chains,
    check_missions_have_needs,
    check_locks,
    check_summed_duplicates,
    check_horizon_needs_periods,
    check_period_starts,
    check_windows,
)
"""Every check of this stage, in the order their problems are listed."""
