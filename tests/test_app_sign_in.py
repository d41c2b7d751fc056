"""Sign-in in the app, through ``streamlit.testing``: a sign-in section misspelt or half
filled stops the app instead of opening it to everyone, and a kept session follows its
owner's issuer and subject — not their name, not their email."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from test_app_pages import ROOT, plain, planner
from test_app_plans import AUTH

ISSUER = "http://localhost:9"


@pytest.fixture(autouse=True)
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'plans.db'}"
    monkeypatch.setenv("ASSEMBLER_DB", url)
    return url


def app_with(secrets: dict[str, Any], user: dict[str, Any], session: str | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    for key, value in secrets.items():
        at.secrets[key] = value
    at.user = {"is_logged_in": True, "iss": ISSUER, **user}
    if session is not None:
        at.query_params["session"] = session
    at.run()
    assert not at.exception
    return at


@pytest.mark.parametrize(
    "secrets",
    [
        {"Auth": AUTH},
        {"auth": {key: value for key, value in AUTH.items() if key != "client_id"}},
        {"auth": {key: value for key, value in AUTH.items() if key != "server_metadata_url"}},
        {"auth": {"redirect_uri": AUTH["redirect_uri"]}},
    ],
)
def test_a_misspelt_or_half_filled_sign_in_section_lets_nobody_in(
    secrets: dict[str, Any],
) -> None:
    at = app_with(secrets, {"sub": "x", "email": "x@example.org", "email_verified": True})
    assert any("Sign-in is not set up right" in plain(e.value) for e in at.error)
    assert not at.button and not at.sidebar.button and not at.title


def test_a_kept_session_belongs_to_the_subject_not_the_name() -> None:
    ann = {"sub": "ann", "email": "ann@example.org", "email_verified": True}
    first = app_with({"auth": AUTH}, ann)
    key = first.query_params["session"]
    source = planner(first).source

    # Someone else calling themselves ann, with ann's address (unverified), and her link.
    mallory = {"sub": "mallory", "name": "ann@example.org", "email": "ann@example.org"}
    intruder = app_with({"auth": AUTH}, mallory, session=key)
    assert intruder.query_params["session"] != key
    assert any(
        "ann@example.org (subject mallory) · viewer" in plain(c.value) for c in intruder.caption
    )

    # Ann renamed, with a new address: still her session (a new one would get a new key).
    renamed = {"sub": "ann", "email": "ann.b@example.org", "email_verified": True, "name": "Ann B."}
    again = app_with({"auth": AUTH}, renamed, session=key)
    assert again.query_params["session"] == key
    assert planner(again).source == source
