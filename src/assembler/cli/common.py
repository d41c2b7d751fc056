"""What every command shares: exit codes, reading a scenario, the guard against tracebacks,
option types, and checking an output folder before any work that would fill it."""

from __future__ import annotations

import functools
import inspect
import io
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, ParamSpec

import typer

from assembler.cli.interrupt import Interrupt
from assembler.cli.printing import print_problems, warn
from assembler.domain.scenario import Scenario
from assembler.domain.solve_settings import SolveSettings
from assembler.io.atomic import FolderSwap, OutputFolderError
from assembler.io.limits import ReadLimits
from assembler.validation import ScenarioReport, read_scenario

if TYPE_CHECKING:
    from assembler.results.result import Result

EXIT_UNEXPECTED, EXIT_INVALID, EXIT_NO_SOLUTION = 1, 2, 3
EXIT_BROKEN_PIPE = 141
"""128 + SIGPIPE: the reader of stdout went away (``| head``)."""
MAX_ID = 2**63 - 1
"""The largest id a store can hold (a signed 64-bit integer on SQLite and PostgreSQL): a
larger one is refused as a usage error, before a driver fails to convert it."""
INPUT_ONLY_FILES = ("mission_needs.csv", "person_skills.csv", "scenario.toml")

ScenarioArgument = Annotated[Path, typer.Argument(help="Folder of CSVs, .xlsx, .json or .zip.")]
SeedOption = Annotated[int, typer.Option(help="Random seed of the search.")]
TimeLimitOption = Annotated[
    float, typer.Option(min=0.01, help="Seconds for the whole solve, building the model included.")
]
WorkersOption = Annotated[int, typer.Option(min=1, help="Solver threads.")]

Params = ParamSpec("Params")

_DEBUG = inspect.Parameter(
    "debug",
    inspect.Parameter.KEYWORD_ONLY,
    default=False,
    annotation=Annotated[
        bool, typer.Option("--debug", help="Show tracebacks of unexpected errors.")
    ],
)
"""The ``--debug`` option every guarded command gets, without declaring it."""


def guarded(command: Callable[Params, None]) -> Callable[Params, None]:
    """``command`` with an unexpected exception turned into a one-line message and exit 1.

    Bad input must never show a traceback, yet a bug must be easy to report: the wrapper
    adds a ``--debug`` option (to the signature typer reads, so each command declares its
    parameters once) that lets the exception through instead.  ``typer.Exit`` and
    ``typer.Abort`` are how commands end on purpose and pass unchanged.  A reader that
    stopped reading (``assembler plans show 1 | head -1``) ends the command quietly, exit
    141 as a shell reports a process ended by SIGPIPE: that is no error of the command.
    """

    @functools.wraps(command)
    def run(*args: Params.args, **kwargs: Params.kwargs) -> None:
        debug = kwargs.pop("debug", False)
        try:
            command(*args, **kwargs)
        except (typer.Exit, typer.Abort):
            raise
        except BrokenPipeError:
            _silence_stdout()
            raise typer.Exit(EXIT_BROKEN_PIPE) from None
        except Exception as error:
            if debug:
                raise
            warn(f"unexpected error: {type(error).__name__}: {error} (rerun with --debug)")
            raise typer.Exit(EXIT_UNEXPECTED) from None

    # typer takes the signature as given: annotations must be evaluated, not strings.
    signature = inspect.signature(command, eval_str=True)
    parameters = [*signature.parameters.values(), _DEBUG]
    run.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
    return run


