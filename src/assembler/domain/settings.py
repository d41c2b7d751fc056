"""Model settings: the knobs of the assembly model (MODEL.md §2, settings table).

They live with the scenario (``scenario.toml``) because they change what the optimum *is*;
how hard the solver looks for it (time limit, workers, seed) is ``SolveSettings`` instead.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

MAX_WEIGHT = 1_000_000
"""The largest objective weight: the score stays exact (below 2⁵³) for any sensible scenario,
which ``assembler.validation`` checks as a whole."""

MAX_COUNT = 1_000_000
"""The largest count a scenario states (team sizes, mission limits, capability units):
beyond any organisation, and small enough for the solver's 64-bit arithmetic."""


class Weights(BaseModel):
    """Integer weights of the objective terms (MODEL.md §7); integers keep the score exact."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    value: int = Field(100, ge=0, le=MAX_WEIGHT)
    preference: int = Field(10, ge=0, le=MAX_WEIGHT)
    assignment: int = Field(1, ge=0, le=MAX_WEIGHT)
    delay: int = Field(1, ge=0, le=MAX_WEIGHT)
    development: int = Field(10, ge=0, le=MAX_WEIGHT, exclude_if=lambda weight: weight == 10)


class ModelSettings(BaseModel):
    """Settings of MODEL.md §2 with the spec's defaults."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    step_fte: float = Field(0.05, ge=0.001, le=2)
    ops_buffer: float = Field(0.10, ge=0, le=10)
    min_allocation_fte: float = Field(0.10, ge=0, le=2)
    max_missions_default: int = Field(2, ge=0, le=MAX_COUNT)
    network_opt_in_required: bool = True
    network_min_units: int = Field(2, ge=0, le=MAX_COUNT)
    # MODEL.md v3: each is left out of a dump (scenario files, summary.json) at its default,
    # so a v2 scenario's settings are written exactly as v2 wrote them.
    stretch_levels: int = Field(0, ge=0, le=2, exclude_if=lambda levels: levels == 0)
    mentor_min_level: int = Field(4, ge=1, le=5, exclude_if=lambda level: level == 4)
    learners_per_mentor: int = Field(
        2, ge=1, le=MAX_COUNT, exclude_if=lambda learners: learners == 2
    )
    network_share_max: float = Field(1.0, ge=0, le=1, exclude_if=lambda share: share == 1)
    weights: Weights = Weights()

    @property
    def has_learners(self) -> bool:
        """Stretch assignments are on (MODEL.md v3): learners, mentors and their files."""
        return self.stretch_levels > 0

    def with_overrides(self, overrides: dict[str, Any]) -> ModelSettings:
        """A copy with some settings replaced, validated like the originals.

        Keys are setting names; weights are named ``weights.value`` (dotted, as in sweep grids)
        or given as a nested ``weights`` mapping.  ``None`` values mean "keep".
        """
        data = self.model_dump()
        for key, value in overrides.items():
            if value is None:
                continue
            if key.startswith("weights."):
                data["weights"][key.removeprefix("weights.")] = value
            elif key == "weights" and isinstance(value, dict):
                data["weights"].update(value)
            else:
                data[key] = value
        return ModelSettings.model_validate(data)

    def flat(self) -> dict[str, Any]:
        """Settings as one flat mapping (``weights.value`` …), for reports and sweep tables
        (v3 settings only when set, as in every dump)."""
        data = self.model_dump()
        weights = data.pop("weights")
        data.update({f"weights.{name}": weight for name, weight in weights.items()})
        return data
