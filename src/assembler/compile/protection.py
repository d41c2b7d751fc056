"""Can operations be protected at all?  An exact certificate that needs no solver.

Planners and trade-off runs push scenarios past what the organisation can bear: a higher
ops buffer, a frontier point, a stress draw that sends people away.  CP-SAT proves such a
scenario infeasible at once but cannot say why cheaply (its assumption cores can take
longer than the solve); this check names the clash in milliseconds, so ``solve`` runs it
first and stress tests reuse it per draw.

Ignoring missions, protecting a unit's operations in a period is a transportation problem:
each person of the unit offers ``cap_pt`` steps to the demands they may cover, each demand
needs ``R_ukt``.
By Gale's theorem (Hall's condition with capacities) it is feasible iff every set ``S`` of
the unit's demands needs no more than the people able to cover some demand of ``S`` can
give.  A violated set is a proof that no plan exists, whatever the missions do, and it names
the demands at fault — the same clash the solver's diagnosis would look for.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass

from assembler.compile.instance import Instance
from assembler.domain.scenario import Scenario

EXACT_DEMANDS_PER_UNIT = 12
"""Up to this many demands in a unit every subset is tried (4,095 at most); beyond it only
single demands and the whole unit are, which still proves infeasibility when it finds it."""


@dataclass(frozen=True, slots=True)
class Shortfall:
    """Demands of one unit that need more time than the people able to cover them have."""

    unit_id: str
    skill_ids: tuple[str, ...]
    required_fte: float
    available_fte: float
    period: int = 0
    period_id: str | None = None
    """The period's id when the scenario has periods (then the message names it)."""

    def __str__(self) -> str:
        skills = ", ".join(self.skill_ids)
        when = "" if self.period_id is None else f" in {self.period_id}"
        return (
            f"operations of unit '{self.unit_id}' in {skills}{when} need {self.required_fte:g} "
            f"FTE (demand + buffer), but the people able to cover them have "
            f"{self.available_fte:g} FTE"
        )


def ops_shortfalls(
    instance: Instance,
    absent: Collection[int] = (),
    capacity: Sequence[Sequence[int]] | None = None,
) -> list[Shortfall]:
    """Per unit and period, the smallest set of demands the people present cannot protect.

    ``absent`` are person indices taken out, so a stress draw needs no new ``Instance``;
    ``capacity`` replaces ``cap_pt`` (``capacity[p][t]``: steps each person can give
    operations, e.g. the time a plan leaves them outside missions).  An empty list means
    operations alone fit; missions may still make a plan infeasible.
    """
    steps = instance.capacity if capacity is None else capacity
    demands_of_unit: dict[tuple[str, int], list[int]] = defaultdict(list)
    for o, need in enumerate(instance.ops):
        demands_of_unit[need.unit_id, need.period].append(o)
    away = set(absent)
    named = instance.scenario.has_horizon
    found = []
    for (unit_id, t), demands in demands_of_unit.items():
        covers: dict[int, int] = defaultdict(int)  # person → bit set of the demands they cover
        for bit, o in enumerate(demands):
            for p in instance.ops[o].eligible:
                if p not in away:
                    covers[p] |= 1 << bit
        for subset in _subsets(len(demands)):
            required = sum(instance.ops[demands[b]].required for b in _bits(subset))
            available = sum(steps[p][t] for p, mask in covers.items() if mask & subset)
            if required > available:
                found.append(
                    Shortfall(
                        unit_id,
                        tuple(instance.ops[demands[b]].skill_id for b in _bits(subset)),
                        instance.fte(required),
                        instance.fte(available),
                        t,
                        instance.period_ids[t] if named else None,
                    )
                )
                break
    return found


def highest_protectable_buffer(scenario: Scenario, resolution: float = 0.01) -> float | None:
    """The highest ops buffer, up to the scenario's own and on a grid of ``resolution``,
    at which operations can still be protected (``ops_shortfalls`` finds nothing); ``None``
    when they cannot be even without a buffer.

    What a planner asks after raising the buffer past what the organisation can bear:
    how far may I go?  A larger buffer only raises every ``R_ukt``, so protection holds
    below some buffer and fails above it, and bisection finds the edge in a few checks of
    milliseconds each.  Operations fitting is necessary, not sufficient: commitments may
    still leave no plan at that buffer, which a solve (or ``certificates.clashes``) says.
    """
    own = scenario.settings.ops_buffer

    def protectable(buffer: float) -> bool:
        return not ops_shortfalls(Instance(scenario.with_settings(ops_buffer=buffer)))

    if protectable(own):
        return own
    low, high = 0, math.ceil(own / resolution - 1e-9)  # grid points: low fits, high does not
    if not protectable(0.0):
        return None
    while high - low > 1:
        middle = (low + high) // 2
        if protectable(round(middle * resolution, 10)):
            low = middle
        else:
            high = middle
    return round(low * resolution, 10)


def _subsets(count: int) -> list[int]:
    """Bit sets of demands to test, smallest first so the reported clash is minimal."""
    if count <= EXACT_DEMANDS_PER_UNIT:
        return sorted(range(1, 1 << count), key=int.bit_count)
    return [1 << bit for bit in range(count)] + [(1 << count) - 1]


def _bits(mask: int) -> Iterator[int]:
    bit = 0
    while mask:
        if mask & 1:
            yield bit
        mask >>= 1
        bit += 1
