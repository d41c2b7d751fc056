"""Alembic's entry point: run the migrations on the connection the store hands over.

``assembler.store.engine.upgrade`` opens the transaction (and, on PostgreSQL, takes the
migration lock) before calling Alembic, so every migration of one upgrade commits together
or not at all, on SQLite as on PostgreSQL.  There is no URL here: the store is the only
way in, so a migration never runs against a database the store would open differently.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from assembler.store.schema import metadata

connection = context.config.attributes.get("connection")
if not isinstance(connection, Connection):
    raise RuntimeError("migrations run through assembler.store, which passes a connection")
# Batch mode rebuilds a SQLite table for changes SQLite's ALTER TABLE cannot make.
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
