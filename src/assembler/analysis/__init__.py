"""What-if questions a planner asks of a plan, answered by re-solving.

* ``price_of``: what staffing an unstaffed mission costs (the best plan with it forced in);
* ``rank_candidates``: who could join a mission, ranked by what pinning them would cost,
  and why the others cannot;
* ``why_not_on_team``: why one person is not on one mission's team.

Every answer is a difference of optima, exact when the solver proves both, bounded
otherwise; certificates (``compile.certificates``) answer the impossible cases without
solving.
"""

from assembler.analysis.candidates import (
    Candidate,
    Excluded,
    Ranking,
    rank_candidates,
    why_not_on_team,
)
from assembler.analysis.price import Difference, Effect, Price, price_of

__all__ = [
    "Candidate",
    "Difference",
    "Effect",
    "Excluded",
    "Price",
    "Ranking",
    "price_of",
    "rank_candidates",
    "why_not_on_team",
]
