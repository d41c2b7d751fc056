"""Sign-in for a team server, and nothing at all on a planner's own machine.

With an ``[auth]`` section in ``.streamlit/secrets.toml`` the app lets nobody in before
they sign in with OpenID Connect (Streamlit's ``st.login``); their role comes from the
identity token's claims or the ``[assembler]`` mapping (``assembler.planning.access``).
Without one, the app acts for the OS user as approver, as the command line does.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import streamlit as st

from assembler.planning.access import User, auth_problems, local_user, signed_in_user
from assembler.text import markdown_text


def _plain(value: Any) -> Any:
    """Secrets as plain dicts and lists (Streamlit hands out its own mapping type)."""
    if isinstance(value, Mapping):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def sign_in_required() -> bool:
    """An ``[auth]`` section in the app's secrets turns sign-in on; one misspelt or half
    filled stops the app with what is wrong, rather than leaving it open to everyone."""
    if not st.secrets.load_if_toml_exists():
        return False
    problems = auth_problems(_plain(dict(st.secrets)))
    if problems:
        st.error(
            "Sign-in is not set up right in the app's secrets, so nobody is let in: "
            + "; ".join(markdown_text(problem) for problem in problems)
            + "."
        )
        st.stop()
    return "auth" in st.secrets


def current_user() -> User:
    """The person at the app; without them signed in (when sign-in is on), the sign-in
    screen instead of the page."""
    if not sign_in_required():
        return local_user()
    if not st.user.is_logged_in:
        _sign_in_screen()
    config = _plain(st.secrets.get("assembler", {}))
    try:
        return signed_in_user(_plain(st.user.to_dict()), config)
    except ValueError as problem:
        st.error(f"Signing in cannot be completed: {markdown_text(problem)}.")
        st.stop()


def _sign_in_screen() -> None:
    st.title("assembler · mission planner")
    st.markdown("This planner is shared by a team: sign in to see and work on its plans.")
    if st.button("Sign in", type="primary"):
        st.login()
    st.stop()


def identity(user: User) -> None:
    """Who is working, in the sidebar, with their role and a way out."""
    if not user.signed_in:
        who = markdown_text(user.who)
        st.caption(f"Working as **{who}** on this machine: saves and approvals carry it.")
        return
    st.caption(f"Signed in as **{markdown_text(user.who)}** · {user.role}")
    st.button("Sign out", on_click=st.logout, key="sign_out", width="stretch")
