"""The shape of a generated organisation: the knobs a benchmark turns to avoid flattery.

One organisation shape can flatter a solver: the engine's gap on the default shape at
10,000 people was a quarter of its gap on another organisation of the same size.  These
knobs change how the organisation is made (who knows what, how well, who volunteers, how
big the teams, how much is committed, how scarce the tools, how deep the hierarchy) while
the generator stays valid and feasible by construction.  ``Shape()`` is the generator as it
always was: each knob's default reproduces today's draws exactly, so a seed keeps naming
the same organisation.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Shape:
    """How an organisation is made; the defaults are the generator's original values."""

    skill_breadth: float = 1.0
    """Scales the skills each person holds (3-8 at 1.0; 0.5: specialists, 1.5: generalists)."""
    level_shift: int = 0
    """Added to every skill level people hold (kept within 1-5): below 0 a junior
    organisation, whose few experts every mission competes for."""
    opt_in_rate: float | None = None
    """Share of people who volunteer for the network; ``None``: drawn in 30-40 %."""
    team_scale: float = 1.0
    """Scales missions' minimum team sizes (1-3 at 1.0) and so their maximum ones."""
    mandatory_share: float | None = None
    """Share of missions made mandatory (as many as a witness plan can staff);
    ``None``: one mission."""
    capability_scarcity: float = 1.0
    """Divides the capability units left for missions (50-80 % of what they ask at 1.0)."""
    tree_depth: int | None = None
    """Levels of the unit tree, 1 (flat) to 4; ``None``: 2, or 3 from about 1,100 people."""

    def __post_init__(self) -> None:
        if self.skill_breadth <= 0 or self.team_scale <= 0 or self.capability_scarcity <= 0:
            raise ValueError("skill breadth, team scale and capability scarcity must be > 0")
        if self.opt_in_rate is not None and not 0 <= self.opt_in_rate <= 1:
            raise ValueError("the opt-in rate is a share, 0 to 1")
        if self.mandatory_share is not None and not 0 <= self.mandatory_share <= 1:
            raise ValueError("the mandatory share is a share, 0 to 1")
        if self.tree_depth is not None and not 1 <= self.tree_depth <= 4:
            raise ValueError("the unit tree has 1 to 4 levels")


SHAPES: dict[str, Shape] = {
    "default": Shape(),
    "specialists": Shape(skill_breadth=0.6, level_shift=-1, team_scale=1.5),
    "generalists": Shape(skill_breadth=1.6, opt_in_rate=0.6, tree_depth=4),
    "committed": Shape(mandatory_share=0.1, opt_in_rate=0.2, capability_scarcity=2.0),
    "flat": Shape(tree_depth=1, level_shift=1, team_scale=2.0),
}
"""Named shapes the benchmark runs at every size: the default and four organisations that
stress the model differently (scarce experts and large teams; broad skills, many
volunteers and a deep tree; many commitments with scarce tools and few volunteers; a flat
tree with skilled people in large teams)."""
