"""Where the store lives and how it is opened: the URL, the engine, the migrations.

By default the store is a SQLite file in the working folder (``assembler.db``): nothing to
set up for one planner.  A team points every planner at one server with any SQLAlchemy URL,
on the command line (``--db``) or in ``ASSEMBLER_DB``, e.g.
``postgresql+psycopg://planner@db.example/assembler``.

Two details make "nothing lost" hold on both databases:

* SQLite's Python driver starts a transaction only before a data change, so a read and
  the write that depends on it, or a migration's DDL, would not be one transaction.  The
  engine takes that job over: every connection runs in an explicit ``BEGIN``, and a write
  starts with ``BEGIN IMMEDIATE`` (taking SQLite's write lock up front, so two writers
  queue instead of one failing half-way with "database is locked");
* migrations run inside one transaction that the store opens (on PostgreSQL after an
  advisory lock), so two processes opening a fresh store at once migrate it once, and a
  crash in the middle leaves the previous schema.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

DEFAULT_URL = "sqlite:///assembler.db"
"""A file in the working folder: the store of one planner, created on first use."""

DB_VARIABLE = "ASSEMBLER_DB"
MIGRATIONS = "assembler.store:migrations"
WRITE = "assembler_write"
"""The execution option that marks a connection as a writer (see ``writer``)."""
SQLITE_BUSY_SECONDS = 30.0
"""How long a SQLite writer waits for another one to commit before giving up."""
CONNECT_SECONDS = 10
"""How long connecting to a PostgreSQL server may take, start-up exchange included."""
STATEMENT_SECONDS = 60
"""How long the server may take over one statement, waiting for locks included."""
SUPPORTED = ("sqlite", "postgresql")
"""The databases the store runs on (PostgreSQL through psycopg)."""
MIGRATION_LOCK = 0x61_73_73_6D
"""PostgreSQL advisory lock key that serialises migrations of one database."""


def resolve_url(url: str | None = None) -> str:
    """The URL to open: the one given, else ``ASSEMBLER_DB``, else the default file."""
    return url or os.environ.get(DB_VARIABLE) or DEFAULT_URL


def shown_url(url: str | URL) -> str:
    """``url`` as it may be printed: the password masked."""
    return make_url(url).render_as_string(hide_password=True)


def _json(value: Any) -> str:
    """JSON columns' text: strict (NaN and infinity are not JSON, PostgreSQL refuses them,
    so they fail the save loudly rather than a later read) and unicode kept as written."""
    return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))


def open_engine(url: str) -> Engine:
    """An engine on ``url`` with the transaction behaviour the store relies on, and limits
    on every wait: a server that accepts a connection and never answers, or a lock held
    by a hung client, ends a command with a message instead of hanging it.

    Raises ``StoreFailedError`` for a URL of a database the store does not run on (or not a
    URL at all), before any driver is looked for.
    """
    from assembler.store.failures import unsupported

    try:
        parsed = make_url(url)
        backend = parsed.get_backend_name()
    except ArgumentError:
        raise unsupported(url) from None
    if backend not in SUPPORTED:
        raise unsupported(url)
    try:
        if backend == "postgresql":
            return create_engine(
                parsed,
                json_serializer=_json,
                pool_pre_ping=True,
                connect_args=_server_limits(parsed),
            )
        engine = create_engine(
            parsed, json_serializer=_json, connect_args={"timeout": SQLITE_BUSY_SECONDS}
        )
    except (NoSuchModuleError, ImportError):
        raise unsupported(url) from None

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # the "begin" hook below emits BEGIN
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        immediate = connection.get_execution_options().get(WRITE, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def _server_limits(url: URL) -> dict[str, Any]:
    """PostgreSQL's connect timeout and statement timeout, unless the URL sets its own
    (``?connect_timeout=…``, ``?options=-c statement_timeout=…``)."""
    limits: dict[str, Any] = {}
    if "connect_timeout" not in url.query:
        limits["connect_timeout"] = CONNECT_SECONDS
    if "options" not in url.query:
        limits["options"] = f"-c statement_timeout={STATEMENT_SECONDS * 1000}"
    return limits


def writer(engine: Engine) -> Engine:
    """``engine`` for writing: its transactions take SQLite's write lock when they begin
    (PostgreSQL ignores the option and locks the rows it changes)."""
    return engine.execution_options(**{WRITE: True})


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrate the database to ``revision`` (the newest by default), all in one transaction."""
    _migrate(engine, revision, command.upgrade)


def downgrade(engine: Engine, revision: str) -> None:
    """Migrate the database back to ``revision`` (for tests of the migrations, and for an
    operator rolling back a release)."""
    _migrate(engine, revision, command.downgrade)


def _migrate(engine: Engine, revision: str, step: Callable[[Config, str], None]) -> None:
    config = Config()
    config.set_main_option("script_location", MIGRATIONS)
    with writer(engine).begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        config.attributes["connection"] = connection
        step(config, revision)
