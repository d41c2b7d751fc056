"""A database failure as one sentence for the person who asked: which store, what went
wrong, and nothing of the SQL.

The drivers' messages carry the statement and its parameters (``[SQL: …]``), a link to
SQLAlchemy's documentation and sometimes a traceback's worth of context: none of it helps a
planner whose store is a damaged file, a read-only copy, a server that does not answer or a
URL for a database the store does not run on, and the SQL may show data.  ``describe``
keeps the driver's own first line (``database disk image is malformed``, ``connection
timeout expired``), names the store by its URL with the password masked, and adds what to
do where that is known.  Refusals of the store itself (``StoreError``) are not failures:
they already say why.
"""

from __future__ import annotations

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, SQLAlchemyError

from assembler.store.engine import shown_url
from assembler.store.records import StoreError

_HINTS = {
    "file is not a database": "it is not a plan store, or it is damaged",
    "database disk image is malformed": "the file is damaged; restore it from a backup",
    "malformed database schema": "the file is damaged; restore it from a backup",
    "attempt to write a readonly database": "the file or its folder is read-only",
    "unable to open database file": "check that its folder exists and can be written",
    "connection timeout expired": "the server did not answer; is it up and reachable?",
    "canceling statement due to statement timeout": (
        "the server took too long to answer; it may be overloaded or another request holds a lock"
    ),
}


class StoreFailedError(StoreError):
    """The database under the store could not be opened, reached or used; the message
    names the store and the reason, never SQL."""


def where(url: str) -> str:
    """The store as a message names it: its URL (password masked), and for a server its
    host and port, so an operator knows which machine did not answer."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return repr(url)
    shown = shown_url(parsed)
    if parsed.get_backend_name() != "postgresql" or not parsed.host:
        return shown
    return f"{shown} (host {parsed.host}, port {parsed.port or 5432})"


def describe(error: BaseException, url: str, *, opening: bool = False) -> StoreFailedError | None:
    """``error`` as a ``StoreFailedError`` if it is a failure of the database or its driver,
    else ``None`` (a bug, to be reported as one).  ``opening``: it happened while the store
    was opened (connected and migrated), not in a request."""
    if isinstance(error, StoreFailedError):
        return error
    if isinstance(error, DBAPIError) and error.orig is not None:
        reason = _first_line(error.orig)
    elif isinstance(error, NoSuchModuleError | ArgumentError):
        return unsupported(url)
    elif isinstance(error, SQLAlchemyError) or _is_migration_error(error):
        reason = _first_line(error)
    else:
        return None
    hint = next((text for known, text in _HINTS.items() if known in reason), None)
    what = (
        f"cannot open the plan store {where(url)}"
        if opening
        else f"the plan store {where(url)} failed"
    )
    return StoreFailedError(f"{what}: {reason}" + (f"; {hint}" if hint else ""))


def unsupported(url: str) -> StoreFailedError:
    """The store runs on SQLite and PostgreSQL (through psycopg); any other URL, or one that
    is not a URL, is refused before a driver is looked for."""
    return StoreFailedError(
        f"{where(url)} is not a database the plan store runs on: give sqlite:///FILE or "
        "postgresql+psycopg://USER@HOST/DATABASE"
    )


def _is_migration_error(error: BaseException) -> bool:
    from alembic.util.exc import CommandError

    return isinstance(error, CommandError)


def _first_line(error: BaseException) -> str:
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    return lines[0] if lines else type(error).__name__
