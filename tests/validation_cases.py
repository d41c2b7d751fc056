"""The validation cases of one shape: an edit of ``tiny_tables()`` that must give one problem.

Each ``Case`` is one broken input with the one place and reason it must be reported at;
``CASES`` holds them by a readable id, and ``test_validation`` runs them all through one
parametrised test.  The table lives apart from that module so it can grow, one entry per
rule, without burying the tests of other shapes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import KW_ONLY, dataclass

from assembler.domain.problems import Severity
from builders import Rows, csv_text, tiny_tables

Tables = dict[str, Rows]
"""The tables of a scenario as a test edits them, by table name."""

WARNING = Severity.WARNING


@dataclass(frozen=True)
class Case:
    """A broken input and the one problem it must give: in ``table``, at ``row`` and
    ``column``, with ``phrase`` and every fragment of ``also`` in its reason.

    The input is ``tiny_tables()`` changed by ``edit``, with ``files`` replacing some tables
    by raw file contents and ``settings_toml`` as ``scenario.toml``.  ``value``, when given,
    is the value the problem must show.  A warning must leave the scenario usable.
    """

    table: str
    phrase: str
    _: KW_ONLY
    row: int | None = None
    column: str | None = None
    edit: Callable[[Tables], object] | None = None
    severity: Severity = Severity.ERROR
    also: tuple[str, ...] = ()
    value: str | None = None
    files: Mapping[str, str | bytes] | None = None
    settings_toml: str | None = None


def set_cell(table: str, row: int, column: str, value: str) -> Callable[[Tables], object]:
    """An edit: data row ``row`` (from 1) of ``table`` gets ``value`` in ``column``."""
    return lambda tables: tables[table][row - 1].update({column: value})


def repeat_first_row(table: str) -> Callable[[Tables], object]:
    return lambda tables: tables[table].append(dict(tables[table][0]))


def rename_column(table: str, old: str, new: str) -> Callable[[Tables], object]:
    def rename(tables: Tables) -> None:
        for row in tables[table]:
            row[new] = row.pop(old)

    return rename


def rename_table(old: str, new: str) -> Callable[[Tables], object]:
    return lambda tables: tables.update({new: tables.pop(old)})


def without_needs_of(mission: str) -> Callable[[Tables], object]:
    def drop(tables: Tables) -> None:
        tables["mission_needs"] = [
            need for need in tables["mission_needs"] if need["mission_id"] != mission
        ]

    return drop


def add_lock(person: str, mission: str, lock: str) -> Callable[[Tables], object]:
    return lambda tables: tables["locks"].append(
        {"person_id": person, "mission_id": mission, "lock": lock}
    )


def without_units_owner_elsewhere(tables: Tables) -> None:
    del tables["units"]
    tables["missions"][0]["owner_unit"] = "elsewhere"


def _header_only(table: str) -> str:
    return csv_text([], list(tiny_tables()[table][0]))


def _last_row(table: str) -> int:
    return len(tiny_tables()[table]) + 1


_FILE_CASES = {
    "missing-column-suggests-a-near-header": Case(
        "people.csv",
        "required column is missing",
        column="unit_id",
        edit=rename_column("people", "unit_id", "Unit_ID"),
        also=("did you mean 'Unit_ID'",),
    ),
    "semicolon-separated-file-gets-a-hint": Case(
        "people.csv",
        "missing",
        column="person_id",
        also=("';'-separated",),
        files={"people": "person_id;name;unit_id\np1;Ada;hq\n"},
    ),
    "empty-required-file": Case("people.csv", "is empty", files={"people": ""}),
    "required-file-of-blank-lines": Case("people.csv", "is empty", files={"people": "\n\n"}),
    "people-without-rows": Case(
        "people.csv", "at least one person", files={"people": _header_only("people")}
    ),
    "missions-without-rows": Case(
        "missions.csv", "at least one mission", files={"missions": _header_only("missions")}
    ),
    "file-not-utf8-names-offset-and-line": Case(
        "people.csv",
        "is not UTF-8",
        also=("offset 38", "line 3", "0xeb"),
        files={"people": "person_id,name,unit_id\np1,Ada,hq\np2,Zoë,hq\n".encode("latin-1")},
    ),
    "nul-bytes-and-nonsense-text": Case(
        "people.csv",
        "required column is missing",
        column="person_id",
        files={"people": '\x00\x01,\x02\n"unterminated\n' + "x" * 5000},
    ),
    "duplicate-header-column": Case(
        "people.csv",
        "column appears twice",
        column="name",
        files={"people": "person_id,name,unit_id,name\np1,Ada,hq,Again\n"},
    ),
    "row-with-more-cells-than-header": Case(
        "people.csv",
        "has 4 cells but the header names 3 columns",
        row=2,
        files={"people": "person_id,name,unit_id\np1,Ada,hq\np2,Ben,hq,surplus\n"},
    ),
    "blank-lines-keep-row-numbers": Case(
        "people.csv",
        "must be > 0 and ≤ 2",
        row=4,
        column="fte",
        files={"people": "person_id,name,unit_id,fte\np1,Ada,hq,1\n\n,,,\np2,Ben,hq,-1\n"},
    ),
    "unknown-csv-file-is-a-warning-with-suggestion": Case(
        "preferences .csv",
        "ignored",
        edit=rename_table("preferences", "preferences "),
        severity=WARNING,
        also=("did you mean 'preferences'",),
    ),
}

_DUPLICATE_CASES = {
    f"duplicate-{column}": Case(
        f"{table}.csv",
        f"duplicate {column}: already used on row 1",
        row=_last_row(table),
        column=column,
        edit=repeat_first_row(table),
    )
    for table, column in [
        ("people", "person_id"),
        ("missions", "mission_id"),
        ("units", "unit_id"),
        ("skills", "skill_id"),
        ("capabilities", "capability_id"),
    ]
} | {
    f"duplicate-{table}-pair": Case(
        f"{table}.csv",
        f"at most one row per {pair}",
        row=_last_row(table),
        column="skill_id",
        edit=repeat_first_row(table),
        also=("already on row 1",),
    )
    for table, pair in [
        ("person_skills", "(person_id, skill_id)"),
        ("mission_needs", "(mission_id, skill_id)"),
        ("ops_demand", "(unit_id, skill_id)"),
    ]
}

_REFERENCE_CASES = {
    f"unknown-{table}.{column}": Case(
        f"{table}.csv",
        "unknown",
        row=2 if table == "units" else 1,
        column=column,
        edit=set_cell(table, 2 if table == "units" else 1, column, bad),
        also=() if suggestion is None else (f"did you mean {suggestion!r}",),
        value=bad,
    )
    for table, column, bad, suggestion in [
        ("people", "unit_id", "hqq", "hq"),
        ("person_skills", "person_id", "p9", None),
        ("person_skills", "skill_id", "pyy", "py"),
        ("missions", "owner_unit", "labb", "lab"),
        ("mission_needs", "mission_id", "m_renow", "m_renew"),
        ("mission_needs", "skill_id", "desing", "design"),
        ("units", "parent_id", "hq2", "hq"),
        ("ops_demand", "unit_id", "nowhere", None),
        ("ops_demand", "skill_id", "opps", "ops"),
        ("mission_capabilities", "mission_id", "m_innovatoin", "m_innovation"),
        ("mission_capabilities", "capability_id", "lab_kitt", "lab_kit"),
        ("preferences", "person_id", "p33", "p3"),
        ("preferences", "mission_id", "m_inovation", "m_innovation"),
        ("locks", "person_id", "p11", "p1"),
        ("locks", "mission_id", "m_transitoin", "m_transition"),
    ]
} | {
    "owner-unit-without-units-table-must-be-a-unit-of-people": Case(
        "missions.csv",
        "unknown unit",
        row=1,
        column="owner_unit",
        edit=without_units_owner_elsewhere,
        also=("there is no units file",),
    ),
    "capability-reference-without-capabilities-table": Case(
        "mission_capabilities.csv",
        "unknown capability",
        row=1,
        column="capability_id",
        edit=lambda tables: tables.pop("capabilities"),
        also=("no capabilities.csv file",),
    ),
}

_CELL_CASES = {
    f"bad-cell-{table}.{column}={value.strip() or 'blank'}": Case(
        f"{table}.csv",
        phrase,
        row=1,
        column=column,
        edit=set_cell(table, 1, column, value),
        value=value,
    )
    for table, column, value, phrase in [
        ("person_skills", "level", "6", "must be from 1 to 5"),
        ("person_skills", "level", "0", "must be from 1 to 5"),
        ("mission_needs", "min_level", "9", "must be from 1 to 5"),
        ("people", "fte", "0", "must be > 0 and ≤ 2"),
        ("people", "fte", "-1", "must be > 0 and ≤ 2"),
        ("people", "fte", "2.5", "must be > 0 and ≤ 2"),
        ("mission_needs", "fte", "0", "must be > 0"),
        ("ops_demand", "fte", "-0.5", "must be > 0"),
        ("missions", "value", "-1", "must be from 0 to 1,000,000,000"),
        ("people", "fte", "lots", "is not a number"),
        ("people", "fte", "0,5", "use a dot as decimal separator"),
        ("people", "fte", "nan", "finite"),
        ("missions", "value", "1e400", "finite"),
        ("person_skills", "level", "2.5", "must be a whole number"),
        ("people", "max_missions", "-1", "must be from 0 to 1,000,000"),
        ("people", "network_opt_in", "maybe", "must be true/false/yes/no/1/0"),
        ("missions", "mandatory", "2", "must be true/false/yes/no/1/0"),
        ("capabilities", "capacity", "-1", "must be from 0 to 1,000,000"),
        ("mission_capabilities", "units", "0", "must be from 1 to 1,000,000"),
        ("preferences", "weight", "4", "must be from 1 to 3"),
        ("preferences", "weight", "0", "must be from 1 to 3"),
        ("people", "person_id", "  ", "is empty"),
        ("people", "unit_id", "", "is empty"),
        ("missions", "change_type", "", "is empty"),
    ]
} | {
    f"unknown-{column}-suggests-{suggestion}": Case(
        f"{table}.csv",
        f"unknown {column}: must be",
        row=1,
        column=column,
        edit=set_cell(table, 1, column, value),
        also=(f"did you mean {suggestion!r}",),
    )
    for table, column, value, suggestion in [
        ("missions", "change_type", "inovation", "innovation"),
        ("capabilities", "kind", "tol", "tool"),
        ("locks", "lock", "pinn", "pin"),
    ]
}

_ROW_AND_TABLE_CASES = {
    "max-team-below-min-team": Case(
        "missions.csv",
        "max_team must be ≥ min_team (3)",
        row=3,
        column="max_team",
        edit=lambda tables: tables["missions"][2].update(min_team="3", max_team="2"),
    ),
    "ops-reserved-above-capacity": Case(
        "capabilities.csv",
        "ops_reserved must be ≤ capacity (2)",
        row=1,
        column="ops_reserved",
        edit=set_cell("capabilities", 1, "ops_reserved", "3"),
    ),
    "mission-without-needs": Case(
        "missions.csv",
        "mission has no needs",
        row=2,
        column="mission_id",
        edit=without_needs_of("m_renew"),
    ),
    "pinned-and-forbidden": Case(
        "locks.csv",
        "both pinned to and forbidden",
        row=2,
        column="lock",
        edit=add_lock("p1", "m_transition", "forbid"),
    ),
} | {
    f"impossible-pin-{person}-{mission}": Case(
        "locks.csv",
        "impossible pin",
        row=2,
        column="person_id",
        edit=add_lock(person, mission, "pin"),
        also=(why,),
    )
    for person, mission, why in [
        ("p2", "m_transition", "has not opted in"),
        ("p1", "m_renew", "outside the branch of the owning unit 'lab'"),
        ("p3", "m_improve", "lacks every skill it needs at the level required (ops ≥ 2)"),
    ]
}

_WARNING_CASES = {
    "need-outside-owner-branch": Case(
        "mission_needs.csv",
        "nobody is eligible",
        row=2,
        column="skill_id",
        edit=lambda tables: tables["mission_needs"][1].update(skill_id="py", min_level="4"),
        severity=WARNING,
        also=("within the branch of unit 'lab'",),
    ),
    "ops-demand-nobody-can-cover": Case(
        "ops_demand.csv",
        "cannot be covered and the model will be infeasible",
        row=1,
        column="skill_id",
        edit=set_cell("ops_demand", 1, "min_level", "5"),
        severity=WARNING,
    ),
    "ops-demand-beyond-the-units-capacity": Case(
        "ops_demand.csv",
        "less than the protected",
        row=1,
        column="skill_id",
        edit=set_cell("ops_demand", 1, "fte", "1.7"),
        severity=WARNING,
        also=("1.8 FTE in all", "protected 1.9 FTE"),
    ),
    "duplicate-preference": Case(
        "preferences.csv",
        "both rows are added up",
        row=2,
        column="mission_id",
        edit=repeat_first_row("preferences"),
        severity=WARNING,
    ),
    "duplicate-mission-capability": Case(
        "mission_capabilities.csv",
        "both rows are added up",
        row=2,
        column="capability_id",
        edit=repeat_first_row("mission_capabilities"),
        severity=WARNING,
    ),
    "pinned-person-with-max-missions-zero": Case(
        "locks.csv",
        "may join at most 0",
        row=1,
        column="person_id",
        edit=set_cell("people", 1, "max_missions", "0"),
        severity=WARNING,
    ),
}

_SETTINGS_CASES = {
    f"bad-setting-{column}": Case(
        "scenario.toml", phrase, column=column, settings_toml=f"[settings]\n{line}\n"
    )
    for line, column, phrase in [
        ('ops_buffer = "lots"', "ops_buffer", "is not a number"),
        ("max_missions_default = 1.5", "max_missions_default", "must be a whole number"),
        ("network_opt_in_required = 3", "network_opt_in_required", "true/false"),
        ("step_fte = 0", "step_fte", "must be from 0.001 to 2"),
        ("weights = 3", "weights", "must be a table of weights"),
        ("network_min_units = [1]", "network_min_units", "single value"),
    ]
} | {
    "broken-toml": Case(
        "scenario.toml", "is not valid TOML", settings_toml="[settings\nops_buffer = \n"
    )
}

CASES: dict[str, Case] = (
    _FILE_CASES
    | _DUPLICATE_CASES
    | _REFERENCE_CASES
    | _CELL_CASES
    | _ROW_AND_TABLE_CASES
    | _WARNING_CASES
    | _SETTINGS_CASES
)
"""Every input with exactly one problem to find, by a readable id (the test's id)."""
