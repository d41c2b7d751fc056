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
    unit_size_spread: float = 0.0
    """0: leaf units of about the same size (±40 %); above 0 the sizes are log-normal with
    this spread (1.0: a few units ten times the size of many small ones)."""
    skill_tail: float = 0.0
    """0: the skills people hold beyond their unit's are drawn evenly; above 0 by a Zipf law
    of this exponent over a fixed ranking (1.2: a few common skills, a long tail of rare
    ones that only a handful of experts hold)."""
    capabilities_per_mission: int = 1
    """The most capabilities a mission draws on: 1 draws one (two for one mission in ten),
    more draws 2 up to this many for each mission that uses any."""

    def __post_init__(self) -> None:
        if self.skill_breadth <= 0 or self.team_scale <= 0 or self.capability_scarcity <= 0:
            raise ValueError("skill breadth, team scale and capability scarcity must be > 0")
        if self.opt_in_rate is not None and not 0 <= self.opt_in_rate <= 1:
            raise ValueError("the opt-in rate is a share, 0 to 1")
        if self.mandatory_share is not None and not 0 <= self.mandatory_share <= 1:
            raise ValueError("the mandatory share is a share, 0 to 1")
        if self.tree_depth is not None and not 1 <= self.tree_depth <= 4:
            raise ValueError("the unit tree has 1 to 4 levels")
        if self.unit_size_spread < 0 or self.skill_tail < 0:
            raise ValueError("the unit size spread and the skill tail must be >= 0")
        if self.capabilities_per_mission < 1:
            raise ValueError("a mission draws on at least one capability")


SHAPES: dict[str, Shape] = {
    "default": Shape(),
    "specialists": Shape(skill_breadth=0.6, level_shift=-1, team_scale=1.5),
    "generalists": Shape(skill_breadth=1.6, opt_in_rate=0.6, tree_depth=4),
    "committed": Shape(mandatory_share=0.1, opt_in_rate=0.2, capability_scarcity=2.0),
    "flat": Shape(tree_depth=1, level_shift=1, team_scale=2.0),
    "big-teams": Shape(team_scale=2.7, capabilities_per_mission=3),
    "long-tail": Shape(skill_tail=1.2, unit_size_spread=1.0),
    "mosaic": Shape(
        team_scale=2.7,
        capabilities_per_mission=3,
        skill_tail=1.2,
        unit_size_spread=1.0,
        mandatory_share=0.05,
    ),
}
"""Named shapes the benchmark runs at every size.  The first five are the family the
engine was developed on: the default and four organisations that stress the model
differently (scarce experts and large teams; broad skills, many volunteers and a deep
tree; many commitments with scarce tools and few volunteers; a flat tree with skilled
people in large teams).  ``SECOND_FAMILY`` was added after the engine's tuning, to judge
it on organisations it has not seen."""

SECOND_FAMILY = ("big-teams", "long-tail", "mosaic")
"""Teams of 3-8 drawing on several capabilities; skills in a long tail with units of very
different sizes; and both together with some commitments."""
