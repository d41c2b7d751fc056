"""The validation cases of the planning horizon (MODEL.md v2), in the shape of ``CASES``.

Most start from ``with_periods``: ``tiny_tables()`` on four quarters, with mission windows,
an ``after`` chain, availability and an ops demand per period — valid and without warnings,
so each case breaks exactly one thing.  The rest break a scenario *without* periods by using
a horizon column there, which must be blamed on the missing ``periods`` table.
"""

from __future__ import annotations

from collections.abc import Callable

from validation_cases import WARNING, Case, Tables, repeat_first_row, set_cell

QUARTERS = ("q1", "q2", "q3", "q4")


def with_periods(tables: Tables) -> None:
    """Four quarters; m_renew runs after m_improve; p3 and p4 have less time in some quarters;
    hq's ops demand is off in q3 and higher in q4."""
    tables["periods"] = [
        {"period_id": q, "name": q.upper(), "start": f"2027-{3 * i + 1:02d}-01"}
        for i, q in enumerate(QUARTERS)
    ]
    timing = {
        "m_improve": {"earliest_start": "q1", "latest_end": "q2", "duration": "1"},
        "m_renew": {"earliest_start": "q2", "duration": "2", "after": "m_improve"},
        "m_innovation": {"earliest_start": "q2", "duration": "2"},
    }
    for mission in tables["missions"]:
        mission.update(timing.get(mission["mission_id"], {}))
    tables["availability"] = [
        {"person_id": "p4", "period_id": "q3", "fte": "0"},
        {"person_id": "p3", "period_id": "q1", "fte": "0.5"},
    ]
    tables["ops_demand"] += [
        {"unit_id": "hq", "skill_id": "ops", "fte": "0", "min_level": "3", "period_id": "q3"},
        {"unit_id": "hq", "skill_id": "ops", "fte": "0.7", "min_level": "3", "period_id": "q4"},
    ]


def horizon(*edits: Callable[[Tables], object]) -> Callable[[Tables], object]:
    """An edit: ``with_periods``, then ``edits`` in order."""

    def edit(tables: Tables) -> None:
        with_periods(tables)
        for step in edits:
            step(tables)

    return edit


def add_row(table: str, **cells: str) -> Callable[[Tables], object]:
    return lambda tables: tables.setdefault(table, []).append(cells)


_REFERENCES = {
    f"unknown-{table}.{column}": Case(
        f"{table}.csv",
        f"unknown {kind}: not a {kind}_id in {where}",
        row=row,
        column=column,
        edit=horizon(set_cell(table, row, column, bad)),
        also=(f"did you mean {suggestion!r}",),
        value=bad,
    )
    for table, row, column, bad, kind, where, suggestion in [
        ("availability", 1, "period_id", "Q3", "period", "periods.csv", "q3"),
        ("availability", 2, "person_id", "p33", "person", "people.csv", "p3"),
        ("missions", 1, "earliest_start", "q01", "period", "periods.csv", "q1"),
        ("missions", 2, "latest_end", "qq4", "period", "periods.csv", "q4"),
        ("ops_demand", 3, "period_id", "Q4", "period", "periods.csv", "q4"),
        ("missions", 2, "after", "m_improv", "mission", "missions.csv", "m_improve"),
    ]
}

_CHAINS_AND_WINDOWS = {
    "mission-after-itself": Case(
        "missions.csv",
        "a mission cannot run after itself",
        row=1,
        column="after",
        edit=horizon(set_cell("missions", 1, "after", "m_improve")),
        value="m_improve",
    ),
    "after-chains-with-a-cycle": Case(
        "missions.csv",
        "the after chains have a cycle: m_improve → m_renew → m_improve",
        row=1,
        column="after",
        edit=horizon(set_cell("missions", 1, "after", "m_renew")),
        value="m_renew",
    ),
    "window-starting-after-its-end": Case(
        "missions.csv",
        "earliest_start 'q3' (period 3) is after latest_end 'q2' (period 2)",
        row=1,
        column="earliest_start",
        edit=horizon(set_cell("missions", 1, "earliest_start", "q3")),
        value="q3",
    ),
    "duration-longer-than-the-window": Case(
        "missions.csv",
        "duration 3 is more than the window holds: 2 periods, from 'q1' to 'q2'",
        row=1,
        column="duration",
        edit=horizon(set_cell("missions", 1, "duration", "3")),
        value="3",
    ),
    "duration-longer-than-the-horizon": Case(
        "missions.csv",
        "duration 5 is more than the window holds: 4 periods, from 'q1' to 'q4'",
        row=3,
        column="duration",
        edit=horizon(set_cell("missions", 3, "duration", "5")),
    ),
}

