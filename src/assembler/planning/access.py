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

    [assembler.unit_leads]        # identities or claim values per unit id they lead
    finance = ["carol@example.org", "finance-heads"]

A person leads the units their ``unit_claim`` claim (default ``"units"``) names by id, and
those of the ``unit_leads`` mapping that list their verified email, their subject or a
value of their role claim (a group).  Leading a unit is apart from the role: a lead
decides the releases of their units' people to network missions (``Policy.check_release``)
whatever their role, and nobody else does.  On a planner's own machine the OS user leads every unit,
as they are already the approver there.

A person gets the highest role any rule gives them: a claim value that is a role's name
(``"approver"``), or an entry of the mapping that is their verified email, their subject,
or one of their claim values (a group).  Viewers read, planners edit and save, approvers
approve; the store's ``Policy`` refuses the same, so a page that forgot a check still
cannot write.

Who someone *is* is the token's issuer and subject (``iss`` and ``sub``): they never change
when a person renames themselves, and nobody else can have them.  Everything else in a
token is what the person or their provider says about them.  An email counts (for the
mapping, and as the name the history records) only when the provider vouches for it —
``email_verified`` true, or ``provider_verifies_email = true`` in ``[assembler]`` for a
provider that verifies every address but does not send the claim; a name is a label,
shown with the subject beside it so that "bob@example.org" typed as a display name is
never taken for Bob.  Kept sessions belong to ``User.identity``, never to the label.

A sign-in section that is misspelt or half filled is refused (``auth_problems``): without
it the app would run as one planner's own machine does, everyone an approver.
"""

from __future__ import annotations

import getpass
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from assembler.store.policy import Action, Leads, Policy, Role
from assembler.store.schema import NAME_LENGTH

DEFAULT_CLAIM = "roles"
DEFAULT_UNIT_CLAIM = "units"


@dataclass(frozen=True)
class User:
    """The person the app acts for: ``who`` is recorded with every write they make and
    shown as their name; ``identity`` is the key of what belongs to them (their kept
    sessions): the OS user on a planner's machine, a digest of issuer and subject when
    signed in.  OS user names never hold ``:``, so the two kinds cannot meet."""

    who: str
    role: Role
    signed_in: bool = False
    policy: Policy = field(default_factory=Policy)
    identity: str = ""
    leads: Leads = field(default_factory=Leads)

    def __post_init__(self) -> None:
        if not self.identity:
            object.__setattr__(self, "identity", self.who)

    def may(self, action: Action) -> bool:
        return self.policy.allows(self.role, action)

    def may_release(self, unit_id: str) -> bool:
        """Whether the releases of ``unit_id``'s people are this person's to decide."""
        return self.policy.may_release(self.leads, unit_id)

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
    """The OS user as approver and lead of every unit: one planner on their own machine,
    no sign-in, answers for the whole organisation there."""
    try:
        who = getpass.getuser()
    except (KeyError, OSError):
        who = "planner"
    return User(who or "planner", Role.APPROVER, leads=Leads.all())


def signed_in_user(claims: Mapping[str, Any], config: Mapping[str, Any] | None = None) -> User:
    """The signed-in person of ``claims`` (the identity token's, as ``st.user`` has them)
    with the role that ``config`` (the ``[assembler]`` secrets) gives them.  Raises
    ``ValueError`` for a token without a subject, or a mapping naming no role."""
    config = config or {}
    subject = _first(claims, "sub")
    if subject is None:
        raise ValueError("the identity provider's token names no subject ('sub')")
    issuer = _first(claims, "iss") or ""
    email = _first(claims, "email") if _email_verified(claims, config) else None
    claim = str(config.get("role_claim", DEFAULT_CLAIM))
    values = set(_strings(claims.get(claim)))
    names = values | {subject} | ({email} if email else set())
    default = _role(config.get("default_role", Role.VIEWER.value))
    granted = [default, *(_role(v) for v in values if v in set(Role))]
    mapping = config.get("roles", {})
    for role_name, members in mapping.items():
        if names & set(_strings(members)):
            granted.append(_role(role_name))
    unit_claim = str(config.get("unit_claim", DEFAULT_UNIT_CLAIM))
    units = set(_strings(claims.get(unit_claim)))
    for unit_id, members in config.get("unit_leads", {}).items():
        if names & set(_strings(members)):
            units.add(str(unit_id))
    return User(
        email or _label(claims, subject),
        max(granted, key=lambda role: role.rank),
        signed_in=True,
        identity=signed_in_identity(issuer, subject),
        leads=Leads.of(units),
    )


def signed_in_identity(issuer: str, subject: str) -> str:
    """The key of a signed-in person: their issuer and subject, digested to a fixed length
    (a subject may be 255 characters, and a URL comes with it)."""
    digest = hashlib.sha256(f"{issuer}\n{subject}".encode()).hexdigest()
    return f"oidc:{digest[:40]}"


def _email_verified(claims: Mapping[str, Any], config: Mapping[str, Any]) -> bool:
    """Whether the token's email is the person's: the provider says it verified it (some
    send ``"true"`` as text), or the app is told that this provider verifies every one."""
    if config.get("provider_verifies_email") is True:
        return True
    verified = claims.get("email_verified")
    return verified is True or (isinstance(verified, str) and verified.lower() == "true")


def _label(claims: Mapping[str, Any], subject: str) -> str:
    """A name to show and record for someone without a verified email: what they call
    themselves, marked with their subject so that it cannot pass for someone else's."""
    name = _first(claims, "name", "preferred_username")
    shown = f"{name[:120]} (subject {subject})" if name else f"subject {subject}"
    return shown[:NAME_LENGTH]


_AUTH_KEYS = ("redirect_uri", "cookie_secret", "client_id", "client_secret", "server_metadata_url")
"""What the app's ``st.login()`` (the default provider, no name) needs in ``[auth]``."""


def auth_problems(secrets: Mapping[str, Any]) -> list[str]:
    """What is wrong with the app's sign-in secrets; nothing when they are complete or
    absent.  A section that is meant to be ``[auth]`` but is spelt otherwise (``[Auth]``,
    ``[oauth]``) or lacks a key Streamlit's sign-in needs would otherwise leave the app
    open to everyone as approver, so each is a problem that stops it."""
    problems = [
        f"[{key}] is not a section the app reads: sign-in is configured in [auth]"
        for key in secrets
        if key != "auth" and key.casefold() in {"auth", "oauth", "oidc", "login", "authentication"}
    ]
    auth = secrets.get("auth")
    if auth is None:
        return problems
    if not isinstance(auth, Mapping):
        return [*problems, "[auth] must be a section of settings"]
    return [*problems, *(f"[auth] lacks {key}" for key in _AUTH_KEYS if not auth.get(key))]


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