def _silence_stdout() -> None:
    """Point stdout at /dev/null: the pipe is gone, and the interpreter's last flush of
    what is still buffered would otherwise fail again, with a message, at exit."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, io.UnsupportedOperation):
        pass  # not a real file (a test runner's buffer): nothing is flushed at exit


def solved(
    source: Path, scenario: Scenario, settings: SolveSettings, interrupt: Interrupt
) -> Result:
    """``scenario`` (read from ``source``) solved in ``interrupt``'s helper thread.  A model
    too large for this machine or the limit ends the command with the figures (exit 2); a
    model CP-SAT rejects, with its reason (exit 1): neither has a plan to write or save."""
    from assembler.compile.sizing import ModelTooLargeError
    from assembler.solver import solve
    from assembler.solver.engine import ModelInvalidError

    try:
        return interrupt.run(lambda: solve(scenario, settings))
    except ModelTooLargeError as error:
        warn(f"error: {source}: {error}")
        raise typer.Exit(EXIT_INVALID) from None
    except ModelInvalidError as error:
        warn(f"error: the solver rejected the model, so there is no plan: {error}")
        raise typer.Exit(EXIT_UNEXPECTED) from None


def check_read_limits() -> None:
    """Exit 2 naming the variable when an ``ASSEMBLER_MAX_…`` limit is not a number, before
    reading rather than as an unexpected error in the middle of it."""
    try:
        ReadLimits.from_environment()
    except ValueError as error:
        warn(f"error: {error}")
        raise typer.Exit(EXIT_INVALID) from None


def load(path: Path, overrides: dict[str, Any] | None = None) -> Scenario:
    """Read and validate, or stop with exit 2 after listing every problem."""
    check_read_limits()
    report: ScenarioReport = read_scenario(path, overrides)
    print_problems(report.problems)
    if report.scenario is None:
        errors = len(report.errors)
        warn(f"{path}: {errors} error{'s' if errors != 1 else ''}; nothing was solved.")
        raise typer.Exit(EXIT_INVALID)
    return report.scenario


@contextmanager
def store_failures(db: str | None, *, opening: bool = False) -> Iterator[None]:
    """A failure of the plan store's database — not opened, not reached, damaged, read-only,
    too slow — ends the command with exit 2 and one sentence naming the store, never SQL
    (``assembler.store.failures``); anything else passes on, as the bug it is."""
    from assembler.store import resolve_url
    from assembler.store.failures import describe

    try:
        yield
    except Exception as error:
        failure = describe(error, resolve_url(db), opening=opening)
        if failure is None:
            raise
        warn(f"error: {failure}")
        raise typer.Exit(EXIT_INVALID) from None


def refuse_input_folder(scenario: Path, out: Path) -> None:
    """Reports must not land on a scenario: ``people.csv`` is both an input and an output."""
    clashes = [name for name in INPUT_ONLY_FILES if (out / name).exists()]
    if out.resolve() == scenario.resolve() or clashes:
        found = ", ".join(clashes) or "same folder"
        warn(f"{out}: holds a scenario ({found}); choose another --out.")
        raise typer.Exit(EXIT_INVALID)


@contextmanager
def output_folder(swap: FolderSwap) -> Iterator[FolderSwap]:
    """``swap`` entered — its folder checked and its hidden new version created — or exit 2
    saying why ``--out`` cannot take the reports, before anything is solved."""
    try:
        swap.__enter__()
    except OutputFolderError as error:
        warn(f"--out {error}; nothing was solved.")
        raise typer.Exit(EXIT_INVALID) from None
    try:
        yield swap
    finally:
        swap.__exit__(None, None, None)


def check_folder(out: Path) -> None:
    """Prove before the runs that ``out`` can be created and written, or exit 2: a folder
    found unusable only after an hour of solving would lose the hour.  Nothing is created:
    a command refused later (a bad grid) leaves no empty folder behind."""
    existing = out
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    try:
        if not existing.is_dir():
            raise NotADirectoryError(20, "is a file, not a folder", str(existing))
        with tempfile.TemporaryFile(dir=existing):
            pass
    except OSError as error:
        where = error.filename or out
        warn(f"--out {where}: cannot be written: {error.strerror}; nothing was solved.")
        raise typer.Exit(EXIT_INVALID) from None
