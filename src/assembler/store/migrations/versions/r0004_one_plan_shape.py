"""One shape for a plan's provenance: typed dials and a full solve record.

Before this revision each producer wrote its own keys: the app stored the dials it had
turned as a flat mapping (``{"ops_buffer": 0.2, "weights.value": 50}``) and the command
line none; the app recorded a solve's ``time_limit`` and ``workers``, the command line its
``seed`` too; a session's kept plan held a loose ``settings`` mapping.  From here on:

* ``scenario_versions.overrides`` and ``workspaces.overrides`` hold every model setting
  the dials gave (a ``ModelSettings`` document), or ``{}`` when no dial was turned; a
  version's dials are the settings it was saved with, and its digest is recomputed over
  the new document so an unchanged re-save is still recognised;
* ``plans.settings`` holds ``time_limit``, ``workers``, ``seed`` (0, the only seed the app
  ever used) and ``replanned_from`` (``null`` for a fresh plan), always all four;
* ``workspaces.plan`` is a ``Plan`` document: ``solve`` and ``dials`` in place of
  ``settings``, and its ``changes`` (``null``: worked out again when it is saved).

The columns stay as they are; only their JSON changes, so the downgrade is a no-op
(the older code reads the new documents' keys it knows and ignores the rest — except
a kept plan, which the older code would not read: the downgrade drops it).

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision: str | None = "0003"
branch_labels: str | None = None
depends_on: str | None = None

_versions = sa.table(
    "scenario_versions",
    sa.column("id", sa.Integer),
    sa.column("document", sa.JSON),
    sa.column("edits", sa.JSON),
    sa.column("overrides", sa.JSON),
    sa.column("digest", sa.String),
)
_plans = sa.table("plans", sa.column("id", sa.Integer), sa.column("settings", sa.JSON))
_workspaces = sa.table(
    "workspaces",
    sa.column("key", sa.String),
    sa.column("base_version_id", sa.Integer),
    sa.column("base_document", sa.JSON),
    sa.column("overrides", sa.JSON),
    sa.column("plan", sa.JSON),
)


def upgrade() -> None:
    connection = op.get_bind()
    for row in connection.execute(sa.select(_versions)).all():
        if row.overrides:
            dials = row.document["settings"]
            connection.execute(
                _versions.update()
                .where(_versions.c.id == row.id)
                .values(overrides=dials, digest=_digest(row.document, row.edits, dials))
            )
    for row in connection.execute(sa.select(_plans)).all():
        connection.execute(
            _plans.update().where(_plans.c.id == row.id).values(settings=_solve(row.settings))
        )
    documents = dict(connection.execute(sa.select(_versions.c.id, _versions.c.document)).all())
    for row in connection.execute(sa.select(_workspaces)).all():
        base = row.base_document if row.base_version_id is None else documents[row.base_version_id]
        values: dict[str, Any] = {"overrides": _turned(base["settings"], row.overrides)}
        if row.plan is not None:
            values["plan"] = _plan(row.plan)
        connection.execute(
            _workspaces.update().where(_workspaces.c.key == row.key).values(**values)
        )


def downgrade() -> None:
    op.execute(_workspaces.update().values(plan=None))


def _digest(document: Any, edits: Any, dials: Any) -> str:
    """``store.codec.digest`` as of this revision (a migration keeps its own copy, so that
    a later change to the codec does not rewrite history)."""
    content = {"scenario": document, "edits": edits, "overrides": dict(dials)}
    text = json.dumps(content, sort_keys=True, ensure_ascii=False, allow_nan=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _solve(settings: dict[str, Any]) -> dict[str, Any]:
    if not settings:
        return {}
    return {
        "time_limit": settings["time_limit"],
        "workers": settings["workers"],
        "seed": settings.get("seed", 0),
        "replanned_from": settings.get("replanned_from"),
    }


def _turned(settings: dict[str, Any], flat: dict[str, Any]) -> dict[str, Any]:
    """The base's model settings with the old flat dials (``weights.value`` …) on top."""
    if not flat:
        return {}
    turned = {**settings, "weights": dict(settings["weights"])}
    for key, value in flat.items():
        if value is None:
            continue
        if key.startswith("weights."):
            turned["weights"][key.removeprefix("weights.")] = value
        else:
            turned[key] = value
    return turned


def _plan(document: dict[str, Any]) -> dict[str, Any]:
    if "solve" in document:
        return document
    kept = {key: value for key, value in document.items() if key != "settings"}
    return {**kept, "dials": None, "solve": _solve(document["settings"]), "changes": None}