_PERIODS = {
    "period-start-on-some-rows-only": Case(
        "periods.csv",
        "start is blank, but other periods have one (row 1)",
        row=2,
        column="start",
        edit=horizon(set_cell("periods", 2, "start", "")),
    ),
    "period-starts-not-increasing": Case(
        "periods.csv",
        "start 2027-04-01 is not after 2027-07-01, the start of the period on row 3",
        row=4,
        column="start",
        edit=horizon(set_cell("periods", 4, "start", "2027-04-01")),
        also=("strictly",),
        value="2027-04-01",
    ),
    "period-start-not-a-date": Case(
        "periods.csv",
        "must be a date written YYYY-MM-DD",
        row=1,
        column="start",
        edit=horizon(set_cell("periods", 1, "start", "2027-13-01")),
        value="2027-13-01",
    ),
    "duplicate-period_id": Case(
        "periods.csv",
        "duplicate period_id: already used on row 1",
        row=5,
        column="period_id",
        edit=horizon(add_row("periods", period_id="q1")),
    ),
    "periods-without-rows": Case(
        "periods.csv",
        "has no data rows: a scenario needs at least one period",
        files={"periods": "period_id,name,start\n"},
    ),
    "duplicate-availability-pair": Case(
        "availability.csv",
        "duplicate (person_id, period_id) = ('p4', 'q3'): already on row 1; "
        "at most one row per (person_id, period_id)",
        row=3,
        column="period_id",
        edit=horizon(repeat_first_row("availability")),
    ),
    "duplicate-ops-demand-in-one-period": Case(
        "ops_demand.csv",
        "duplicate (unit_id, skill_id, period_id) = ('hq', 'ops', 'q4'): already on row 3; "
        "at most one row per (unit_id, skill_id, period_id)",
        row=4,
        column="period_id",
        edit=horizon(add_row("ops_demand", unit_id="hq", skill_id="ops", fte="1", period_id="q4")),
        value="q4",
    ),
    "duplicate-blank-period-ops-demand-with-periods": Case(
        "ops_demand.csv",
        "duplicate (unit_id, skill_id) = ('hq', 'ops'): already on row 1",
        row=4,
        column="skill_id",
        edit=horizon(add_row("ops_demand", unit_id="hq", skill_id="ops", fte="1")),
    ),
} | {
    f"bad-cell-{table}.{column}={value}": Case(
        f"{table}.csv",
        phrase,
        row=row,
        column=column,
        edit=horizon(set_cell(table, row, column, value)),
        value=value,
    )
    for table, row, column, value, phrase in [
        ("availability", 1, "fte", "2.5", "must be from 0 to 2"),
        ("availability", 1, "fte", "-0.1", "must be from 0 to 2"),
        ("ops_demand", 2, "fte", "-0.1", "must be ≥ 0 on a row with a period_id"),
        ("ops_demand", 1, "fte", "0", "must be > 0"),
        ("missions", 1, "duration", "0", "must be from 1 to 1,000,000"),
    ]
}

_WITHOUT_PERIODS = {
    f"{table}.{column}-without-periods": Case(
        f"{table}.csv",
        f"{column} only has a meaning with planning periods, but there is no periods.csv "
        "file: most likely it is missing",
        row=1,
        column=column,
        edit=set_cell(table, 1, column, value),
        value=value,
    )
    for table, column, value in [
        ("missions", "earliest_start", "q1"),
        ("missions", "latest_end", "q2"),
        ("missions", "duration", "2"),
        ("missions", "after", "m_renew"),
        ("ops_demand", "period_id", "q1"),
    ]
} | {
    "availability-without-periods": Case(
        "availability.csv",
        "availability is given per period (1 row), but there is no periods.csv file: "
        "most likely it is missing",
        row=1,
        column="period_id",
        edit=add_row("availability", person_id="p1", period_id="q1", fte="0"),
        value="q1",
    ),
}

_WARNINGS = {
    "mission-after-one-that-ends-too-late": Case(
        "missions.csv",
        "mission 'm_renew' can never run: it runs after 'm_improve'; 'm_improve' ends in q2 "
        "at the earliest (starting in q2, 1 period), so 'm_renew' cannot start before q3, but "
        "to end by q3 in 2 periods it must start by q2",
        row=2,
        column="after",
        edit=horizon(
            set_cell("missions", 1, "earliest_start", "q2"),
            set_cell("missions", 2, "latest_end", "q3"),
        ),
        severity=WARNING,
        value="m_improve",
    ),
    "mission-after-one-that-ends-last": Case(
        "missions.csv",
        "'m_improve' ends in q4 at the earliest (starting in q3, 2 periods), which leaves no "
        "period for 'm_renew' to start in",
        row=2,
        column="after",
        edit=horizon(
            lambda tables: tables["missions"][0].update(
                earliest_start="q3", latest_end="q4", duration="2"
            )
        ),
        severity=WARNING,
    ),
    "ops-demand-beyond-the-units-time-in-a-period": Case(
        "ops_demand.csv",
        "in q4, the people of unit 'hq' who can cover ops have 0.2 FTE in all, less than the "
        "protected 0.8 FTE",
        row=3,
        column="skill_id",
        edit=horizon(
            add_row("availability", person_id="p1", period_id="q4", fte="0"),
            add_row("availability", person_id="p2", period_id="q4", fte="0.2"),
        ),
        severity=WARNING,
        value="ops",
    ),
    "ops-demand-nobody-can-cover-in-a-period": Case(
        "ops_demand.csv",
        "nobody in unit 'hq' has ops at level ≥ 5: this operational demand cannot be covered "
        "in q4 and the model will be infeasible",
        row=3,
        column="skill_id",
        edit=horizon(set_cell("ops_demand", 3, "min_level", "5")),
        severity=WARNING,
    ),
    "ops-demand-nobody-can-cover-in-any-period": Case(
        "ops_demand.csv",
        "cannot be covered in q1, q2 and the model will be infeasible",
        row=1,
        column="skill_id",
        edit=horizon(set_cell("ops_demand", 1, "min_level", "5")),
        severity=WARNING,
    ),
}

HORIZON_CASES: dict[str, Case] = (
    _REFERENCES | _CHAINS_AND_WINDOWS | _PERIODS | _WITHOUT_PERIODS | _WARNINGS
)
"""Every horizon input with exactly one problem to find, by a readable id."""
