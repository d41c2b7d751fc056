"""What the pages' charts share: the axes of a heatmap over the periods."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import altair as alt

from assembler.results.names import Names


def period_grid(names: Names, rows: str, order: Sequence[str], label_limit: int) -> dict[str, Any]:
    """The axes of a heatmap of ``rows`` × period, as ``encode`` keywords: the periods
    across the top in the horizon's order, the rows down the side in ``order`` with their
    labels in full up to ``label_limit`` pixels."""
    return {
        "x": alt.X(
            "period:N",
            sort=list(names.periods.values()),
            title=None,
            axis=alt.Axis(orient="top", labelAngle=0),
        ),
        "y": alt.Y(
            f"{rows}:N",
            sort=list(order),
            title=None,
            axis=alt.Axis(labelLimit=label_limit, labelOverlap=False),
        ),
    }
