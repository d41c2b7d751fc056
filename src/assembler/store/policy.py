"""Who may do what: roles checked by the store itself, not by whoever calls it.

The app signs people in and knows their role; the store decides what that role allows,
so no page or command can forget a check.  Roles are ordered — an approver may do what a
planner may, a planner what a viewer may — and each write names the least role it needs.
Reading needs no more than being let in (viewer), so reads take no identity.

Releasing a person to a network mission is not a step up that ladder: it is the decision
of the head of the unit that gives the person, whatever their rank in planning.  So the
units someone leads (``Leads``) travel beside their role, and ``check_release`` asks only
them — an approver who leads no unit decides no release (they may still approve a plan
over undecided ones, with a reason), and a viewer who leads a unit decides its releases.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
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
    DISCARD = "discard"


@dataclass(frozen=True)
class Leads:
    """The units whose releases someone decides: ``units`` by id, or ``every`` unit (one
    planner on their own machine, who answers for the whole organisation there)."""

    units: frozenset[str] = frozenset()
    every: bool = False

    @classmethod
    def of(cls, units: Iterable[str]) -> Leads:
        return cls(frozenset(units))

    @classmethod
    def all(cls) -> Leads:
        return cls(every=True)

    def __bool__(self) -> bool:
        return self.every or bool(self.units)

    def covers(self, unit_id: str) -> bool:
        """Whether the releases of ``unit_id``'s people are theirs to decide."""
        return self.every or unit_id in self.units


DEFAULT_REQUIREMENTS: Mapping[Action, Role] = MappingProxyType(
    {
        Action.SAVE: Role.PLANNER,
        Action.PROPOSE: Role.PLANNER,
        Action.APPROVE: Role.APPROVER,
        Action.DISCARD: Role.PLANNER,
    }
)


@dataclass(frozen=True)
class Policy:
    """The least role each write needs; the default: planners save, propose and discard
    drafts, approvers approve.  A team that lets anyone signed in save gives
    ``{Action.SAVE: Role.VIEWER}``."""

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

    def may_release(self, leads: Leads, unit_id: str) -> bool:
        """Whether someone leading ``leads`` may decide a release of ``unit_id``'s person."""
        return leads.covers(unit_id)

    def check_release(self, who: str, leads: Leads, unit_id: str, unit_name: str) -> None:
        """Raise ``PermissionDeniedError`` unless ``leads`` covers ``unit_id``."""
        if not self.may_release(leads, unit_id):
            raise PermissionDeniedError(
                f"{who} does not lead {unit_name}: only its unit lead decides its releases"
            )
