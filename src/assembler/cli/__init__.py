"""Command line: ``assembler validate | solve | explain | generate | frontier | sweep | stress``
and ``assembler plans …`` (the plan store, in ``plans``).

Exit codes: 0 solved (optimal or feasible) or valid, 2 invalid input (every problem listed),
3 infeasible or no solution within the limit, 1 unexpected error.  Bad input never shows a
traceback; ``--debug`` shows one for unexpected errors.

The commands on one scenario live in ``solving``, its what-ifs in ``explaining``, the
trade-offs on Dask in ``tradeoffs``, what they share in ``common`` and everything they print
in ``printing``; this module only assembles them into the ``assembler`` application, in the
order ``--help`` lists them.
"""

from __future__ import annotations

import typer

from assembler.cli import plans, releases
from assembler.cli.explaining import explain
from assembler.cli.rolling import discard, roll
from assembler.cli.solving import generate, solve, validate
from assembler.cli.tradeoffs import frontier, stress, sweep

app = typer.Typer(
    rich_markup_mode="markdown",
    add_completion=False,
    no_args_is_help=True,
    help="Assemble mission teams from an organisation's capabilities without breaking operations.",
)

for command in (validate, solve, explain, generate, frontier, sweep, stress):
    app.command()(command)
releases.register(plans.app)
plans.app.command()(roll)
plans.app.command()(discard)
app.add_typer(plans.app, name="plans")

__all__ = ["app"]
