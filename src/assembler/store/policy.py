"""Who may do what: roles checked by the store itself, not by whoever calls it.

The app signs people in and knows their role; the store decides what that role allows,
so no page or command can forget a check.  Roles are ordered — an approver may do what a
planner may, a planner what a viewer may — and each write names the least role it needs.
Reading needs no more than being let in (viewer), so reads take no identity.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType

from assembler.store.records import PermissionDeniedError


class Role(StrEnum):
    VIEWER = "viewer"
    PLANNER = "planner"
    APPROVER = "approver"

    @property
    def rank(self) -> int:
        return list(Role).index(self)


class Action(StrEnum):
    SAVE = "save"
    PROPOSE = "propose"
    APPROVE = "approve"


DEFAULT_REQUIREMENTS: Mapping[Action, Role] = MappingProxyType(
    {Action.SAVE: Role.PLANNER, Action.PROPOSE: Role.PLANNER, Action.APPROVE: Role.APPROVER}
)


@dataclass(frozen=True)
class Policy:
    """The least role each write needs; the default: planners save and propose, approvers
    approve.  A team that lets anyone signed in save gives ``{Action.SAVE: Role.VIEWER}``."""

    requirements: Mapping[Action, Role] = field(default_factory=lambda: DEFAULT_REQUIREMENTS)

    def needs(self, action: Action) -> Role:
        """The least role that may take ``action``."""
        return self.requirements.get(action, Role.APPROVER)

    def allows(self, role: Role, action: Action) -> bool:
        """Whether ``role`` may take ``action``: the app greys out what the store would
        refuse, from the same rule."""
        return role.rank >= self.needs(action).rank

    def check(self, who: str, role: Role, action: Action) -> None:
        """Raise ``PermissionDeniedError`` unless ``role`` may take ``action``."""
        needed = self.needs(action)
        if not self.allows(role, action):
            raise PermissionDeniedError(
                f"{who} is a {role}: to {action} a plan takes the {needed} role"
            )
