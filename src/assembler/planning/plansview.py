"""What the Plans page shows, as tables ready to draw: the stored plans, and 2–4 of them
side by side in a planner's words.

``store.sidebyside`` builds the comparison as data (ids, numbers, ``None`` for a plan
without a solution), as the command line and the export need it; here it becomes what a
person reads: units, skills, missions and periods by name, numbers rounded, a missing
figure as a dash, percentages as percentages, headers in words.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from assembler.results.names import Names
from assembler.results.plan import Plan
from assembler.store import PlanRecord
from assembler.store.sidebyside import SideBySide, column

DASH = "–"
PERCENT_FIGURES = frozenset({"value share"})


def plan_choice(record: PlanRecord) -> str:
    """A plan as a choice in a list: ``plan 4 · sample v2 · approved · value 310``."""
    value = DASH if record.value_captured is None else f"{record.value_captured:,.0f}"
    text = f"plan {record.id} · {record.scenario} v{record.version} · {record.status}"
    text += f" · value {value}"
    return f"{text} · {record.note}" if record.note else text


def plans_table(records: Sequence[PlanRecord]) -> pd.DataFrame:
    """The stored plans, newest first, one row each, with who approved them."""
    rows = []
    for record in records:
        approval = record.approval
        total = record.summary.get("missions_total")
        staffed = record.missions_staffed
        rows.append(
            {
                "plan": record.id,
                "scenario": f"{record.scenario} v{record.version}",
                "status": str(record.status),
                "solve": str(record.solve_status),
                "value": DASH if record.value_captured is None else f"{record.value_captured:,.0f}",
                "missions": DASH if staffed is None else f"{staffed} of {total}",
                "score": DASH if record.score is None else f"{record.score:,}",
                "saved by": record.saved_by,
                "saved at": f"{_local(record)}",
                "approved by": "" if approval is None else approval.who,
                "note": record.note,
            }
        )
    return pd.DataFrame(rows, columns=list(_PLAN_COLUMNS))


_PLAN_COLUMNS = (
    "plan",
    "scenario",
    "status",
    "solve",
    "value",
    "missions",
    "score",
    "saved by",
    "saved at",
    "approved by",
    "note",
)


def _local(record: PlanRecord) -> str:
    return f"{record.saved_at.astimezone():%Y-%m-%d %H:%M}"


def figures_shown(view: SideBySide) -> pd.DataFrame:
    """The figures of each plan as text, one column per plan: missing as a dash, shares
    and gaps as percentages, the tightest operations and periods by name."""
    names = Names.of(view.plans[0].scenario)
    table = view.figures.set_index("figure")
    rows: dict[str, list[str]] = {}
    for figure, values in zip(table.index, table.to_numpy().tolist(), strict=True):
        label = str(figure)
        if label.startswith("network FTE ") and label != "network FTE":
            label = f"network FTE {names.period(label.removeprefix('network FTE '))}"
        if label == "saved at":
            label = "saved at (UTC)"
        rows[label[0].upper() + label[1:]] = [_figure(str(figure), value) for value in values]
    rows["Tightest operations"] = [_tightest(plan) for plan in view.plans]
    return (
        pd.DataFrame.from_dict(rows, orient="index", columns=list(table.columns))
        .rename_axis("figure")
        .reset_index()
    )


def _figure(name: str, value: Any) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return DASH
    if name in PERCENT_FIGURES:
        return f"{value:.1%}"
    if name == "gap":
        return f"{value:.2%}"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip(".") if value % 1 else f"{value:,.0f}"
    return str(value)


def _tightest(plan: Plan) -> str:
    kpis = plan.result.kpis
    if kpis is None or kpis.tightest is None:
        return DASH
    tight, names = kpis.tightest, Names.of(plan.scenario)
    period = plan.scenario.period_ids[tight.period] if plan.scenario.has_horizon else None
    return f"{names.demand(tight.unit_id, tight.skill_id, period)}: {tight.ratio:.0%}"


def changes_shown(view: SideBySide) -> pd.DataFrame:
    """The change list as sentences (names already in them), without the id columns."""
    return view.changes[["plan", "against", "kind", "change"]].copy()


def load_shown(view: SideBySide, only_different: bool = True) -> pd.DataFrame:
    """Each unit's time per period in each plan — operations, missions, free — by name;
    with ``only_different`` only the rows where the plans' mission time differs."""
    load = view.load.copy()
    names = Names.of(view.plans[0].scenario)
    missions = [f"{column(plan)} missions" for plan in view.plans]
    missions = [name for name in missions if name in load.columns]
    if only_different and len(missions) > 1:
        differ = load[missions].astype(float).round(6).nunique(axis=1, dropna=False) > 1
        load = load[differ]
    load["unit_id"] = load["unit_id"].map(names.unit)
    renamed = {"unit_id": "unit"}
    if "period_id" in load.columns:
        load["period_id"] = load["period_id"].map(names.period)
        renamed["period_id"] = "period"
    return load.rename(columns=renamed).reset_index(drop=True)


def load_columns(view: SideBySide) -> list[str]:
    """The FTE columns of ``load_shown``, for the page to format as numbers."""
    return [name for name in view.load.columns if name not in ("unit_id", "period_id")]
