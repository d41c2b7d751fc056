"""How large a scenario's model will be, known before building it, and what cannot fit.

Building the CP-SAT model of a long horizon takes minutes and gigabytes (5,000 people ×
250 missions × 52 weeks: over 3 GB before any search), and a process that swaps or is
killed for memory tells the planner nothing.  The model's size follows from the instance
alone — one time variable per eligible person, need and period the mission may run in and
the person has time — so it is counted first, and a solve that cannot fit the machine's
memory, or could not even be built within its time limit, is refused with the figures
and what would fit instead.

The rates are measured on the benchmark's scenarios (``benchmarks/``, 2 cores): peak
memory of whole solves against their variable counts, and the build's seconds per
variable on a quiet machine (a busy one builds slower, never faster).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from assembler.compile.instance import Instance

BASE_MIB = 250.0
"""The process before any model: Python, OR-Tools, pandas and the scenario's tables."""
MIB_PER_VARIABLE = 0.014
"""Peak memory of a solve per variable — the model, CP-SAT's presolved copy, its LP rows —
chosen to lie above every benchmark solve measured (2026-12-02, 2 workers): 1,000 people
× 100 missions, 15,264 variables, 398 MiB (estimate 464); 3,000 × 250 committed, 81,038,
1,189 MiB (1,384); 10,000 × 500 committed, 311,043, 4,413 MiB (4,605); 10,000 × 500
generalists, 951,187, 4,955 MiB (13,567: the estimate is an upper one)."""
BUILD_SECONDS_PER_VARIABLE = 40e-6
"""The build's pace on a quiet machine, model, warm start and hint together: 35–47 µs per
variable on the same solves (10,000 × 500: 19.8 s for 417,318 variables)."""
BUILD_SLACK = 2.0
"""A build estimated to take this many times the time limit is refused: the estimate is
of a quiet machine, so only a build that cannot fit by a wide margin is refused."""
LONG_BUILD_SECONDS = 10.0
"""Only a build this long is refused for time: a shorter one that outlasts a tiny limit
ends at the limit anyway (the build checks the clock), and advice to plan fewer periods
would be wrong for it."""


class ModelTooLargeError(ValueError):
    """The scenario's model cannot fit this machine's memory or the time limit."""


@dataclass(frozen=True)
class ModelSize:
    """The variables a scenario's model will have, counted before building it."""

    time_variables: int
    other_variables: int
    periods: int

    @classmethod
    def of(cls, instance: Instance) -> ModelSize:
        capacity = instance.capacity
        time = 0
        for need in instance.needs:
            for t in instance.window(need.mission):
                time += sum(1 for p in need.giving if capacity[p][t] > 0)
        members = sum(len(people) for people in instance.candidates)
        ops = sum(len(need.eligible) for need in instance.ops)
        timing = sum(len(instance.window(m)) for m in range(len(instance.missions)))
        return cls(time, members + ops + timing, instance.horizon)

    @property
    def memory_mib(self) -> float:
        """The peak memory expected of a solve of this model."""
        return expected_memory_mib(self.variables)

    @property
    def variables(self) -> int:
        return self.time_variables + self.other_variables

    @property
    def build_seconds(self) -> float:
        """The seconds expected to build it on a quiet machine."""
        return BUILD_SECONDS_PER_VARIABLE * self.variables

    def beyond_memory(self, available_mib: float | None) -> str | None:
        """The memory it needs against ``available_mib``, when it is more, in short."""
        if available_mib is None or self.memory_mib <= available_mib:
            return None
        return f"about {_mib(self.memory_mib)} of memory, more than the {_mib(available_mib)} "

    def refusal(self, time_limit: float | None, available_mib: float | None) -> str | None:
        """Why a solve of this model cannot be run here, in a planner's words, or ``None``.

        ``time_limit`` in seconds (``None``: a limit that counts work, not seconds);
        ``available_mib`` the memory the machine can give (``None``: unknown)."""
        reasons = []
        memory = self.beyond_memory(available_mib)
        if memory is not None:
            reasons.append(f"{memory}this machine has available")
        build = self.build_seconds
        if time_limit is not None and build > max(BUILD_SLACK * time_limit, LONG_BUILD_SECONDS):
            reasons.append(
                f"about {build:,.0f} s to build, far beyond the time limit of {time_limit:g} s"
            )
        if not reasons:
            return None
        return (
            f"the model of this scenario would have {self.time_variables:,} time variables "
            f"and {self.other_variables:,} others: {' and '.join(reasons)}. {self._advice()}"
        )

    def _advice(self) -> str:
        if self.periods > 1:
            return (
                f"Plan fewer periods (the horizon has {self.periods}), coarser periods "
                "(months rather than weeks), or a part of the horizon at a time; or fewer "
                "missions or people at once."
            )
        return "Plan fewer missions or people at once (one branch of the organisation)."


def expected_memory_mib(variables: int) -> float:
    """The peak memory expected of a solve of a model of ``variables`` variables."""
    return BASE_MIB + MIB_PER_VARIABLE * variables


def expected_memory(variables: int) -> str:
    """``expected_memory_mib`` in words: ``1.7 GiB``, ``480 MiB``."""
    return _mib(expected_memory_mib(variables))


def available_memory_mib() -> float | None:
    """What this machine can give a new solve: ``MemAvailable`` of ``/proc/meminfo`` (Linux),
    else the physical memory, else ``None``."""
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (ValueError, OSError, AttributeError):
        return None


def _mib(mib: float) -> str:
    return f"{mib / 1024:,.1f} GiB" if mib >= 1024 else f"{mib:,.0f} MiB"
