"""Who is at the planner app, and what their role lets them do.

On one planner's machine nobody signs in: the app acts for the OS user with the approver
role, as the command line does.  A team server signs people in with OpenID Connect (the
app's ``[auth]`` secrets) and reads each person's role here, from the identity provider's
claims or from a mapping in the app's secrets::

    [assembler]
    role_claim = "roles"          # a claim holding role or group names (default "roles")
    default_role = "viewer"       # for someone nothing below names (default "viewer")

    [assembler.roles]             # identities (email or subject) or claim values per role
    approver = ["bob@example.org", "plan-approvers"]
    planner = ["alice@example.org", "planners"]

A person gets the highest role any rule gives them: a claim value that is a role's name
(``"approver"``), or an entry of the mapping that is their email, their subject, or one of
their claim values (a group).  Viewers read, planners edit and save, approvers approve;
the store's ``Policy`` refuses the same, so a page that forgot a check still cannot write.
"""

from __future__ import annotations

import getpass
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from assembler.store.policy import Action, Policy, Role

DEFAULT_CLAIM = "roles"


@dataclass(frozen=True)
class User:
    """The person the app acts for: ``who`` is recorded with every write they make."""

    who: str
    role: Role
    signed_in: bool = False
    policy: Policy = field(default_factory=Policy)

    def may(self, action: Action) -> bool:
        return self.policy.allows(self.role, action)

    @property
    def can_edit(self) -> bool:
        """Editing the scenario (edits, dials, loading) is a planner's work: it is what
        saving would store."""
        return self.may(Action.SAVE)

    def needs_text(self, action: Action | str) -> str:
        """Why a greyed-out step is greyed out, for its tooltip."""
        step = Action(action)
        return f"Only {_a(self.policy.needs(step))} can {step}; you are {_a(self.role)}."


def _a(role: Role) -> str:
    return f"an {role}" if role is Role.APPROVER else f"a {role}"


def local_user() -> User:
    """The OS user as approver: one planner on their own machine, no sign-in."""
    try:
        who = getpass.getuser()
    except (KeyError, OSError):
        who = "planner"
    return User(who or "planner", Role.APPROVER)


def signed_in_user(claims: Mapping[str, Any], config: Mapping[str, Any] | None = None) -> User:
    """The signed-in person of ``claims`` (the identity token's, as ``st.user`` has them)
    with the role that ``config`` (the ``[assembler]`` secrets) gives them."""
    config = config or {}
    who = _first(claims, "email", "preferred_username", "name", "sub") or "unknown"
    claim = str(config.get("role_claim", DEFAULT_CLAIM))
    values = set(_strings(claims.get(claim)))
    names = values | {str(claims[k]) for k in ("email", "sub") if claims.get(k)}
    default = _role(config.get("default_role", Role.VIEWER.value))
    granted = [default, *(_role(v) for v in values if v in set(Role))]
    mapping = config.get("roles", {})
    for role_name, members in mapping.items():
        if names & set(_strings(members)):
            granted.append(_role(role_name))
    return User(who, max(granted, key=lambda role: role.rank), signed_in=True)


def _first(claims: Mapping[str, Any], *keys: str) -> str | None:
    for key in keys:
        value = claims.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def _strings(value: Any) -> Iterable[str]:
    """A claim or mapping entry as strings: one string, or a list of them."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, Iterable):
        return [str(item) for item in value]
    return []


def _role(name: Any) -> Role:
    try:
        return Role(str(name).strip().lower())
    except ValueError:
        roles = ", ".join(Role)
        raise ValueError(f"{name!r} is not a role of the planner app: {roles}") from None
